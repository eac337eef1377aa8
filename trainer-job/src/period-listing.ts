/**
 * `loanrisk-train --list-periods <folder|file>`: the period files --data would read, with their
 * sizes and modification times, and a fingerprint of them, for the operator's
 * spec.training.watchInterval (a listing Job every interval). Metadata only: no file is opened, so
 * the pod costs next to nothing however large the quarters are. An empty folder is a listing of
 * none (the first file copied in is then a change), a path that is not there an error.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PeriodListing } from '@peerloan/contracts';
import { writeTerminationMessage } from './artifacts.js';
import { DataError } from './errors/data-error.js';
import { PERIOD_FILE } from './period-folder.js';

export interface PeriodFileEntry {
  readonly file: string;
  readonly bytes: number;
  /** Modification time, whole milliseconds since the epoch. */
  readonly modifiedMs: number;
}

async function entry(path: string, file: string): Promise<PeriodFileEntry> {
  const s = await stat(path);
  return { file, bytes: s.size, modifiedMs: Math.trunc(s.mtimeMs) };
}

/** The period files of a folder by name (oldest first), or the one file a path names. */
export async function listPeriodFiles(path: string): Promise<PeriodFileEntry[]> {
  const found = await stat(path).catch(() => undefined);
  if (!found)
    throw new DataError(
      `${path}: no such file or folder; spec.dataset.path must name a training CSV or a folder of period files on the claim`,
    );
  if (!found.isDirectory()) return [await entry(path, basename(path))];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && PERIOD_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(names.map((name) => entry(join(path, name), name)));
}

/** The files' fingerprint: any file added, removed, replaced or rewritten changes it. */
export function periodListing(entries: readonly PeriodFileEntry[]): PeriodListing {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.file}\t${e.bytes}\t${e.modifiedMs}\n`);
  const newest = entries.at(-1)?.file;
  return { fingerprint: hash.digest('hex'), files: entries.length, ...(newest && { newest }) };
}

/**
 * Lists `path`, writes the listing to the termination log (the operator's part: small, within the
 * 4 KiB a termination message holds) and prints it with every file on stdout (the pod's log).
 */
export async function runPeriodListing(path: string, terminationLog: string): Promise<PeriodListing> {
  const entries = await listPeriodFiles(path);
  const listing = periodListing(entries);
  await writeTerminationMessage(terminationLog, listing);
  process.stdout.write(`${JSON.stringify({ ...listing, entries })}\n`);
  return listing;
}
