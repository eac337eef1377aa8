/** The operator's Prometheus metrics, in a registry of its own (two operators in one process stay apart). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'loanrisk_operator_reconcile_total', help: 'Reconcile passes, by result.', labelNames: ['result'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'loanrisk_operator_reconcile_errors_total', help: 'Reconcile passes that failed and were requeued with backoff.', registers: [this.registry] });
  readonly duration = new Histogram({ name: 'loanrisk_operator_reconcile_duration_seconds', help: 'Time spent in one reconcile pass.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  /** Set by whoever owns the queue; read on every scrape. */
  queueDepthSource: () => number = () => 0;
  readonly queueDepth = new Gauge({
    name: 'loanrisk_operator_workqueue_depth', help: 'Keys waiting in the work queue.', registers: [this.registry],
    collect: () => { this.queueDepth.set(this.queueDepthSource()); },
  });
  readonly leader = new Gauge({ name: 'loanrisk_operator_leader', help: '1 while this instance holds the leader Lease.', registers: [this.registry] });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'loanrisk_operator_' });
  }
}
