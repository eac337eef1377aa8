/**
 * spec.training.watchInterval against a real kube-apiserver: the reconciler's clock is the test's,
 * and the test plays the Job controller and the kubelet for the listing Jobs (their pods'
 * termination messages, as `loanrisk-train --list-periods` writes them) and the training Jobs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import pino from 'pino';
import type { PeriodListing } from '@peerloan/contracts';
import { KubeClient } from '../src/kube.js';
import { Reconciler } from '../src/reconcile.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  modelObject,
  patchModelSpec,
  sampleSpec,
} from './fixtures.js';
import { required } from './required.js';

const NS = 'quarters';
const INTERVAL_MS = 10 * 60_000;
let cp: ControlPlane;
let kc: KubeConfig;
/** The start of an interval, plus a minute: every "interval later" below is inside the next one. */
let clock = new Date(Date.UTC(2026, 11, 6, 9, 0) + 60_000);
const reconciler = () => new Reconciler(new KubeClient(kc), pino({ level: 'silent' }), () => clock);
const nextInterval = () => {
  clock = new Date(clock.getTime() + INTERVAL_MS);
};

const spec = (watchInterval?: string) =>
  sampleSpec({
    dataset: { claimName: 'loan-data', path: 'loans/quarters' },
    training: { image: 'trainer:test', folds: 3, ...(watchInterval && { watchInterval }) },
  });

const component = (j: V1Job) => j.metadata?.labels?.['app.kubernetes.io/component'];
async function jobs(name: string, kind: 'training' | 'data-listing'): Promise<V1Job[]> {
  const list = await kc
    .makeApiClient(BatchV1Api)
    .listNamespacedJob({ namespace: NS, labelSelector: `risk.peerloan.io/model=${name}` });
  return list.items.filter((j) => component(j) === kind);
}

/** The listing Job of the current interval, finished as the trainer's listing would finish it. */
async function finishListing(name: string, listing: PeriodListing | { failed: string }): Promise<void> {
  const slot = new Date(Math.floor(clock.getTime() / INTERVAL_MS) * INTERVAL_MS).toISOString();
  const job = required(
    (await jobs(name, 'data-listing')).find(
      (j) => j.metadata?.annotations?.['risk.peerloan.io/listing-slot'] === slot && !j.status?.conditions,
    ),
    `the unfinished listing Job of the interval starting ${slot}`,
  );
  const jobName = required(job.metadata?.name, 'job.metadata.name');
  if ('failed' in listing) await finishTraining(kc, NS, jobName, listing.failed, false);
  else await finishTraining(kc, NS, jobName, JSON.stringify(listing));
}

const listing = (fingerprint: string, files: number, newest: string): PeriodListing => ({
  fingerprint: fingerprint.repeat(64),
  files,
  newest,
});

