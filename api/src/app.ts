/**
 * The Express application: security headers, request ids and logs, request metrics, the JSON
 * body parser with its size limit, the routes, and JSON answers for everything that fails.
 */
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Authentication } from './auth/authentication.js';
import { errorHandler, notFound } from './http-errors.js';
import { jsonBody } from './json-body.js';
import { servingReadiness, type ModelStore } from '@peerloan/scoring';
import type { Metrics } from './metrics.js';
import { oipRoutes } from './oip-routes.js';
import { openApiRoute } from './openapi-route.js';
import { batchRoutes } from './batch/batch-routes.js';
import type { BatchService } from './batch/batch-service.js';
import type { AuditTrail } from '@peerloan/scoring/queues';
import type { PredictionLog } from './queueing/prediction-log.js';
import { predictRoutes } from './predict-routes.js';
import type { ClientBudgets } from './rate-limit/client-budgets.js';
import { requestLogging } from './request-log.js';
import { rolloutRoutes } from './rollout/rollout-routes.js';
import type { ServingVersions } from './rollout/serving-versions.js';
import { modelViewRoutes } from './model-view/model-view-routes.js';
import type { PublishedReader } from './model-view/published-reader.js';
import type { VersionFolders } from './model-view/version-folders.js';
import { webAppRoutes } from './web-app.js';

export interface AppOptions {
  /** The live model: readiness, the web page, batch uploads and OIP metadata follow it. */
  readonly store: ModelStore;
  /** The live model and, during a rollout, the candidate: what answers predictions. */
  readonly versions: ServingVersions;
  readonly metrics: Metrics;
  /** Where sampled predictions go for drift monitoring (absent without Redis). */
  readonly predictionLog?: PredictionLog;
  /** Portfolio batch scoring (absent without Redis: its routes answer 503). */
  readonly batches?: BatchService;
  /** The decision audit trail (absent with AUDIT_MODE=off). */
  readonly audit?: AuditTrail;
  readonly batchMaxBytes: number;
  readonly batchChunkRows: number;
  readonly logger: Logger;
  /** Who may call the scoring and batch routes (sets res.locals.client). */
  readonly auth: Authentication;
  /** Per-client request and row budgets (absent: no limits). */
  readonly budgets?: ClientBudgets;
  readonly modelName: string;
  readonly maxInstances: number;
  readonly bodyLimit: string;
  readonly serverVersion: string;
  /** The models root's version folders (the model view's cards and reports). */
  readonly folders: VersionFolders;
  /** What the workers publish for the model view (absent without Redis). */
  readonly published?: PublishedReader;
  /** The web app's bundle (web/dist). */
  readonly webDir: string;
  /** False once SIGTERM has started the drain: readiness fails so no new traffic is routed. */
  readonly isAccepting: () => boolean;
}

/**
 * Security headers for JSON answers: the set OWASP's REST cheat sheet names for APIs (a CSP that
 * forbids everything and framing, HSTS, nosniff, no framing, no referrer). helmet's other
 * defaults (cross-origin isolation, DNS prefetch, download options, the long document CSP) govern
 * how a browser treats a document and are written on every answer at a cost per request; the web
 * app's files get helmet's full set (web-app.ts).
 */
const apiHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

function observeDuration(metrics: Metrics) {
  return (req: Request, res: Response, next: () => void) => {
    const start = performance.now();
    metrics.inFlight.inc();
    // One listener per request: 'close' follows 'finish' for every answered request, and ends the
    // in-flight count for aborted ones too.
    res.once('close', () => {
      metrics.inFlight.dec();
      if (!res.writableFinished) return;
      // The route pattern, not the URL, so label cardinality stays bounded.
      // Express types req.route as any; a matched route's path is a string or a RegExp.
      const matched = req.route as { path: string | RegExp } | undefined;
      const route = matched ? `${req.baseUrl}${String(matched.path)}` : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, (performance.now() - start) / 1000);
    });
    next();
  };
}

function healthRoutes(app: Express, options: AppOptions): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const { ready, modelVersion, accepting } = servingReadiness(options.store, options.isAccepting);
    res.status(ready ? 200 : 503).json({ ready, modelVersion: modelVersion ?? null, accepting });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(apiHeaders);
  app.use(requestLogging(options.logger));
  app.use(observeDuration(options.metrics));
  // Before the body parser: a refused request costs no parsing and never reaches the model.
  options.auth.protect(app, options.budgets ? [options.budgets.countRequest] : []);
  app.use(jsonBody(options.bodyLimit));
  // The scoring routes first: Express tries the layers in order, and no path below overlaps theirs.
  app.use(predictRoutes(options));
  app.use(oipRoutes(options));
  healthRoutes(app, options);
  app.use(openApiRoute({ serverVersion: options.serverVersion }));
  app.use(rolloutRoutes(options.versions));
  app.use(modelViewRoutes({ versions: options.versions, folders: options.folders, published: options.published }));
  app.use(
    batchRoutes({
      store: options.store,
      batches: options.batches,
      maxBytes: options.batchMaxBytes,
      chunkRows: options.batchChunkRows,
    }),
  );
  // Last before 404: the bundle's files never shadow an API route.
  app.use(webAppRoutes(options.webDir));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
