/**
 * Loan records -> the model's named input columns (each of shape [N,1]): float32 with NaN for a
 * missing number, strings with '' for a missing category (the graph maps unknown and '' to
 * all-zeros or missing rank). The trainer's parity check and the API build feeds through this.
 */
import { FEATURES, type LoanRecord } from './features.js';

export type InputColumns = Record<string, Float32Array | string[]>;

export function recordsToColumns(records: readonly LoanRecord[]): InputColumns {
  const columns: InputColumns = {};
  for (const feature of FEATURES) {
    if (feature.kind === 'numeric') {
      const values = new Float32Array(records.length);
      records.forEach((r, i) => {
        const v = r[feature.name];
        values[i] = typeof v === 'number' ? v : Number.NaN;
      });
      columns[feature.name] = values;
    } else {
      columns[feature.name] = records.map((r) => {
        const v = r[feature.name];
        return typeof v === 'string' ? v : '';
      });
    }
  }
  return columns;
}
