/**
 * Batch scoring over HTTP: POST /batches with a CSV (text/csv) or JSON lines
 * (application/x-ndjson) body answers 202 {id, counts: {total}} once the upload is split into
 * raw chunks (the workers parse and validate them); GET /batches/{id} reports state, progress,
 * counts and the first invalid rows as the workers go; GET /batches/{id}/results streams `id,probability,decision`.
 */
import { Router } from 'express';
import { clientId } from '../audit/client-id.js';
import { RequestError, servingModel, type ModelStore } from '@peerloan/scoring';
import { chargeRows } from '../rate-limit/client-budgets.js';
import type { BatchService } from './batch-service.js';
import type { UploadFormat } from '@peerloan/scoring/queues';

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

export function batchRoutes(options: BatchRouteOptions): Router {
  const router = Router();
  const service = (): BatchService => {
    if (!options.batches) throw new RequestError(503, 'batch scoring needs Redis: start the API with REDIS_URL');
    return options.batches;
  };

  router.post('/batches', async (req, res) => {
    const batches = service();
    const format = uploadFormat(req.get('content-type'));
    // No model, no batch: refused before the upload is read rather than failed in the workers.
    servingModel(options.store);
    const limits = { maxBytes: options.maxBytes, chunkRows: options.chunkRows };
    // Every record sent counts, valid or not (the workers find out which): it costs its parsing either way.
    const { id, split } = await batches.submit(req, format, limits, clientId(res), (counted) =>
      chargeRows(res, counted.total),
    );
    res
      .status(202)
      .location(`/batches/${id}`)
      .json({ id, counts: { total: split.total } });
  });

  router.get('/batches/:id', async (req, res) => {
    const status = await service().status(req.params.id);
    if (!status) throw new RequestError(404, `no batch ${req.params.id} (unknown, or its results expired)`);
    res.json(status);
  });

  router.get('/batches/:id/results', async (req, res) => {
    const batches = service();
    const status = await batches.status(req.params.id);
    if (!status) throw new RequestError(404, `no batch ${req.params.id} (unknown, or its results expired)`);
    if (status.state !== 'completed')
      throw new RequestError(409, `batch ${req.params.id} is ${status.state}; results are ready when it is completed`);
    res.type('text/csv').setHeader('content-disposition', `attachment; filename="batch-${req.params.id}.csv"`);
    res.write('id,probability,decision\n');
    for await (const lines of batches.resultLines(req.params.id)) {
      if (!res.write(lines)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  return router;
}
