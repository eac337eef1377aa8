/**
 * The score histogram (loanrisk_prediction_probability), counted here rather than by prom-client:
 * its Histogram has no observe-many (prometheus/client_js#514) and each observe() costs a closure
 * call, a label hash and a number-keyed bucket lookup; a 1,000-row request observes 1,000 scores
 * on the event loop. This subclass counts a request's scores in one loop over plain arrays and
 * answers prom-client's scrape with the same series (cumulative buckets, +Inf, _sum, _count).
 * It has no labels, so the registry's text is the same as a plain Histogram's. Scores go in
 * through observeAll() only: prom-client's own observe() would count into a map nobody exports.
 */
import { Histogram, type Registry } from 'prom-client';

export interface ScoreHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  readonly registry: Registry;
}

interface SeriesValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** What prom-client reads at a scrape (get() for JSON, getForPromString() for the text format). */
interface Exported {
  name: string;
  help: string;
  type: 'histogram';
  values: SeriesValue[];
  aggregator: 'sum';
}

/** prom-client types the metric type as a numeric enum; at run time it is the Prometheus word. */
type HistogramExport = Awaited<ReturnType<Histogram['get']>>;

export class ScoreHistogram extends Histogram {
  private readonly bounds: readonly number[];
  /** Per bucket, not cumulative; the last slot is above the highest bound. */
  private counts: number[];
  private sum = 0;
  private total = 0;

  constructor(private readonly options: ScoreHistogramOptions) {
    super({ name: options.name, help: options.help, buckets: [...options.buckets], registers: [options.registry] });
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    this.counts = new Array<number>(this.bounds.length + 1).fill(0);
  }

  /** Counts every score; like prom-client, a value that is not a finite number is refused (and none is counted). */
  observeAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new TypeError(`Value is not a valid number: ${values[i]}`);
    }
    const { bounds, counts } = this;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      let bucket = 0;
      while (bucket < bounds.length && value > bounds[bucket]) bucket += 1;
      counts[bucket] += 1;
      this.sum += value;
    }
    this.total += values.length;
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields are set.
    if ((this.bounds as readonly number[] | undefined) === undefined) return;
    this.counts = new Array<number>(this.bounds.length + 1).fill(0);
    this.sum = 0;
    this.total = 0;
  }

  override get(): Promise<HistogramExport> {
    return Promise.resolve(this.exported() as unknown as HistogramExport);
  }

  /** prom-client's registry prefers this to get() for the text format. */
  getForPromString(): Promise<Exported> {
    return Promise.resolve(this.exported());
  }

  private exported(): Exported {
    const { name, help } = this.options;
    const bucket = `${name}_bucket`;
    const values: SeriesValue[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i];
      values.push({ metricName: bucket, labels: { le }, value: cumulative });
    });
    values.push({ metricName: bucket, labels: { le: '+Inf' }, value: this.total });
    values.push({ metricName: `${name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${name}_count`, labels: {}, value: this.total });
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  }
}
