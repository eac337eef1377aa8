/**
 * The naming rule (docs/ARCHITECTURE.md, "Names") on what the real API and worker processes
 * produce, with auth, rate limits, audit, the prediction log and every worker role switched on:
 * - every metric family on /metrics starts with `loanrisk_`, except prom-client's default
 *   metrics, which keep their standard names (process_*, nodejs_*) so that stock Node.js
 *   dashboards read them;
 * - every Redis key, BullMQ's included, starts with `loanrisk:`;
 * - each program logs its name, `loanrisk-<program>`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES, METRIC_PREFIX, PROGRAM_PREFIX, REDIS_PREFIX } from '@peerloan/contracts';
import { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { call, eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { freePort } from '@peerloan/scoring/dist/test/helpers/free-port.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

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

function batchCsv(rows: number): string {
  const lines = applicants(rows, 7).map((p, i) => [`loan-${i}`, ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(','));
  return `${[['id', ...FEATURE_NAMES].join(','), ...lines].join('\n')}\n`;
}

describe('names the API and the worker give their metrics, Redis keys and logs', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess | undefined;
  let workerUrl: string;
  const client = newKey('risk-team', ['predict', 'batch']);

  before(async () => {
    redis = await RedisServer.start();
    const models = await tempDir('naming');
    await pointCurrentAt(models, await trainModel(models, 61));
    const keys = new SecretVolume(await tempDir('naming-keys'));
    await keys.create(keysFileText([client]));
    const env = {
      MODEL_DIR: models,
      REDIS_URL: redis.url,
      AUTH_API_KEYS_FILE: keys.file,
      RATE_LIMIT_REQUESTS: '1000',
      AUDIT_MODE: 'best-effort',
      PREDICTION_LOG_SAMPLE: '1',
      PREDICTION_LOG_FLUSH_MS: '50',
    };
    api = await ApiProcess.start(env);
    const port = await freePort();
    workerUrl = `http://127.0.0.1:${port}`;
    worker = WorkerProcess.start({
      ...env,
      LOG_LEVEL: 'info',
      WORKER_ROLES: 'batch,drift,audit',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(port),
    });
    // The roles register their metrics once a model serves and they start.
    await eventually('the worker has started its roles', () =>
      families(workerUrl).then(
        (names) => names.includes(`${METRIC_PREFIX}drift_psi`),
        () => false,
      ),
    );
  });
  after(async () => {
    await worker?.stop();
    await api.stop();
    await redis.stop();
  });

  test('every metric the API exports starts with loanrisk_ or is a prom-client default', async () => {
    const scored = await postJson(`${api.url}/predict`, applicants(1)[0], { 'x-api-key': client.key });
    assert.equal(scored.status, 200);
    const names = await families(api.url);
    assert.ok(names.includes(`${METRIC_PREFIX}http_request_duration_seconds`), names.join(' '));
    assert.ok(names.includes(`${METRIC_PREFIX}auth_refusals_total`), names.join(' '));
    assert.ok(names.includes('process_cpu_seconds_total'), names.join(' '));
    assert.deepEqual(offRule(names), []);
  });

  test('every metric the worker exports starts with loanrisk_ or is a prom-client default', async () => {
    const names = await families(workerUrl);
    assert.ok(names.includes(`${METRIC_PREFIX}batch_queue_jobs`), names.join(' '));
    assert.deepEqual(offRule(names), []);
  });

  test('every Redis key, BullMQ queues included, starts with loanrisk: once predictions, a batch and audit records went through', async () => {
    const submitted = await call<{ id: string }>(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-api-key': client.key },
      body: batchCsv(30),
    });
    assert.equal(submitted.status, 202);
    await eventually('the batch completed', async () => {
      const status = await call<{ state: string }>(`${api.url}/batches/${submitted.body.id}`, {
        headers: { 'x-api-key': client.key },
      });
      return status.body.state === 'completed';
    });
    const reader = new Redis(redis.url);
    try {
      const keys = await reader.keys('*');
      const kinds = new Set(keys.map((k) => k.split(':').slice(0, 2).join(':')));
      for (const expected of ['batches', 'batch-chunks', 'prediction-log', 'audit'])
        assert.ok(
          kinds.has(`${REDIS_PREFIX}:${expected}`),
          `no ${REDIS_PREFIX}:${expected} key in ${[...kinds].join(' ')}`,
        );
      assert.deepEqual(
        keys.filter((k) => !k.startsWith(`${REDIS_PREFIX}:`)),
        [],
      );
    } finally {
      reader.disconnect();
    }
  });

  test('each program logs its name', () => {
    assert.ok(api.logs.length > 0, 'the API logged');
    assert.deepEqual(new Set(api.logs.map((line) => line.name)), new Set([`${PROGRAM_PREFIX}api`]));
    const workerLogs = worker?.logs ?? [];
    assert.ok(workerLogs.length > 0, 'the worker logged');
    assert.deepEqual(new Set(workerLogs.map((line) => line.name)), new Set([`${PROGRAM_PREFIX}worker`]));
  });
});
