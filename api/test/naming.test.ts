/**
 * The naming rule for metrics (docs/ARCHITECTURE.md, "Names"), checked on what real processes
 * export: every metric family on the API's and the worker's /metrics starts with `loanrisk_`,
 * except prom-client's default metrics, which keep their standard names (process_*, nodejs_*)
 * so that stock Node.js dashboards read them. Auth, rate limits, audit, the prediction log and
 * every worker role are switched on, so their metrics are registered too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { METRIC_PREFIX } from '@peerloan/contracts';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { eventually, postJson, startApi } from './helpers/api-server.js';
import { freePort } from './helpers/free-port.js';
import { RedisServer } from './helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from './helpers/trained-model.js';
import { WorkerProcess } from './helpers/worker-process.js';

/** The names prom-client's default metrics have on this platform, from a registry of their own. */
function defaultMetricNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
}

/** The metric families of a /metrics page, by their `# TYPE` lines. */
async function families(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] ?? '');
}

function offRule(names: readonly string[]): string[] {
  const standard = defaultMetricNames();
  return names.filter((name) => !name.startsWith(METRIC_PREFIX) && !standard.has(name));
}

describe('metric names of the API and the worker', () => {
  let redis: RedisServer;
  let api: RunningServer;
  let worker: WorkerProcess | undefined;
  let workerUrl: string;
  const scorer = newKey('risk-team', ['predict']);

  before(async () => {
    redis = await RedisServer.start();
    const models = await tempDir('metric-names');
    await pointCurrentAt(models, await trainModel(models, 61));
    const keys = new SecretVolume(await tempDir('metric-names-keys'));
    await keys.create(keysFileText([scorer]));
    const env = {
      MODEL_DIR: models,
      REDIS_URL: redis.url,
      AUTH_API_KEYS_FILE: keys.file,
      RATE_LIMIT_REQUESTS: '1000',
      AUDIT_MODE: 'best-effort',
      PREDICTION_LOG_SAMPLE: '1',
    };
    api = await startApi(env);
    const port = await freePort();
    workerUrl = `http://127.0.0.1:${port}`;
    worker = WorkerProcess.start({
      ...env,
      WORKER_ROLES: 'batch,drift,audit',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(port),
    });
  });
  after(async () => {
    await worker?.stop();
    await api.shutdown();
    await redis.stop();
  });

  test('every metric the API exports starts with loanrisk_ or is a prom-client default', async () => {
    const scored = await postJson(`${api.url}/predict`, applicants(1)[0], { 'x-api-key': scorer.key });
    assert.equal(scored.status, 200);
    const names = await families(api.url);
    assert.ok(names.includes(`${METRIC_PREFIX}http_request_duration_seconds`), names.join(' '));
    assert.ok(names.includes(`${METRIC_PREFIX}auth_refusals_total`), names.join(' '));
    assert.ok(names.includes('process_cpu_seconds_total'), names.join(' '));
    assert.deepEqual(offRule(names), []);
  });

  test('every metric the worker exports starts with loanrisk_ or is a prom-client default', async () => {
    // The roles register their metrics once a model serves and they start.
    await eventually('the worker has started its roles', () =>
      families(workerUrl).then(
        (names) => names.includes(`${METRIC_PREFIX}drift_psi`),
        () => false,
      ),
    );
    const names = await families(workerUrl);
    assert.ok(names.includes(`${METRIC_PREFIX}batch_queue_jobs`), names.join(' '));
    assert.deepEqual(offRule(names), []);
  });
});
