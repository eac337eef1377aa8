import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { MicroBatcher } from '../src/micro-batcher.js';
import { recordRows, type RowBatch } from '../src/row-batch.js';

/** A run function whose runs end when the test says so; it records the row count of each run started. */
function controlledRuns() {
  const started: number[] = [];
  const pending: (() => void)[] = [];
  const runBatch = (_parts: readonly RowBatch[], count: number) =>
    new Promise<Float32Array>((resolve) => {
      started.push(count);
      pending.push(() => {
        resolve(new Float32Array(count).fill(count));
      });
    });
  const finishOldest = async () => {
    pending.shift()?.();
    await nextTurn();
    await nextTurn();
  };
  return { runBatch, started, finishOldest };
}

const rows = (n: number): RowBatch => recordRows(Array.from({ length: n }, () => ({})));

test('runs for the scoring thread are handed over two at a time, so the next one waits at the thread', async () => {
  const { runBatch, started, finishOldest } = controlledRuns();
  const batcher = new MicroBatcher(runBatch, { maxBatchRows: 512, maxConcurrentRuns: 1, threadMinRows: 256 });
  const answers = [1000, 1000, 1000].map((n) => batcher.score(rows(n)));
  await nextTurn();
  assert.deepEqual(started, [1000, 1000], 'two large runs in flight at once, the third waits');
  await finishOldest();
  assert.deepEqual(started, [1000, 1000, 1000]);
  await finishOldest();
  await finishOldest();
  for (const answer of await Promise.all(answers)) assert.equal(answer.length, 1000);
});

test('small requests still coalesce behind one run on the event loop, beside thread runs', async () => {
  const { runBatch, started, finishOldest } = controlledRuns();
  const batcher = new MicroBatcher(runBatch, { maxBatchRows: 512, maxConcurrentRuns: 1, threadMinRows: 256 });
  const first = batcher.score(rows(1));
  const large = batcher.score(rows(300));
  const queued = [2, 3, 4].map((n) => batcher.score(rows(n)));
  await nextTurn();
  // The first small request ran at once; the large one went to the thread beside it; the rest wait for the first.
  assert.deepEqual(started, [1, 300]);
  await finishOldest();
  assert.deepEqual(started, [1, 300, 9], 'the three waiting requests become one run');
  await finishOldest();
  await finishOldest();
  const answers = await Promise.all([first, large, ...queued]);
  assert.deepEqual(
    answers.map((a) => a.length),
    [1, 300, 2, 3, 4],
  );
  // Each request gets its own rows of the coalesced run.
  assert.deepEqual([...answers[3]], [9, 9, 9]);
});

test('without a scoring thread every run goes through the one event-loop slot', async () => {
  const { runBatch, started, finishOldest } = controlledRuns();
  const batcher = new MicroBatcher(runBatch, { maxBatchRows: 5000, maxConcurrentRuns: 1 });
  const answers = [1000, 1000, 10].map((n) => batcher.score(rows(n)));
  await nextTurn();
  assert.deepEqual(started, [1000]);
  await finishOldest();
  assert.deepEqual(started, [1000, 1010]);
  await finishOldest();
  assert.equal((await Promise.all(answers)).length, 3);
});
