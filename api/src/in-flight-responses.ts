/**
 * The responses not yet closed, so that a shutdown can tell each one to close its connection
 * after its answer.
 *
 * Why not a Set: adding and deleting one entry per request makes V8 rehash the Set's table every
 * few dozen requests, and an obsolete table stays in the old generation until the next
 * mark-compact, still holding the responses it held. Its slots are roots for every scavenge, so
 * those requests (about 7 KB each with their request, headers and router state) survive and are
 * promoted, and once one table was promoted the next ones are too. Measured with --trace-gc at
 * 9,800 one-row requests/s: after 20-30 s the API fell into a state of a mark-compact every
 * second, 4-9 ms scavenges and p99 15-30 ms; without the Set it stays at no mark-compact,
 * 0.6 ms scavenges and p99 2.2 ms (docs/BENCHMARKS.md, run I). Here a response sits in an array
 * slot that is overwritten when it closes (the last entry moves into it), so the array's storage
 * is only replaced when the number of open responses grows past its size.
 */
import type { ServerResponse } from 'node:http';

/** Where a tracked response sits in the array. */
const SLOT = Symbol('in-flight slot');

type Tracked = ServerResponse & { [SLOT]?: number };

export class InFlightResponses {
  private readonly open: Tracked[] = [];

  /** Tracks `res` until it closes. */
  add(res: ServerResponse): void {
    const tracked = res as Tracked;
    tracked[SLOT] = this.open.length;
    this.open.push(tracked);
    res.once('close', () => {
      this.remove(tracked);
    });
  }

  /** Calls `visit` on every response still open. */
  forEach(visit: (res: ServerResponse) => void): void {
    for (const res of [...this.open]) visit(res);
  }

  private remove(res: Tracked): void {
    const slot = res[SLOT];
    if (slot === undefined) return;
    const last = this.open.pop() as Tracked;
    if (last !== res) {
      this.open[slot] = last;
      last[SLOT] = slot;
    }
    res[SLOT] = undefined;
  }
}
