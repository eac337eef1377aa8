/**
 * The prediction log with a real Redis: sampled rows reach the queue, and Redis going away and
 * coming back never fails a prediction; the log drops with a counter and then resumes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../src/server.js';
import { eventually, metricValue, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

describe('prediction log', () => {
  let redis: RedisServer;
  let api: RunningServer;
  const people = applicants(20, 91);

  before(async () => {
    redis = await RedisServer.start();
    const root = await tempDir('api-log');
    await pointCurrentAt(root, await trainModel(root, 51));
    api = await startApi({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      PREDICTION_LOG_SAMPLE: '1',
      PREDICTION_LOG_FLUSH_MS: '20',
    });
  });
  after(async () => {
    await api.shutdown();
    await redis.stop();
  });

  const logged = () => metricValue(api.url, 'loanrisk_prediction_log_rows_total');
  const dropped = () => metricValue(api.url, 'loanrisk_prediction_log_dropped_total{reason="redis_unavailable"}');

  async function predictAll(count: number): Promise<number[]> {
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => postJson(`${api.url}/predict?explain=false`, people[i % people.length])),
    );
    return answers.map((a) => a.status);
  }

  test('every scored row reaches the queue while Redis is up', async () => {
    const statuses = await predictAll(50);
    assert.ok(statuses.every((s) => s === 200));
    await eventually('50 rows logged', async () => (await logged()) === 50);
  });

  test('Redis stopped: every request still answered, rows dropped and counted; restarted: logging resumes', async () => {
    await redis.stop();
    const during = await predictAll(200);
    assert.deepEqual(new Set(during), new Set([200]), 'no prediction fails while Redis is down');
    await eventually('drops counted', async () => (await dropped()) > 0);
    const loggedDuringOutage = await logged();

    await redis.resume();
    await eventually(
      'logging resumes after Redis returns',
      async () => {
        assert.ok((await predictAll(10)).every((s) => s === 200));
        return (await logged()) > loggedDuringOutage;
      },
      500,
    );
  });
});
