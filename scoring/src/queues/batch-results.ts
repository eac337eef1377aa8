/**
 * A scored batch chunk as the workers store it and the API reads it: every row's id, data row
 * number, probability and reasons, in a compact form (MessagePack through msgpackr, the numbers
 * as typed arrays' bytes): 38 bytes a row against 244 for the same rows' JSON lines, measured on
 * a 5,000-row generated chunk (1.4 reasons a row; docs/BENCHMARKS.md). The API renders the CSV and JSON-lines answers
 * from it, and ranks a batch's rows from the probabilities alone (stored under a key of their
 * own, 4 bytes a row). The summary a chunk returns to BullMQ (flagged count, histogram,
 * breakdowns) is summed here too, so worker and API share one definition of every figure.
 */
import { pack, unpack } from 'msgpackr';
import { FEATURE_NAMES, type BatchAnswer, type GroupSummary, type LoanRecord, type Reason } from '@peerloan/contracts';
import { MAX_REASONS } from '../explanations.js';

export type { BatchAnswer, GroupSummary };

type Cell = number | string | null;

/** Width of a probability histogram bin; HISTOGRAM_BINS of them cover [0, 1]. */
export const HISTOGRAM_BIN_WIDTH = 0.005;
export const HISTOGRAM_BINS = 200;
/** The feature values a portfolio's breakdowns group by. */
export const BREAKDOWN_FEATURES = ['grade', 'purpose'] as const;
export type BreakdownFeature = (typeof BREAKDOWN_FEATURES)[number];

/** One value of a breakdown feature: loans, how many flagged, sum of probabilities. */
export interface GroupTotals {
  count: number;
  flagged: number;
  sum: number;
}

/** What a chunk adds to its batch's summary (returned by its BullMQ job). */
export interface ChunkSummary {
  readonly flagged: number;
  /** Loans per histogram bin, HISTOGRAM_BINS long. */
  readonly histogram: readonly number[];
  readonly groups: Readonly<Record<BreakdownFeature, Readonly<Record<string, GroupTotals>>>>;
}

/** A scored chunk, decoded. */
export interface ScoredChunk {
  readonly modelVersion: string;
  readonly threshold: number;
  /** The reference applicant in schema order (each reason's `reference`). */
  readonly references: readonly Cell[];
  readonly ids: readonly string[];
  /** 1-based data row numbers in the upload. */
  readonly rows: Uint32Array;
  readonly probabilities: Float32Array;
  /** MAX_REASONS slots per row: the feature's schema position (NO_REASON when empty), contribution and value. */
  readonly reasonFeatures: Uint8Array;
  readonly reasonContributions: Float32Array;
  readonly reasonValues: readonly Cell[];
}

const NO_REASON = 255;

interface PackedChunk {
  v: string;
  t: number;
  refs: Cell[];
  ids: string[];
  rows: Uint8Array;
  p: Uint8Array;
  rf: Uint8Array;
  rc: Uint8Array;
  rv: Cell[];
}

