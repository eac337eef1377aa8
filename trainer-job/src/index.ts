export { generateLoans, type GeneratedLoan, type GeneratorOptions } from './synthetic-data.js';
export { runTraining, type RunOptions, type RunResult } from './training-run.js';
export { DEFAULT_CONFIG, resolveConfig, type TrainingConfig } from './training-config.js';
export { scoreWithOnnx } from './parity-check.js';
