/**
 * Model risk management on the cluster (issue 27): a LoanRiskModel trained on a folder of quarters,
 * with `rollout.approval: required` and a short `training.watchInterval`. A new quarter copied onto
 * the volume starts a training Job on its own; its candidate waits in AwaitingApproval while the
 * live version answers everyone; a second Kubernetes user (a ServiceAccount bound to the
 * `loanrisk-approver` ClusterRole) approves it with `npx loanrisk-models approve`, and it goes live.
 * The user who applied the model (the journey's admin) is refused: four eyes.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPROVAL_KIND, APPROVER_CLUSTER_ROLE, approvalName, CRD_API_VERSION } from '@peerloan/contracts';
import { kubectl, kubectlJson, run, type RunResult } from '../commands.js';
import { describeStatus, getModel, type Journey } from '../journey-state.js';
import { generateCsv } from '../loans.js';
import { waitFor } from '../waiting.js';
import { trainingJobs, uploadTrainingData, waitForNewLiveVersion } from './training.js';

const FOLDER = 'loans/quarters';
const POLICIES = 'manifests/approval/policies.yaml';
const REVIEWER = 'risk-reviewer';
/** Small quarters and a small search: the step is about the flow, not the model. */
const QUARTER_ROWS = 3000;

function quartersModel(journey: Journey, author: string): object {
  return {
    apiVersion: CRD_API_VERSION,
    kind: 'LoanRiskModel',
    metadata: { name: journey.model, annotations: { 'risk.peerloan.io/last-changed-by': author } },
    spec: {
      dataset: { claimName: 'loan-data', path: FOLDER },
      training: {
        image: `ghcr.io/peerloan/trainer-job:${journey.imageTag}`,
        watchInterval: '30s',
        folds: 3,
        seed: 1,
        config: { maxRounds: 40, imbalance: ['none'], stabilitySeeds: 1 },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      },
      qualityGate: { minRocAuc: 0.55, maxRegression: 0.2 },
      rollout: { approval: 'required', strategy: 'immediate' },
      serving: {
        image: `ghcr.io/peerloan/api:${journey.imageTag}`,
        env: [
          { name: 'REDIS_URL', value: `redis://${journey.release}-redis:6379` },
          {
            name: 'REDIS_PASSWORD',
            valueFrom: { secretKeyRef: { name: `${journey.release}-redis-auth`, key: 'password' } },
          },
        ],
        minReplicas: 1,
        maxReplicas: 1,
      },
    },
  };
}

/** A kubeconfig for the reviewer: this cluster, authenticated by a ServiceAccount token. */
async function reviewerKubeconfig(journey: Journey, work: string): Promise<string> {
  const ns = journey.namespace;
  await kubectl(['-n', ns, 'create', 'serviceaccount', REVIEWER]);
  await kubectl(['-n', ns, 'create', 'role', 'model-reader', '--verb=get,list', '--resource=loanriskmodels']);
  await kubectl([
    '-n',
    ns,
    'create',
    'rolebinding',
    'reviewer-reads',
    '--role=model-reader',
    `--serviceaccount=${ns}:${REVIEWER}`,
  ]);
  await kubectl([
    '-n',
    ns,
    'create',
    'rolebinding',
    'reviewer-approves',
    `--clusterrole=${APPROVER_CLUSTER_ROLE}`,
    `--serviceaccount=${ns}:${REVIEWER}`,
  ]);
  const token = (await kubectl(['-n', ns, 'create', 'token', REVIEWER, '--duration=1h'])).trim();
  const admin = await kubectlJson<{ clusters: Array<{ name: string }> }>([
    'config',
    'view',
    '--raw',
    '--minify',
    '--flatten',
  ]);
  const cluster = admin.clusters[0];
  const path = join(work, 'reviewer-kubeconfig.json');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [{ name: REVIEWER, user: { token } }],
    contexts: [{ name: REVIEWER, context: { cluster: cluster.name, user: REVIEWER, namespace: ns } }],
    'current-context': REVIEWER,
  };
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

async function decide(journey: Journey, version: string, kubeconfig?: string): Promise<RunResult> {
  return run('npx', ['loanrisk-models', 'approve', '-n', journey.namespace, journey.model, version], {
    allowFailure: true,
    ...(kubeconfig && { env: { KUBECONFIG: kubeconfig } }),
  });
}

