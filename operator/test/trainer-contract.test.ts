/**
 * The operator and the real trainer agree: the trainer CLI, run with exactly the training Job's
 * args, volume mounts and ConfigMap (paths mapped onto temp folders as the kubelet would mount
 * them), accepts the config file, and its termination message is a summary the operator reads;
 * the served Deployment's MODEL_DIR, mounted the same way, holds that version's artifacts. The
 * listing Job of spec.training.watchInterval, run the same way, writes a listing the operator reads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import type { V1Container, V1Job, V1Volume } from '@kubernetes/client-node';
import { ARTIFACT_FILES, MODEL_CARD_FILE, ROLLOUT_ENV, type ModelManifest } from '@peerloan/contracts';
import { desiredDeployment } from '../src/children/deployment.js';
import { desiredTrainingConfigMap, desiredTrainingJob } from '../src/children/job.js';
import { desiredListingJob } from '../src/children/listing-job.js';
import { listingOutcome, newestUnreadListing } from '../src/listing-result.js';
import { parseTrainingSummary } from '../src/training-summary.js';
import { modelObject, REPO_ROOT, sampleSpec } from './fixtures.js';
import { required } from './required.js';

const run = promisify(execFile);
let dir: string;
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Where each volume lives on "the node": the claim and the ConfigMap as temp folders. */
function mapper(container: V1Container, volumes: V1Volume[], roots: Record<string, string>) {
  const mounts = [...(container.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
  return (path: string) => {
    const m = mounts.find((mount) => path === mount.mountPath || path.startsWith(`${mount.mountPath}/`));
    if (!m) return path;
    const volume = required(
      volumes.find((v) => v.name === m.name),
      'volumes.find((v) => v.name === m.name)',
    );
    return join(roots[volume.name], m.subPath ?? '', path.slice(m.mountPath.length));
  };
}

test('the real trainer runs with the Job the operator makes and writes a summary the operator reads', async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerloan-contract-'));
  const claim = join(dir, 'claim');
  await mkdir(join(claim, 'loans'), { recursive: true });
  await mkdir(join(claim, 'models'), { recursive: true });
  await run(process.execPath, [
    join(REPO_ROOT, 'trainer-job/bin/loanrisk-generate.js'),
    '--rows',
    '3000',
    '--seed',
    '7',
    '--out',
    join(claim, 'loans/q3.csv'),
  ]);
  await run(process.execPath, [
    join(REPO_ROOT, 'trainer-job/bin/loanrisk-generate.js'),
    '--rows',
    '2000',
    '--seed',
    '8',
    '--shift',
    'int_rate=0.3',
    '--out',
    join(claim, 'loans/q4.csv'),
  ]);

  const model = modelObject(
    'ns',
    'contract',
    sampleSpec({
      dataset: { claimName: 'loan-data', path: 'loans/q3.csv', validationPath: 'loans/q4.csv' },
      training: {
        image: 'trainer:test',
        folds: 3,
        seed: 7,
        config: {
          maxRounds: 40,
          earlyStoppingRounds: 10,
          imbalance: ['none'],
          stabilitySeeds: 2,
          grid: { max_depth: [3], eta: [0.2], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
        },
      },
      decisionPolicy: { policy: 'max-flag-rate', value: 0.1 },
    }),
  );
  model.metadata.uid = 'uid';
  const job = desiredTrainingJob(model);
  const configMap = desiredTrainingConfigMap(model);
  const pod = required(job.spec?.template.spec, 'job.spec.template.spec');
  const container = pod.containers[0];
  assert.equal(configMap.metadata?.name, pod.volumes?.find((v) => v.name === 'config')?.configMap?.name);
  const configDir = join(dir, 'config');
  await mkdir(configDir);
  for (const [file, text] of Object.entries(required(configMap.data, 'configMap.data')))
    await writeFile(join(configDir, file), text);

  const toHost = mapper(container, required(pod.volumes, 'pod.volumes'), {
    data: claim,
    config: configDir,
    tmp: join(dir, 'tmp'),
  });
  const terminationLog = join(dir, 'termination-log');
  const hostArgs = container.args?.map((a) =>
    a === container.terminationMessagePath ? terminationLog : a.startsWith('/') ? toHost(a) : a,
  );
  await run(
    process.execPath,
    [join(REPO_ROOT, 'trainer-job/bin/loanrisk-train.js'), ...required(hostArgs, 'hostArgs')],
    {
      timeout: 120_000,
    },
  );

  const summary = parseTrainingSummary(
    'trainer-pod',
    await readFile(terminationLog, 'utf8'),
    required(job.metadata?.name, 'job.metadata.name'),
  );
  assert.ok(summary.metrics.rocAuc > 0.5);
  // spec.dataset.validationPath reached the trainer as --validation-data: the summary carries the later period's numbers.
  assert.equal(summary.outOfTime?.rows, 2000);
  assert.ok(
    summary.outOfTime.rocAuc.low <= summary.outOfTime.rocAuc.value &&
      summary.outOfTime.rocAuc.value <= summary.outOfTime.rocAuc.high,
  );
  await access(join(claim, 'models', summary.version, MODEL_CARD_FILE));
  const manifest = JSON.parse(
    await readFile(join(claim, 'models', summary.version, ARTIFACT_FILES.manifest), 'utf8'),
  ) as ModelManifest;
  assert.equal(manifest.version, summary.version);
  assert.equal(manifest.model.folds, 3);
  assert.equal(manifest.model.seed, 7);
  assert.deepEqual(manifest.threshold.policy, { policy: 'max-flag-rate', value: 0.1 });

  // With a live version the Job names its folder (--baseline-model): the next run compares with it on the later period.
  const next = modelObject(
    'ns',
    'contract',
    sampleSpec({ ...model.spec, training: { ...model.spec.training, seed: 8 } }),
  );
  next.metadata.uid = 'uid';
  next.status = { live: { version: summary.version, metrics: summary.metrics } };
  const nextContainer = required(
    desiredTrainingJob(next).spec?.template.spec?.containers[0],
    'desiredTrainingJob(next).spec.template.spec.containers[0]',
  );
  assert.deepEqual(
    nextContainer.args?.slice(
      nextContainer.args.indexOf('--baseline-model'),
      nextContainer.args.indexOf('--baseline-model') + 2,
    ),
    ['--baseline-model', `/models/${summary.version}`],
  );
  assert.equal(
    desiredTrainingJob(next).metadata?.name,
    desiredTrainingJob({ ...next, status: {} }).metadata?.name,
    'the live version does not name the Job',
  );
  const nextLog = join(dir, 'termination-log-next');
  const nextArgs = nextContainer.args.map((a) =>
    a === nextContainer.terminationMessagePath ? nextLog : a.startsWith('/') ? toHost(a) : a,
  );
  await run(process.execPath, [join(REPO_ROOT, 'trainer-job/bin/loanrisk-train.js'), ...nextArgs], {
    timeout: 120_000,
  });
  const nextSummary = parseTrainingSummary('trainer-pod', await readFile(nextLog, 'utf8'), 'next');
  assert.equal(nextSummary.comparison?.baselineVersion, summary.version);
  assert.equal(nextSummary.comparison.rows, 2000);

  // The API finds the version both ways: <MODELS_ROOT>/<LIVE_VERSION> (the rollout contract) and MODEL_DIR (older images).
  const deployment = desiredDeployment(model, {
    live: summary.version,
    candidate: { version: summary.version, mode: 'shadow', trafficPercent: 0 },
  });
  const api = required(deployment.spec?.template.spec, 'deployment.spec.template.spec');
  const env = (name: string) =>
    required(
      api.containers[0].env?.find((e) => e.name === name)?.value,
      'api.containers[0].env.find((e) => e.name === name).value',
    );
  const apiToHost = mapper(api.containers[0], required(api.volumes, 'api.volumes'), { models: claim });
  await access(join(apiToHost(env('MODEL_DIR')), ARTIFACT_FILES.model));
  await access(join(apiToHost(`${env(ROLLOUT_ENV.modelsRoot)}/${env(ROLLOUT_ENV.liveVersion)}`), ARTIFACT_FILES.model));
  await access(
    join(apiToHost(`${env(ROLLOUT_ENV.modelsRoot)}/${env(ROLLOUT_ENV.candidateVersion)}`), ARTIFACT_FILES.model),
  );
});

test("the real trainer lists a period folder with the listing Job's args and mounts, in a message the operator reads", async () => {
  const root = await mkdtemp(join(tmpdir(), 'peerloan-listing-'));
  try {
    const quarters = join(root, 'claim/loans/quarters');
    await mkdir(quarters, { recursive: true });
    for (const [file, seed] of [
      ['2026Q1.csv', '1'],
      ['2026Q2.csv', '2'],
    ])
      await run(process.execPath, [
        join(REPO_ROOT, 'trainer-job/bin/loanrisk-generate.js'),
        ...['--rows', '200', '--seed', seed, '--out', join(quarters, file)],
      ]);
    const model = modelObject(
      'ns',
      'quarterly',
      sampleSpec({
        dataset: { claimName: 'loan-data', path: 'loans/quarters' },
        training: { image: 'trainer:test', watchInterval: '10m' },
      }),
    );
    model.metadata.uid = 'uid';
    const job = desiredListingJob(model, new Date('2026-12-06T09:00:00Z'), 600_000);
    const pod = required(job.spec?.template.spec, 'job.spec.template.spec');
    const container = pod.containers[0];
    const toHost = mapper(container, required(pod.volumes, 'pod.volumes'), { data: join(root, 'claim') });
    const terminationLog = join(root, 'termination-log');
    const hostArgs = required(container.args, 'container.args').map((a) =>
      a === container.terminationMessagePath ? terminationLog : a.startsWith('/') ? toHost(a) : a,
    );
    await run(process.execPath, [join(REPO_ROOT, 'trainer-job/bin/loanrisk-train.js'), ...hostArgs]);

    // The Job as the Job controller and the kubelet leave it: Complete, its pod terminated with the message.
    const finished: V1Job = {
      metadata: job.metadata,
      spec: job.spec,
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    };
    const terminated = (message: string) => ({
      metadata: { name: 'lister-pod' },
      status: {
        containerStatuses: [
          {
            name: 'lister',
            image: 'trainer:test',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, message } },
          },
        ],
      },
    });
    const outcome = listingOutcome(finished, [terminated(await readFile(terminationLog, 'utf8'))]);
    assert.ok(outcome && 'listing' in outcome, JSON.stringify(outcome));
    assert.deepEqual([outcome.listing.files, outcome.listing.newest], [2, '2026Q2.csv']);
    assert.equal(newestUnreadListing(model, [finished]), finished, 'a result the status has not seen');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('with a live version the training Job passes --baseline-model for a folder of periods too, where validationPath is unset', () => {
  const argsFor = (dataset: { claimName: string; path: string; validationPath?: string }, live?: string) => {
    const model = modelObject('ns', 'quarterly', sampleSpec({ dataset, training: { image: 'trainer:test' } }));
    model.metadata.uid = 'uid';
    if (live) model.status = { live: { version: live, metrics: { rocAuc: 0.8 } } };
    return required(
      desiredTrainingJob(model).spec?.template.spec?.containers[0].args,
      'desiredTrainingJob(model).spec.template.spec.containers[0].args',
    );
  };
  const baseline = (args: string[]) => {
    const at = args.indexOf('--baseline-model');
    return at < 0 ? undefined : args.slice(at, at + 2);
  };
  const quarters = { claimName: 'loan-data', path: 'loans/quarters' };
  // The operator never mounts the claim, so it cannot tell this folder from a CSV: it always names
  // the live folder and the trainer compares on the newest period (or ignores it without later rows).
  assert.deepEqual(baseline(argsFor(quarters, 'abc123def456')), ['--baseline-model', '/models/abc123def456']);
  assert.deepEqual(baseline(argsFor({ ...quarters, path: 'loans/q3.csv' }, 'abc123def456')), [
    '--baseline-model',
    '/models/abc123def456',
  ]);
  assert.deepEqual(
    baseline(argsFor({ ...quarters, path: 'loans/q3.csv', validationPath: 'loans/q4.csv' }, 'abc123def456')),
    ['--baseline-model', '/models/abc123def456'],
  );
  assert.equal(baseline(argsFor(quarters)), undefined, 'a first model has nothing to compare with');
  assert.ok(!argsFor(quarters, 'abc123def456').includes('--validation-data'), 'the folder holds its own later period');
});
