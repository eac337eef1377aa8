/**
 * Opens a training CSV as a stream of its text, plain or gzip-compressed. A file counts as
 * gzip when its name ends in .gz or its first two bytes are gzip's magic number (so a renamed
 * download still reads); it is inflated on the fly by zlib, never unpacked to disk.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

export interface CsvSource {
  /** The CSV's text (inflated when the file is compressed). */
  readonly text: Readable;
  /** The file's own bytes as read from disk: progress is counted on these. */
  readonly file: Readable;
  readonly compressed: boolean;
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

export async function isGzipFile(path: string): Promise<boolean> {
  return path.endsWith('.gz') || startsWithGzipMagic(path);
}

/**
 * A zlib failure (corrupt or truncated archive) is handed to `onInflateError`, which turns it
 * into the caller's own error; plain `pipe` would not forward it to the consumer.
 */
export async function openCsvSource(path: string, onInflateError: (err: Error) => void): Promise<CsvSource> {
  const file = createReadStream(path);
  if (!(await isGzipFile(path))) return { text: file, file, compressed: false };
  const gunzip = createGunzip();
  gunzip.on('error', (err) => {
    file.destroy();
    onInflateError(err);
  });
  return { text: file.pipe(gunzip), file, compressed: true };
}
