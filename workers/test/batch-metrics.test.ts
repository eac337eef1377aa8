/**
 * The batch metrics the backlog alert and the dashboard read, from a real worker process's
 * /metrics: chunks waiting in Redis while no model serves (the worker takes no job then), and the
 * rows scored once a model arrives and the backlog drains.
 */
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { call, eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { freePort } from '@peerloan/scoring/dist/test/helpers/free-port.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

const WAITING_CHUNKS = 'loanrisk_batch_queue_jobs{queue="batch-chunks",state="waiting"}';
const ROWS_SCORED = 'loanrisk_batch_rows_scored_total';

describe('batch metrics of the worker', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess | undefined;
  let apiModels: string;
  let workerModels: string;
  let version: string;
  let metricsUrl: string;

  before(async () => {
    redis = await RedisServer.start();
    apiModels = await tempDir('batch-metrics-api');
    version = await trainModel(apiModels, 41);
    await pointCurrentAt(apiModels, version);
    api = await ApiProcess.start({
      MODEL_DIR: apiModels,
      REDIS_URL: redis.url,
      BATCH_CHUNK_ROWS: '100',
      PREDICTION_LOG_SAMPLE: '0',
    });
    // The worker's models root starts empty: it serves /metrics but takes no job.
    workerModels = await tempDir('batch-metrics-worker');
    await mkdir(workerModels, { recursive: true });
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    worker = WorkerProcess.start({
      MODEL_DIR: workerModels,
      MODEL_POLL_MS: '100',
      REDIS_URL: redis.url,
      WORKER_ROLES: 'batch',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(port),
    });
  });
  after(async () => {
    await worker?.stop();
    await api.stop();
    await redis.stop();
  });

  test('a backlog shows as waiting chunks while no model serves, then drains into rows scored', async () => {
    const people = applicants(450, 5);
    const csv = [
      ['id', ...FEATURE_NAMES].join(','),
      ...people.map((p, i) => [`loan-${i}`, ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(',')),
    ].join('\n');
    const submitted = await call(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${csv}\n`,
    });
    assert.equal(submitted.status, 202);

    await eventually('worker /metrics up', async () =>
      fetch(`${metricsUrl}/metrics`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    assert.equal(await metricValue(metricsUrl, WAITING_CHUNKS), 5);
    assert.equal(await metricValue(metricsUrl, ROWS_SCORED), 0);

    await symlink(join(apiModels, version), join(workerModels, version));
    await pointCurrentAt(workerModels, version);
    await eventually('rows scored', async () => (await metricValue(metricsUrl, ROWS_SCORED)) === 450);
    assert.equal(await metricValue(metricsUrl, WAITING_CHUNKS), 0);
    assert.equal(
      await metricValue(metricsUrl, 'loanrisk_batch_queue_jobs{queue="batches",state="waiting-children"}'),
      0,
    );
  });
});
