/**
 * The batch queues' jobs, written by the API (producer: batch-service.ts, batch-upload.ts) and read
 * by the batch workers: a batch's parent job, its chunks, a chunk's staged records and its result.
 */
import type { RowProblem } from '@peerloan/contracts';
import type { ChunkSummary } from './batch-results.js';

/** A refused row as GET /batches/{id} answers it, and the rows kept per chunk and per batch: contracts' api-answers. */
export { ERRORS_KEPT, type RowProblem } from '@peerloan/contracts';

export type UploadFormat = 'csv' | 'ndjson';

/** Records of one chunk as they were sent (line breaks between records removed). */
export interface RawChunk {
  /** 1-based data row number of the first record (header excluded, blank lines not counted). */
  readonly firstRow: number;
  readonly records: readonly string[];
}

export interface BatchData {
  readonly total: number;
  readonly chunks: number;
  readonly createdAt: string;
}

export interface ChunkData {
  readonly batchId: string;
  readonly index: number;
  readonly format: UploadFormat;
  /** The CSV header's cells (empty for JSON lines); the raw records are under chunkInputKey. */
  readonly header: readonly string[];
  /** Who submitted the batch: its rows' audit records name them. */
  readonly client?: string;
}

export interface ChunkResult {
  /** Rows scored. */
  readonly rows: number;
  readonly invalid: number;
  readonly errors: readonly RowProblem[];
  readonly modelVersion: string;
  /** That version's decision threshold. */
  readonly threshold: number;
  /** What the chunk adds to the batch's summary. */
  readonly summary: ChunkSummary;
}
