/** Something the journey waits for did not happen in time; `last` is what was seen last. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly seconds: number,
    readonly last: string,
  ) {
    super(`${what}: not after ${seconds} s (last seen: ${last})`);
    this.name = 'TimeoutError';
  }
}
