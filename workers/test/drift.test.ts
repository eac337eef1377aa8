/**
 * Drift monitoring end to end: the API logs every prediction through a real Redis, the real
 * worker process (WORKER_ROLES=drift) computes PSI per window and posts to a webhook. Data
 * from the training distribution raises nothing over many windows; shifted data raises an alarm
 * naming the shifted features; normal data clears it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import type { LoanRecord } from '@peerloan/contracts';
import type { DriftReport } from '../src/drift/drift-notifier.js';
import { QUEUE_PREFIX, QUEUES } from '@peerloan/scoring/queues';
import { eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

const WINDOW = 1000;

function loans(rows: number, seed: number, shift?: Record<string, number>): LoanRecord[] {
  return [...generateLoans({ rows, seed, shift })].map((l) => l.record);
}

describe('drift monitoring', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let hooks: Server;
  // What the webhook receives: the report with its message.
  const reports: (DriftReport & { message: string })[] = [];

  before(async () => {
    redis = await RedisServer.start();
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        reports.push(JSON.parse(body) as DriftReport & { message: string });
        res.end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    const root = await tempDir('api-drift');
    await pointCurrentAt(root, await trainModel(root, 61, 6000));
    api = await ApiProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      PREDICTION_LOG_SAMPLE: '1',
      PREDICTION_LOG_FLUSH_MS: '20',
    });
    worker = WorkerProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      WORKER_ROLES: 'drift',
      DRIFT_WINDOW_EVENTS: String(WINDOW),
      DRIFT_WEBHOOK_URL: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/drift`,
    });
  });
  after(async () => {
    assert.equal(await worker.stop(), 0, `worker exits 0 on SIGTERM: ${worker.output}`);
    await api.stop();
    await redis.stop();
    hooks.close();
  });

  /** Sends the loans through /predict; waits until the worker has read them all (the queue is empty). */
  async function send(people: readonly LoanRecord[]): Promise<void> {
    for (let i = 0; i < people.length; i += 500) {
      const res = await postJson(`${api.url}/predict?explain=false`, { instances: people.slice(i, i + 500) });
      assert.equal(res.status, 200);
    }
    const { Queue } = await import('bullmq');
    const queue = new Queue(QUEUES.predictionLog, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    try {
      await eventually(
        'prediction log drained',
        async () => {
          const counts = await queue.getJobCounts('wait', 'active', 'delayed');
          return counts.wait + counts.active + counts.delayed === 0;
        },
        1500,
      );
    } finally {
      await queue.close();
    }
  }

  test('the training distribution raises no alarm over many windows', async () => {
    await send(loans(6000, 1001));
    assert.deepEqual(reports, []);
  });

  test('shifted inputs raise an alarm naming the shifted features', async () => {
    await send(loans(3000, 1002, { int_rate: 2, home_ownership: 0.8 }));
    await eventually('drift reported', () => reports.length > 0, 500);
    const [report] = reports;
    assert.equal(report.drifted, true);
    assert.ok(report.features.includes('int_rate'), `features: ${report.features.join()}`);
    assert.ok(report.features.includes('home_ownership'), `features: ${report.features.join()}`);
    assert.ok(!report.features.includes('loan_amnt') && !report.features.includes('delinq_2yrs'));
    assert.ok(report.psi.int_rate > 0.2);
    assert.match(report.message, /PSI above 0.2 for .*int_rate=/);
  });

  test('back to normal clears it', async () => {
    await send(loans(2000, 1003));
    await eventually('drift cleared', () => reports.length > 1, 500);
    assert.equal(reports[1].drifted, false);
    assert.equal(reports.length, 2);
  });
});
