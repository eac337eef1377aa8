/**
 * The ML engineer's part: training data onto the volume (scripts/upload-data.sh, as the README
 * says), `kubectl apply` of a sample LoanRiskModel, training in a Pod of the trainer image, the
 * quality gate, and the API rolled out behind an Ingress.
 */
import assert from 'node:assert/strict';
import { kubectl, kubectlJson, run } from '../commands.js';
import { jsonViaIngress } from '../ingress.js';
import { describeStatus, getModel, patchModel, readyVersion, type Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

export async function uploadTrainingData(journey: Journey, csv: string, path: string): Promise<void> {
  const out = (await run('bash', ['scripts/upload-data.sh', '-n', journey.namespace, csv, path])).stdout;
  assert.match(out, new RegExp(`-> loan-data:/${path.replace(/[.]/g, '\\.')} \\(\\d+ bytes\\)`));
}

interface JobList {
  items: Array<{
    metadata: {
      name: string;
      labels?: Record<string, string>;
      ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }>;
    };
    status: { succeeded?: number; failed?: number };
  }>;
}

/** The model's training Jobs (not the listing Jobs of spec.training.watchInterval). */
export async function trainingJobs(journey: Journey): Promise<JobList['items']> {
  const jobs = await kubectlJson<JobList>(['-n', journey.namespace, 'get', 'jobs']);
  return jobs.items.filter(
    (job) =>
      job.metadata.labels?.['app.kubernetes.io/component'] === 'training' &&
      job.metadata.ownerReferences?.some((o) => o.kind === 'LoanRiskModel' && o.name === journey.model && o.controller),
  );
}

/** Waits until the model is Ready on a version other than `previous`; returns that version. */
export async function waitForNewLiveVersion(
  journey: Journey,
  previous: string | undefined,
  seconds: number,
): Promise<string> {
  let last = '';
  return waitFor(
    `${journey.model} Ready on a new version`,
    seconds,
    async () => {
      const model = await getModel(journey);
      last = describeStatus(model);
      const version = readyVersion(model);
      if (model.status?.phase === 'Failed') throw new Error(`model failed: ${last}`);
      return version && version !== previous ? version : undefined;
    },
    2000,
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; status: ${last}`);
  });
}

export async function applySample(journey: Journey): Promise<number> {
  const applied = Date.now();
  await kubectl(['apply', '-n', journey.namespace, '-f', 'manifests/samples/loanriskmodel-dev.yaml']);
  // The dev sample has no Ingress; expose it on this cluster's ingress controller. Serving
  // settings are not training inputs, so this does not start a second run.
  await patchModel(journey, {
    spec: {
      training: { image: `ghcr.io/peerloan/trainer-job:${journey.imageTag}` },
      serving: {
        image: `ghcr.io/peerloan/api:${journey.imageTag}`,
        ingress: { enabled: true, host: journey.host, className: 'traefik' },
      },
    },
  });
  return applied;
}

export async function firstPrediction(
  journey: Journey,
  applied: number,
  sample: Record<string, unknown>,
): Promise<void> {
  journey.liveVersion = await waitForNewLiveVersion(journey, undefined, 600);
  const jobs = await trainingJobs(journey);
  assert.equal(jobs.length, 1, 'one training Job, owned by the LoanRiskModel');
  assert.equal(jobs[0].status.succeeded, 1);
  const answer = await waitFor('the first prediction through the Ingress', 120, async () =>
    jsonViaIngress<{ modelVersion: string }>(journey.host, 'POST', '/predict', sample),
  );
  assert.equal(answer.modelVersion, journey.liveVersion);
  journey.timings.set('apply -> first prediction through the Ingress', (Date.now() - applied) / 1000);
  const columns = await kubectl(['-n', journey.namespace, 'get', 'lrm']);
  assert.match(columns.split('\n')[0], /LIVE/);
  assert.ok(columns.includes(journey.liveVersion), `kubectl get lrm shows the live version:\n${columns}`);
}
