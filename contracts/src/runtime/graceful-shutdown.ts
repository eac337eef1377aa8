/**
 * Graceful shutdown, once for every entrypoint: the first SIGTERM or SIGINT logs, starts the
 * process's drain and arms a deadline. The process exits with the drain's code, or with 1 when
 * SHUTDOWN_TIMEOUT_MS passes first whatever its dependencies do: a Redis or API server that is
 * gone makes clients wait for a reconnect that may never come, and while the kubelet would
 * SIGKILL the pod at its grace period, a process outside Kubernetes would hang.
 */

/** What the shutdown logs through; a pino Logger is one. */
export interface ShutdownLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Share of the timeout the graceful part may use before it is cut short, so the rest can close. */
export const GRACEFUL_SHARE = 0.8;

export interface GracefulShutdownOptions {
  readonly timeoutMs: number;
  readonly logger: ShutdownLogger;
  /** The log message of the signal's arrival (each process keeps its own, which tests and operators read). */
  readonly message: string;
  /** Stops the process's work; resolves with the exit code (0: everything finished in time). */
  drain(signal: NodeJS.Signals): Promise<number>;
}

/** Arms the deadline; the timer is unref'd, so a stop that finishes in time exits on its own terms. */
export function armShutdownDeadline(timeoutMs: number, logger: ShutdownLogger): void {
  const timer = setTimeout(() => {
    logger.error({ timeoutMs }, 'shutdown timed out, exiting');
    process.exit(1);
  }, timeoutMs);
  timer.unref();
}

/**
 * Handles SIGTERM and SIGINT from now on. The returned signal aborts when the stop starts, so
 * a start-up still under way can see it after any await and go no further.
 */
export function stopOnSignals(options: GracefulShutdownOptions): AbortSignal {
  const stopping = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    options.logger.info({ signal }, options.message);
    armShutdownDeadline(options.timeoutMs, options.logger);
    options.drain(signal).then(
      (code) => process.exit(code),
      (err: unknown) => {
        options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return stopping.signal;
}

/** Resolves with the promise's outcome, or with 'timeout' after ms (never rejects). */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<'done' | 'failed' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'done' as const,
        () => 'failed' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
