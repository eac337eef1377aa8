/**
 * Batch scoring over HTTP: POST /batches with a CSV (text/csv) or JSON lines
 * (application/x-ndjson) body answers 202 {id}; GET /batches/{id} reports state, progress,
 * counts and the first invalid rows; GET /batches/{id}/results streams `id,probability,decision`.
 */
import { Router } from 'express';
import { clientId } from '../audit/client-id.js';
import { RequestError } from '../errors/request-error.js';
import type { ModelStore } from '../model-store.js';
import { servingModel } from '../prediction.js';
import { chargeRows } from '../rate-limit/client-budgets.js';
import type { BatchService } from './batch-service.js';
import { parseUpload, type UploadFormat } from './batch-upload.js';

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
    const model = servingModel(options.store);
    const upload = await parseUpload(req, format, model.validator, { maxBytes: options.maxBytes, chunkRows: options.chunkRows });
    // Every row read counts, valid or not: the upload cost its parsing either way.
    await chargeRows(res, upload.valid + upload.invalid);
    const id = await batches.submit(upload, clientId(res));
    res.status(202).location(`/batches/${id}`).json({ id, counts: { total: upload.valid + upload.invalid, valid: upload.valid, invalid: upload.invalid } });
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
    if (status.state !== 'completed') throw new RequestError(409, `batch ${req.params.id} is ${status.state}; results are ready when it is completed`);
    res.type('text/csv').setHeader('content-disposition', `attachment; filename="batch-${req.params.id}.csv"`);
    res.write('id,probability,decision\n');
    for await (const lines of batches.resultLines(req.params.id)) {
      if (!res.write(lines)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  return router;
}
