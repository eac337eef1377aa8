// Settings every script shares, from the environment (k6 run -e NAME=value, or the shell).
//   BASE_URL   the API or the Ingress in front of it (required), e.g. https://risk.peerloan.io
//   PAYLOADS   JSON array of loans written by payloads.mjs, as an absolute path (default: the
//              committed lib/loans.json, 200 generated loans, so a fresh clone runs as it is)
//   MODEL_NAME the model's name under /v2 (default loan-risk)
//   BATCH_SIZE loans per {"instances": [...]} request (default 20)
//   HOST_HEADER the Host header to send, when BASE_URL is an ingress controller's address rather
//              than the Ingress's host name (e.g. BASE_URL=http://127.0.0.1:18080
//              HOST_HEADER=risk.example.com on the local cluster)
//   LOANRISK_API_KEY an API key, sent as X-API-Key, for an API with authentication on (staging,
//              prod: README "Security"); unset, no credential is sent (local, auth off)
//   LOANRISK_TOKEN   or a bearer JWT from the issuer, sent as Authorization: Bearer; it wins
//              when both are set (the API reads Authorization first)
export const BASE_URL = (__ENV.BASE_URL || '').replace(/\/+$/, '');
if (!BASE_URL) throw new Error('set BASE_URL to the API to test, e.g. BASE_URL=http://127.0.0.1:8080');

export const PAYLOADS = __ENV.PAYLOADS || import.meta.resolve('./loans.json');
export const MODEL_NAME = __ENV.MODEL_NAME || 'loan-risk';
export const BATCH_SIZE = Number(__ENV.BATCH_SIZE || 20);
export const HOST_HEADER = __ENV.HOST_HEADER || '';
export const API_KEY = __ENV.LOANRISK_API_KEY || '';
export const TOKEN = __ENV.LOANRISK_TOKEN || '';

/** A whole number from the environment, or the fallback. */
export function envInt(name, fallback) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${text}"`);
  return value;
}

/** A k6 duration (30s, 2m, 1h) from the environment, or the fallback. */
export function envDuration(name, fallback) {
  const text = __ENV[name] || fallback;
  if (!/^(\d+(ms|s|m|h))+$/.test(text)) throw new Error(`${name} must be a duration such as 30s or 2m, got "${text}"`);
  return text;
}

/** Percentiles in the end-of-test summary: the thresholds' p95 and p99 among them. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'];
