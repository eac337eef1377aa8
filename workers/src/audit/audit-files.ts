/**
 * The archive on the data volume: `<dir>/YYYY/MM/DD/part-<first>_<last>.jsonl.gz`, one JSON
 * record per line, partitioned by the decision's UTC day and named by the stream ids of the batch
 * it came from. A file is written whole under a temporary name, fsynced and renamed, so a crash
 * leaves either the whole file or none (never a truncated gzip that would spoil the rest of a
 * file), and writing the same batch again replaces it. Retention removes whole days.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** `YYYY/MM/DD` of an ISO time. */
export function dayOf(time: string): string {
  return `${time.slice(0, 4)}/${time.slice(5, 7)}/${time.slice(8, 10)}`;
}

/** The part files of one day, written by any consumer. */
export async function partFiles(dir: string, day: string): Promise<string[]> {
  const folder = join(dir, day);
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith('part-') && n.endsWith('.jsonl.gz'))
    .sort()
    .map((n) => join(folder, n));
}

async function writeDurably(path: string, data: Buffer): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(data);
    await file.datasync();
  } finally {
    await file.close();
  }
}

/**
 * Writes one batch of records (named by its stream ids, e.g. `1732590000000-0_1732590000123-4`),
 * given as JSON lines by UTC day, into its days' folders, durably.
 */
export async function writeBatch(
  dir: string,
  batchName: string,
  byDay: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  for (const [day, lines] of byDay) {
    const folder = join(dir, day);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.part-${batchName}.tmp`);
    await writeDurably(temporary, await gzipAsync(`${lines.join('\n')}\n`));
    await rename(temporary, join(folder, `part-${batchName}.jsonl.gz`));
    // The rename is durable once the folder's entry is.
    const folderHandle = await open(folder, 'r');
    try {
      await folderHandle.sync();
    } finally {
      await folderHandle.close();
    }
  }
}

/** Removes the days before `keepFrom` (a `YYYY/MM/DD`), and months and years left empty. */
export async function removeDaysBefore(dir: string, keepFrom: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = async (path: string) =>
    (await readdir(path, { withFileTypes: true }).catch(() => []))
      .filter((e) => e.isDirectory() && /^\d+$/.test(e.name))
      .map((e) => e.name);
  for (const year of await entries(dir)) {
    for (const month of await entries(join(dir, year))) {
      for (const day of await entries(join(dir, year, month))) {
        const name = `${year}/${month}/${day}`;
        if (name >= keepFrom) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        removed.push(name);
      }
      if ((await readdir(join(dir, year, month))).length === 0)
        await rm(join(dir, year, month), { recursive: true, force: true });
    }
    if ((await readdir(join(dir, year))).length === 0) await rm(join(dir, year), { recursive: true, force: true });
  }
  return removed;
}