async function eventsOf(name: string, reason: string) {
  const events = await kc
    .makeApiClient(CoreV1Api)
    .listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` });
  return events.items.filter((e) => e.reason === reason);
}

describe('spec.training.watchInterval', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
  });
  after(async () => {
    await cp.stop();
  });

  test('setting it starts no training run; each interval gets one listing Job that reads the claim read-only', async () => {
    await createModel(kc, modelObject(NS, 'quarterly', spec()));
    await reconciler().reconcile(NS, 'quarterly');
    const [first] = await jobs('quarterly', 'training');
    await patchModelSpec(kc, NS, 'quarterly', spec('10m'));
    await Promise.allSettled([reconciler().reconcile(NS, 'quarterly'), reconciler().reconcile(NS, 'quarterly')]);
    const result = await reconciler().reconcile(NS, 'quarterly');

    const training = await jobs('quarterly', 'training');
    assert.deepEqual(
      training.map((j) => j.metadata?.name),
      [first.metadata?.name],
      'the watch interval is not a training input',
    );
    const listings = await jobs('quarterly', 'data-listing');
    assert.equal(listings.length, 1, 'one listing Job per interval, however many passes');
    const job = listings[0];
    assert.match(required(job.metadata?.name, 'name'), /^quarterly-list-[0-9a-f]{8}$/);
    assert.equal(job.metadata?.ownerReferences?.[0].name, 'quarterly');
    assert.equal(job.metadata.annotations?.['risk.peerloan.io/listed-dataset'], 'loan-data/loans/quarters');
    assert.equal(job.spec?.ttlSecondsAfterFinished, 1200);
    const pod = required(job.spec.template.spec, 'pod spec');
    const c = pod.containers[0];
    assert.equal(c.image, 'trainer:test');
    assert.deepEqual(c.args, ['--list-periods', '/data/loans/quarters', '--termination-log', '/dev/termination-log']);
    assert.deepEqual(
      c.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly]),
      [['data', '/data', true]],
    );
    assert.equal(pod.volumes?.[0].persistentVolumeClaim?.claimName, 'loan-data');
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(result.requeueAfterMs, INTERVAL_MS - 60_000, 'the next look is when the next interval begins');
  });

  test('the first listing is the baseline; the same files an interval later change nothing', async () => {
    await finishListing('quarterly', listing('a', 2, '2026Q2.csv'));
    await reconciler().reconcile(NS, 'quarterly');
    let model = await getModel(kc, NS, 'quarterly');
    const slot = new Date(clock.getTime() - 60_000).toISOString();
    assert.deepEqual(model.status?.dataWatch, {
      dataset: 'loan-data/loans/quarters',
      fingerprint: 'a'.repeat(64),
      files: 2,
      newest: '2026Q2.csv',
      listedTime: slot,
      changes: 0,
    });
    assert.equal((await jobs('quarterly', 'training')).length, 1);

    nextInterval();
    await reconciler().reconcile(NS, 'quarterly');
    assert.equal((await jobs('quarterly', 'data-listing')).length, 2);
    await finishListing('quarterly', listing('a', 2, '2026Q2.csv'));
    await reconciler().reconcile(NS, 'quarterly');
    model = await getModel(kc, NS, 'quarterly');
    assert.equal(model.status?.dataWatch?.listedTime, new Date(clock.getTime() - 60_000).toISOString());
    assert.equal(model.status.dataWatch.changes, 0);
    assert.equal((await jobs('quarterly', 'training')).length, 1);
  });

  test('a new quarter in the folder starts exactly one training run, with an Event naming it', async () => {
    nextInterval();
    await reconciler().reconcile(NS, 'quarterly');
    await finishListing('quarterly', listing('b', 3, '2026Q3.csv'));
    // Two passes at once and one after: the change count names the Job, so one is created.
    await Promise.allSettled([reconciler().reconcile(NS, 'quarterly'), reconciler().reconcile(NS, 'quarterly')]);
    await reconciler().reconcile(NS, 'quarterly');

    const training = await jobs('quarterly', 'training');
    assert.equal(training.length, 2);
    const model = await getModel(kc, NS, 'quarterly');
    const watch = required(model.status?.dataWatch, 'status.dataWatch');
    assert.deepEqual(
      [watch.fingerprint, watch.files, watch.newest, watch.changes, watch.lastChangeTime],
      ['b'.repeat(64), 3, '2026Q3.csv', 1, clock.toISOString()],
    );
    assert.equal(model.status?.phase, 'Training');
    assert.equal(model.status.observedGeneration, model.metadata.generation);
    assert.ok(training.some((j) => j.metadata?.name === model.status?.trainingJob));
    const events = await eventsOf('quarterly', 'RetrainingOnNewData');
    assert.equal(events.length, 1);
    assert.match(
      required(events[0].message, 'event message'),
      /dataset loan-data\/loans\/quarters changed \(2 -> 3 period files, newest 2026Q3\.csv\): training run started/,
    );
  });

  test('a failed listing says why in the status and a Warning, and starts nothing', async () => {
    nextInterval();
    await reconciler().reconcile(NS, 'quarterly');
    await finishListing('quarterly', {
      failed: 'loanrisk-train: /data/loans/quarters: no such file or folder; spec.dataset.path must name ...',
    });
    await reconciler().reconcile(NS, 'quarterly');
    await reconciler().reconcile(NS, 'quarterly');
    const model = await getModel(kc, NS, 'quarterly');
    const watch = required(model.status?.dataWatch, 'status.dataWatch');
    assert.match(
      required(watch.message, 'dataWatch.message'),
      /^listing job quarterly-list-\w+ failed: .*no such file or folder/,
    );
    assert.equal(watch.fingerprint, 'b'.repeat(64), 'the last good listing is kept');
    assert.equal(watch.changes, 1);
    assert.equal((await jobs('quarterly', 'training')).length, 2);
    assert.equal((await eventsOf('quarterly', 'DataListingFailed')).length, 1);

    // The next good listing clears the message; the same files are no change.
    nextInterval();
    await reconciler().reconcile(NS, 'quarterly');
    await finishListing('quarterly', listing('b', 3, '2026Q3.csv'));
    await reconciler().reconcile(NS, 'quarterly');
    const after = required((await getModel(kc, NS, 'quarterly')).status?.dataWatch, 'status.dataWatch');
    assert.equal(after.message, undefined);
    assert.equal(after.changes, 1);
    assert.equal((await jobs('quarterly', 'training')).length, 2);
  });

  test('another dataset starts its own run and a new baseline, not a data change', async () => {
    await patchModelSpec(kc, NS, 'quarterly', {
      ...spec('10m'),
      dataset: { claimName: 'loan-data', path: 'loans/regions' },
    });
    await reconciler().reconcile(NS, 'quarterly');
    assert.equal((await jobs('quarterly', 'training')).length, 3, 'the spec change is the run');
    await finishListing('quarterly', listing('c', 4, 'west.csv'));
    await reconciler().reconcile(NS, 'quarterly');
    const watch = required((await getModel(kc, NS, 'quarterly')).status?.dataWatch, 'status.dataWatch');
    assert.deepEqual([watch.dataset, watch.fingerprint, watch.changes], ['loan-data/loans/regions', 'c'.repeat(64), 1]);
    assert.equal((await jobs('quarterly', 'training')).length, 3);
  });
});
