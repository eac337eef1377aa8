/** The portfolio paths: submit, status, summary, ranked rows and results. */
import { MAX_PAGE_ROWS } from '../batch/batch-routes.js';
import {
  batchId,
  batchScope,
  CREDENTIAL_COOKIE_NOTE,
  error,
  json,
  JWKS_UNAVAILABLE,
  operation,
  ref,
  requestIdParameter,
  ROW_BUDGET,
  submitScope,
} from './building-blocks.js';

/** What a read of a completed batch's results can meet besides its answer. */
const completedBatch = {
  404: error('Unknown, or its results expired'),
  409: error('Not completed yet'),
  ...batchScope.refusals,
  503: error(`No Redis (REDIS_URL), or ${JWKS_UNAVAILABLE}`),
};

function submitPathItem(): Record<string, unknown> {
  return {
    post: operation(
      'submitBatch',
      'Batches',
      'A portfolio as CSV (header row; an id column is used when present) or JSON lines -> 202 with its id and record count; the workers parse, validate and score the rows',
      {
        202: {
          description: 'Queued for the batch workers',
          content: json(ref('BatchAccepted')),
          headers: { Location: { schema: { type: 'string' }, description: '/batches/{id}' } },
        },
        400: error(
          'Unreadable upload (not UTF-8, no header naming each feature once, a record over 64 KiB or an unclosed quote, no rows)',
        ),
        413: error(`Above BATCH_MAX_BYTES, or ${ROW_BUDGET}`),
        415: error('Neither text/csv nor application/x-ndjson'),
        ...submitScope.refusals,
        503: error(`No model loaded, no Redis (REDIS_URL) or Redis unreachable, or ${JWKS_UNAVAILABLE}`),
      },
      {
        security: submitScope.security,
        requestBody: {
          required: true,
          content: {
            'text/csv': { schema: { type: 'string' } },
            'application/x-ndjson': { schema: { type: 'string' }, description: 'One applicant object per line.' },
          },
        },
      },
    ),
  };
}

function statusPathItem(): Record<string, unknown> {
  return {
    parameters: batchId,
    get: operation(
      'batchStatus',
      'Batches',
      'State, progress, counts and the first invalid rows of a batch',
      {
        200: { description: 'The batch', content: json(ref('BatchStatus')) },
        404: error('Unknown, or its results expired'),
        ...batchScope.refusals,
        503: error(`No Redis (REDIS_URL), or ${JWKS_UNAVAILABLE}`),
      },
      { security: batchScope.security },
    ),
  };
}

function summaryPathItem(): Record<string, unknown> {
  return {
    parameters: batchId,
    get: operation(
      'batchSummary',
      'Batches',
      'A completed batch in figures: flagged count and share at the threshold, a histogram of probabilities, and count, flagged and mean probability by grade and by purpose',
      {
        200: { description: 'The summary', content: json(ref('BatchSummary')) },
        ...completedBatch,
      },
      { security: batchScope.security },
    ),
  };
}

function rowsPathItem(): Record<string, unknown> {
  return {
    parameters: batchId,
    get: operation(
      'batchRows',
      'Batches',
      'A page of the scored rows, riskiest first, each with its reasons (ranked on the server: a large result never goes to the client whole)',
      {
        200: { description: 'The page', content: json(ref('RankedPage')) },
        400: error('offset or limit is not a whole number in range'),
        ...completedBatch,
      },
      {
        security: batchScope.security,
        parameters: [
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 0, maximum: MAX_PAGE_ROWS, default: 25 },
          },
          requestIdParameter,
        ],
      },
    ),
  };
}

function resultsPathItem(): Record<string, unknown> {
  return {
    parameters: batchId,
    get: operation(
      'batchResults',
      'Batches',
      "CSV id,probability,decision,model_version,reason_1,reason_2,reason_3 of a completed batch (?format=jsonl: JSON lines in /predict's shape)",
      {
        200: {
          description: 'One line per scored row',
          content: {
            'text/csv': {
              schema: {
                type: 'string',
                pattern: '^id,probability,decision,model_version,reason_1,reason_2,reason_3\\n',
              },
            },
            'application/x-ndjson': {
              schema: { type: 'string', pattern: '^\\{"id":' },
              description: "One BatchAnswer object per line (/predict's shape with id and modelVersion).",
            },
          },
        },
        400: error('format is neither csv nor jsonl'),
        ...completedBatch,
      },
      {
        security: batchScope.security,
        description: CREDENTIAL_COOKIE_NOTE,
        parameters: [
          {
            name: 'format',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['csv', 'jsonl'], default: 'csv' },
          },
          requestIdParameter,
        ],
      },
    ),
  };
}

export function batchPaths(): Record<string, unknown> {
  return {
    '/batches': submitPathItem(),
    '/batches/{id}': statusPathItem(),
    '/batches/{id}/summary': summaryPathItem(),
    '/batches/{id}/rows': rowsPathItem(),
    '/batches/{id}/results': resultsPathItem(),
  };
}
