/**
 * The drift worker: consumes the prediction log, fills a window with the logged predictions of
 * the serving model version, computes PSI per feature and for the score against the manifest's
 * baseline when the window closes, exports them, and reports a breach (or its end) through a
 * notifier. A window closes after a count of rows, or (a LoanRiskModel's spec.drift.window) a
 * length of time after its first row, by the worker's clock of reading: a time window holding
 * fewer than its floor of rows is dropped without a PSI, as noise. Settings are read at every
 * use; `settingsChanged()` looks at the open window again at once.
 */
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ModelManifest } from '@peerloan/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModelStore } from '@peerloan/scoring';
import {
  DRIFT_HISTORY_KEY,
  DRIFT_HISTORY_LENGTH,
  QUEUE_PREFIX,
  QUEUES,
  redisConnection,
  type DriftWindowRecord,
  type PredictionLogJob,
} from '@peerloan/scoring/queues';
import type { DriftNotifier } from './drift-notifier.js';
import type { DriftSettings } from './drift-settings.js';
import { DriftWindow, SCORE } from './drift-window.js';

export interface DriftWorkerOptions {
  readonly redisUrl: string;
  readonly store: ModelStore;
  readonly notifier: DriftNotifier;
  /** Read at every use: the LoanRiskModel's spec may change while the worker runs. */
  readonly settings: () => DriftSettings;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Keeps each closed window for the API's model view (its failure never stops the monitor). */
  readonly publish?: (record: DriftWindowRecord) => Promise<void>;
}

export class DriftMonitor {
  private window: DriftWindow | undefined;
  private drifted = false;
  private closeTimer: NodeJS.Timeout | undefined;
  /** Rows read and timed closes run one at a time, in order. */
  private turn: Promise<void> = Promise.resolve();
  private readonly psiGauge: Gauge<'feature'>;
  private readonly events: Counter<'outcome'>;
  private readonly windows: Counter<'drifted'>;
  private readonly smallWindows: Counter;

  constructor(private readonly options: DriftWorkerOptions) {
    this.psiGauge = new Gauge({
      name: 'loanrisk_drift_psi',
      help: 'Population stability index of the last closed window vs the training baseline',
      labelNames: ['feature'],
      registers: [options.registry],
    });
    this.events = new Counter({
      name: 'loanrisk_drift_events_total',
      help: 'Logged predictions read by the drift worker, by outcome',
      labelNames: ['outcome'],
      registers: [options.registry],
    });
    this.windows = new Counter({
      name: 'loanrisk_drift_windows_total',
      help: 'Drift windows closed, by whether they breached',
      labelNames: ['drifted'],
      registers: [options.registry],
    });
    const settings = options.settings;
    new Gauge({
      name: 'loanrisk_drift_threshold',
      help: 'PSI above which a window counts as drifted, as the monitor now reads it (spec.drift.threshold, else DRIFT_THRESHOLD)',
      registers: [options.registry],
      collect() {
        this.set(settings().threshold);
      },
    });
    new Gauge({
      name: 'loanrisk_drift_window_seconds',
      help: 'Length of a drift window as the monitor now reads it (spec.drift.window); 0 when windows count DRIFT_WINDOW_EVENTS rows',
      registers: [options.registry],
      collect() {
        const w = settings().window;
        this.set(w.kind === 'time' ? w.ms / 1000 : 0);
      },
    });
    this.smallWindows = new Counter({
      name: 'loanrisk_drift_windows_too_small_total',
      help: 'Time windows closed with fewer rows than their floor (DRIFT_WINDOW_EVENTS): no PSI, dropped',
      registers: [options.registry],
    });
  }

  get isDrifted(): boolean {
    return this.drifted;
  }

  consume(job: PredictionLogJob): Promise<void> {
    return this.inTurn(() => this.count(job));
  }

  /** The settings changed: the open window closes now if it is due by them, else by their time. */
  settingsChanged(): Promise<void> {
    return this.inTurn(() => this.closeIfDue());
  }

