/**
 * Open Inference Protocol v2 (the REST/JSON form KServe and Triton speak): health, server and
 * model metadata, and infer with one named input per feature. Inference goes through the same
 * validation and micro-batcher as /predict, so both answer the same probabilities. During a
 * canary a whole infer request goes to one version (its answer names one model_version): by the
 * `x-applicant-id` header when sent, else at random (the body's `id` is the request's, not an
 * applicant's); a path naming the live version is answered by it. Tensors are decoded and
 * encoded by oip-codec.ts, the operations shared with gRPC are oip-service.ts; this file is the routes.
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { PROBABILITY_OUTPUT } from '@peerloan/contracts';
import { RequestError } from '@peerloan/scoring';
import { clientId } from './audit/client-id.js';
import { decodeInferBody, encodeBinaryAnswer, HEADER_LENGTH, jsonInferAnswer, wantsBinaryOutput } from './oip-codec.js';
import {
  infer,
  modelMetadata,
  modelReady,
  serverMetadata,
  serverReady,
  servedModel,
  type OipOptions,
} from './oip-service.js';
import { headerApplicantId } from './rollout/applicant-id.js';
import { chargeRows } from './rate-limit/client-budgets.js';

export interface OipRouteOptions extends OipOptions {
  readonly bodyLimit: string;
}

/**
 * Infer bodies are JSON, or JSON plus binary tensors. Triton's client sends no Content-Type at
 * all, so an absent one is accepted; anything else that is neither is refused.
 */
const acceptInferBody: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  if (type === undefined || req.is(['application/json', 'application/octet-stream'])) {
    next();
    return;
  }
  next(
    new RequestError(
      415,
      'send the infer request as application/json (or with binary tensors as application/octet-stream)',
    ),
  );
};

/** The infer request: parsed already when sent as application/json, else decoded from the raw body. */
function inferRequest(req: Request): unknown {
  if (!Buffer.isBuffer(req.body)) return req.body;
  return decodeInferBody(req.body, req.get(HEADER_LENGTH));
}

export function oipRoutes(options: OipRouteOptions): Router {
  const router = Router();
  // Bodies the JSON parser left alone (no or binary Content-Type) arrive as bytes.
  const readRawBody = express.raw({ type: () => true, limit: options.bodyLimit });
  const pathOf = (req: Request) => req.params as { name: string; version?: string };

  router.get('/v2', (_req, res) => {
    res.json(serverMetadata(options));
  });
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', (_req, res) => {
    const ready = serverReady(options);
    res.status(ready ? 200 : 503).json({ ready });
  });

  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    router.get(base, (req, res) => {
      const { name, version } = pathOf(req);
      res.json(modelMetadata(servedModel(options, name, version), options.modelName));
    });
    router.get(`${base}/ready`, (req, res) => {
      const { name, version } = pathOf(req);
      const ready = modelReady(options, name, version);
      res.status(ready ? 200 : 503).json({ name: options.modelName, ready });
    });
    router.post(`${base}/infer`, acceptInferBody, readRawBody, async (req, res) => {
      const { name, version } = pathOf(req);
      const model = servedModel(options, name, version);
      const request = inferRequest(req);
      const requestId = res.locals.requestId as string;
      const { header, probabilities, groups } = await infer(options, model, request, version !== undefined, {
        requestId,
        clientId: clientId(res),
        applicantId: headerApplicantId(req),
        chargeRows: (rows) => chargeRows(res, rows),
      });
      if (wantsBinaryOutput(request)) {
        const { body, headerLength } = encodeBinaryAnswer(header, PROBABILITY_OUTPUT, probabilities);
        res.set(HEADER_LENGTH, String(headerLength)).type('application/octet-stream').send(body);
      } else {
        res.json(jsonInferAnswer(header, probabilities));
      }
      options.versions.afterAnswer(groups, requestId);
    });
  }
  return router;
}