function bytesOf(array: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A copy, so the typed array is aligned whatever offset the bytes sit at in the decoded buffer. */
function copyOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface ChunkToStore {
  readonly modelVersion: string;
  readonly threshold: number;
  readonly references: ReadonlyMap<string, Cell>;
  readonly ids: readonly string[];
  readonly rowNumbers: readonly number[];
  readonly probabilities: Float32Array;
  readonly reasons: readonly (readonly Reason[])[];
}

/** The chunk in its stored form. */
export function packChunk(chunk: ChunkToStore): Buffer {
  const n = chunk.ids.length;
  const position = new Map(FEATURE_NAMES.map((name, i) => [name, i]));
  const rf = new Uint8Array(n * MAX_REASONS).fill(NO_REASON);
  const rc = new Float32Array(n * MAX_REASONS);
  const rv: Cell[] = new Array<Cell>(n * MAX_REASONS).fill(null);
  for (let row = 0; row < n; row++) {
    chunk.reasons[row].forEach((reason, k) => {
      const slot = row * MAX_REASONS + k;
      rf[slot] = position.get(reason.feature) ?? NO_REASON;
      rc[slot] = reason.contribution;
      rv[slot] = reason.value;
    });
  }
  const packed: PackedChunk = {
    v: chunk.modelVersion,
    t: chunk.threshold,
    refs: FEATURE_NAMES.map((name) => chunk.references.get(name) ?? null),
    ids: [...chunk.ids],
    rows: bytesOf(Uint32Array.from(chunk.rowNumbers)),
    p: bytesOf(chunk.probabilities),
    rf,
    rc: bytesOf(rc),
    rv,
  };
  return pack(packed);
}

export function unpackChunk(stored: Buffer): ScoredChunk {
  const packed = unpack(stored) as PackedChunk;
  return {
    modelVersion: packed.v,
    threshold: packed.t,
    references: packed.refs,
    ids: packed.ids,
    rows: new Uint32Array(copyOf(packed.rows)),
    probabilities: new Float32Array(copyOf(packed.p)),
    reasonFeatures: packed.rf,
    reasonContributions: new Float32Array(copyOf(packed.rc)),
    reasonValues: packed.rv,
  };
}

/** A chunk's probabilities alone, as ranking reads them (the bytes of a Float32Array). */
export function packScores(probabilities: Float32Array): Buffer {
  return Buffer.from(probabilities.buffer, probabilities.byteOffset, probabilities.byteLength);
}

export function unpackScores(stored: Buffer): Float32Array {
  return new Float32Array(copyOf(stored));
}

function reasonsAt(chunk: ScoredChunk, i: number): Reason[] {
  const reasons: Reason[] = [];
  for (let k = 0; k < MAX_REASONS; k++) {
    const slot = i * MAX_REASONS + k;
    const position = chunk.reasonFeatures[slot];
    if (position === NO_REASON) break;
    reasons.push({
      feature: FEATURE_NAMES[position],
      value: chunk.reasonValues[slot],
      reference: chunk.references[position],
      contribution: chunk.reasonContributions[slot],
    });
  }
  return reasons;
}

/** Row `i` of the chunk as /predict would have answered it. */
export function answerAt(chunk: ScoredChunk, i: number): BatchAnswer {
  const probability = chunk.probabilities[i];
  return {
    id: chunk.ids[i],
    probability,
    decision: probability >= chunk.threshold ? 'yes' : 'no',
    modelVersion: chunk.modelVersion,
    reasons: reasonsAt(chunk, i),
  };
}

/** The header of the CSV results. */
export const RESULTS_CSV_HEADER = 'id,probability,decision,model_version,reason_1,reason_2,reason_3\n';

/** CSV-safe text: quoted when it holds a comma, quote or line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLines(chunk: ScoredChunk): string {
  let lines = '';
  const version = csvField(chunk.modelVersion);
  for (let i = 0; i < chunk.ids.length; i++) {
    const p = chunk.probabilities[i];
    const reasons: string[] = [];
    for (let k = 0; k < MAX_REASONS; k++) {
      const position = chunk.reasonFeatures[i * MAX_REASONS + k];
      reasons.push(position === NO_REASON ? '' : FEATURE_NAMES[position]);
    }
    lines += `${csvField(chunk.ids[i])},${p},${p >= chunk.threshold ? 'yes' : 'no'},${version},${reasons.join(',')}\n`;
  }
  return lines;
}

export function jsonLines(chunk: ScoredChunk): string {
  let lines = '';
  for (let i = 0; i < chunk.ids.length; i++) lines += `${JSON.stringify(answerAt(chunk, i))}\n`;
  return lines;
}

function emptyGroups(): Record<BreakdownFeature, Record<string, GroupTotals>> {
  return { grade: {}, purpose: {} };
}

/** What one chunk's scored rows add to the batch's summary. */
export function summarizeChunk(
  records: readonly LoanRecord[],
  probabilities: Float32Array,
  threshold: number,
): ChunkSummary {
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const groups = emptyGroups();
  let flagged = 0;
  for (let i = 0; i < records.length; i++) {
    const p = probabilities[i];
    const isFlagged = p >= threshold ? 1 : 0;
    flagged += isFlagged;
    histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(p / HISTOGRAM_BIN_WIDTH))] += 1;
    for (const feature of BREAKDOWN_FEATURES) {
      const value = String(records[i][feature] ?? '(not known)');
      const totals = (groups[feature][value] ??= { count: 0, flagged: 0, sum: 0 });
      totals.count += 1;
      totals.flagged += isFlagged;
      totals.sum += p;
    }
  }
  return { flagged, histogram, groups };
}

/** A batch's running figures, added up chunk by chunk: the summary's counts, histogram and breakdowns. */
export interface BatchTotals {
  readonly flagged: number;
  readonly histogram: readonly number[];
  readonly byGrade: GroupSummary[];
  readonly byPurpose: GroupSummary[];
}

function groupRows(totals: Readonly<Record<string, GroupTotals>>): GroupSummary[] {
  return Object.entries(totals)
    .map(([value, t]) => ({ value, count: t.count, flagged: t.flagged, meanProbability: t.sum / t.count }))
    .sort((a, b) => a.value.localeCompare(b.value));
}

/** The batch's summary from its chunks' summaries. */
export function sumChunks(summaries: readonly ChunkSummary[]): BatchTotals {
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const groups = emptyGroups();
  let flagged = 0;
  for (const summary of summaries) {
    flagged += summary.flagged;
    summary.histogram.forEach((count, bin) => (histogram[bin] += count));
    for (const feature of BREAKDOWN_FEATURES) {
      for (const [value, t] of Object.entries(summary.groups[feature])) {
        const totals = (groups[feature][value] ??= { count: 0, flagged: 0, sum: 0 });
        totals.count += t.count;
        totals.flagged += t.flagged;
        totals.sum += t.sum;
      }
    }
  }
  return { flagged, histogram, byGrade: groupRows(groups.grade), byPurpose: groupRows(groups.purpose) };
}
