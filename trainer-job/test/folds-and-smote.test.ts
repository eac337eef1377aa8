import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedFolds } from '../src/folds.js';
import { planEncoding, encodeTable } from '../src/encoding.js';
import { LoanTable } from '../src/loan-table.js';
import { smote } from '../src/smote.js';
import { mulberry32 } from '../src/random.js';
import { prepareFolds } from '../src/model-search.js';
import { DEFAULT_CONFIG } from '../src/training-config.js';
import { generateLoans } from '../src/synthetic-data.js';

function sampleTable(rows: number, seed: number): LoanTable {
  const loans = [...generateLoans({ rows, seed })];
  return LoanTable.fromRecords(
    loans.map((l) => l.record),
    loans.map((l) => l.label),
  );
}

test('stratified folds partition the rows and keep the late share in each fold', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i % 25 === 0 ? 1 : 0)); // 40 positives
  const folds = stratifiedFolds(labels, 5, 1);
  const seen = new Set<number>();
  for (const fold of folds) {
    for (const r of fold.valid) {
      assert.ok(!seen.has(r), `row ${r} is in two validation folds`);
      seen.add(r);
    }
    assert.equal(fold.valid.length + fold.train.length, 1000);
    assert.equal(Array.from(fold.valid).filter((r) => labels[r] === 1).length, 8);
    assert.ok(!fold.train.some((r) => fold.valid.includes(r)));
  }
  assert.equal(seen.size, 1000);
});

test('SMOTE adds only late rows and keeps one-hot groups valid', () => {
  const table = sampleTable(3000, 3);
  const plan = planEncoding(table);
  const width = plan.columns.length;
  const data = encodeTable(table, plan);
  const labels = Float32Array.from(table.labels);
  const over = smote(data, labels, width, plan, { k: 5, targetRatio: 0.2 }, mulberry32(1));
  const majority = table.rows - table.positives;
  assert.equal(over.rows, table.rows + over.synthetic);
  assert.equal(over.rows - majority, Math.round(0.2 * majority));
  assert.ok(over.labels.subarray(table.rows).every((y) => y === 1));
  assert.deepEqual(over.data.subarray(0, data.length), data, 'original rows unchanged');
  const purposeColumns = plan.columns.flatMap((c, i) => (c.source === 'purpose' ? [i] : []));
  for (let r = table.rows; r < over.rows; r++) {
    const hot = purposeColumns.reduce((a, c) => a + over.data[r * width + c], 0);
    assert.equal(hot, 1, `synthetic row ${r} has ${hot} purposes`);
  }
});

test('SMOTE is applied to training folds only: validation matrices hold real rows', () => {
  const table = sampleTable(3000, 4);
  const plan = planEncoding(table);
  const folds = stratifiedFolds(table.labels, 3, 1);
  const config = { ...DEFAULT_CONFIG, folds: 3, smote: { k: 5, targetRatio: 0.2 } };
  const prepared = prepareFolds(table, plan, folds, 'smote', config);
  try {
    prepared.forEach((data, i) => {
      assert.ok(data.train.rows > folds[i].train.length, 'training fold gained synthetic rows');
      assert.equal(data.valid.rows, folds[i].valid.length, 'validation fold holds only its real rows');
    });
  } finally {
    for (const d of prepared) {
      d.train.dispose();
      d.valid.dispose();
    }
  }
});
