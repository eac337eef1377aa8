/** The training configuration or command line is invalid; the message names the setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
