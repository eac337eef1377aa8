/** An environment variable of the operator has an unusable value; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
