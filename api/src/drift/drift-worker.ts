/**
 * The drift worker: consumes the prediction log, fills a window of DRIFT_WINDOW_EVENTS logged
 * predictions of the serving model version, computes PSI per feature and for the score against
 * the manifest's baseline, exports them, and reports a breach (or its end) through a notifier.
 */
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModelStore } from '../model-store.js';
import type { PredictionLogJob } from '../queueing/prediction-log.js';
import { QUEUES } from '../queueing/queue-names.js';
import { redisConnection } from '../queueing/redis-connection.js';
import type { DriftNotifier } from './drift-notifier.js';
import { DriftWindow } from './drift-window.js';

export interface DriftWorkerOptions {
  readonly redisUrl: string;
  readonly store: ModelStore;
  readonly notifier: DriftNotifier;
  readonly windowEvents: number;
  /** PSI above this is a breach (0.2 is the usual "significant shift"). */
  readonly threshold: number;
  readonly registry: Registry;
  readonly logger: Logger;
}

export class DriftMonitor {
  private window: DriftWindow | undefined;
  private drifted = false;
  private readonly psiGauge: Gauge<'feature'>;
  private readonly events: Counter<'outcome'>;
  private readonly windows: Counter<'drifted'>;

  constructor(private readonly options: DriftWorkerOptions) {
    this.psiGauge = new Gauge({ name: 'loanrisk_drift_psi', help: 'Population stability index of the last closed window vs the training baseline', labelNames: ['feature'], registers: [options.registry] });
    this.events = new Counter({ name: 'loanrisk_drift_events_total', help: 'Logged predictions read by the drift worker, by outcome', labelNames: ['outcome'], registers: [options.registry] });
    this.windows = new Counter({ name: 'loanrisk_drift_windows_total', help: 'Drift windows closed, by whether they breached', labelNames: ['drifted'], registers: [options.registry] });
  }

  get isDrifted(): boolean {
    return this.drifted;
  }

  async consume(job: PredictionLogJob): Promise<void> {
    const model = this.options.store.current;
    for (const event of job.events) {
      // Events of another version compare against another baseline: not this window's.
      if (!model || event.v !== model.version) {
        this.events.inc({ outcome: 'other_version' });
        continue;
      }
      if (this.window?.manifest.version !== model.version) this.window = new DriftWindow(model.manifest);
      this.window.add(event);
      this.events.inc({ outcome: 'counted' });
      if (this.window.events >= this.options.windowEvents) await this.close(this.window);
    }
  }

  private async close(window: DriftWindow): Promise<void> {
    this.window = new DriftWindow(window.manifest);
    const values = window.psi();
    for (const [feature, value] of Object.entries(values)) this.psiGauge.set({ feature }, value);
    const over = Object.keys(values).filter((f) => values[f] > this.options.threshold);
    const drifted = over.length > 0;
    this.windows.inc({ drifted: String(drifted) });
    if (drifted === this.drifted) return;
    this.drifted = drifted;
    await this.options.notifier.notify({
      drifted,
      modelVersion: window.manifest.version,
      features: over,
      psi: values,
      threshold: this.options.threshold,
      windowEvents: window.events,
      windowStart: new Date(window.startedAt).toISOString(),
      windowEnd: new Date().toISOString(),
    });
  }
}

export function startDriftWorker(options: DriftWorkerOptions): { worker: Worker; monitor: DriftMonitor } {
  const monitor = new DriftMonitor(options);
  // One consumer in order: a window is a sequence, not a set of parallel slices.
  const worker = new Worker<PredictionLogJob>(QUEUES.predictionLog, (job: Job<PredictionLogJob>) => monitor.consume(job.data), {
    connection: redisConnection(options.redisUrl, 'worker'),
    concurrency: 1,
  });
  worker.on('error', (err) => options.logger.warn({ err: err.message }, 'drift worker connection problem'));
  return { worker, monitor };
}
