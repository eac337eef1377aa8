/**
 * Publishes the LoanRiskModel's version history (status.history: each candidate with its gate
 * verdict) to Redis whenever the workers' watch sees it change, for the API's model view: the API
 * pods hold no Kubernetes credentials, the workers already watch the resource.
 */
import type { Logger } from 'pino';
import { MODEL_HISTORY_KEY, redisConnection, type PublishedHistory } from '@peerloan/scoring/queues';
import type { LiveVersionWatch } from './live-version-watch.js';

export class HistoryPublisher {
  private readonly redis;
  private published = '';

  constructor(
    redisUrl: string,
    private readonly watch: LiveVersionWatch,
    private readonly resource: { readonly namespace: string; readonly name: string },
    private readonly logger: Logger,
  ) {
    this.redis = redisConnection(redisUrl, 'producer');
    watch.onChange(() => {
      void this.publish();
    });
  }

  /** Writes the history when it differs from what was last written; a failure waits for the next change. */
  async publish(): Promise<void> {
    const entries = this.watch.model?.status?.history ?? [];
    const history: PublishedHistory = { model: this.resource, entries };
    const text = JSON.stringify(history);
    if (text === this.published) return;
    try {
      await this.redis.set(MODEL_HISTORY_KEY, text);
      this.published = text;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'version history not published');
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
