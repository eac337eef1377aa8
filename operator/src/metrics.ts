/** The operator's Prometheus metrics, in a registry of its own (two operators in one process stay apart). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LoanRiskModel } from '@peerloan/contracts';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'loanrisk_operator_reconcile_total',
    help: 'Reconcile passes, by result.',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'loanrisk_operator_reconcile_errors_total',
    help: 'Reconcile passes that failed and were requeued with backoff.',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'loanrisk_operator_reconcile_duration_seconds',
    help: 'Time spent in one reconcile pass.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Set by whoever owns the queue; read on every scrape. */
  queueDepthSource: () => number = () => 0;
  readonly queueDepth = new Gauge({
    name: 'loanrisk_operator_workqueue_depth',
    help: 'Keys waiting in the work queue.',
    registers: [this.registry],
    collect: () => {
      this.queueDepth.set(this.queueDepthSource());
    },
  });
  /** Set by the leader to its informer's cache; read on every scrape. */
  modelsSource: () => readonly LoanRiskModel[] = () => [];
  /**
   * Every condition of every LoanRiskModel, as kube-state-metrics shows a core object's: value 1
   * for the status and reason it has now. The alerts on Ready, Drifted, Degraded and a failed
   * training read this; it is rebuilt from the cache on each scrape, so a deleted model leaves no series.
   * The model's namespace is `model_namespace`: Prometheus' target label `namespace` is the operator pod's.
   */
  readonly modelCondition = new Gauge({
    name: 'loanrisk_model_condition',
    help: 'LoanRiskModel conditions (value 1): type, status (True, False, Unknown) and reason.',
    labelNames: ['model_namespace', 'model', 'type', 'status', 'reason'],
    registers: [this.registry],
    collect: () => {
      this.collectConditions();
    },
  });
  readonly leader = new Gauge({
    name: 'loanrisk_operator_leader',
    help: '1 while this instance holds the leader Lease.',
    registers: [this.registry],
  });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }

  private collectConditions(): void {
    this.modelCondition.reset();
    for (const model of this.modelsSource()) {
      const { namespace = '', name = '' } = model.metadata;
      for (const c of model.status?.conditions ?? []) {
        this.modelCondition.set(
          { model_namespace: namespace, model: name, type: c.type, status: c.status, reason: c.reason },
          1,
        );
      }
    }
  }
}
