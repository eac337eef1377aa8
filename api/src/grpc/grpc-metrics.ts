/**
 * gRPC calls in Prometheus, as HTTP requests are (loanrisk_http_request_duration_seconds): one
 * histogram by method and status code, whose _count is the calls. Rows and scores are counted by
 * the shared metrics whichever transport carried them.
 */
import type { Registry } from 'prom-client';
import { status as Status } from '@grpc/grpc-js';
import { BulkHistogram, type HistogramSeries } from '../bulk-histogram.js';

export class GrpcMetrics {
  private readonly duration: BulkHistogram;
  /** Labelled series looked up once per method and code, as metrics.ts does for HTTP. */
  private readonly series = new Map<string, HistogramSeries>();

  constructor(registry: Registry) {
    this.duration = new BulkHistogram({
      name: 'loanrisk_grpc_request_duration_seconds',
      help: 'gRPC call duration by method and status code (OK, INVALID_ARGUMENT, ...)',
      labelNames: ['method', 'code'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  /** One finished call: `seconds` from arrival to its status. */
  observe(method: string, code: Status, seconds: number): void {
    const key = `${method} ${code}`;
    let child = this.series.get(key);
    if (!child) {
      child = this.duration.seriesOf({ method, code: Status[code] });
      this.series.set(key, child);
    }
    child.observe(seconds);
  }
}
