/**
 * Publishes the LoanRiskModel's version history (status.history: each candidate with its gate
 * verdict and any reviewer's decision) and the candidate awaiting approval, as one record, to Redis
 * whenever the workers' watch sees it change, for the API's model view: the API pods hold no
 * Kubernetes credentials, the workers already watch the resource. A failed write is tried again
 * (RetryUntilWritten): the next change may be long in coming.
 */
import type { Logger } from 'pino';
import { awaitingApproval } from '@peerloan/contracts';
import { MODEL_HISTORY_KEY, redisConnection, type PublishedHistory } from '@peerloan/scoring/queues';
import type { LiveVersionWatch, ModelResource } from './live-version-watch.js';
import { RETRY_MS, RetryUntilWritten } from './retry-until-written.js';

export class HistoryPublisher {
  private readonly redis;
  private readonly writes: RetryUntilWritten;
  private published = '';

  constructor(
    redisUrl: string,
    private readonly watch: LiveVersionWatch,
    private readonly resource: ModelResource,
    logger: Logger,
  ) {
    this.redis = redisConnection(redisUrl, 'producer');
    this.writes = new RetryUntilWritten(
      () => this.write(),
      (err) => {
        logger.warn({ err: err.message, retryMs: RETRY_MS }, 'version history not published');
      },
    );
    watch.onChange(() => {
      void this.publish();
    });
  }

  /** Writes the record when it differs from what was last written. */
  publish(): Promise<void> {
    return this.writes.next();
  }

  private async write(): Promise<void> {
    const status = this.watch.model?.status;
    const waiting = awaitingApproval(status);
    const history: PublishedHistory = {
      model: { namespace: this.resource.namespace, name: this.resource.name },
      entries: status?.history ?? [],
      ...(waiting && { awaitingApproval: waiting }),
    };
    const text = JSON.stringify(history);
    if (text === this.published) return;
    await this.redis.set(MODEL_HISTORY_KEY, text);
    this.published = text;
  }

  close(): void {
    this.writes.close();
    this.redis.disconnect();
  }
}
