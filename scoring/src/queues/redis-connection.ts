/**
 * Redis connections for BullMQ. A producer on the request path must fail fast when Redis is
 * away (no offline queue, one try), so a prediction never waits for it; a worker blocks on
 * Redis by design and retries forever (BullMQ requires maxRetriesPerRequest: null there).
 */
import { Redis } from 'ioredis';

export type ConnectionRole = 'producer' | 'worker';

export function redisConnection(url: string, role: ConnectionRole): Redis {
  const common = { lazyConnect: false, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000) };
  const redis =
    role === 'producer'
      ? new Redis(url, {
          ...common,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          commandTimeout: 2000,
        })
      : new Redis(url, { ...common, maxRetriesPerRequest: null });
  // Connection errors surface through the callers' failures and counters; without a listener
  // ioredis would print every reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
}
