import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsvRow } from '@peerloan/contracts';
import { readTrainingCsv } from '../src/csv-reader.js';
import { DataError } from '../src/errors/data-error.js';

const HEADER =
  'loan_amnt,int_rate,purpose,grade,annual_inc,revol_util,emp_length,dti,delinq_2yrs,home_ownership,is_late';
const GOOD = '12000,0.2039,credit_card,D,42000.0,0.647,10+ years,14.46,0,RENT,0';

async function csvFile(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'csv-'));
  const path = join(dir, 'loans.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

test('a valid row becomes typed values; missing revol_util and emp_length are null', () => {
  const row = Object.fromEntries(
    HEADER.split(',').map((k, i) => [k, '8000,0.13,other,C,73000,,,33.27,1,MORTGAGE,1'.split(',')[i]]),
  );
  const result = parseCsvRow(row, true);
  assert.ok(result.ok);
  assert.equal(result.label, 1);
  assert.equal(result.record.revol_util, null);
  assert.equal(result.record.emp_length, null);
  assert.equal(result.record.loan_amnt, 8000);
});

test('each bad field is named with the reason', () => {
  const row = Object.fromEntries(
    HEADER.split(',').map((k, i) => [k, 'abc,1.5,,D,42000,0.5,2 years,14,0.5,RENT,2'.split(',')[i]]),
  );
  const result = parseCsvRow(row, true);
  assert.ok(!result.ok);
  assert.deepEqual(
    result.errors.map((e) => e.field),
    ['loan_amnt', 'int_rate', 'purpose', 'delinq_2yrs', 'is_late'],
  );
  assert.match(result.errors[0].message, /not a number/);
  assert.match(result.errors[1].message, /a number from 0 to 1/);
  assert.match(result.errors[2].message, /required/);
});

test('bad rows are skipped, counted by reason, and their line numbers kept', async () => {
  const lines = [HEADER, ...Array.from({ length: 40 }, () => GOOD)];
  lines[5] = GOOD.replace('42000.0', 'lots');
  lines[9] = GOOD.replace(',0,RENT,0', ',0,RENT,');
  const result = await readTrainingCsv(await csvFile(lines), { maxBadShare: 0.1 });
  assert.equal(result.table.rows, 38);
  assert.equal(result.bad.count, 2);
  assert.deepEqual(result.bad.firstLines, [6, 10]);
  assert.deepEqual(result.bad.reasons, { 'annual_inc: is not a number': 1, 'is_late: must be 0 or 1': 1 });
  assert.match(result.sha256, /^[0-9a-f]{64}$/);
});

test('too many bad rows abort with the reasons', async () => {
  const lines = [HEADER, GOOD, GOOD.replace('0.2039', '7'), GOOD.replace('0.2039', '8')];
  await assert.rejects(readTrainingCsv(await csvFile(lines), { maxBadShare: 0.05 }), (err: Error) => {
    assert.ok(err instanceof DataError);
    assert.match(
      err.message,
      /2 of 3 rows are invalid .* first at lines 3, 4; most common: int_rate: must be a number from 0 to 1 \(2\)/,
    );
    return true;
  });
});

test('a missing label column is named', async () => {
  const path = await csvFile([HEADER.replace(',is_late', ''), GOOD.replace(/,0$/, '')]);
  await assert.rejects(readTrainingCsv(path, { maxBadShare: 0.05 }), /the label column "is_late" is missing/);
});
