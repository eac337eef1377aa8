/**
 * Large runs on the scoring thread: the same probabilities and reasons as the event loop's own
 * session for the same rows, with a real trained model; and a closed version's thread is gone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES } from '@peerloan/contracts';
import type { LoadedModel } from '../src/loaded-model.js';
import { loadModelVersion } from '../src/model-loader.js';
import { recordRows } from '../src/row-batch.js';
import { applicants, tempDir, trainModel } from './helpers/trained-model.js';

const BATCHING = { maxBatchRows: 512, maxConcurrentRuns: 1, intraOpThreads: 1 };

describe('scoring thread', () => {
  let threaded: LoadedModel;
  let inline: LoadedModel;

  before(async () => {
    const root = await tempDir('api-scoring-thread');
    const dir = join(root, await trainModel(root, 41));
    threaded = await loadModelVersion(dir, { ...BATCHING, threadMinRows: 100 });
    inline = await loadModelVersion(dir, { ...BATCHING, threadMinRows: 0 });
  });
  after(async () => {
    await Promise.all([threaded.close(), inline.close()]);
  });

  test('a large run scores as the event loop scores, records and schema-ordered rows alike', async () => {
    const people = applicants(1000, 41);
    const expected = await inline.run(people);
    assert.deepEqual(await threaded.run(people), expected);
    assert.deepEqual(await threaded.runRows(people.map((p) => FEATURE_NAMES.map((name) => p[name] ?? null))), expected);
    assert.ok(new Set(expected).size > 100, 'different applicants score differently');
  });

  test('reasons come out the same when the explanation variants make the run large', async () => {
    const people = applicants(40, 42);
    assert.deepEqual(await threaded.score(recordRows(people), true), await inline.score(recordRows(people), true));
  });

  test('many runs at once each get their own answer', async () => {
    const groups = Array.from({ length: 8 }, (_, i) => applicants(150 + i * 10, 50 + i));
    const answers = await Promise.all(groups.map((people) => threaded.run(people)));
    for (const [i, people] of groups.entries()) assert.deepEqual(answers[i], await inline.run(people));
  });
});
