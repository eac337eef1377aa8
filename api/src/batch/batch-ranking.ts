/**
 * The riskiest holders of a completed batch first, a page at a time: the batch's probabilities
 * (4 bytes a row) are read once and sorted, the order kept for the few batches read most recently,
 * and a page decodes only the chunks its rows sit in. A million-row result is never sent whole.
 */
import type { RankedAnswer, RankedPage } from '@peerloan/contracts';
import { answerAt, type ScoredChunk } from '@peerloan/scoring/queues';
import type { BatchService } from './batch-service.js';

/** Sorted order of a batch: row positions across chunks, riskiest first. */
interface Ranking {
  /** Position of each rank's row in the batch's scored rows (chunk after chunk). */
  readonly order: Uint32Array;
  /** Scored rows before each chunk, for finding a position's chunk. */
  readonly starts: readonly number[];
}

/**
 * A probability and a position in one float64 sort key: float32 probabilities in [0, 1] quantized
 * to 2^24 steps (finer than any difference the model's float32 output carries above 6e-8) and the
 * position below them, so one numeric sort orders by probability, ties in row order.
 */
const STEPS = 2 ** 24 - 1;
const POSITIONS = 2 ** 29;

function rank(scores: readonly Float32Array[]): Ranking {
  const starts: number[] = [];
  let total = 0;
  for (const chunk of scores) {
    starts.push(total);
    total += chunk.length;
  }
  if (total >= POSITIONS) throw new RangeError(`a batch of ${total} rows is too large to rank`);
  const keys = new Float64Array(total);
  let position = 0;
  for (const chunk of scores) {
    for (const p of chunk) {
      keys[position] = (STEPS - Math.round(p * STEPS)) * POSITIONS + position;
      position += 1;
    }
  }
  keys.sort();
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = keys[i] % POSITIONS;
  return { order, starts };
}

/** The chunk holding a position: the last start at or before it. */
function chunkOf(starts: readonly number[], position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= position) low = mid;
    else high = mid - 1;
  }
  return low;
}

export class BatchRanking {
  private readonly rankings = new Map<string, Promise<Ranking>>();

  constructor(
    private readonly batches: BatchService,
    /** Rankings kept (each 4 bytes a row plus a number per chunk). */
    private readonly kept = 4,
  ) {}

  async page(id: string, offset: number, limit: number): Promise<RankedPage> {
    const { order, starts } = await this.ranking(id);
    const end = Math.min(order.length, offset + limit);
    const chunks = new Map<number, Promise<ScoredChunk>>();
    const rows: RankedAnswer[] = [];
    for (let r = offset; r < end; r++) {
      const position = order[r];
      const index = chunkOf(starts, position);
      let chunk = chunks.get(index);
      if (!chunk) {
        chunk = this.batches.chunk(id, index);
        chunks.set(index, chunk);
      }
      const scored = await chunk;
      const i = position - starts[index];
      rows.push({ rank: r + 1, row: scored.rows[i], ...answerAt(scored, i) });
    }
    return { total: order.length, offset, limit, rows };
  }

  private ranking(id: string): Promise<Ranking> {
    const known = this.rankings.get(id);
    if (known) {
      // Most recently used last, so the oldest goes first.
      this.rankings.delete(id);
      this.rankings.set(id, known);
      return known;
    }
    const ranking = this.batches.scores(id).then(rank);
    ranking.catch(() => this.rankings.delete(id));
    this.rankings.set(id, ranking);
    while (this.rankings.size > this.kept) this.rankings.delete(this.rankings.keys().next().value as string);
    return ranking;
  }
}
