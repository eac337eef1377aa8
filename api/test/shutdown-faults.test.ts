/**
 * SIGTERM with the dependencies gone: the real API and worker processes exit within
 * SHUTDOWN_TIMEOUT_MS when their Redis has stopped (a worker once ran on for 24 minutes). Each
 * test awaits the exit; node:test's timeout (far above the setting) turns a hang into a failure
 * instead of a stuck run. The log says whether the stop was graceful or cut short.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

const SHUTDOWN_TIMEOUT_MS = '3000';
/** A hang fails the test after this, long before the 24 minutes once seen. */
const HANG = { timeout: 60_000 };

describe('SIGTERM with Redis gone', () => {
  let root: string;
  let redis: RedisServer;

  before(async () => {
    root = await tempDir('api-shutdown-faults');
    await pointCurrentAt(root, await trainModel(root, 41));
  });
  after(async () => {
    await redis.stop();
  });

  test('the worker exits after its Redis stopped', HANG, async (t) => {
    redis = await RedisServer.start();
    const worker = WorkerProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS,
    });
    await eventually('the workers start', () => worker.logs.some((l) => l.msg === 'workers started'), 30_000);
    await redis.stop();
    const code = await worker.stop();
    const cutShort = worker.logs.find(
      (l) => l.msg === 'workers did not close in time; closing by force' || l.msg === 'shutdown timed out, exiting',
    );
    // Graceful (0) if BullMQ happened to close without Redis, else cut short (1) and said so; never a hang.
    assert.ok(
      code === 0 || (code === 1 && cutShort !== undefined),
      `exit ${code}: ${worker.output} ${JSON.stringify(worker.logs.slice(-5))}`,
    );
    t.diagnostic(`worker exit ${code}: ${cutShort ? JSON.stringify(cutShort.msg) : 'closed gracefully'}`);
  });

  test('the API exits after its Redis stopped, answering in-flight work first', HANG, async () => {
    redis = await RedisServer.start();
    const api = await ApiProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      SHUTDOWN_TIMEOUT_MS,
      PREDICTION_LOG_SAMPLE: '1',
      PREDICTION_LOG_FLUSH_MS: '60000',
    });
    // Rows wait in the prediction log's buffer, so the close has to flush to a Redis that is gone.
    const answer = await postJson(`${api.url}/predict`, applicants(1)[0]);
    assert.equal(answer.status, 200);
    await redis.stop();
    const code = await api.terminate();
    assert.ok(code === 0 || code === 1, `exit ${code}`);
    assert.ok(api.lines('draining').length === 1);
  });
});
