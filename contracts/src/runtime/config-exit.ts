/** The one way an entrypoint meets a bad setting: its name and the message on stderr, exit 2. */
import { ConfigError } from './config-error.js';

/** Runs the settings reader; a ConfigError ends the process with exit code 2, anything else is rethrown. */
export function readSettingsOrExit<T>(program: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${program}: ${err.message}\n`);
    process.exit(2);
  }
}
