/**
 * The HPA acts for real: k6 ramps traffic through the Ingress, metrics-server reports the API
 * pods' CPU, and the HorizontalPodAutoscaler adds a replica (scaling back is not awaited).
 */
import assert from 'node:assert/strict';
import { kubectl, kubectlJson } from '../commands.js';
import type { Journey } from '../journey-state.js';
import { runK6 } from '../k6.js';
import { waitFor } from '../waiting.js';
import { apiPodSelector } from './rollout.js';

interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
  status: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: Array<{ resource?: { current?: { averageUtilization?: number } } }>;
  };
}

interface ApiPods {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string };
    status: { conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }> };
  }>;
}

interface PodMetrics {
  items: Array<{ metadata: { name: string }; timestamp: string; window: string }>;
}

/** A metrics-server window ("15.2s", "1m0s") in milliseconds. */
function windowMs(window: string): number {
  const match = /^(?:(\d+)m)?([\d.]+)s$/.exec(window);
  if (!match) throw new Error(`metrics-server window ${JSON.stringify(window)} is not minutes and seconds`);
  const [, minutes, secs] = match;
  return ((minutes ? Number(minutes) : 0) * 60 + Number(secs)) * 1000;
}

/**
 * Waits until the API's HPA can count every Ready API pod's CPU: metrics-server holds a sample of
 * each pod whose window began after the pod became Ready, and the HPA has read one. The HPA sets
 * aside a young pod's earlier samples, so a load step sent before then may wait on metrics for a
 * new pod, not on the HPA (bench:cluster after a rollout: 36.8 s to the HPA's request with the
 * older wait on the HPA's reading alone, 20.3 s with this one).
 */
export async function apiCpuReported(journey: Journey, seconds: number): Promise<void> {
  const ns = journey.namespace;
  await waitFor(
    "metrics-server reports every API pod's CPU since it became Ready",
    seconds,
    async () => {
      const [pods, metrics, hpa] = await Promise.all([
        kubectlJson<ApiPods>(['-n', ns, 'get', 'pods', '-l', apiPodSelector(journey)]),
        kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`]).then(
          (text) => JSON.parse(text) as PodMetrics,
          () => undefined,
        ),
        kubectlJson<Hpa>(['-n', ns, 'get', 'hpa', `${journey.model}-api`]),
      ]);
      if (hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization === undefined || !metrics)
        return undefined;
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
      const counted = live.every((pod) => {
        const readySince = pod.status.conditions?.find(
          (c) => c.type === 'Ready' && c.status === 'True',
        )?.lastTransitionTime;
        const sample = metrics.items.find((m) => m.metadata.name === pod.metadata.name);
        return (
          readySince !== undefined &&
          sample !== undefined &&
          Date.parse(sample.timestamp) - windowMs(sample.window) >= Date.parse(readySince)
        );
      });
      return live.length > 0 && counted ? true : undefined;
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
