/**
 * The archive on the data volume: `<dir>/YYYY/MM/DD/part-<consumer>.jsonl.gz`, one JSON record
 * per line, partitioned by the decision's UTC day. Each write appends one gzip member (gzip
 * readers read concatenated members as one stream) and is fsynced before the stream entries are
 * acknowledged. Retention removes whole days.
 */
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AuditRecord } from './audit-record.js';

const gzipAsync = promisify(gzip);

/** `YYYY/MM/DD` of an ISO time. */
export function dayOf(time: string): string {
  return `${time.slice(0, 4)}/${time.slice(5, 7)}/${time.slice(8, 10)}`;
}

/** The part files of one day, written by any consumer. */
export async function partFiles(dir: string, day: string): Promise<string[]> {
  const folder = join(dir, day);
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith('part-') && n.endsWith('.jsonl.gz')).sort().map((n) => join(folder, n));
}

/** Appends records to their days' part files of this consumer, durably. */
export async function appendRecords(dir: string, consumer: string, records: readonly AuditRecord[]): Promise<void> {
  const byDay = new Map<string, string[]>();
  for (const record of records) {
    const day = dayOf(record.time);
    let lines = byDay.get(day);
    if (!lines) byDay.set(day, (lines = []));
    lines.push(JSON.stringify(record));
  }
  for (const [day, lines] of byDay) {
    const folder = join(dir, day);
    await mkdir(folder, { recursive: true });
    const member = await gzipAsync(`${lines.join('\n')}\n`);
    const file = await open(join(folder, `part-${consumer}.jsonl.gz`), 'a');
    try {
      await file.write(member);
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}

/** Removes the days before `keepFrom` (a `YYYY/MM/DD`), and months and years left empty. */
export async function removeDaysBefore(dir: string, keepFrom: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = async (path: string) => (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name);
  for (const year of await entries(dir)) {
    for (const month of await entries(join(dir, year))) {
      for (const day of await entries(join(dir, year, month))) {
        const name = `${year}/${month}/${day}`;
        if (name >= keepFrom) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        removed.push(name);
      }
      if ((await readdir(join(dir, year, month))).length === 0) await rm(join(dir, year, month), { recursive: true, force: true });
    }
    if ((await readdir(join(dir, year))).length === 0) await rm(join(dir, year), { recursive: true, force: true });
  }
  return removed;
}
