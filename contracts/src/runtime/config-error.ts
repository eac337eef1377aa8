/**
 * A setting (an environment variable or a command-line option) has a value its program cannot
 * use. The message names the setting, what it must be and the value it got, so the fix is in
 * the message; entrypoints stop (exit 2) on it rather than run with a guess.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /**
   * @param setting the variable or option, as the user writes it (`PORT`, `--seed`)
   * @param allowed what it must be, completing "must be ..." (`a whole number from 0 to 65535`)
   * @param value what it was; undefined when it was not set
   */
  constructor(
    readonly setting: string,
    readonly allowed: string,
    readonly value?: string,
  ) {
    super(value === undefined ? `${setting} must be ${allowed}` : `${setting} must be ${allowed}, got "${value}"`);
  }
}
