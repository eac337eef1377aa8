export * from './names.js';
export * from './spec-training.js';
export * from './spec-serving.js';
export * from './spec-rollout.js';
export * from './spec.js';
export * from './status.js';
export * from './definition.js';
export * from './spec-placement.js';
