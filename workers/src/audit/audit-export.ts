/**
 * Reads the archive for a reviewer: the records whose time falls in [from, to) (UTC), each id
 * once (a consumer that crashed between its write and its acknowledgement wrote some twice), as
 * JSON lines or CSV (one column per feature, reasons as JSON). An approval's CSV row fills the
 * columns it shares with a decision (requestId: the LoanRiskModelApproval's name, client: the
 * reviewer, decision: approve or reject) and the last four; a decision's row leaves those empty
 * but kind.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { FEATURE_NAMES } from '@peerloan/contracts';
import type { ApprovalAuditRecord, AuditRecord } from '@peerloan/scoring/queues';
import { dayOf, partFiles } from './audit-files.js';

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = [
  'time',
  'id',
  'requestId',
  'client',
  'source',
  'modelVersion',
  'threshold',
  'probability',
  'decision',
  ...FEATURE_NAMES,
  'reasons',
  'kind',
  'model',
  'evidence',
  'note',
];

function* daysBetween(from: Date, to: Date): Generator<string> {
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  for (; day < to; day.setUTCDate(day.getUTCDate() + 1)) yield dayOf(day.toISOString());
}

async function* recordsOf(file: string): AsyncGenerator<AuditRecord> {
  for await (const line of createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Infinity,
  })) {
    if (line) yield JSON.parse(line) as AuditRecord;
  }
}

function csvRow(r: AuditRecord): unknown[] {
  if (r.kind === 'approval') return approvalRow(r);
  return [
    r.time,
    r.id,
    r.requestId,
    r.client,
    r.source,
    r.modelVersion,
    r.threshold,
    r.probability,
    r.decision,
    ...FEATURE_NAMES.map((f) => r.inputs[f] ?? ''),
    r.reasons ? JSON.stringify(r.reasons) : '',
    'decision',
    '',
    '',
    '',
  ];
}

function approvalRow(r: ApprovalAuditRecord): unknown[] {
  const blank = (n: number) => Array<string>(n).fill('');
  return [
    r.time,
    r.id,
    r.object,
    r.user,
    '',
    r.version,
    '',
    '',
    r.decision,
    ...blank(FEATURE_NAMES.length + 1),
    r.kind,
    `${r.namespace}/${r.model}`,
    r.evidence,
    r.note ?? '',
  ];
}

/** Writes the range to out; resolves with the number of records written. */
export async function exportRange(
  dir: string,
  from: Date,
  to: Date,
  format: ExportFormat,
  out: Writable,
): Promise<number> {
  const seen = new Set<string>();
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  if (format === 'csv') out.write(stringify([CSV_COLUMNS]));
  for (const day of daysBetween(from, to)) {
    for (const file of await partFiles(dir, day)) {
      for await (const record of recordsOf(file)) {
        if (record.time < fromIso || record.time >= toIso || seen.has(record.id)) continue;
        seen.add(record.id);
        const text = format === 'csv' ? stringify([csvRow(record)]) : `${JSON.stringify(record)}\n`;
        if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
      }
    }
  }
  return seen.size;
}
