import { setTimeout as sleep } from 'node:timers/promises';
import { TimeoutError } from './errors/timeout-error.js';

/**
 * Polls `probe` until it returns a value other than undefined. A probe that throws counts as
 * "not yet"; its message is reported if time runs out.
 */
export async function waitFor<T>(
  what: string,
  seconds: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message.split('\n')[0] ?? String(err);
    }
    if (Date.now() > deadline) throw new TimeoutError(what, seconds, last);
    await sleep(intervalMs);
  }
}
