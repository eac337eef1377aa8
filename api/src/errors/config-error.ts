/** An environment variable has a value the server cannot use; main exits 2 with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
