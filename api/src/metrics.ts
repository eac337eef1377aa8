/**
 * Prometheus metrics on a registry of the app's own (so tests can run several apps in one
 * process): the model metrics every process has (@peerloan/scoring's model-metrics.ts), and the
 * API's HTTP and scoring metrics. Names follow Prometheus conventions: base units, _total for counters.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { ModelMetrics } from '@peerloan/scoring';
import { BulkHistogram, type HistogramSeries } from './bulk-histogram.js';

export class Metrics extends ModelMetrics {
  readonly httpDuration = new BulkHistogram({
    name: 'loanrisk_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'loanrisk_http_requests_in_flight',
    help: 'HTTP requests received and not yet answered (what a shutdown drains)',
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: 'loanrisk_predictions_total',
    help: 'Rows scored, by decision (yes = likely late)',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  readonly score = new BulkHistogram({
    name: 'loanrisk_prediction_probability',
    help: 'Predicted probability of being late',
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75],
    registers: [this.registry],
  });

  readonly batchRows = new Histogram({
    name: 'loanrisk_microbatch_rows',
    help: 'Rows per onnxruntime run (requests coalesced by the micro-batcher, with explanation variants)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384],
    registers: [this.registry],
  });

  /** Labelled children looked up once: prom-client hashes a label object on every call otherwise. */
  private readonly decisions = { yes: this.predictions.labels('yes'), no: this.predictions.labels('no') };
  private readonly durations = new Map<string, HistogramSeries>();

  /** One answered request: `seconds` from arrival to the last byte, under its route pattern. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${route} ${statusCode}`;
    let child = this.durations.get(key);
    if (!child) {
      child = this.httpDuration.seriesOf({ method, route, status_code: String(statusCode) });
      this.durations.set(key, child);
    }
    child.observe(seconds);
  }

  recordScores(probabilities: ArrayLike<number>, threshold: number): void {
    this.score.observeAll(probabilities);
    let flagged = 0;
    for (let i = 0; i < probabilities.length; i++) if (probabilities[i] >= threshold) flagged += 1;
    // One labelled increment per decision, not per row: a 1,000-row batch is two calls.
    if (flagged > 0) this.decisions.yes.inc(flagged);
    if (flagged < probabilities.length) this.decisions.no.inc(probabilities.length - flagged);
  }
}
