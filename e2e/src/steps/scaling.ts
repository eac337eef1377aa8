/**
 * The HPA acts for real: k6 ramps traffic through the Ingress, metrics-server reports the API
 * pods' CPU, and the HorizontalPodAutoscaler adds a replica (scaling back is not awaited).
 */
import assert from 'node:assert/strict';
import { kubectlJson } from '../commands.js';
import type { Journey } from '../journey-state.js';
import { runK6 } from '../k6.js';
import { waitFor } from '../waiting.js';

interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
  status: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: Array<{ resource?: { current?: { averageUtilization?: number } } }>;
  };
}

/** Waits until the API's HPA reads the pods' CPU from metrics-server: before that no load step can scale it. */
export async function apiCpuReported(journey: Journey, seconds: number): Promise<void> {
  await waitFor(
    "metrics-server reports the API pods' CPU",
    seconds,
    async () => {
      const hpa = await kubectlJson<Hpa>(['-n', journey.namespace, 'get', 'hpa', `${journey.model}-api`]);
      return hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined ? true : undefined;
    },
    3000,
  );
}

export async function hpaScalesUp(journey: Journey): Promise<void> {
  const name = `${journey.model}-api`;
  const hpa = () => kubectlJson<Hpa>(['-n', journey.namespace, 'get', 'hpa', name]);
  const before = await hpa();
  assert.ok(before.spec.maxReplicas > before.spec.minReplicas, 'the HPA has room to scale');
  await apiCpuReported(journey, 120);
  const began = Date.now();
  // One request in ten carries 500 loans: enough CPU to pass the HPA's target on one replica.
  const load = runK6('load.js', journey.host, { RATE: '200', BATCH_SIZE: '500', DURATION: '150s' });
  const scaled = await waitFor(
    'the HPA adds an API replica',
    170,
    async () => {
      const status = (await hpa()).status;
      return (status.desiredReplicas ?? 0) > before.spec.minReplicas ? status : undefined;
    },
    3000,
  );
  journey.timings.set('load start -> HPA scales up', (Date.now() - began) / 1000);
  const result = await load;
  assert.equal(
    result.metrics.http_req_failed?.value,
    0,
    `failed requests while scaling:\n${result.output.slice(-2000)}`,
  );
  assert.ok((scaled.desiredReplicas ?? 0) > before.spec.minReplicas);
}
