/**
 * Reads what the workers publish for the model view (queueing/published-records.ts). Absent Redis
 * or a failed read gives empty answers: the model view degrades, predictions never notice.
 */
import type { Redis } from 'ioredis';
import {
  redisConnection,
  DRIFT_HISTORY_KEY,
  DRIFT_HISTORY_LENGTH,
  MODEL_HISTORY_KEY,
  type DriftWindowRecord,
  type PublishedHistory,
} from '@peerloan/scoring/queues';

export class PublishedReader {
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.redis = redisConnection(redisUrl, 'producer');
  }

  /** The drift windows, oldest first. */
  async driftWindows(): Promise<DriftWindowRecord[]> {
    const items = await this.redis.lrange(DRIFT_HISTORY_KEY, 0, DRIFT_HISTORY_LENGTH - 1).catch(() => []);
    return items.map((item) => JSON.parse(item) as DriftWindowRecord).reverse();
  }

  async history(): Promise<PublishedHistory | undefined> {
    const text = await this.redis.get(MODEL_HISTORY_KEY).catch(() => null);
    return text === null ? undefined : (JSON.parse(text) as PublishedHistory);
  }

  close(): void {
    this.redis.disconnect();
  }
}
