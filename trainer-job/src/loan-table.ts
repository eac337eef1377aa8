import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, type LoanRecord } from '@peerloan/contracts';

/**
 * Loans held column by column: numeric features as float32 (NaN = missing), categoricals as
 * strings (null = missing), the label as 0/1. Columnar keeps 111k rows compact and fast to encode.
 */
export class LoanTable {
  readonly numeric: Record<string, Float32Array> = {};
  readonly categorical: Record<string, (string | null)[]> = {};
  readonly labels: Uint8Array;

  constructor(readonly rows: number) {
    for (const f of NUMERIC_FEATURES) this.numeric[f.name] = new Float32Array(rows);
    for (const f of CATEGORICAL_FEATURES) this.categorical[f.name] = new Array<string | null>(rows).fill(null);
    this.labels = new Uint8Array(rows);
  }

  static fromRecords(records: readonly LoanRecord[], labels: ArrayLike<number>): LoanTable {
    const table = new LoanTable(records.length);
    records.forEach((record, i) => {
      table.set(i, record, labels[i] ?? 0);
    });
    return table;
  }

  /** The tables' rows one after another, in the order given. */
  static concat(tables: readonly LoanTable[]): LoanTable {
    const table = new LoanTable(tables.reduce((n, t) => n + t.rows, 0));
    let offset = 0;
    for (const part of tables) {
      for (const f of NUMERIC_FEATURES) table.numeric[f.name].set(part.numeric[f.name], offset);
      for (const f of CATEGORICAL_FEATURES) {
        const column = part.categorical[f.name];
        for (let i = 0; i < part.rows; i++) table.categorical[f.name][offset + i] = column[i];
      }
      table.labels.set(part.labels, offset);
      offset += part.rows;
    }
    return table;
  }

  set(i: number, record: LoanRecord, label: number): void {
    for (const f of NUMERIC_FEATURES) {
      const v = record[f.name];
      this.numeric[f.name][i] = typeof v === 'number' ? v : Number.NaN;
    }
    for (const f of CATEGORICAL_FEATURES) {
      const v = record[f.name];
      this.categorical[f.name][i] = typeof v === 'string' ? v : null;
    }
    this.labels[i] = label;
  }

  record(i: number): LoanRecord {
    const out: LoanRecord = {};
    for (const f of NUMERIC_FEATURES) {
      const v = this.numeric[f.name][i];
      out[f.name] = Number.isNaN(v) ? null : v;
    }
    for (const f of CATEGORICAL_FEATURES) out[f.name] = this.categorical[f.name][i];
    return out;
  }

  get positives(): number {
    let n = 0;
    for (const y of this.labels) n += y;
    return n;
  }
}
