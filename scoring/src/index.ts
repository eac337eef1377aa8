/**
 * @peerloan/scoring: the scoring core the API and the workers share. Loading and following a
 * model version, validating requests and batch rows, scoring (micro-batches, the scoring thread),
 * reasons, readiness, and the errors they raise. The queue contracts are ./queues.
 */
export * from './chunk-rows.js';
export * from './column-rows.js';
export * from './errors/audit-unavailable-error.js';
export * from './errors/model-load-error.js';
export * from './errors/no-model-error.js';
export * from './errors/request-error.js';
export * from './errors/scoring-thread-error.js';
export * from './explanations.js';
export * from './loaded-model.js';
export * from './micro-batcher.js';
export * from './model-loader.js';
export * from './model-metrics.js';
export * from './model-store.js';
export * from './process-metrics.js';
export * from './request-validation.js';
export * from './row-batch.js';
export * from './scoring-thread.js';
export * from './serving-model.js';
export * from './serving-readiness.js';
