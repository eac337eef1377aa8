import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DenseEncoder, FEATURE_NAMES, FEATURES, type LoanRecord } from '../src/index.js';

// Columns as the trainer writes them: numbers, ranks of ordered categories, one-hot of the others
// (here with a category left out, as when training data lacks it).
const COLUMNS = [
  'loan_amnt',
  'int_rate',
  'purpose=car',
  'purpose=credit_card',
  'purpose=debt_consolidation',
  'grade#rank',
  'annual_inc',
  'revol_util',
  'emp_length#rank',
  'dti',
  'delinq_2yrs',
  'home_ownership=MORTGAGE',
  'home_ownership=RENT',
];

const RECORDS: LoanRecord[] = [
  {
    loan_amnt: 12000,
    int_rate: 0.11,
    purpose: 'car',
    grade: 'B',
    annual_inc: 52000,
    revol_util: 0.4,
    emp_length: '3 years',
    dti: 18.5,
    delinq_2yrs: 0,
    home_ownership: 'RENT',
  },
  // Missing values, an untrained category and unknown ordered categories.
  {
    loan_amnt: 5000,
    int_rate: 0.2,
    purpose: 'vacation',
    grade: null,
    annual_inc: null,
    revol_util: null,
    emp_length: 'n/a',
    dti: 0,
    delinq_2yrs: 2,
    home_ownership: null,
  },
  {
    loan_amnt: 30000,
    int_rate: 0.07,
    purpose: 'debt_consolidation',
    grade: 'A',
    annual_inc: 120000,
    revol_util: 0.05,
    emp_length: '10+ years',
    dti: 30,
    delinq_2yrs: 1,
    home_ownership: 'MORTGAGE',
  },
];

test('records encode the same through the generated row writer as schema-ordered values do', () => {
  const encoder = new DenseEncoder(COLUMNS);
  const fromRecords = encoder.encode(RECORDS);
  const fromValues = new Float32Array(RECORDS.length * encoder.width).fill(7); // stale cells must be cleared
  RECORDS.forEach((record, i) => {
    encoder.encodeValuesInto(
      FEATURE_NAMES.map((name) => record[name]),
      fromValues,
      i,
    );
  });
  assert.deepEqual([...fromRecords], [...fromValues]);
  const cell = (row: number, column: string) => fromRecords[row * encoder.width + COLUMNS.indexOf(column)];
  assert.equal(cell(0, 'loan_amnt'), 12000);
  assert.equal(cell(0, 'purpose=car'), 1);
  assert.equal(cell(0, 'purpose=credit_card'), 0);
  assert.equal(cell(0, 'grade#rank'), 1);
  assert.equal(cell(0, 'home_ownership=RENT'), 1);
  assert.ok(Number.isNaN(cell(1, 'annual_inc')));
  assert.ok(Number.isNaN(cell(1, 'grade#rank')));
  assert.ok(Number.isNaN(cell(1, 'emp_length#rank')));
  assert.equal(cell(1, 'purpose=car') + cell(1, 'purpose=credit_card') + cell(1, 'purpose=debt_consolidation'), 0);
  assert.equal(cell(1, 'home_ownership=MORTGAGE') + cell(1, 'home_ownership=RENT'), 0);
  assert.equal(cell(2, 'home_ownership=MORTGAGE'), 1);
});

test('encodeInto clears a reused row before writing it', () => {
  const encoder = new DenseEncoder(COLUMNS);
  const out = new Float32Array(encoder.width);
  encoder.encodeInto(RECORDS[0], out, 0);
  encoder.encodeInto(RECORDS[2], out, 0);
  assert.deepEqual([...out], [...encoder.encode([RECORDS[2]])]);
});

test('columns (a tensor per feature) encode as the same records do, at any row of the matrix', () => {
  const encoder = new DenseEncoder(COLUMNS);
  // Tensors say missing with "" (BYTES) and NaN (numbers), JSON tensors with null too; a nullable
  // feature may be left out altogether (revol_util here).
  const columns = FEATURES.map((feature, p) => {
    if (feature.name === 'revol_util') return undefined;
    const missing = p % 2 === 0 ? null : feature.kind === 'numeric' ? Number.NaN : '';
    return RECORDS.map((record) => record[feature.name] ?? missing);
  });
  const out = new Float32Array((RECORDS.length + 1) * encoder.width);
  encoder.encodeColumnsInto(columns, RECORDS.length, out, 1);
  const expected = encoder.encode(RECORDS.map((record) => ({ ...record, revol_util: null })));
  assert.deepEqual([...out.subarray(encoder.width)], [...expected]);
  assert.ok(
    out.subarray(0, encoder.width).every((cell) => cell === 0),
    'the rows before `first` are left alone',
  );
  const records = new Float32Array((RECORDS.length + 1) * encoder.width);
  encoder.encodeRecordsInto(RECORDS, records, 1);
  assert.deepEqual([...records.subarray(encoder.width)], [...encoder.encode(RECORDS)]);
});
