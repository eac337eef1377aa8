/**
 * Rows as tensor columns (OIP infer) against the same rows as records (/predict's path), on a model
 * trained by the trainer on generated loans: the same probabilities to the bit, on the event loop
 * and on the scoring thread, in every form a tensor says "missing"; the column check accepts
 * exactly what the record validator accepts; a refused value is named as the record path names it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import { acceptsColumns, columnObjects, ColumnRows, validColumnRows, type FeatureColumn } from '../src/column-rows.js';
import { RequestError } from '../src/errors/request-error.js';
import type { LoadedModel } from '../src/loaded-model.js';
import { loadModelVersion } from '../src/model-loader.js';
import { recordRows } from '../src/row-batch.js';
import { applicants, tempDir, trainModel } from './helpers/trained-model.js';

/** Runs of 500 rows or more go to the scoring thread, so the 1000-row requests below do. */
const BATCHING = { maxBatchRows: 512, maxConcurrentRuns: 1, intraOpThreads: 1, threadMinRows: 500 };

type Missing = 'null' | 'tensor';

/**
 * The records as OIP tensors bring them: a column per feature, in `order`. A missing value is
 * null (JSON tensors) or, with 'tensor', as binary tensors say it: NaN for a number, "" for a name.
 */
function columnsOf(records: readonly LoanRecord[], missing: Missing, order = FEATURES): FeatureColumn[] {
  return order.map((feature) => {
    const absent = missing === 'null' ? null : feature.kind === 'numeric' ? Number.NaN : '';
    return { name: feature.name, values: records.map((record) => record[feature.name] ?? absent) };
  });
}

/** Generated applicants, every seventh with each nullable feature missing too. */
function people(count: number, seed: number): LoanRecord[] {
  return applicants(count, seed).map((record, i) =>
    i % 7 === 3 ? { ...record, revol_util: null, emp_length: null } : record,
  );
}

describe('tensor columns scored straight into the dense input', () => {
  let model: LoadedModel;

  before(async () => {
    const root = await tempDir('scoring-columns');
    model = await loadModelVersion(join(root, await trainModel(root, 43)), BATCHING);
  });
  after(() => model.close());

  test('1, 40 and 1000 rows score exactly as the same rows as records do, in every form of missing', async () => {
    for (const count of [1, 40, 1000]) {
      const records = people(count, 100 + count);
      const expected = await model.score(recordRows(records), false);
      const forms: [string, FeatureColumn[]][] = [
        ['null for missing', columnsOf(records, 'null')],
        ['NaN and "" for missing', columnsOf(records, 'tensor')],
        ['inputs in another order', columnsOf(records, 'tensor', [...FEATURES].reverse())],
      ];
      for (const [form, columns] of forms) {
        const rows = validColumnRows(columns, count, model.validator);
        assert.ok(rows instanceof ColumnRows, `${count} rows, ${form}: the columns were accepted as they are`);
        assert.deepEqual(await model.score(rows, false), expected, `${count} rows, ${form}`);
        assert.deepEqual(rows.records(), records, `${count} rows, ${form}: the records the audit trail gets`);
      }
    }
  });

  test('a nullable feature left out scores as missing on every row; a record is made per row on demand', async () => {
    const records = people(30, 7).map((record) => ({ ...record, revol_util: null }));
    const columns = columnsOf(records, 'tensor').filter((column) => column.name !== 'revol_util');
    const rows = validColumnRows(columns, records.length, model.validator);
    assert.ok(rows instanceof ColumnRows);
    assert.deepEqual(await model.score(rows, false), await model.score(recordRows(records), false));
    assert.deepEqual(rows.recordAt(4), records[4]);
    // Reasons are computed from the records, as /predict's are.
    assert.deepEqual(await model.score(rows, true), await model.score(recordRows(records), true));
  });

  test('requests coalesced into one run, records and columns together, each get their own scores', async () => {
    const groups = [3, 1, 20, 2].map((count, i) => people(count, 60 + i));
    const alone = await Promise.all(groups.map((records) => model.run(records)));
    const together = await Promise.all(
      groups.map((records, i) =>
        model.score(
          i % 2 === 0
            ? validColumnRows(columnsOf(records, 'tensor'), records.length, model.validator)
            : recordRows(records),
          false,
        ),
      ),
    );
    assert.deepEqual(
      together.map((scored) => scored.probabilities),
      alone.map((scores) => Array.from(scores)),
    );
  });

  test('the column check accepts exactly what the record validator accepts, value by value', () => {
    const [base] = people(1, 3);
    const probes: unknown[] = [
      null,
      '',
      Number.NaN,
      Infinity,
      -1,
      0,
      0.5,
      1.5,
      36,
      1e12,
      '12',
      true,
      [1],
      {},
      'A',
      'G',
      'Z',
      'car',
      'RENT',
      '10+ years',
      '< 1 year',
    ];
    let refused = 0;
    for (const rule of model.validator.rules) {
      for (const probe of probes) {
        const columns = columnsOf([base], 'null').map((column) =>
          column.name === rule.name ? { name: column.name, values: [probe] } : column,
        );
        const [object] = columnObjects(columns, 1);
        const accepted = acceptsColumns(model.validator.rules, columns, 1);
        assert.equal(accepted, model.validator.accepts(object), `${rule.name} = ${String(probe)}`);
        if (!accepted) refused += 1;
      }
      const without = columnsOf([base], 'null').filter((column) => column.name !== rule.name);
      assert.equal(acceptsColumns(model.validator.rules, without, 1), rule.nullable, `${rule.name} left out`);
    }
    assert.ok(refused > model.validator.rules.length, 'the probes include refused values for every feature');
    const stranger = [...columnsOf([base], 'null'), { name: 'salary', values: [1] }];
    assert.equal(acceptsColumns(model.validator.rules, stranger, 1), false, 'a column of no feature');
  });

  test('a refused value is named as the record path names it, with its row', () => {
    const records = people(3, 9);
    const columns = columnsOf(records, 'tensor').map((column) => {
      if (column.name === 'int_rate') return { ...column, values: [0.1, 5, 0.2] };
      if (column.name === 'grade') return { ...column, values: ['Z', 'B', ''] };
      return column;
    });
    const expected = columnObjects(columns, 3).flatMap((value, i) => model.validator.check(value, `row ${i}: `));
    assert.throws(
      () => validColumnRows(columns, 3, model.validator),
      (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 400);
        assert.deepEqual(err.details, expected);
        return true;
      },
    );
    assert.deepEqual(
      expected.map((problem) => problem.field),
      ['row 0: grade', 'row 1: int_rate', 'row 2: grade'],
    );
  });
});
