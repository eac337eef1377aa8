import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../src/work-queue.js';
import { required } from './required.js';

test('keys are de-duplicated while waiting', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.depth, 2);
  assert.equal(await q.get(), 'ns/a');
  assert.equal(await q.get(), 'ns/b');
  q.shutDown();
});

test('a key added while in flight comes back once, after done', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  const key = await q.get();
  q.add('ns/a');
  q.add('ns/a');
  assert.equal(q.depth, 0, 'not handed to a second worker while in flight');
  q.done(required(key, 'key'));
  assert.equal(q.depth, 1);
  assert.equal(await q.get(), 'ns/a');
  q.shutDown();
});

test('failures back off exponentially and forget resets the backoff', () => {
  const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
  assert.deepEqual(
    [1, 2, 3, 4].map(() => q.addRateLimited('ns/a')),
    [10, 20, 40, 50],
  );
  q.forget('ns/a');
  assert.equal(q.addRateLimited('ns/a'), 10);
  q.shutDown();
});

test('a waiting worker gets the next key; shutdown releases waiters', async () => {
  const q = new WorkQueue();
  const next = q.get();
  q.add('ns/c');
  assert.equal(await next, 'ns/c');
  const idle = q.get();
  q.shutDown();
  assert.equal(await idle, undefined);
});
