/**
 * The JSON body parser: body-parser's express.json, with a short lane for the request every
 * scoring client sends (`Content-Type: application/json`, no charset or UTF-8, no
 * Content-Encoding, a Content-Length). On one-row /predict, body-parser's per-request content
 * negotiation (type-is, content-type, iconv-lite, debug) was about 7 % of the server's busy CPU
 * (`npm run bench:profile`). The lane reads the body with raw-body, the library body-parser itself
 * reads with (the same limit, length check and error types), and parses it as express.json's
 * strict mode does. This is the part written by hand: which requests take the lane. Everything
 * else (other charsets, compressed or chunked bodies, `application/*+json`) goes through
 * express.json unchanged.
 */
import { finished } from 'node:stream';
import express, { type Request, type RequestHandler } from 'express';
import getRawBody from 'raw-body';
import { RequestError } from '@peerloan/scoring';

/** `application/json`, alone or with a UTF-8 charset: the header that can skip negotiation. */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset="?utf-8"?)?$/i;

/** True for the Content-Type every JSON client sends; the lane's and requireJson's cheap check. */
export function isPlainJson(req: Request): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && PLAIN_JSON.test(type);
}

function takesLane(req: Request): boolean {
  const length = req.headers['content-length'];
  return (
    isPlainJson(req) &&
    length !== undefined &&
    length !== '0' &&
    req.headers['content-encoding'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  );
}

/** express.json's strict mode: the body is an object or an array; a UTF-8 byte order mark is dropped. */
function parseStrict(body: Buffer): unknown {
  const text =
    body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.toString('utf8', 3) : body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError(400, 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw new RequestError(400, 'the body is not valid JSON');
  return value;
}

/** The JSON body parser for every route: the lane for plain JSON, express.json for the rest. */
export function jsonBody(limit: string): RequestHandler {
  const negotiated = express.json({ limit });
  return (req, res, next) => {
    if (!takesLane(req)) {
      negotiated(req, res, next);
      return;
    }
    getRawBody(req, { length: req.headers['content-length'], limit }).then(
      (body) => {
        try {
          req.body = parseStrict(body);
        } catch (err) {
          next(err);
          return;
        }
        next();
      },
      (err: unknown) => {
        // As body-parser does: read off the rest of the request before answering, so the
        // connection can carry the next one.
        req.resume();
        finished(req, () => {
          next(err);
        });
      },
    );
  };
}
