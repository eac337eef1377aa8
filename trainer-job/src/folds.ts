/** Stratified k-fold: every fold keeps the late share of the whole table. */
import { mulberry32, shuffleInPlace } from './random.js';

export interface Fold {
  readonly train: Uint32Array;
  readonly valid: Uint32Array;
}

export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Fold[] {
  const rng = mulberry32(seed);
  const byClass: number[][] = [[], []];
  for (let i = 0; i < labels.length; i++) byClass[labels[i] ? 1 : 0].push(i);
  const assignment = new Int32Array(labels.length);
  for (const members of byClass) {
    shuffleInPlace(members, rng);
    members.forEach((row, j) => {
      assignment[row] = j % k;
    });
  }
  return Array.from({ length: k }, (_, fold) => {
    const train: number[] = [];
    const valid: number[] = [];
    for (let i = 0; i < labels.length; i++) (assignment[i] === fold ? valid : train).push(i);
    return { train: Uint32Array.from(train), valid: Uint32Array.from(valid) };
  });
}
