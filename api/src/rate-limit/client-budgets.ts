/**
 * Per-client request and row budgets, counted in Redis with rate-limiter-flexible so that the
 * limit holds across replicas. rate-limiter-flexible rather than express-rate-limit because a
 * row budget draws a request's row count at once (`consume(key, rows)`, one atomic Redis
 * script), which express-rate-limit's one-hit-per-request stores cannot. While Redis is away an
 * in-memory limiter per replica stands in (its insurance limiter), so Redis never fails a
 * prediction. An exhausted budget is a 429 with Retry-After.
 */
import type { RequestHandler, Response } from 'express';
import { redisKey } from '@peerloan/contracts';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { clientOf, type ClientIdentity } from '../auth/client-identity.js';
import { RequestError } from '@peerloan/scoring';
import type { RateLimitSettings } from './rate-limit-settings.js';

type Budget = 'requests' | 'rows';

const KEY_PREFIX = redisKey('budget');

function limiter(redis: Redis, budget: Budget, points: number, windowSeconds: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${KEY_PREFIX}:${budget}`,
    points,
    duration: windowSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${KEY_PREFIX}:${budget}`, points, duration: windowSeconds }),
  });
}

/** Whose budget a draw comes from, and where a refusal's Retry-After goes. */
export interface BudgetCaller {
  /** The authenticated client, or the address when authentication is off. */
  readonly key: string;
  retryAfter(seconds: number): void;
}

/** The budget key of a caller: the authenticated client, or its address when authentication is off. */
export function budgetKey(client: ClientIdentity, address: string | undefined): string {
  return client.kind === 'anonymous' ? `anonymous:${address ?? 'unknown'}` : `${client.kind}:${client.id}`;
}

/** An HTTP request's caller: Retry-After is a header of the 429. */
function httpCaller(res: Response): BudgetCaller {
  return {
    key: budgetKey(clientOf(res), res.req.ip),
    retryAfter: (seconds) => {
      res.setHeader('retry-after', String(seconds));
    },
  };
}

export class ClientBudgets {
  private readonly requestLimiter: RateLimiterRedis | undefined;
  private readonly rowLimiter: RateLimiterRedis | undefined;
  private readonly refused: Counter<'budget'>;

  constructor(
    private readonly settings: RateLimitSettings,
    redis: Redis,
    registry: Registry,
  ) {
    this.requestLimiter =
      settings.requests === undefined
        ? undefined
        : limiter(redis, 'requests', settings.requests, settings.windowSeconds);
    this.rowLimiter =
      settings.rows === undefined ? undefined : limiter(redis, 'rows', settings.rows, settings.windowSeconds);
    this.refused = new Counter({
      name: 'loanrisk_rate_limited_total',
      help: 'Requests refused with 429 because a client exhausted its budget, by budget (requests, rows)',
      labelNames: ['budget'] as const,
      registers: [registry],
    });
  }

  /** Draws one request from the caller's budget and lets the route charge rows (mounted after authentication). */
  readonly countRequest: RequestHandler = (_req, res, next) => {
    res.locals.budgets = this;
    if (!this.requestLimiter) {
      next();
      return;
    }
    this.drawRequest(httpCaller(res)).then(() => {
      next();
    }, next);
  };

  /** Draws one request from the caller's budget; rejects with a 429 when it is exhausted. */
  async drawRequest(caller: BudgetCaller): Promise<void> {
    if (this.requestLimiter) await this.draw(this.requestLimiter, 'requests', caller, 1);
  }

  /** Draws `rows` from the caller's row budget before they are scored; rejects with a 429 (or 413 for more than a whole budget). */
  async chargeRows(caller: BudgetCaller, rows: number): Promise<void> {
    const budget = this.settings.rows;
    if (!this.rowLimiter || budget === undefined || rows <= 0) return;
    if (rows > budget) {
      this.refused.inc({ budget: 'rows' });
      throw new RequestError(
        413,
        `this request has ${rows} rows; a client may have ${budget} rows scored per ${this.settings.windowSeconds} s: split it`,
      );
    }
    await this.draw(this.rowLimiter, 'rows', caller, rows);
  }

  private async draw(limiter: RateLimiterRedis, budget: Budget, caller: BudgetCaller, points: number): Promise<void> {
    try {
      await limiter.consume(caller.key, points);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.refused.inc({ budget });
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      caller.retryAfter(seconds);
      const limit = budget === 'requests' ? `${this.settings.requests} requests` : `${this.settings.rows} rows`;
      throw new RequestError(
        429,
        `client budget exhausted: ${limit} per ${this.settings.windowSeconds} s; retry after ${seconds} s`,
      );
    }
  }
}

/** Routes call this with the rows they are about to score; a no-op without a row budget. */
export async function chargeRows(res: Response, rows: number): Promise<void> {
  const budgets = (res.locals as { budgets?: ClientBudgets }).budgets;
  if (budgets) await budgets.chargeRows(httpCaller(res), rows);
}
