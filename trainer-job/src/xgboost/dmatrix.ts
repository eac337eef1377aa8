import { check, created, xgb, type Handle } from './library.js';

/** A dense float32 row-major matrix in XGBoost's memory; NaN marks a missing value. */
export class DMatrix {
  private handle: Handle | null;

  constructor(
    data: Float32Array,
    readonly rows: number,
    readonly cols: number,
    labels?: Float32Array,
  ) {
    if (data.length !== rows * cols) {
      throw new RangeError(`matrix data has ${data.length} values, expected ${rows} x ${cols}`);
    }
    const out: (Handle | null)[] = [null];
    check('XGDMatrixCreateFromMat', xgb().dmatrixFromMat(data, rows, cols, Number.NaN, out));
    this.handle = created('XGDMatrixCreateFromMat', out[0]);
    if (labels) this.setFloatInfo('label', labels);
  }

  setFloatInfo(field: 'label' | 'weight', values: Float32Array): void {
    check('XGDMatrixSetFloatInfo', xgb().dmatrixSetFloatInfo(this.raw, field, values, values.length));
  }

  get raw(): Handle {
    if (this.handle === null) throw new Error('DMatrix used after dispose()');
    return this.handle;
  }

  dispose(): void {
    if (this.handle === null) return;
    check('XGDMatrixFree', xgb().dmatrixFree(this.handle));
    this.handle = null;
  }
}
