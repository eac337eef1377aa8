/**
 * Per-client budgets held in one real Redis by two API instances: requests and rows drawn on
 * either instance count against the same budget, an exhausted budget is a 429 with Retry-After,
 * other clients keep theirs, a batch upload counts its rows, and Redis going away fails no
 * prediction (each instance falls back to a budget of its own).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { call, errorOf, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const people = applicants(10);
const REQUESTS = 6;
const ROWS = 10;

function portfolioCsv(rows: number): string {
  const lines = [FEATURE_NAMES.join(',')];
  for (const person of applicants(rows, 77)) lines.push(FEATURE_NAMES.map((f) => person[f] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}

describe('per-client budgets across replicas', () => {
  let redis: RedisServer | undefined;
  let apis: RunningServer[] = [];
  const alice = newKey('alice', ['predict', 'batch']);
  const bob = newKey('bob', ['predict', 'batch']);
  const carol = newKey('carol', ['predict', 'batch']);
  const dave = newKey('dave', ['predict']);

  before(async () => {
    redis = await RedisServer.start();
    const root = await tempDir('api-budgets');
    await trainModel(root, 31);
    const volume = new SecretVolume(await tempDir('api-budget-keys'));
    await volume.create(keysFileText([alice, bob, carol, dave]));
    const env = {
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      AUTH_API_KEYS_FILE: volume.file,
      RATE_LIMIT_REQUESTS: String(REQUESTS),
      RATE_LIMIT_ROWS: String(ROWS),
      RATE_LIMIT_WINDOW_SECONDS: '600',
    };
    apis = [await startApi(env), await startApi(env)];
  });
  after(async () => {
    await Promise.all(apis.map((api) => api.shutdown()));
    await redis?.stop();
  });

  test('requests alternating between two instances share one budget; the next is 429 with Retry-After', async () => {
    for (let i = 0; i < REQUESTS; i += 1) {
      const res = await postJson(`${apis[i % 2].url}/predict`, people[0], { 'x-api-key': alice.key });
      assert.equal(res.status, 200, `request ${i}: ${JSON.stringify(res.body)}`);
    }
    for (const api of apis) {
      const refused = await postJson(`${api.url}/predict`, people[0], { 'x-api-key': alice.key });
      assert.equal(refused.status, 429);
      assert.match(errorOf(refused), /client budget exhausted: 6 requests per 600 s/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    }
    assert.equal(
      (await postJson(`${apis[1].url}/predict`, people[0], { 'x-api-key': bob.key })).status,
      200,
      'another client keeps its budget',
    );
    const metrics = await (await fetch(`${apis[0].url}/metrics`)).text();
    assert.match(metrics, /loanrisk_rate_limited_total\{budget="requests"\} 1/);
  });

  test('rows: instances count each row, across instances, on /predict and a batch upload', async () => {
    const four = { instances: people.slice(0, 4) };
    assert.equal((await postJson(`${apis[0].url}/predict`, four, { 'x-api-key': bob.key })).status, 200);
    assert.equal((await postJson(`${apis[1].url}/predict`, four, { 'x-api-key': bob.key })).status, 200);
    // bob has used 1 + 4 + 4 = 9 of 10 rows: four more do not fit, one does.
    const refused = await postJson(`${apis[0].url}/predict`, four, { 'x-api-key': bob.key });
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.match(errorOf(refused), /10 rows per 600 s/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);

    const upload = (api: RunningServer, rows: number, key: string) =>
      call(`${api.url}/batches`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'x-api-key': key },
        body: portfolioCsv(rows),
      });
    const accepted = await upload(apis[0], 7, carol.key);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const over = await upload(apis[1], 4, carol.key);
    assert.equal(over.status, 429, `carol has 3 rows left: ${JSON.stringify(over.body)}`);
    const tooBig = await upload(apis[1], ROWS + 1, carol.key);
    assert.equal(tooBig.status, 413);
    assert.match(errorOf(tooBig), /11 rows; a client may have 10 rows scored per 600 s: split it/);
  });

  test('with Redis gone, predictions still answer (each instance keeps a budget of its own)', async () => {
    await required(redis, 'the Redis server').stop();
    try {
      const res = await postJson(`${apis[0].url}/predict`, people[1], { 'x-api-key': dave.key });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    } finally {
      await required(redis, 'the Redis server').resume();
    }
  });
});
