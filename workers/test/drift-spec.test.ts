/**
 * With a LoanRiskModel, the drift monitor measures by its spec.drift: PSI over the rows logged in
 * each window of spec.drift.window (a duration), judged by spec.drift.threshold, both read again
 * when the spec changes (no restart); DRIFT_WINDOW_EVENTS is only the fewest rows a window needs.
 * Real kube-apiserver + etcd, real Redis, the real API and worker processes, a model trained by
 * the trainer CLI. No assert depends on timing: a window is held open with `1h` until the rows
 * are read, then closed by shortening it to `2s`; the worker's own gauges say when it has read a
 * spec change.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, type DriftSpec, type LoanRecord } from '@peerloan/contracts';
import { startControlPlane, type ControlPlane } from '@peerloan/operator/dist/test/control-plane.js';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  createModel,
  createNamespace,
  getModel,
  installCrd,
  modelObject,
  sampleSpec,
} from '@peerloan/operator/dist/test/fixtures.js';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { eventually, metricValue, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';
import { freePort } from '@peerloan/scoring/dist/test/helpers/free-port.js';

const NS = 'risk';
const NAME = 'drifting';
/** The worker's floor: fewer rows in a window give no PSI. */
const MIN_ROWS = 50;

const shifted = (rows: number, seed: number): LoanRecord[] =>
  [...generateLoans({ rows, seed, shift: { int_rate: 2, home_ownership: 0.8 } })].map((l) => l.record);

describe("the drift monitor measures by its LoanRiskModel's spec.drift", () => {
  let plane: ControlPlane;
  let admin: KubeConfig;
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let workerUrl: string;
  let counted = 0;

  const target = { group: CRD_GROUP, version: CRD_VERSION, plural: CRD_PLURAL, namespace: NS, name: NAME };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const setDrift = (drift: DriftSpec) =>
    admin
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject({ ...target, body: { spec: { drift } } }, mergePatch);
  const metric = (sample: string) => metricValue(workerUrl, sample);
  const drifted = async () => (await getModel(admin, NS, NAME)).status?.conditions?.find((c) => c.type === 'Drifted');
  const windowsClosed = async () =>
    (await metric('loanrisk_drift_windows_total{drifted="true"}')) +
    (await metric('loanrisk_drift_windows_total{drifted="false"}'));

  /** Sets spec.drift and waits until the worker reads it. */
  async function drift(threshold: number, window: string, seconds: number): Promise<void> {
    await setDrift({ threshold, window });
    await eventually(
      `worker reads threshold ${threshold}, window ${window}`,
      async () =>
        (await metric('loanrisk_drift_threshold')) === threshold &&
        (await metric('loanrisk_drift_window_seconds')) === seconds,
      1500,
    );
  }

  /** One /predict call (so one prediction-log job); waits until the worker counted every row. */
  async function send(people: readonly LoanRecord[]): Promise<void> {
    const res = await postJson(`${api.url}/predict?explain=false`, { instances: people });
    assert.equal(res.status, 200);
    counted += people.length;
    await eventually(
      `worker counted ${counted} rows`,
      async () => (await metric('loanrisk_drift_events_total{outcome="counted"}')) === counted,
      1500,
    );
  }

  before(async () => {
    const root = await tempDir('api-drift-spec');
    [plane, redis] = await Promise.all([startControlPlane(), RedisServer.start()]);
    admin = plane.kubeConfig();
    await installCrd(admin);
    await createNamespace(admin, NS);
    await createModel(admin, modelObject(NS, NAME, sampleSpec({ drift: { threshold: 0.2, window: '1h' } })));
    const version = await trainModel(join(root, 'models'), 81, 6000);
    await admin
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObjectStatus({ ...target, body: { status: { liveVersion: version } } }, mergePatch);
    api = await ApiProcess.start({
      MODEL_DIR: join(root, 'models', version),
      REDIS_URL: redis.url,
      PREDICTION_LOG_SAMPLE: '1',
      PREDICTION_LOG_FLUSH_MS: '20',
    });
    const port = await freePort();
    workerUrl = `http://127.0.0.1:${port}`;
    // DRIFT_THRESHOLD would call nothing drifted: a report at 0.2 can only come from the spec.
    worker = WorkerProcess.start({
      KUBECONFIG: plane.kubeconfigPath,
      MODEL_DIR: join(root, 'models'),
      LRM_NAME: NAME,
      POD_NAMESPACE: NS,
      REDIS_URL: redis.url,
      WORKER_ROLES: 'drift',
      METRICS_PORT: String(port),
      MODEL_POLL_MS: '200',
      DRIFT_THRESHOLD: '9',
      DRIFT_WINDOW_EVENTS: String(MIN_ROWS),
    });
    await eventually(
      'worker serves the live version',
      async () => (await fetch(`${workerUrl}/readyz`).catch(() => undefined))?.status === 200,
      1500,
    );
  });
  after(async () => {
    const code = await worker.stop();
    await api.stop();
    await Promise.all([redis.stop(), plane.stop()]);
    assert.equal(code, 0, `worker exits 0 on SIGTERM: ${worker.output}`);
  });

  test('a window of spec.drift.window (1h) does not close on a count of rows', async () => {
    await drift(0.2, '1h', 3600);
    await send(shifted(400, 2001));
    assert.equal(
      await windowsClosed(),
      0,
      `400 rows read, more than ${MIN_ROWS} (a count window's size without the resource), and the hour is not over`,
    );
    assert.equal((await drifted())?.status, undefined);
  });

  test('shortened to 2s without a restart: the open window closes and is judged by spec.drift.threshold', async () => {
    await setDrift({ window: '2s' });
    await eventually('Drifted=True', async () => (await drifted())?.status === 'True', 1500);
    assert.match(
      required(await drifted(), 'the Drifted condition').message,
      /^PSI above 0.2 for .*int_rate=.* over 400 predictions/,
    );
    assert.equal(await windowsClosed(), 1);
  });

  test('a raised spec.drift.threshold judges the next window', async () => {
    await drift(10, '1h', 3600);
    await send(shifted(400, 2002));
    await setDrift({ window: '2s' });
    await eventually('Drifted=False', async () => (await drifted())?.status === 'False', 1500);
    assert.match(
      required(await drifted(), 'the Drifted condition').message,
      /^inputs back within PSI 10 over 400 predictions/,
    );
    assert.equal(await windowsClosed(), 2);
  });

  test(`a window with fewer than DRIFT_WINDOW_EVENTS (${MIN_ROWS}) rows is dropped without a PSI`, async () => {
    await drift(0.2, '1h', 3600);
    await send(shifted(20, 2003));
    await setDrift({ window: '2s' });
    await eventually(
      'the small window closed',
      async () => (await metric('loanrisk_drift_windows_too_small_total')) === 1,
      1500,
    );
    assert.equal(await windowsClosed(), 2);
    assert.equal((await drifted())?.status, 'False', 'shifted rows, but too few to judge');
  });
});