  private inTurn(work: () => Promise<void>): Promise<void> {
    const run = this.turn.then(work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async count(job: PredictionLogJob): Promise<void> {
    const model = this.options.store.current;
    for (const event of job.events) {
      // Events of another version compare against another baseline: not this window's.
      if (!model || event.modelVersion !== model.version) {
        this.events.inc({ outcome: 'other_version' });
        continue;
      }
      const window = this.window?.manifest.version === model.version ? this.window : this.open(model.manifest);
      window.add(event);
      this.events.inc({ outcome: 'counted' });
      const rule = this.options.settings().window;
      if (rule.kind === 'events' && window.events >= rule.events) await this.close(window);
    }
  }

  private open(manifest: ModelManifest): DriftWindow {
    const window = new DriftWindow(manifest);
    this.window = window;
    this.scheduleClose();
    return window;
  }

  /** A time window's close, at its start + the window's length as the settings now say. */
  private scheduleClose(): void {
    clearTimeout(this.closeTimer);
    const rule = this.options.settings().window;
    if (!this.window || rule.kind !== 'time') return;
    const delayMs = Math.max(0, this.window.startedAt + rule.ms - Date.now());
    this.closeTimer = setTimeout(
      () =>
        void this.settingsChanged().catch((err: unknown) => {
          this.options.logger.warn({ err: (err as Error).message }, 'drift window close failed');
        }),
      delayMs,
    );
    this.closeTimer.unref();
  }

  private async closeIfDue(): Promise<void> {
    const window = this.window;
    if (!window) return;
    const rule = this.options.settings().window;
    const due = rule.kind === 'events' ? window.events >= rule.events : Date.now() >= window.startedAt + rule.ms;
    if (due) await this.close(window);
    else this.scheduleClose();
  }

  private async publish(window: DriftWindow, values: Record<string, number>, threshold: number): Promise<void> {
    const { [SCORE]: scorePsi = 0, ...psi } = values;
    const record: DriftWindowRecord = {
      at: new Date().toISOString(),
      modelVersion: window.manifest.version,
      events: window.events,
      threshold,
      psi,
      scorePsi,
    };
    await this.options.publish?.(record).catch((err: unknown) => {
      this.options.logger.warn({ err: (err as Error).message }, 'drift window not published');
    });
  }

  private async close(window: DriftWindow): Promise<void> {
    const { threshold, window: rule } = this.options.settings();
    clearTimeout(this.closeTimer);
    // A count window is followed at once by the next; a time window opens with its first row.
    this.window = undefined;
    if (rule.kind === 'events') this.open(window.manifest);
    if (rule.kind === 'time' && window.events < rule.minEvents) {
      this.smallWindows.inc();
      this.options.logger.info(
        { modelVersion: window.manifest.version, events: window.events, minEvents: rule.minEvents },
        'drift window too small, dropped',
      );
      return;
    }
    const values = window.psi();
    for (const [feature, value] of Object.entries(values)) this.psiGauge.set({ feature }, value);
    await this.publish(window, values, threshold);
    const over = Object.keys(values).filter((f) => values[f] > threshold);
    const drifted = over.length > 0;
    this.windows.inc({ drifted: String(drifted) });
    if (drifted === this.drifted) return;
    await this.options.notifier.notify({
      drifted,
      modelVersion: window.manifest.version,
      features: over,
      psi: values,
      threshold,
      windowEvents: window.events,
      windowStart: new Date(window.startedAt).toISOString(),
      windowEnd: new Date().toISOString(),
    });
    // Only once told: a failed notice is given again by the next window that agrees.
    this.drifted = drifted;
  }
}

export function startDriftWorker(options: DriftWorkerOptions): { worker: Worker; monitor: DriftMonitor } {
  // Fails fast when Redis is away (a producer connection): a lost record costs one point of the chart.
  const publisher = redisConnection(options.redisUrl, 'producer');
  const publish = async (record: DriftWindowRecord): Promise<void> => {
    await publisher
      .multi()
      .lpush(DRIFT_HISTORY_KEY, JSON.stringify(record))
      .ltrim(DRIFT_HISTORY_KEY, 0, DRIFT_HISTORY_LENGTH - 1)
      .exec();
  };
  const monitor = new DriftMonitor({ publish, ...options });
  // One consumer in order: a window is a sequence, not a set of parallel slices.
  const worker = new Worker<PredictionLogJob>(
    QUEUES.predictionLog,
    (job: Job<PredictionLogJob>) => monitor.consume(job.data),
    {
      connection: redisConnection(options.redisUrl, 'worker'),
      prefix: QUEUE_PREFIX,
      concurrency: 1,
    },
  );
  worker.on('error', (err) => {
    options.logger.warn({ err: err.message }, 'drift worker connection problem');
  });
  worker.on('closed', () => {
    publisher.disconnect();
  });
  return { worker, monitor };
}
