// Request builders and response checks shared by every script: one place knows the API's routes
// and what a good answer looks like (the /predict and /v2 contracts of DESIGN.md).
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter } from 'k6/metrics';
import { API_KEY, BASE_URL, BATCH_SIZE, HOST_HEADER, MODEL_NAME, PAYLOADS, TOKEN } from './config.js';

/** Generated loans, loaded once and shared by all VUs. */
export const loans = new SharedArray('loans', () => JSON.parse(open(PAYLOADS)));

/** Predictions answered per model version: the rollout script asserts the new one was served. */
export const predictionsByVersion = new Counter('predictions_by_version');

/** The headers of every request: the Host to address and the credential, each only when set. */
function commonHeaders() {
  const headers = HOST_HEADER ? { host: HOST_HEADER } : {};
  if (TOKEN) headers.authorization = `Bearer ${TOKEN}`;
  else if (API_KEY) headers['x-api-key'] = API_KEY;
  return headers;
}
const HEADERS = commonHeaders();
const JSON_HEADERS = { 'content-type': 'application/json', ...HEADERS };
/** The text features: BYTES tensors under /v2; the others are FP32. */
const TEXT_FEATURES = new Set(['purpose', 'grade', 'emp_length', 'home_ownership']);

function loanAt(i) {
  return loans[i % loans.length];
}

function parse(res) {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/** POST /predict with one loan: {probability, decision, threshold, modelVersion}. */
export function predictOne(i) {
  const res = http.post(`${BASE_URL}/predict`, JSON.stringify(loanAt(i)), {
    headers: JSON_HEADERS,
    tags: { name: 'POST /predict' },
  });
  const body = parse(res);
  check(res, {
    'predict: 200': (r) => r.status === 200,
    'predict: probability in [0, 1]': () =>
      typeof body?.probability === 'number' && body.probability >= 0 && body.probability <= 1,
    'predict: decision and version': () =>
      typeof body?.decision !== 'undefined' && typeof body?.modelVersion === 'string',
  });
  if (body?.modelVersion) predictionsByVersion.add(1, { version: body.modelVersion });
  return res;
}

/** POST /predict with {"instances": [...]}: {"predictions": [...]} in order. */
export function predictBatch(i, size = BATCH_SIZE) {
  const instances = Array.from({ length: size }, (_, k) => loanAt(i * size + k));
  const res = http.post(`${BASE_URL}/predict`, JSON.stringify({ instances }), {
    headers: JSON_HEADERS,
    tags: { name: 'POST /predict (batch)' },
  });
  const body = parse(res);
  check(res, {
    'batch: 200': (r) => r.status === 200,
    'batch: one prediction per instance': () => Array.isArray(body?.predictions) && body.predictions.length === size,
  });
  return res;
}

/** POST /v2/models/<name>/infer (Open Inference Protocol v2, JSON): one [-1,1] input per feature. */
export function inferV2(i, size = 4) {
  const rows = Array.from({ length: size }, (_, k) => loanAt(i * size + k));
  // A missing value stays null, as in /predict.
  const inputs = Object.keys(rows[0]).map((name) => ({
    name,
    shape: [size, 1],
    datatype: TEXT_FEATURES.has(name) ? 'BYTES' : 'FP32',
    data: rows.map((r) => r[name]),
  }));
  const res = http.post(`${BASE_URL}/v2/models/${MODEL_NAME}/infer`, JSON.stringify({ inputs }), {
    headers: JSON_HEADERS,
    tags: { name: 'POST /v2/infer' },
  });
  const body = parse(res);
  check(res, {
    'v2 infer: 200': (r) => r.status === 200,
    'v2 infer: probability output': () =>
      Array.isArray(body?.outputs) && body.outputs.some((o) => o.name === 'probability'),
  });
  return res;
}

/** GET a health route and expect 200. */
export function health(path) {
  const res = http.get(`${BASE_URL}${path}`, { headers: HEADERS, tags: { name: `GET ${path}` } });
  check(res, { [`${path}: 200`]: (r) => r.status === 200 });
  return res;
}

/** A mix close to production traffic: mostly single loans, some batches. */
export function mixedTraffic(i) {
  if (i % 10 === 9) predictBatch(i);
  else predictOne(i);
}
