/**
 * How each version does in its rollout role (live, canary, shadow), counted once and shown twice:
 * the contract's cumulative counters for GET /rollout/stats (fixed buckets and bins, so the
 * operator can add pods up) and Prometheus series per version and role. A candidate's failures
 * are also logged, at most one line per interval: a broken candidate under load is one line a
 * few seconds, not one per request.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { BulkHistogram, type HistogramSeries } from '../bulk-histogram.js';
import {
  ROLLOUT_LATENCY_BUCKETS_MS,
  ROLLOUT_SCORE_BINS,
  type CandidateMode,
  type RolloutStats,
  type VersionStats,
} from '@peerloan/contracts';

export type RolloutRole = 'live' | CandidateMode;

const FAILURE_LOG_INTERVAL_MS = 10_000;

/** Bucket of a latency: the first bound it does not exceed, else the overflow slot after the last. */
function latencyBucket(ms: number): number {
  const i = ROLLOUT_LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? ROLLOUT_LATENCY_BUCKETS_MS.length : i;
}

/** Equal-width bin over [0, 1]; a score of exactly 1 belongs to the last bin. */
function scoreBin(p: number): number {
  return Math.min(Math.max(Math.floor(p * ROLLOUT_SCORE_BINS), 0), ROLLOUT_SCORE_BINS - 1);
}

interface RolloutSeries {
  readonly rows: Counter<'version' | 'role'>;
  readonly errors: Counter<'version' | 'role'>;
  readonly agreements: Counter<'version' | 'role'>;
  readonly duration: BulkHistogram<'version' | 'role'>;
}

/** One version in one role: the contract's counters and its Prometheus children (label lookups done once). */
class VersionCounters {
  rows = 0;
  errors = 0;
  agreements = 0;
  readonly latencyBuckets = new Array<number>(ROLLOUT_LATENCY_BUCKETS_MS.length + 1).fill(0);
  readonly scoreBins = new Array<number>(ROLLOUT_SCORE_BINS).fill(0);
  failuresNotLogged = 0;
  lastFailureLog = 0;
  private readonly rowsSeries: Counter.Internal;
  private readonly errorsSeries: Counter.Internal;
  private readonly agreementsSeries: Counter.Internal;
  private readonly durationSeries: HistogramSeries;

  constructor(
    readonly version: string,
    series: RolloutSeries,
    role: RolloutRole,
  ) {
    const labels = { version, role };
    this.rowsSeries = series.rows.labels(labels);
    this.errorsSeries = series.errors.labels(labels);
    this.agreementsSeries = series.agreements.labels(labels);
    this.durationSeries = series.duration.seriesOf(labels);
  }

  scored(probabilities: ArrayLike<number>, ms: number, agreements: number): void {
    this.rows += probabilities.length;
    for (let i = 0; i < probabilities.length; i++) this.scoreBins[scoreBin(probabilities[i])] += 1;
    this.latencyBuckets[latencyBucket(ms)] += 1;
    this.agreements += agreements;
    this.rowsSeries.inc(probabilities.length);
    this.durationSeries.observe(ms / 1000);
    if (agreements > 0) this.agreementsSeries.inc(agreements);
  }

  failed(rows: number): void {
    this.errors += rows;
    this.errorsSeries.inc(rows);
  }

  stats(): VersionStats {
    return {
      version: this.version,
      rows: this.rows,
      errors: this.errors,
      latencyBuckets: [...this.latencyBuckets],
      scoreBins: [...this.scoreBins],
    };
  }
}

export class RolloutRecorder {
  /** When counting started: the operator sees a restart as a new `since`. */
  readonly since = new Date().toISOString();
  private readonly counters = new Map<string, VersionCounters>();
  private readonly series: RolloutSeries;

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    const labelNames = ['version', 'role'] as const;
    this.series = {
      rows: new Counter({
        name: 'loanrisk_rollout_rows_total',
        help: 'Rows scored by a version in its rollout role (live, canary: answers; shadow: background runs)',
        labelNames,
        registers: [registry],
      }),
      errors: new Counter({
        name: 'loanrisk_rollout_errors_total',
        help: 'Rows a version failed to score (canary and shadow: the live answer was given instead)',
        labelNames,
        registers: [registry],
      }),
      agreements: new Counter({
        name: 'loanrisk_rollout_agreements_total',
        help: 'Shadow rows on which the candidate made the same decision as the live answer',
        labelNames,
        registers: [registry],
      }),
      duration: new BulkHistogram({
        name: 'loanrisk_rollout_run_duration_seconds',
        help: 'Scoring run per request by version and rollout role (micro-batch queueing included, HTTP excluded)',
        labelNames,
        buckets: ROLLOUT_LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
        registers: [registry],
      }),
    };
  }

  /** A run that scored rows (agreements: shadow rows whose decision matched the live answer). */
  scored(role: RolloutRole, version: string, probabilities: ArrayLike<number>, ms: number, agreements = 0): void {
    this.of(role, version).scored(probabilities, ms, agreements);
  }

  /** A run that threw or could not run; a candidate's failure is logged (throttled), a live one is the request's 500. */
  failed(role: RolloutRole, version: string, rows: number, err: unknown): void {
    const counters = this.of(role, version);
    counters.failed(rows);
    if (role === 'live') return;
    counters.failuresNotLogged += rows;
    const now = Date.now();
    if (now - counters.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.logger.warn(
      { err, role, version, rows: counters.failuresNotLogged },
      'candidate failed, the live answer stands',
    );
    counters.lastFailureLog = now;
    counters.failuresNotLogged = 0;
  }

  snapshot(
    liveVersion: string,
    candidate: { readonly version: string; readonly mode: CandidateMode } | undefined,
  ): RolloutStats {
    const live = this.of('live', liveVersion).stats();
    if (!candidate) return { since: this.since, live };
    const counters = this.of(candidate.mode, candidate.version);
    return {
      since: this.since,
      live,
      candidate: { ...counters.stats(), mode: candidate.mode, agreements: counters.agreements },
    };
  }

  private of(role: RolloutRole, version: string): VersionCounters {
    const key = `${role}/${version}`;
    let counters = this.counters.get(key);
    if (!counters) {
      counters = new VersionCounters(version, this.series, role);
      this.counters.set(key, counters);
    }
    return counters;
  }
}
