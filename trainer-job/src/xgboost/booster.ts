import koffi from 'koffi';
import { check, created, xgb, type Handle } from './library.js';
import type { DMatrix } from './dmatrix.js';

export type BoosterParams = Readonly<Record<string, string | number>>;

/**
 * One gradient-boosted model. `cache` lists the matrices the booster will train and evaluate
 * on: XGBoost keeps their predictions cached, so per-round evaluation stays incremental.
 */
export class Booster {
  private handle: Handle | null;

  constructor(cache: readonly DMatrix[], params: BoosterParams) {
    const out: (Handle | null)[] = [null];
    check(
      'XGBoosterCreate',
      xgb().boosterCreate(
        cache.map((m) => m.raw),
        cache.length,
        out,
      ),
    );
    this.handle = created('XGBoosterCreate', out[0]);
    for (const [name, value] of Object.entries(params)) this.setParam(name, value);
  }

  setParam(name: string, value: string | number): void {
    check(`XGBoosterSetParam(${name})`, xgb().boosterSetParam(this.raw, name, String(value)));
  }

  updateOneIter(iteration: number, train: DMatrix): void {
    check('XGBoosterUpdateOneIter', xgb().boosterUpdateOneIter(this.raw, iteration, train.raw));
  }

  /** Evaluates the configured eval_metric on `data`; returns metric name -> value. */
  evaluate(iteration: number, data: DMatrix, name = 'valid'): Record<string, number> {
    const result: (string | null)[] = [null];
    check('XGBoosterEvalOneIter', xgb().boosterEvalOneIter(this.raw, iteration, [data.raw], [name], 1, result));
    return parseEvalLine(String(result[0]), name);
  }

  /**
   * Predicts with the first `rounds` trees (all when 0). `margin` gives the raw score
   * (log-odds) instead of the probability.
   */
  predict(data: DMatrix, options: { rounds?: number; margin?: boolean } = {}): Float32Array {
    const config = JSON.stringify({
      type: options.margin ? 1 : 0,
      training: false,
      iteration_begin: 0,
      iteration_end: options.rounds ?? 0,
      strict_shape: false,
    });
    const shape: unknown[] = [null];
    const dim: number[] = [0];
    const result: unknown[] = [null];
    check(
      'XGBoosterPredictFromDMatrix',
      xgb().boosterPredictFromDMatrix(this.raw, data.raw, config, shape, dim, result),
    );
    // koffi gives a uint64_t as a number, or a bigint beyond 2^53.
    const dims = koffi.decode(shape[0], 'uint64_t', dim[0]) as (number | bigint)[];
    const length = dims.reduce<number>((a, b) => a * Number(b), 1);
    // Copy out: XGBoost reuses this buffer on the next call.
    return Float32Array.from(koffi.decode(result[0], 'float', length) as number[]);
  }

  /** Trees as XGBoost's JSON dump (split, split_condition, yes/no/missing). */
  dumpTrees(): unknown[] {
    const len: number[] = [0];
    const dump: unknown[] = [null];
    check('XGBoosterDumpModelEx', xgb().boosterDumpModelEx(this.raw, '', 1, 'json', len, dump));
    const texts = koffi.decode(dump[0], 'char *', len[0]) as string[];
    return texts.map((t) => JSON.parse(t) as unknown);
  }

  /** The model in XGBoost's own JSON format (loadable by any XGBoost binding). */
  saveJson(): Buffer {
    const len: number[] = [0];
    const data: unknown[] = [null];
    check('XGBoosterSaveModelToBuffer', xgb().boosterSaveModelToBuffer(this.raw, '{"format":"json"}', len, data));
    return Buffer.from(koffi.decode(data[0], 'uint8_t', len[0]) as number[]);
  }

  get raw(): Handle {
    if (this.handle === null) throw new Error('Booster used after dispose()');
    return this.handle;
  }

  dispose(): void {
    if (this.handle === null) return;
    check('XGBoosterFree', xgb().boosterFree(this.handle));
    this.handle = null;
  }
}

/** "[3]\tvalid-auc:0.71\tvalid-logloss:0.2" -> { auc: 0.71, logloss: 0.2 } */
function parseEvalLine(line: string, name: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const part of line.split('\t').slice(1)) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    metrics[part.slice(0, colon).replace(`${name}-`, '')] = Number(part.slice(colon + 1));
  }
  return metrics;
}
