/**
 * The rows of one scoring call, in whatever shape their request brought them: loan records
 * (/predict) or a column per feature (OIP infer's tensors, column-rows.ts). A run of the
 * micro-batcher has each request's rows write themselves into its one dense matrix, so tensors
 * reach the model's input without an object per row; records are made only where something reads
 * them (the contract graph, reasons, the audit trail, the prediction log's samples, a candidate's
 * check and shadow scoring).
 */
import type { DenseEncoder, LoanRecord } from '@peerloan/contracts';

export interface RowBatch {
  readonly length: number;
  /** Writes the rows at rows `first`.. of a row-major matrix of the encoder's width whose cells there are zero. */
  encodeInto(encoder: DenseEncoder, out: Float32Array, first: number): void;
  /** The rows as complete records (every feature present, null when missing): made on first call if they came as columns. */
  records(): readonly LoanRecord[];
  /** One row as a complete record, without making the others. */
  recordAt(row: number): LoanRecord;
}

class RecordRows implements RowBatch {
  constructor(private readonly list: readonly LoanRecord[]) {}

  get length(): number {
    return this.list.length;
  }

  encodeInto(encoder: DenseEncoder, out: Float32Array, first: number): void {
    encoder.encodeRecordsInto(this.list, out, first);
  }

  records(): readonly LoanRecord[] {
    return this.list;
  }

  recordAt(row: number): LoanRecord {
    return this.list[row];
  }
}

/** Validated, complete records as a batch of rows. */
export function recordRows(records: readonly LoanRecord[]): RowBatch {
  return new RecordRows(records);
}

/** The rows at `indices` (ascending) of `rows`: `rows` itself when that is all of them. */
export function pickRows(rows: RowBatch, indices: readonly number[]): RowBatch {
  if (indices.length === rows.length) return rows;
  return recordRows(indices.map((i) => rows.recordAt(i)));
}
