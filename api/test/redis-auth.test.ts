/**
 * Redis with a password, as the chart runs it: the API and the worker given REDIS_URL without one
 * and REDIS_PASSWORD beside it (the chart's Secret) use it; without it Redis refuses them, which
 * required auditing turns into a 503 and never a wrong answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { readConfig } from '../src/config.js';
import type { RunningServer } from '../src/server.js';
import { call, errorOf, eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { AUDIT_STREAM, streamEntryRecords, type DecisionAuditRecord } from '@peerloan/scoring/queues';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

const PASSWORD = 'p@ss/word:with#signs';

describe('Redis password', () => {
  let redis: RedisServer;
  let root: string;
  const started: RunningServer[] = [];
  let worker: WorkerProcess | undefined;

  before(async () => {
    redis = await RedisServer.start({ password: PASSWORD });
    root = await tempDir('api-redis-auth');
    await pointCurrentAt(root, await trainModel(root, 61));
  });
  after(async () => {
    await worker?.stop();
    await Promise.all(started.map((s) => s.shutdown()));
    await redis.stop();
  });

  test('REDIS_PASSWORD joins REDIS_URL; a URL that has a password keeps it', () => {
    assert.equal(
      readConfig({ REDIS_URL: 'redis://r:6379/0', REDIS_PASSWORD: PASSWORD }).redisUrl,
      `redis://:${encodeURIComponent(PASSWORD)}@r:6379/0`,
    );
    assert.equal(
      readConfig({ REDIS_URL: 'redis://:own@r:6379', REDIS_PASSWORD: PASSWORD }).redisUrl,
      'redis://:own@r:6379',
    );
    assert.throws(() => readConfig({ REDIS_URL: 'http://r', REDIS_PASSWORD: 'x' }), /REDIS_URL must be a redis/);
  });

  test('the API and the worker use the password: a batch is scored and every decision is audited', async () => {
    const api = await startApi({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      REDIS_PASSWORD: PASSWORD,
      AUDIT_MODE: 'required',
      PREDICTION_LOG_SAMPLE: '0',
    });
    started.push(api);
    worker = WorkerProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      REDIS_PASSWORD: PASSWORD,
      WORKER_ROLES: 'batch',
      AUDIT_MODE: 'required',
    });
    const person = applicants(1)[0];
    assert.equal((await postJson(`${api.url}/predict`, person)).status, 200);
    const csv = `id,${Object.keys(person).join(',')}\nx-1,${Object.values(person)
      .map((v) => v ?? '')
      .join(',')}\n`;
    const submitted = await call(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    await eventually(
      'the batch completes',
      async () => {
        const batch = await call(`${api.url}/batches/${(submitted.body as { id: string }).id}`);
        return (batch.body as { state?: string }).state === 'completed';
      },
      3000,
    );
    const admin = new Redis(redis.url, { password: PASSWORD });
    // Disconnected whatever the read gives: a client left open keeps the test process alive.
    const stream = await admin.xrange(AUDIT_STREAM, '-', '+').finally(() => {
      admin.disconnect();
    });
    const entries = stream.flatMap(([, fields]) => streamEntryRecords(fields)) as DecisionAuditRecord[];
    assert.deepEqual(entries.map((e) => e.source).sort(), ['batch', 'predict']);
  });

  test('without the password Redis refuses the API, and required auditing answers 503', async () => {
    const api = await startApi({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      AUDIT_MODE: 'required',
      PREDICTION_LOG_SAMPLE: '0',
    });
    started.push(api);
    const res = await postJson(`${api.url}/predict`, applicants(1)[0]);
    assert.equal(res.status, 503);
    assert.match(errorOf(res), /audit trail/);
  });
});