/** The candidate waiting for approval, once the model shows one other than `live`. */
async function awaitingCandidate(journey: Journey, live: string | undefined): Promise<string> {
  let last = '';
  return waitFor(
    `${journey.model} candidate in AwaitingApproval`,
    420,
    async () => {
      const model = await getModel(journey);
      last = describeStatus(model);
      if (model.status?.phase === 'Failed') throw new Error(`model failed: ${last}`);
      const waiting = model.status?.rollout?.phase === 'AwaitingApproval' ? model.status.candidateVersion : undefined;
      return waiting && waiting !== live ? waiting : undefined;
    },
    2000,
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; status: ${last}`);
  });
}

/**
 * The admission policies take effect a moment after they are created: until a dry run of the
 * author's approval is refused, an approval by the author could be stored.
 */
async function fourEyesInForce(journey: Journey, version: string, author: string): Promise<void> {
  const approval = {
    apiVersion: CRD_API_VERSION,
    kind: APPROVAL_KIND,
    metadata: { name: approvalName(journey.model, version), namespace: journey.namespace },
    spec: { model: journey.model, version, decision: 'approve', approver: author },
  };
  await waitFor('the four-eyes policy refuses the author', 60, async () => {
    const r = await run('kubectl', ['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify(approval),
      allowFailure: true,
    });
    return r.code !== 0 && /four eyes/.test(r.stderr) ? true : undefined;
  });
}

/** The reviewer approves `version`, which then serves instead of `previous`. */
async function approveAsReviewer(
  journey: Journey,
  version: string,
  reviewer: string,
  previous: string | undefined,
): Promise<void> {
  const approved = await decide(journey, version, reviewer);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, new RegExp(`recorded: ${reviewerUser(journey)} approved`));
  assert.equal(await waitForNewLiveVersion(journey, previous, 300), version);
}

const reviewerUser = (journey: Journey) => `system:serviceaccount:${journey.namespace}:${REVIEWER}`;

export async function newQuarterAwaitsApproval(journey: Journey, work: string): Promise<void> {
  const ns = journey.namespace;
  // A platform admin's one-time install (the dev values leave rbac.approvalPolicies off).
  await kubectl(['apply', '-f', POLICIES]);
  try {
    const reviewer = await reviewerKubeconfig(journey, work);
    const author = (await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim();
    const quarters = await Promise.all([1, 2, 3].map((q) => generateCsv(work, `2026Q${q}.csv`, QUARTER_ROWS, 30 + q)));
    for (const q of [1, 2]) await uploadTrainingData(journey, quarters[q - 1], `${FOLDER}/2026Q${q}.csv`);
    await run('kubectl', ['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify(quartersModel(journey, author)) });

    // The first candidate waits too; the author may not approve it, the reviewer may.
    const first = await awaitingCandidate(journey, undefined);
    await fourEyesInForce(journey, first, author);
    const byAuthor = await decide(journey, first);
    assert.equal(byAuthor.code, 1, `the author's approval is refused:\n${byAuthor.stdout}`);
    assert.match(byAuthor.stderr, /four eyes/);
    await approveAsReviewer(journey, first, reviewer, undefined);

    // The first listing is the baseline: the new quarter must come after it.
    await waitFor('the first listing of the folder', 120, async () => {
      const watch = (await getModel(journey)).status?.dataWatch;
      return watch?.files === 2 ? watch : undefined;
    });
    const jobsBefore = new Set((await trainingJobs(journey)).map((j) => j.metadata.name));
    await uploadTrainingData(journey, quarters[2], `${FOLDER}/2026Q3.csv`);
    const copied = Date.now();
    const job = await waitFor(
      'a training Job started by the new quarter',
      120,
      async () => (await trainingJobs(journey)).find((j) => !jobsBefore.has(j.metadata.name))?.metadata.name,
      2000,
    );
    journey.timings.set(
      'a new quarter on the volume -> its training Job (watchInterval 30s)',
      (Date.now() - copied) / 1000,
    );

    // The candidate waits and answers nobody: the pods serve the live version alone.
    const second = await awaitingCandidate(journey, first);
    const events = await kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${journey.model}`,
    ]);
    assert.match(events, /RetrainingOnNewData.*2026Q3\.csv/, `an Event names the new quarter:\n${events}`);
    const waiting = await getModel(journey);
    assert.deepEqual(
      [waiting.status?.liveVersion, waiting.status?.candidateTrafficPercent, waiting.status?.trainingJob],
      [first, 0, job],
    );
    const env = await kubectl([
      '-n',
      ns,
      'get',
      'deployment',
      `${journey.model}-api`,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env[*].name}',
    ]);
    assert.doesNotMatch(env, /CANDIDATE_VERSION/, 'no pod scores the waiting candidate');

    const approving = Date.now();
    await approveAsReviewer(journey, second, reviewer, first);
    journey.timings.set("approval of the new quarter's candidate -> live and Ready", (Date.now() - approving) / 1000);
    const entry = (await getModel(journey)).status?.history?.find((h) => h.version === second && h.approval);
    assert.deepEqual([entry?.reason, entry?.approval?.user], ['Approved', reviewerUser(journey)]);
  } finally {
    await kubectl(
      ['-n', ns, 'delete', 'loanriskmodel', journey.model, '--ignore-not-found', '--wait=true', '--timeout=120s'],
      {
        allowFailure: true,
      },
    );
    await kubectl(['delete', '-f', POLICIES, '--ignore-not-found'], { allowFailure: true });
  }
}
