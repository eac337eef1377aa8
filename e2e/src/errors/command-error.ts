/** A command of the journey exited non-zero: which one, how, and what it said. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly code: number,
    readonly output: string,
  ) {
    super(`${command} ${args.join(' ')} exited ${code}: ${output.trim().split('\n').slice(-15).join('\n')}`);
    this.name = 'CommandError';
  }
}
