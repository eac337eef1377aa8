/**
 * The last word on shutdown: once SIGTERM has started a graceful stop, the process exits when
 * SHUTDOWN_TIMEOUT_MS has passed whatever its dependencies do. A Redis that is gone makes BullMQ
 * and ioredis wait for a reconnect that may never come; the kubelet would SIGKILL the pod at its
 * grace period anyway, but a process outside Kubernetes (or a longer grace period) would hang.
 */
import type { Logger } from 'pino';

/** Share of the timeout the graceful part may use before it is cut short, so the rest can close. */
export const GRACEFUL_SHARE = 0.8;

/** Arms the deadline; the timer is unref'd, so a stop that finishes in time exits on its own terms. */
export function armShutdownDeadline(timeoutMs: number, logger: Logger): void {
  const timer = setTimeout(() => {
    logger.error({ timeoutMs }, 'shutdown timed out, exiting');
    process.exit(1);
  }, timeoutMs);
  timer.unref();
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
