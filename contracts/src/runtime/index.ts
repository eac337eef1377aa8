/**
 * `@peerloan/contracts/runtime`: what every entrypoint (API, workers, operator, trainer) does
 * the same way: settings with typed errors, readiness, the health/metrics server and graceful
 * shutdown. A subpath of its own, so importing the contracts never loads node:http.
 */
export * from './config-error.js';
export * from './config-exit.js';
export * from './settings-readers.js';
export * from './readiness.js';
export * from './health-server.js';
export * from './graceful-shutdown.js';
