/**
 * Publishes the LoanRiskModel's version history (status.history: each candidate with its gate
 * verdict and any reviewer's decision) and the candidate awaiting approval, as one record, to Redis
 * whenever the workers' watch sees it change, for the API's model view: the API pods hold no
 * Kubernetes credentials, the workers already watch the resource. A failed write is tried again
 * after RETRY_MS: the next change may be long in coming (a candidate waits for a person).
 */
import type { Logger } from 'pino';
import { awaitingApproval } from '@peerloan/contracts';
import { MODEL_HISTORY_KEY, redisConnection, type PublishedHistory } from '@peerloan/scoring/queues';
import type { LiveVersionWatch, ModelResource } from './live-version-watch.js';

const RETRY_MS = 2000;

export class HistoryPublisher {
  private readonly redis;
  private published = '';
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    redisUrl: string,
    private readonly watch: LiveVersionWatch,
    private readonly resource: ModelResource,
    private readonly logger: Logger,
  ) {
    this.redis = redisConnection(redisUrl, 'producer');
    watch.onChange(() => {
      void this.publish();
    });
  }

  /** Writes the record when it differs from what was last written. */
  async publish(): Promise<void> {
    const status = this.watch.model?.status;
    const waiting = awaitingApproval(status);
    const history: PublishedHistory = {
      model: { namespace: this.resource.namespace, name: this.resource.name },
      entries: status?.history ?? [],
      ...(waiting && { awaitingApproval: waiting }),
    };
    const text = JSON.stringify(history);
    if (text === this.published || this.closed) return;
    try {
      await this.redis.set(MODEL_HISTORY_KEY, text);
      this.published = text;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, retryMs: RETRY_MS }, 'version history not published');
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.publish();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.redis.disconnect();
  }
}
