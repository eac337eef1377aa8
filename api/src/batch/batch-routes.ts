/**
 * Batch scoring over HTTP: POST /batches with a CSV (text/csv) or JSON lines
 * (application/x-ndjson) body answers 202 {id, counts: {total}} once the upload is split into
 * raw chunks (the workers parse and validate them); GET /batches/{id} reports state, progress,
 * counts and the first invalid rows as the workers go. Once completed: GET /batches/{id}/results
 * streams every row with its model version and reasons (CSV, or JSON lines in /predict's shape
 * with ?format=jsonl), /summary the flagged count, histogram and breakdowns, and /rows the
 * riskiest holders first, a page at a time. A gzip-compressed upload (Content-Encoding: gzip, as
 * the web app sends a .csv.gz) is inflated as it streams.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Router } from 'express';
import type { BatchAccepted, BatchStatus } from '@peerloan/contracts';
import { clientId } from '../audit/client-id.js';
import { RequestError, servingModel, type ModelStore } from '@peerloan/scoring';
import { chargeRows } from '../rate-limit/client-budgets.js';
import { RESULTS_CSV_HEADER, type UploadFormat } from '@peerloan/scoring/queues';
import { BatchRanking } from './batch-ranking.js';
import { ResultsExpiredError, type BatchService, type ResultsFormat } from './batch-service.js';

export interface BatchRouteOptions {
  readonly store: ModelStore;
  readonly batches: BatchService | undefined;
  readonly maxBytes: number;
  readonly chunkRows: number;
}

function uploadFormat(contentType: string | undefined): UploadFormat {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'ndjson';
  throw new RequestError(415, 'send the portfolio as text/csv or application/x-ndjson');
}

/** The body as sent, or inflated when it says it is gzip (any other encoding is refused). */
function uploadBody(req: Readable & { get(name: string): string | undefined }): Readable {
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return req;
  if (encoding !== 'gzip')
    throw new RequestError(415, `unsupported content encoding ${encoding}: send the file as it is, or gzip`);
  const inflated = createGunzip();
  // Not pipeline(): on a corrupt body it would destroy the request, and the client would see a reset instead of the 400.
  inflated.once('error', () => {
    req.unpipe(inflated);
    req.resume();
  });
  return req.pipe(inflated);
}

/** Results that expired while being read are gone for good: 410, with what to do. */
function asGone(err: unknown): unknown {
  return err instanceof ResultsExpiredError ? new RequestError(410, err.message) : err;
}

function resultsFormat(value: unknown): ResultsFormat {
  if (value === undefined || value === 'csv') return 'csv';
  if (value === 'jsonl') return 'jsonl';
  throw new RequestError(400, 'invalid query', [{ field: 'format', message: 'must be csv or jsonl' }]);
}

/** A non-negative whole number from the query, within bounds. */
function queryInteger(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number > max)
    throw new RequestError(400, 'invalid query', [{ field, message: `must be a whole number from 0 to ${max}` }]);
  return number;
}

/**
 * An upload whose Content-Length already exceeds the limit is refused before a byte is staged (a
 * gzip body's compressed length is a lower bound of what it inflates to). Its body is still read
 * and dropped, so the client gets the 413 rather than a reset connection.
 */
function refuseDeclaredTooLarge(req: Readable & { get(name: string): string | undefined }, maxBytes: number): void {
  const declared = Number(req.get('content-length'));
  if (!Number.isFinite(declared) || declared <= maxBytes) return;
  req.resume();
  throw new RequestError(413, `the upload is larger than ${maxBytes} bytes; split the portfolio`);
}

/** Largest page of ranked rows. */
export const MAX_PAGE_ROWS = 200;

export function batchRoutes(options: BatchRouteOptions): Router {
  const router = Router();
  const service = (): BatchService => {
    if (!options.batches) throw new RequestError(503, 'batch scoring needs Redis: start the API with REDIS_URL');
    return options.batches;
  };
  const ranking = options.batches ? new BatchRanking(options.batches) : undefined;
  const completed = async (id: string): Promise<BatchStatus> => {
    const status = await service().status(id);
    if (!status) throw new RequestError(404, `no batch ${id} (unknown, or its results expired)`);
    if (status.state !== 'completed')
      throw new RequestError(409, `batch ${id} is ${status.state}; results are ready when it is completed`);
    return status;
  };

  router.post('/batches', async (req, res) => {
    const batches = service();
    const format = uploadFormat(req.get('content-type'));
    // No model, no batch: refused before the upload is read rather than failed in the workers.
    servingModel(options.store);
    refuseDeclaredTooLarge(req, options.maxBytes);
    const limits = { maxBytes: options.maxBytes, chunkRows: options.chunkRows };
    // Every record sent counts, valid or not (the workers find out which): it costs its parsing either way.
    const { id, split } = await batches.submit(uploadBody(req), format, limits, clientId(res), (counted) =>
      chargeRows(res, counted.total),
    );
    const accepted: BatchAccepted = { id, counts: { total: split.total } };
    res.status(202).location(`/batches/${id}`).json(accepted);
  });

  router.get('/batches/:id', async (req, res) => {
    const status = await service().status(req.params.id);
    if (!status) throw new RequestError(404, `no batch ${req.params.id} (unknown, or its results expired)`);
    res.json(status);
  });

  router.get('/batches/:id/summary', async (req, res) => {
    await completed(req.params.id);
    res.json(await service().summary(req.params.id));
  });

  router.get('/batches/:id/rows', async (req, res) => {
    const offset = queryInteger(req.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(req.query.limit, 'limit', 25, MAX_PAGE_ROWS);
    await completed(req.params.id);
    res.json(
      await (ranking as BatchRanking).page(req.params.id, offset, limit).catch((err: unknown) => {
        throw asGone(err);
      }),
    );
  });

  router.get('/batches/:id/results', async (req, res) => {
    const format = resultsFormat(req.query.format);
    await completed(req.params.id);
    const lines = service().resultLines(req.params.id, format);
    // The first chunk is read before the answer starts, so expired results are a clean 410.
    const first = await lines.next().catch((err: unknown) => {
      throw asGone(err);
    });
    const extension = format === 'jsonl' ? 'jsonl' : 'csv';
    res
      .type(format === 'jsonl' ? 'application/x-ndjson' : 'text/csv')
      .setHeader('content-disposition', `attachment; filename="batch-${req.params.id}.${extension}"`);
    if (format === 'csv') res.write(RESULTS_CSV_HEADER);
    if (!first.done) res.write(first.value);
    for await (const text of lines) {
      if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  return router;
}
