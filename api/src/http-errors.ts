/**
 * Every answer that is not a success is JSON: client mistakes get their 4xx with what was wrong,
 * never a stack trace; only a fault of the server is a 5xx, logged with its stack. Under /v2
 * the body has the Open Inference Protocol's shape `{error: string}`.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { ErrorBody } from '@peerloan/contracts';
import { AuditUnavailableError, NoModelError, RequestError, type FieldProblem } from '@peerloan/scoring';
import { requestLogger } from './request-log.js';
import { isPlainJson } from './json-body.js';

/** body-parser's error types and what the client did wrong. */
const BODY_PARSER_ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  'entity.parse.failed': { status: 400, message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, message: 'the body is too large' },
  'encoding.unsupported': { status: 415, message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, message: 'unsupported charset; send UTF-8 JSON' },
  'request.aborted': { status: 400, message: 'the request was aborted' },
  'request.size.invalid': { status: 400, message: 'the body is shorter or longer than Content-Length' },
};

/** POST bodies must be JSON: anything else is 415 before a handler looks at it. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!isPlainJson(req) && !req.is('application/json')) {
    next(new RequestError(415, 'send the body as application/json'));
    return;
  }
  next();
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new RequestError(404, `no route ${req.method} ${req.path}`));
};

/** A failure the client can act on, as a RequestError with its status; undefined for a fault of the server. */
export function asRequestError(err: unknown): RequestError | undefined {
  if (err instanceof RequestError) return err;
  if (err instanceof NoModelError) return new RequestError(503, err.message);
  if (err instanceof AuditUnavailableError) return new RequestError(503, err.message);
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && type in BODY_PARSER_ERRORS) {
    const { status, message } = BODY_PARSER_ERRORS[type];
    return new RequestError(status, message);
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new RequestError(status, 'bad request');
  return undefined;
}

/** The Open Inference Protocol's error text: the message and every field problem, on one line. */
export function oipErrorText(error: RequestError): string {
  const detail = error.details.map((d: FieldProblem) => `${d.field} ${d.message}`).join('; ');
  return detail ? `${error.message}: ${detail}` : error.message;
}

function body(req: Request, error: RequestError): ErrorBody | { error: string } {
  if (!req.path.startsWith('/v2')) return { error: error.message, details: error.details };
  return { error: oipErrorText(error) };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) {
    // Too late for an error answer: end the connection so the client sees a failure, not a truncated success.
    requestLogger(res).error({ err }, 'request failed after the answer started');
    req.socket.destroy();
    return;
  }
  const known = asRequestError(err);
  if (known) {
    res.status(known.status).json(body(req, known));
    return;
  }
  requestLogger(res).error({ err }, 'request failed');
  res.status(500).json(body(req, new RequestError(500, 'internal error')));
};
