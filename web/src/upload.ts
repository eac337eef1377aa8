/**
 * Sending a portfolio file as it is: the File object itself goes to XMLHttpRequest, which streams
 * it from disk and reports upload progress, so a 1M-row file never sits in the page's memory.
 * Before that, the first bytes say whether it can be a portfolio at all (not an image, a PDF or
 * a workbook) and, for a plain CSV, whether its header names the columns the model needs.
 */
import { FEATURE_DISPLAY, featureLabel } from '@peerloan/contracts/feature-display';
import type { BatchAccepted, ErrorBody } from './contract.js';
import { errorBodyOf } from './api.js';
import { credentialHeaders } from './credential.js';

export interface UploadPlan {
  readonly contentType: 'text/csv' | 'application/x-ndjson';
  /** Sent with Content-Encoding: gzip (the server inflates it). */
  readonly gzip: boolean;
  readonly format: 'CSV' | 'JSON lines';
}

export type Inspection =
  { readonly ok: true; readonly plan: UploadPlan } | { readonly ok: false; readonly message: string };

const SIGNATURES: readonly { readonly bytes: readonly number[]; readonly what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive or an Excel workbook (.xlsx)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel 97 workbook (.xls)' },
];

const TEXT_EXTENSIONS = new Set(['csv', 'txt']);
const JSONL_EXTENSIONS = new Set(['jsonl', 'ndjson']);

const ASK_FOR_CSV = 'Choose the portfolio as a CSV file (.csv, or .csv.gz compressed), one row per loan holder.';

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return bytes.every((b, i) => head[i] === b);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The header's column names: the first line split at commas, quotes and a byte-order mark removed. */
export function headerColumns(firstLine: string): string[] {
  return firstLine
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((cell) =>
      cell
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
    );
}

/** What is wrong with a CSV header, or null when it names every feature. */
export function headerProblem(firstLine: string): string | null {
  const columns = headerColumns(firstLine);
  if (columns.length === 1 && firstLine.includes(';'))
    return 'The columns are separated by semicolons. Export the file as comma-separated CSV and choose it again.';
  const missing = FEATURE_DISPLAY.filter((d) => !columns.includes(d.name));
  if (missing.length === 0) return null;
  const expected = ['id (optional)', ...FEATURE_DISPLAY.map((d) => d.name)].join(', ');
  if (missing.length === FEATURE_DISPLAY.length)
    return `The file's first line does not name the columns. It must be a header line: ${expected}.`;
  const list = missing.map((d) => `${featureLabel(d.name)} (${d.name})`).join(', ');
  return `The file's header lacks ${missing.length === 1 ? 'the column' : 'these columns'}: ${list}. Add ${missing.length === 1 ? 'it' : 'them'} and choose the file again.`;
}

/** Reads at most the first 64 KB: enough for the magic bytes and the header line. */
export async function inspectFile(file: File): Promise<Inspection> {
  const head = new Uint8Array(await file.slice(0, 65_536).arrayBuffer());
  if (head.length === 0) return { ok: false, message: `“${file.name}” is empty. ${ASK_FOR_CSV}` };
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const inner = file.name.replace(/\.gz$/i, '');
  const extension = extensionOf(inner);
  const jsonLines = JSONL_EXTENSIONS.has(extension);
  if (!gzip) {
    const signature = SIGNATURES.find((s) => startsWith(head, s.bytes));
    if (signature) return { ok: false, message: `“${file.name}” is ${signature.what}, not a CSV file. ${ASK_FOR_CSV}` };
    if (head.includes(0)) return { ok: false, message: `“${file.name}” is not a text file. ${ASK_FOR_CSV}` };
  }
  if (extension !== '' && !TEXT_EXTENSIONS.has(extension) && !jsonLines)
    return { ok: false, message: `“${file.name}” is not a CSV file (.${extension}). ${ASK_FOR_CSV}` };
  const plan: UploadPlan = jsonLines
    ? { contentType: 'application/x-ndjson', gzip, format: 'JSON lines' }
    : { contentType: 'text/csv', gzip, format: 'CSV' };
  if (gzip || jsonLines) return { ok: true, plan };
  const text = new TextDecoder().decode(head);
  const end = text.indexOf('\n');
  const problem = headerProblem(end === -1 ? text : text.slice(0, end));
  return problem ? { ok: false, message: problem } : { ok: true, plan };
}

export type UploadOutcome =
  | { readonly kind: 'accepted'; readonly batch: BatchAccepted }
  | { readonly kind: 'refused'; readonly status: number; readonly body: ErrorBody }
  | { readonly kind: 'lost'; readonly loaded: number }
  | { readonly kind: 'cancelled' };

export interface Upload {
  readonly done: Promise<UploadOutcome>;
  cancel(): void;
}

/** POST batches with the file as the body; progress in bytes as the browser sends them. */
export function sendFile(file: File, plan: UploadPlan, onProgress: (loaded: number, total: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  let loaded = 0;
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open('POST', 'batches');
    xhr.setRequestHeader('content-type', plan.contentType);
    if (plan.gzip) xhr.setRequestHeader('content-encoding', 'gzip');
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(credentialHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      loaded = event.loaded;
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    };
    xhr.onload = () => {
      if (xhr.status === 202 || xhr.status === 200 || xhr.status === 201) {
        resolve({ kind: 'accepted', batch: JSON.parse(xhr.responseText) as BatchAccepted });
        return;
      }
      if (xhr.status === 0) {
        resolve({ kind: 'lost', loaded });
        return;
      }
      resolve({ kind: 'refused', status: xhr.status, body: errorBodyOf(xhr.status, xhr.responseText) });
    };
    xhr.onerror = () => {
      resolve({ kind: 'lost', loaded });
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      resolve({ kind: 'cancelled' });
    };
    xhr.send(file);
  });
  return {
    done,
    cancel: () => {
      xhr.abort();
    },
  };
}
