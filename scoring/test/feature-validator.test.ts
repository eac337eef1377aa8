/**
 * One feature validator: a bad value reads the same whether it came in a CSV row (the trainer's
 * and batch uploads' parser) or in a JSON request (the model version's compiled validator).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FEATURES, parseCsvRow, type LoanRecord, type ModelManifest } from '@peerloan/contracts';
import { compileRecordValidator, type RecordValidator } from '../src/request-validation.js';
import { applicants, tempDir, trainModel } from './helpers/trained-model.js';

let validator: RecordValidator;
let good: LoanRecord;

before(async () => {
  const root = await tempDir('feature-validator');
  const version = await trainModel(root, 14);
  const manifest = JSON.parse(await readFile(join(root, version, 'manifest.json'), 'utf8')) as ModelManifest;
  validator = compileRecordValidator(manifest);
  good = applicants(1)[0] ?? assert.fail('the generator gave no applicant');
});

/** The CSV row of a record, every cell as text. */
function csvRow(record: LoanRecord): Record<string, string> {
  return Object.fromEntries(FEATURES.map((f) => [f.name, String(record[f.name] ?? '')]));
}

test('a good applicant passes both paths', () => {
  assert.deepEqual(validator.check(good), []);
  assert.equal(parseCsvRow(csvRow(good), false).ok, true);
});

test('each bad numeric value gets the same message from the CSV path and the JSON path', () => {
  const numeric = FEATURES.filter((f) => f.kind === 'numeric');
  const cases = numeric.flatMap((f) => [
    { field: f.name, value: f.max + 1 },
    { field: f.name, value: f.min - 1 },
    ...(f.integer ? [{ field: f.name, value: f.min + 0.5 }] : []),
    ...(f.nullable ? [] : [{ field: f.name, value: null }]),
  ]);
  assert.ok(cases.length > numeric.length * 2);
  for (const { field, value } of cases) {
    const bad = { ...good, [field]: value };
    const json = validator.check(bad);
    const csv = parseCsvRow(csvRow(bad), false);
    if (csv.ok) assert.fail(`${field}=${String(value)} passed the CSV path`);
    assert.equal(json.length, 1, `${field}=${String(value)}: ${JSON.stringify(json)}`);
    assert.deepEqual(
      csv.errors.map((e) => ({ field: e.field, message: e.message })),
      json,
      `${field}=${String(value)}`,
    );
  }
});
