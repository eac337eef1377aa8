/**
 * Compressed training data: a gzip CSV made here from generated loans reads to the same table
 * and fingerprint as the plain file, whether named .gz or not; a damaged archive is refused
 * with a DataError that names the file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FEATURE_NAMES, LABEL } from '@peerloan/contracts';
import { readTrainingCsv } from '../src/csv-reader.js';
import { DataError } from '../src/errors/data-error.js';
import { generateLoans } from '../src/synthetic-data.js';

function generatedCsv(rows: number): string {
  const lines = [[...FEATURE_NAMES, LABEL].join(',')];
  for (const { record, label } of generateLoans({ rows, seed: 5 })) {
    lines.push([...FEATURE_NAMES.map((f) => record[f] ?? ''), label].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('gzip training CSV', () => {
  let dir: string;
  let text: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-gz-'));
    text = generatedCsv(3000);
  });

  test('a .gz file reads to the same rows, labels and sha256 as the plain CSV', async () => {
    const plain = join(dir, 'loans.csv');
    const gz = join(dir, 'loans.csv.gz');
    await writeFile(plain, text);
    await writeFile(gz, gzipSync(text));
    const fromPlain = await readTrainingCsv(plain, { maxBadShare: 0 });
    const fromGz = await readTrainingCsv(gz, { maxBadShare: 0 });
    assert.equal(fromGz.table.rows, 3000);
    assert.equal(fromGz.totalRows, fromPlain.totalRows);
    assert.deepEqual(fromGz.table.labels, fromPlain.table.labels);
    assert.equal(fromGz.sha256, fromPlain.sha256);
  });

  test('a gzip file without the .gz name is recognised by its magic bytes', async () => {
    const renamed = join(dir, 'download.csv');
    await writeFile(renamed, gzipSync(text));
    const result = await readTrainingCsv(renamed, { maxBadShare: 0 });
    assert.equal(result.table.rows, 3000);
  });

  test('progress counts the compressed bytes up to the file size', async () => {
    const gz = join(dir, 'progress.csv.gz');
    const packed = gzipSync(text);
    await writeFile(gz, packed);
    const seen: number[] = [];
    await readTrainingCsv(gz, {
      maxBadShare: 0,
      onProgress: (read, total) => {
        assert.equal(total, packed.length);
        seen.push(read);
      },
    });
    assert.equal(seen.at(-1), packed.length);
  });

  test('a truncated archive is a DataError naming the file', async () => {
    const truncated = join(dir, 'truncated.csv.gz');
    const packed = gzipSync(text);
    await writeFile(truncated, packed.subarray(0, Math.floor(packed.length / 2)));
    await assert.rejects(readTrainingCsv(truncated, { maxBadShare: 0 }), (err: Error) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /truncated\.csv\.gz: not a readable gzip file \(unexpected end of file\)/);
      return true;
    });
  });

  test('a .gz name over plain text is a DataError, not a parse of garbage', async () => {
    const fake = join(dir, 'fake.csv.gz');
    await writeFile(fake, text);
    await assert.rejects(readTrainingCsv(fake, { maxBadShare: 0 }), (err: Error) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /fake\.csv\.gz: not a readable gzip file \(incorrect header check\)/);
      return true;
    });
  });
});
