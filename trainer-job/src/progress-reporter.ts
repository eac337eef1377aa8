/**
 * Tells the user where a run is: a progress bar with ETA on a terminal, JSON log lines (pino)
 * otherwise, nothing but errors with --quiet.
 */
import cliProgress from 'cli-progress';
import { pino, type Logger } from 'pino';

export interface ProgressReporter {
  info(message: string, fields?: Record<string, unknown>): void;
  startProgress(label: string, total: number): void;
  progress(done: number, fields?: Record<string, unknown>): void;
  endProgress(): void;
}

class TerminalReporter implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;

  info(message: string, fields: Record<string, unknown> = {}): void {
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(4) : String(v)}`)
      .join(' ');
    process.stderr.write(`${message}${extra ? `  ${extra}` : ''}\n`);
  }

  startProgress(label: string, total: number): void {
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {detail}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { detail: '' });
  }

  progress(done: number, fields: Record<string, unknown> = {}): void {
    this.bar?.update(done, {
      detail: Object.entries(fields)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    });
  }

  endProgress(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** Progress lines at most this often, so a log shipper is not flooded. */
const LOG_INTERVAL_MS = 2000;

class LogReporter implements ProgressReporter {
  private total = 0;
  private started = 0;
  private lastLogged = 0;

  constructor(private readonly log: Logger) {}

  info(message: string, fields: Record<string, unknown> = {}): void {
    this.log.info(fields, message);
  }

  startProgress(label: string, total: number): void {
    this.total = total;
    this.started = Date.now();
    this.log.info({ stage: label, total }, 'stage started');
  }

  progress(done: number, fields: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (done < this.total && now - this.lastLogged < LOG_INTERVAL_MS) return;
    this.lastLogged = now;
    const elapsed = (now - this.started) / 1000;
    const etaSeconds = done > 0 ? Math.round((elapsed / done) * (this.total - done)) : null;
    this.log.info({ done, total: this.total, etaSeconds, ...fields }, 'progress');
  }

  endProgress(): void {
    this.log.info({ seconds: (Date.now() - this.started) / 1000 }, 'stage finished');
  }
}

class QuietReporter implements ProgressReporter {
  info(): void {}
  startProgress(): void {}
  progress(): void {}
  endProgress(): void {}
}

export function createReporter(options: { quiet: boolean }): ProgressReporter {
  if (options.quiet) return new QuietReporter();
  if (process.stderr.isTTY) return new TerminalReporter();
  return new LogReporter(pino({ base: { name: 'loanrisk-train' } }));
}
