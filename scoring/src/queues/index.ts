/**
 * @peerloan/scoring/queues: the contracts between the API (producer) and the workers (consumers)
 * over Redis: queue names and keys, connections, settings, the batch and prediction-log jobs, and
 * the decision audit stream (its records, the stream, the trail that writes it).
 */
export * from './audit-record.js';
export * from './audit-stream.js';
export * from './audit-trail.js';
export * from './batch-jobs.js';
export * from './batch-results.js';
export * from './prediction-log-jobs.js';
export * from './published-records.js';
export * from './queue-names.js';
export * from './queue-settings.js';
export * from './redis-connection.js';
