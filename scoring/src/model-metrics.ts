/**
 * The metrics every process that loads model versions has (the API and the workers), on a
 * registry of its own (so tests can run several apps in one process): which version serves, its
 * swaps and refused loads (a candidate's apart), and the process metrics. The API adds its HTTP
 * and scoring metrics (api/src/metrics.ts). Names follow Prometheus conventions: base units,
 * _total for counters.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ModelEvents, ModelRole } from './model-store.js';
import { registerProcessMetrics } from './process-metrics.js';

export class ModelMetrics implements ModelEvents {
  readonly registry = new Registry();

  readonly modelInfo = new Gauge({
    name: 'loanrisk_model_info',
    help: 'The model version being served (value 1)',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  readonly modelSwaps = new Counter({
    name: 'loanrisk_model_swaps_total',
    help: 'Model versions taken into service (the first load counts)',
    registers: [this.registry],
  });

  readonly modelRefusals = new Counter({
    name: 'loanrisk_model_load_failures_total',
    help: 'Model versions refused, by the check that refused them',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly candidateInfo = new Gauge({
    name: 'loanrisk_candidate_info',
    help: 'The candidate version loaded beside the live one (value 1; absent while it is not loaded)',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  readonly candidateRefusals = new Counter({
    name: 'loanrisk_candidate_load_failures_total',
    help: 'Loads of the candidate version refused, by the check that refused them (the live model keeps answering)',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  /** @param gcDuration whether the process metrics include nodejs_gc_duration_seconds (process-metrics.ts says why not in the API). */
  constructor({ gcDuration }: { readonly gcDuration: boolean }) {
    registerProcessMetrics(this.registry, { gcDuration });
  }

  modelLoaded(role: ModelRole, version: string): void {
    const info = role === 'live' ? this.modelInfo : this.candidateInfo;
    info.reset();
    info.set({ version }, 1);
    if (role === 'live') this.modelSwaps.inc();
  }

  modelRefused(role: ModelRole, stage: string): void {
    (role === 'live' ? this.modelRefusals : this.candidateRefusals).inc({ stage });
  }
}
