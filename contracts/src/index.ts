export * from './drift.js';
export * from './features.js';
export * from './manifest.js';
export * from './model-inputs.js';
export * from './row-validation.js';
export * from './crd.js';
export * from './rollout.js';
export * from './model-card.js';
