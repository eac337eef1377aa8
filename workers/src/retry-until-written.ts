/**
 * Writes what the workers' LoanRiskModel watch last saw (the version history, reviewers' approvals)
 * to Redis, one write at a time in the order asked, and tries a failed write again after RETRY_MS:
 * the next watch event may be long in coming (a candidate waits for a person), so waiting for it
 * could leave Redis behind for hours.
 */
export const RETRY_MS = 2000;

export class RetryUntilWritten {
  /** One write at a time, in the order of the watch's events. */
  private writing: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * `write` writes what is due now (reading the watch then, so a retry writes the latest) and
   * throws when it could not; `failed` hears of each failure before the retry is scheduled.
   */
  constructor(
    private readonly write: () => Promise<void>,
    private readonly failed: (err: Error) => void,
  ) {}

  /** Writes after the writes asked before; settles once it is written or its retry is scheduled. */
  next(): Promise<void> {
    this.writing = this.writing.then(() => this.attempt());
    return this.writing;
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      await this.write();
    } catch (err) {
      this.failed(err as Error);
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.next();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** No write after this one; a scheduled retry is dropped. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }
}
