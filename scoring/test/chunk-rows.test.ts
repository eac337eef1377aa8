/**
 * The batch worker's reading of raw CSV records: records without quotes are split on commas
 * rather than run through csv-parse, so their cells must be exactly what csv-parse gives; quoted
 * and malformed records still go through csv-parse, a malformed one failing alone. Rows the model
 * accepts are typed straight from their cells: the outcome must be the full path's (the shared
 * row parser, then the model's Ajv validator) for every row, valid or not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { FEATURE_NAMES, FEATURES, parseCsvRow, type ModelManifest } from '@peerloan/contracts';
import { chunkRows, csvCells } from '../src/chunk-rows.js';
import { ERRORS_KEPT } from '../src/queues/batch-jobs.js';
import { compileRecordValidator, completeRecord, type RecordValidator } from '../src/request-validation.js';
import { applicants } from './helpers/trained-model.js';

/** mulberry32, seeded, so a failing record can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('records without quotes read as csv-parse reads them', () => {
  const rnd = random(1126);
  const alphabet = ['a', '7', '.', '-', ' ', ',', ',', '\r', '\t', '\uFEFF', 'é', ''];
  // The API never hands on an empty record (blank lines are skipped there).
  const records = Array.from({ length: 5000 }, () =>
    Array.from({ length: Math.floor(rnd() * 40) + 1 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''),
  ).filter((text) => text !== '');
  const ours = csvCells(records);
  records.forEach((text, i) => {
    const theirs = parse(text, { relax_column_count: true, record_delimiter: '\n' });
    assert.equal(theirs.length, 1, JSON.stringify(text));
    assert.deepEqual(ours[i], theirs[0], JSON.stringify(text));
  });
});

test('quoted records go through csv-parse; a malformed one is an error of its own row only', () => {
  const cells = csvCells(['a,"b,c",d', '"line\nbreak",""""', 'x"y,z', 'plain,row']);
  assert.deepEqual(cells[0], ['a', 'b,c', 'd']);
  assert.deepEqual(cells[1], ['line\nbreak', '"']);
  assert.ok(cells[2] instanceof Error);
  assert.deepEqual(cells[3], ['plain', 'row']);
});

/** The model's validator with every feature, and one purpose the model never saw (not accepted). */
function validatorWithoutWeddings(): RecordValidator {
  const features = FEATURES.map((f) => ({
    name: f.name,
    kind: f.kind,
    categories: f.kind === 'categorical' ? f.categories.filter((c) => c !== 'wedding') : undefined,
  }));
  return compileRecordValidator({ features } as unknown as ModelManifest);
}

/** What the full path makes of one record: its values and record, or its problems. */
function fullPath(cells: string[] | Error, header: readonly string[], validator: RecordValidator) {
  if (cells instanceof Error) return { invalid: true, errors: [] };
  if (cells.length !== header.length)
    return {
      invalid: true,
      errors: [{ field: '(row)', message: `has ${cells.length} cells, the header has ${header.length}` }],
    };
  const named = Object.fromEntries(header.map((name, i) => [name, cells[i]]));
  const typed = parseCsvRow(named, false);
  if (!typed.ok) return { invalid: true, errors: typed.errors };
  const problems = validator.check(typed.record);
  if (problems.length > 0) return { invalid: true, errors: problems };
  const record = completeRecord(typed.record, validator.rules);
  return { invalid: false, id: named.id, record, values: FEATURE_NAMES.map((n) => record[n] ?? null) };
}

test('CSV rows typed straight from their cells come out as the full path types and judges them', () => {
  const rnd = random(2611);
  const odd = [
    '',
    ' ',
    'abc',
    '-1',
    '1e99',
    '0.5',
    ' 7 ',
    '12.5',
    'wedding',
    'car',
    ' car ',
    'A',
    'Z',
    'NaN',
    'Infinity',
    '0x10',
    '1 year',
    '10+ years',
    'RENT',
    'rent',
    '1e3',
    '3.0',
  ];
  // Columns in another order than the schema's, with an id and a column the model ignores.
  const header = ['note', ...[...FEATURE_NAMES].reverse(), 'id'];
  const records = applicants(4000, 2611).map((person, i) => {
    const cells = [
      'x',
      ...[...FEATURE_NAMES].reverse().map((name) => String(person[name] ?? '')),
      i % 7 === 0 ? '' : `id-${i}`,
    ];
    if (rnd() < 0.5) cells[1 + Math.floor(rnd() * FEATURE_NAMES.length)] = odd[Math.floor(rnd() * odd.length)];
    if (rnd() < 0.02) cells.pop();
    return cells.join(',');
  });
  const validator = validatorWithoutWeddings();
  const ours = chunkRows({ firstRow: 11, records }, 'csv', header, validator);

  const expected = csvCells(records).map((cells) => fullPath(cells, header, validator));
  const valid = expected.flatMap((e, i) => (e.invalid ? [] : [{ ...e, row: 11 + i }]));
  assert.ok(valid.length > 1000 && valid.length < 3500, `a mix of valid and invalid rows (${valid.length} valid)`);
  assert.deepEqual(
    ours.rows,
    valid.map((e) => e.values),
  );
  assert.deepEqual(
    ours.records,
    valid.map((e) => e.record),
  );
  assert.deepEqual(
    ours.ids,
    valid.map((e) => (e.id === '' ? String(e.row) : e.id)),
  );
  assert.equal(ours.invalid, records.length - valid.length);
  const problems = expected.flatMap((e, i) => (e.invalid ? [[11 + i, e.errors]] : []));
  assert.deepEqual(
    ours.errors.map((p) => [p.row, p.errors]),
    problems.slice(0, ERRORS_KEPT),
  );
  assert.equal(ours.errors.length, ERRORS_KEPT);
});
