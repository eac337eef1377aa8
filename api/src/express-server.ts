/**
 * The HTTP server for the Express app, with request and response objects that Node builds on
 * Express's own prototypes from the start.
 *
 * Why: Express re-parents every request and response (`Object.setPrototypeOf(req, app.request)`,
 * the same for res) before its router runs. V8 gives each object so re-parented a new hidden
 * class instead of reusing one, and under load those objects outlive the young generation: with
 * --trace-gc an empty Express handler at 1,000 req/s promotes about 9-12 KB per request to the old
 * generation (raw node:http: none), which makes every scavenge slower and forces a full
 * mark-compact every 1-2 s. Here Node constructs `AppRequest`/`AppResponse`, classes whose
 * prototype *is* the app's request/response prototype, so Express's re-parenting is a no-op.
 * Express finds the same methods and `req.app` as before: the classes' prototypes only add one
 * empty link in front of the app's. (A mounted sub-app would re-parent again; the API has none.)
 */
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

export function createExpressServer(app: Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  // Once per app: the classes' prototypes take the place of the app's, inheriting from them.
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
