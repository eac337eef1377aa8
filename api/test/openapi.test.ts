/**
 * The OpenAPI document against the live API: every response it documents (operation and status)
 * is produced here by a real request to a real server (a model trained on generated data, real
 * Redis, a real batch worker; a second server without a model or Redis for the 503s; a third with
 * authentication by a real JWKS server and an API keys file, and budgets in Redis, for the 401,
 * 403, 413 and 429 refusals; one whose JWKS is unreachable and one with AUDIT_MODE=required and
 * its Redis stopped for the other 503s), and each answer's media type, body and documented headers
 * validate against the document (Ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1). Each
 * operation's `security` is checked live: it is required exactly where the server refuses a
 * request without a credential, and its scope is the one that lets a request through. The
 * README's endpoint table is the one generated from the document.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { FEATURES, FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import { MODEL_HISTORY_KEY, type PublishedHistory } from '@peerloan/scoring/queues';
import { Redis } from 'ioredis';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { freePort } from '@peerloan/scoring/dist/test/helpers/free-port.js';
import { JwksServer, jwtEnv, signingKey, token, type SigningKey } from './helpers/jwks-server.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

// ajv-formats is CommonJS: its default export is the plugin function.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

interface DocumentedHeader {
  readonly $ref?: string;
  readonly required?: boolean;
  readonly schema?: { readonly type?: string };
}

interface DocumentedResponse {
  readonly content?: Record<string, { schema: object }>;
  readonly headers?: Record<string, DocumentedHeader>;
}

type Document = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        security?: Record<string, string[]>[];
        responses: Record<string, DocumentedResponse>;
      }
    >
  >;
  components: { headers: Record<string, DocumentedHeader> };
};

/** A JSON pointer segment (RFC 6901) as a URI fragment. */
const segment = (text: string) => encodeURIComponent(text.replaceAll('~', '~0').replaceAll('/', '~1'));

/** Ajv over the document: its top-level OpenAPI fields are words Ajv must know, the schemas below are JSON Schema 2020-12. */
function validatorOf(document: Document): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary([
    'openapi',
    'info',
    'jsonSchemaDialect',
    'servers',
    'paths',
    'webhooks',
    'components',
    'security',
    'tags',
    'externalDocs',
  ]);
  ajv.addSchema(document, 'openapi.json');
  return ajv;
}

interface Case {
  readonly operationId: string;
  readonly status: number;
  readonly request: () => Promise<Response>;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

function inferBody(records: readonly LoanRecord[], parameters?: Record<string, unknown>) {
  return {
    id: 'openapi-1',
    ...(parameters && { parameters }),
    inputs: FEATURES.map((f) => ({
      name: f.name,
      shape: [records.length, 1],
      datatype: f.kind === 'categorical' ? 'BYTES' : 'FP32',
      data: records.map((r) => r[f.name]),
    })),
  };
}

function csvOf(people: readonly LoanRecord[]): string {
  return `${[['id', ...FEATURE_NAMES].join(','), ...people.map((p, i) => [`loan-${i}`, ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(','))].join('\n')}\n`;
}

/** operationId -> where it is in the document. */
function operationsOf(document: Document) {
  const operations = new Map<
    string,
    {
      path: string;
      method: string;
      security: Document['paths'][string][string]['security'];
      responses: Document['paths'][string][string]['responses'];
    }
  >();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      operations.set(op.operationId, { path, method, security: op.security, responses: op.responses });
    }
  }
  return operations;
}

/**
 * Each header the response documents: present when required, and its value (simple style: an
 * integer header is digits) valid against the header's schema.
 */
function checkHeaders(
  ajv: Ajv2020,
  document: Document,
  responsePointer: string,
  response: DocumentedResponse,
  res: Response,
  where: string,
): void {
  for (const [name, documented] of Object.entries(response.headers ?? {})) {
    const header = documented.$ref
      ? document.components.headers[documented.$ref.slice('#/components/headers/'.length)]
      : documented;
    const pointer = documented.$ref
      ? `openapi.json${documented.$ref}/schema`
      : `${responsePointer}/headers/${segment(name)}/schema`;
    const raw = res.headers.get(name);
    if (raw === null) {
      assert.ok(!header.required, `${where}: the required header ${name} is missing`);
      continue;
    }
    const value = header.schema?.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    assert.ok(validate(value), `${where}: header ${name}: ${raw}: ${ajv.errorsText(validate.errors)}`);
  }
}

/** A LoanRiskModel with approval required as the workers publish it: one version approved, the next waiting. */
const PUBLISHED_WITH_APPROVALS: PublishedHistory = {
  model: { namespace: 'risk', name: 'loan-risk' },
  entries: [
    {
      version: 'v-approved',
      rocAuc: 0.74,
      outcome: 'Accepted',
      time: '2026-03-02T10:00:00Z',
      reason: 'Approved',
      message: 'approved by bob at 2026-03-02T10:00:00Z: cross-validated ROC AUC 0.7400',
      approval: {
        decision: 'approve',
        user: 'bob',
        time: '2026-03-02T10:00:00Z',
        object: 'loan-risk-v-approved',
        note: 'the later period holds up',
        evidence: 'cross-validated ROC AUC 0.7400',
      },
    },
  ],
  awaitingApproval: { version: 'v-waiting', since: '2026-03-09T08:30:00Z' },
};

describe('OpenAPI document against the live API', () => {
  let redis: RedisServer;
  let auditRedis: RedisServer;
  let jwks: JwksServer;
  let signer: SigningKey;
  let api: RunningServer;
  let empty: RunningServer;
  /** Authentication on (JWKS and API keys), budgets of REQUESTS requests and ROWS rows per client. */
  let secure: RunningServer;
  /** Authentication by a JWKS nobody serves. */
  let noJwks: RunningServer;
  /** AUDIT_MODE=required, its Redis stopped. */
  let unaudited: RunningServer;
  const REQUESTS = 2;
  const ROWS = 5;
  const predictKey = newKey('predict-client', ['predict']);
  const batchKey = newKey('batch-client', ['batch']);
  let worker: WorkerProcess | undefined;
  let modelsRoot: string;
  let version: string;
  let document: Document;
  const people = applicants(12, 3);
  const cases: Case[] = [];
  /** "operationId status" of each response validated against the live API. */
  const covered = new Set<string>();
  let queuedBatch = '';
  /** What after() stops, the last started first (before() may fail half way). */
  const stops: (() => Promise<void>)[] = [];
  const started = <T>(thing: T, stop: (it: T) => Promise<void>): T => {
    stops.push(() => stop(thing));
    return thing;
  };
  const stopServer = (server: RunningServer) => server.shutdown();
  const stopRedis = (server: RedisServer) => server.stop();

  before(async () => {
    redis = started(await RedisServer.start(), stopRedis);
    modelsRoot = await tempDir('openapi');
    version = await trainModel(modelsRoot, 23);
    await pointCurrentAt(modelsRoot, version);
    api = started(
      await startApi({
        MODEL_DIR: modelsRoot,
        REDIS_URL: redis.url,
        BATCH_MAX_BYTES: '8192',
        BATCH_CHUNK_ROWS: '5',
        PREDICTION_LOG_SAMPLE: '0',
      }),
      stopServer,
    );
    empty = started(await startApi({ MODEL_DIR: await tempDir('openapi-empty') }), stopServer);

    signer = await signingKey('openapi-key');
    jwks = started(await JwksServer.start([signer]), (server) => server.close());
    const volume = new SecretVolume(await tempDir('openapi-keys'));
    await volume.create(keysFileText([predictKey, batchKey]));
    secure = started(
      await startApi({
        MODEL_DIR: modelsRoot,
        REDIS_URL: redis.url,
        PREDICTION_LOG_SAMPLE: '0',
        ...jwtEnv(jwks),
        AUTH_API_KEYS_FILE: volume.file,
        RATE_LIMIT_REQUESTS: String(REQUESTS),
        RATE_LIMIT_ROWS: String(ROWS),
        RATE_LIMIT_WINDOW_SECONDS: '600',
      }),
      stopServer,
    );
    noJwks = started(
      await startApi({
        MODEL_DIR: modelsRoot,
        ...jwtEnv(jwks),
        AUTH_JWKS_URL: `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`,
      }),
      stopServer,
    );
    auditRedis = started(await RedisServer.start(), stopRedis);
    unaudited = started(
      await startApi({
        MODEL_DIR: modelsRoot,
        REDIS_URL: auditRedis.url,
        AUDIT_MODE: 'required',
        PREDICTION_LOG_SAMPLE: '0',
      }),
      stopServer,
    );
    await auditRedis.stop();
    document = (await (await fetch(`${api.url}/openapi.json`)).json()) as Document;

    // A batch queued before any worker runs: its results are a 409 until the worker has scored it.
    const queued = await fetch(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvOf(people),
    });
    queuedBatch = ((await queued.json()) as { id: string }).id;
  });
  after(async () => {
    await worker?.stop();
    for (const stop of stops.reverse()) await stop();
  });

  const at = (path: string, init?: RequestInit) => () => fetch(`${api.url}${path}`, init);
  const atEmpty = (path: string, init?: RequestInit) => () => fetch(`${empty.url}${path}`, init);
  const model = (rest = '') => `/v2/models/loan-risk${rest}`;
  const versioned = (rest = '') => `/v2/models/loan-risk/versions/${version}${rest}`;
  /** GET /versions with what the workers publish in a cluster: a reviewer's approval and a candidate awaiting one. */
  const versionsAsPublished = async () => {
    const client = new Redis(redis.url);
    try {
      await client.set(MODEL_HISTORY_KEY, JSON.stringify(PUBLISHED_WITH_APPROVALS));
      const res = await fetch(`${api.url}/versions`);
      const body = (await res.clone().json()) as { history: { approval?: unknown }[]; awaitingApproval?: unknown };
      assert.ok(body.awaitingApproval && body.history[0]?.approval, 'the answer carries both');
      return res;
    } finally {
      await client.del(MODEL_HISTORY_KEY);
      client.disconnect();
    }
  };
  const add = (operationId: string, status: number, request: () => Promise<Response>) =>
    cases.push({ operationId, status, request });

  add('predict', 200, () => fetch(`${api.url}/predict`, json(people[0])));
  add('predict', 200, () => fetch(`${api.url}/predict?explain=false`, json({ instances: people.slice(0, 3) })));
  add('predict', 400, () => fetch(`${api.url}/predict`, json({ ...people[0], loan_amnt: 'lots', grade: 'Z' })));
  add('predict', 413, () =>
    fetch(`${api.url}/predict`, json({ instances: Array.from({ length: 20_000 }, () => people[0]) })),
  );
  add('predict', 415, () =>
    fetch(`${api.url}/predict`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'loan' }),
  );
  add('predict', 503, () => fetch(`${empty.url}/predict`, json(people[0])));
  add('submitBatch', 202, () =>
    fetch(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: people.map((p) => JSON.stringify(p)).join('\n'),
    }),
  );
  add('submitBatch', 400, () =>
    fetch(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${['id', ...FEATURE_NAMES].join(',')}\n`,
    }),
  );
  add('submitBatch', 413, () =>
    fetch(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvOf(applicants(200, 4)),
    }),
  );
  add('submitBatch', 415, () =>
    fetch(`${api.url}/batches`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: '%PDF' }),
  );
  add('submitBatch', 503, () =>
    fetch(`${empty.url}/batches`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csvOf(people) }),
  );
  add('batchStatus', 200, () => fetch(`${api.url}/batches/${queuedBatch}`));
  add('batchStatus', 404, at('/batches/no-such-batch'));
  add('batchStatus', 503, atEmpty('/batches/any'));
  add('batchResults', 409, () => fetch(`${api.url}/batches/${queuedBatch}/results`));
  add('batchResults', 404, at('/batches/no-such-batch/results'));
  add('batchResults', 503, atEmpty('/batches/any/results'));
  add('oipServerMetadata', 200, at('/v2'));
  add('oipLive', 200, at('/v2/health/live'));
  add('oipReady', 200, at('/v2/health/ready'));
  add('oipReady', 503, atEmpty('/v2/health/ready'));
  add('oipModelMetadata', 200, at(model()));
  add('oipModelMetadata', 404, at('/v2/models/other-model'));
  add('oipModelMetadataVersion', 200, () => fetch(`${api.url}${versioned()}`));
  add('oipModelMetadataVersion', 404, at(model('/versions/v-not-served')));
  add('oipModelReady', 200, at(model('/ready')));
  add('oipModelReady', 503, atEmpty(model('/ready')));
  add('oipModelReady', 404, at('/v2/models/other-model/ready'));
  add('oipModelReadyVersion', 200, () => fetch(`${api.url}${versioned('/ready')}`));
  add('oipModelReadyVersion', 503, atEmpty(model('/versions/any/ready')));
  add('oipModelReadyVersion', 404, at(model('/versions/v-not-served/ready')));
  add('oipInfer', 200, () => fetch(`${api.url}${model('/infer')}`, json(inferBody(people.slice(0, 4)))));
  add('oipInfer', 200, () =>
    fetch(`${api.url}${model('/infer')}`, json(inferBody(people.slice(0, 2), { binary_data_output: true }))),
  );
  add('oipInfer', 400, () =>
    fetch(
      `${api.url}${model('/infer')}`,
      json({ inputs: [{ name: 'loan_amnt', shape: [1, 1], datatype: 'FP32', data: ['x'] }] }),
    ),
  );
  add('oipInfer', 404, () => fetch(`${api.url}/v2/models/other-model/infer`, json(inferBody(people.slice(0, 1)))));
  add('oipInfer', 413, () =>
    fetch(`${api.url}${model('/infer')}`, json(inferBody(Array.from({ length: 20_000 }, () => people[0])))),
  );
  add('oipInferVersion', 200, () => fetch(`${api.url}${versioned('/infer')}`, json(inferBody(people.slice(0, 3)))));
  add('oipInferVersion', 400, () => fetch(`${api.url}${versioned('/infer')}`, json({ inputs: [] })));
  add('oipInferVersion', 404, () =>
    fetch(`${api.url}${model('/versions/v-not-served/infer')}`, json(inferBody(people.slice(0, 1)))),
  );
  add('oipInferVersion', 413, () =>
    fetch(`${api.url}${versioned('/infer')}`, json(inferBody(Array.from({ length: 20_000 }, () => people[0])))),
  );
  // Refusals by authentication and budgets. Each token names a client of its own, so each case
  // starts with a whole budget.
  const bearer = async (sub: string, scope: string) => ({
    authorization: `Bearer ${await token(signer, { sub, scope })}`,
  });
  const predictKeyHeader = { 'x-api-key': predictKey.key };
  const batchKeyHeader = { 'x-api-key': batchKey.key };
  const tooMany = Array.from({ length: ROWS + 1 }, (_, i) => people[i % people.length]);
  /** Spends the client's request budget on `filler`, then sends the request. */
  const overBudget = async (
    credential: Record<string, string>,
    filler: string,
    url: string,
    init: RequestInit = {},
  ) => {
    for (let i = 0; i < REQUESTS; i += 1) {
      const res = await fetch(`${secure.url}${filler}`, {
        ...json({}),
        headers: { 'content-type': 'application/json', ...credential },
      });
      await res.text();
    }
    return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...credential } });
  };
  const withAuth = async (credential: Record<string, string>, url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...credential } });
  const csvUpload = (rows: readonly LoanRecord[]): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csvOf(rows),
  });

  add('predict', 401, () => fetch(`${secure.url}/predict`, json(people[0])));
  add('predict', 401, () => fetch(`${secure.url}/predict`, json(people[0], { 'x-api-key': 'plk_not-a-known-key' })));
  add('predict', 403, () => fetch(`${secure.url}/predict`, json(people[0], batchKeyHeader)));
  add('predict', 413, async () =>
    fetch(`${secure.url}/predict`, json({ instances: tooMany }, await bearer('rows-predict', 'predict'))),
  );
  add('predict', 429, async () =>
    overBudget(await bearer('spent-predict', 'predict'), '/predict', `${secure.url}/predict`, json(people[0])),
  );
  add('predict', 503, async () => fetch(`${noJwks.url}/predict`, json(people[0], await bearer('no-jwks', 'predict'))));
  add('predict', 503, () => fetch(`${unaudited.url}/predict`, json(people[0], { 'x-request-id': 'openapi-audit-1' })));
  add('submitBatch', 401, () => fetch(`${secure.url}/batches`, csvUpload(people)));
  add('submitBatch', 403, () => withAuth(predictKeyHeader, `${secure.url}/batches`, csvUpload(people)));
  add('submitBatch', 413, async () =>
    withAuth(await bearer('rows-batch', 'batch'), `${secure.url}/batches`, csvUpload(tooMany)),
  );
  add('submitBatch', 429, async () =>
    overBudget(await bearer('spent-submit', 'batch'), '/batches/none', `${secure.url}/batches`, csvUpload(people)),
  );
  add('submitBatch', 503, async () =>
    withAuth(await bearer('no-jwks', 'batch'), `${noJwks.url}/batches`, csvUpload(people)),
  );
  add('batchStatus', 401, () => fetch(`${secure.url}/batches/${queuedBatch}`));
  add('batchStatus', 403, () => withAuth(predictKeyHeader, `${secure.url}/batches/${queuedBatch}`));
  add('batchStatus', 429, async () =>
    overBudget(await bearer('spent-status', 'batch'), '/batches/none', `${secure.url}/batches/${queuedBatch}`),
  );
  add('batchStatus', 503, async () => withAuth(await bearer('no-jwks', 'batch'), `${noJwks.url}/batches/any`));
  add('batchResults', 401, () => fetch(`${secure.url}/batches/${queuedBatch}/results`));
  add('batchResults', 403, () => withAuth(predictKeyHeader, `${secure.url}/batches/${queuedBatch}/results`));
  add('batchResults', 429, async () =>
    overBudget(await bearer('spent-results', 'batch'), '/batches/none', `${secure.url}/batches/${queuedBatch}/results`),
  );
  add('batchResults', 503, async () => withAuth(await bearer('no-jwks', 'batch'), `${noJwks.url}/batches/any/results`));
  for (const [operationId, path] of [
    ['oipInfer', () => model('/infer')],
    ['oipInferVersion', () => versioned('/infer')],
  ] as const) {
    add(operationId, 401, () => fetch(`${secure.url}${path()}`, json(inferBody(people.slice(0, 1)))));
    add(operationId, 403, () => fetch(`${secure.url}${path()}`, json(inferBody(people.slice(0, 1)), batchKeyHeader)));
    add(operationId, 413, async () =>
      fetch(`${secure.url}${path()}`, json(inferBody(tooMany), await bearer(`rows-${operationId}`, 'predict'))),
    );
    add(operationId, 429, async () =>
      overBudget(
        await bearer(`spent-${operationId}`, 'predict'),
        path(),
        `${secure.url}${path()}`,
        json(inferBody(people.slice(0, 1))),
      ),
    );
    add(operationId, 503, async () =>
      fetch(`${noJwks.url}${path()}`, json(inferBody(people.slice(0, 1)), await bearer('no-jwks', 'predict'))),
    );
    add(operationId, 503, () => fetch(`${unaudited.url}${path()}`, json(inferBody(people.slice(0, 1)))));
  }
  // The desk's reads of a batch: answered once it is completed (the 200s are checked after the worker ran).
  for (const [operationId, rest] of [
    ['batchSummary', '/summary'],
    ['batchRows', '/rows'],
  ] as const) {
    add(operationId, 404, at(`/batches/no-such-batch${rest}`));
    add(operationId, 409, () => fetch(`${api.url}/batches/${queuedBatch}${rest}`));
    add(operationId, 503, atEmpty(`/batches/any${rest}`));
    add(operationId, 401, () => fetch(`${secure.url}/batches/${queuedBatch}${rest}`));
    add(operationId, 403, () => withAuth(predictKeyHeader, `${secure.url}/batches/${queuedBatch}${rest}`));
    add(operationId, 429, async () =>
      overBudget(
        await bearer(`spent-${operationId}`, 'batch'),
        '/batches/none',
        `${secure.url}/batches/${queuedBatch}${rest}`,
      ),
    );
  }
  add('batchRows', 400, at('/batches/any/rows?limit=100000'));
  add('batchResults', 400, at('/batches/any/results?format=xlsx'));
  add('features', 200, at('/features'));
  add('features', 503, atEmpty('/features'));
  add('versions', 200, at('/versions'));
  add('versions', 200, versionsAsPublished);
  add('versionCard', 200, () => fetch(`${api.url}/versions/${version}/card`));
  add('versionCard', 404, at('/versions/v-none/card'));
  add('versionReport', 200, () => fetch(`${api.url}/versions/${version}/report`));
  add('versionReport', 404, at('/versions/v-none/report'));
  add('drift', 200, at('/drift'));
  // The model view under authentication: the predict scope reads it.
  for (const [operationId, path] of [
    ['versions', () => '/versions'],
    ['versionCard', () => `/versions/${version}/card`],
    ['versionReport', () => `/versions/${version}/report`],
    ['drift', () => '/drift'],
  ] as const) {
    add(operationId, 401, () => fetch(`${secure.url}${path()}`));
    add(operationId, 403, () => withAuth(batchKeyHeader, `${secure.url}${path()}`));
    add(operationId, 429, async () =>
      overBudget(await bearer(`spent-${operationId}`, 'predict'), '/predict', `${secure.url}${path()}`),
    );
    add(operationId, 503, async () => withAuth(await bearer('no-jwks', 'predict'), `${noJwks.url}${path()}`));
  }
  add('webPage', 200, at('/'));
  add('liveness', 200, at('/healthz'));
  add('readiness', 200, at('/readyz'));
  add('readiness', 503, atEmpty('/readyz'));
  add('metrics', 200, at('/metrics'));
  add('rolloutStats', 200, at('/rollout/stats'));
  add('openApi', 200, at('/openapi.json'));

  /** Sends the case's request and checks the answer's status, media type, headers and body against the document. */
  async function check(ajv: Ajv2020, operations: ReturnType<typeof operationsOf>, c: Case): Promise<void> {
    const op = operations.get(c.operationId);
    assert.ok(op, `${c.operationId} is not in the document`);
    const where = `${op.method.toUpperCase()} ${op.path} ${c.status} (${c.operationId})`;
    const res = await c
      .request()
      .catch((err: unknown) => assert.fail(`${where}: ${(err as Error).message} (${String((err as Error).cause)})`));
    const text = await res.text();
    assert.equal(res.status, c.status, `${where}: answered ${res.status}: ${text.slice(0, 300)}`);
    const response = op.responses[String(c.status)];
    assert.ok(response, `${where}: not documented`);
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0];
    const content = response.content?.[mediaType];
    assert.ok(content, `${where}: answered ${mediaType}, documented ${Object.keys(response.content ?? {}).join(', ')}`);
    const responsePointer = `openapi.json#/paths/${segment(op.path)}/${op.method}/responses/${c.status}`;
    checkHeaders(ajv, document, responsePointer, response, res, where);
    const pointer = `${responsePointer}/content/${segment(mediaType)}/schema`;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    const body: unknown =
      mediaType === 'application/json'
        ? JSON.parse(text)
        : mediaType === 'application/octet-stream'
          ? text.length > 0
            ? 'bytes'
            : ''
          : text;
    assert.ok(validate(body), `${where}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
    covered.add(`${c.operationId} ${c.status}`);
  }

  test('every documented response is answered by the live API and validates against the document', async () => {
    const ajv = validatorOf(document);
    const operations = operationsOf(document);
    for (const c of cases) await check(ajv, operations, c);
  });

  test('once the worker has scored the queued batch, its results and status validate too', async () => {
    worker = WorkerProcess.start({ MODEL_DIR: modelsRoot, REDIS_URL: redis.url, WORKER_ROLES: 'batch' });
    await eventually(
      'batch completed',
      async () =>
        ((await (await fetch(`${api.url}/batches/${queuedBatch}`)).json()) as { state: string }).state === 'completed',
    );
    const ajv = validatorOf(document);
    const status = await fetch(`${api.url}/batches/${queuedBatch}`);
    const validateStatus = ajv.compile({ $ref: 'openapi.json#/components/schemas/BatchStatus' });
    assert.ok(validateStatus(await status.json()), ajv.errorsText(validateStatus.errors));
    const results = await fetch(`${api.url}/batches/${queuedBatch}/results`);
    assert.equal(results.status, 200);
    assert.equal(results.headers.get('content-type')?.split(';')[0], 'text/csv');
    const validateCsv = ajv.compile({
      $ref: 'openapi.json#/paths/~1batches~1{id}~1results/get/responses/200/content/text~1csv/schema',
    });
    const csv = await results.text();
    assert.ok(validateCsv(csv), ajv.errorsText(validateCsv.errors));
    assert.equal(csv.trimEnd().split('\n').length, people.length + 1);
    covered.add('batchResults 200');
    const operations = operationsOf(document);
    for (const c of [
      { operationId: 'batchResults', status: 200, request: at(`/batches/${queuedBatch}/results?format=jsonl`) },
      { operationId: 'batchSummary', status: 200, request: at(`/batches/${queuedBatch}/summary`) },
      { operationId: 'batchRows', status: 200, request: at(`/batches/${queuedBatch}/rows?offset=2&limit=5`) },
    ])
      await check(ajv, operations, c);
    const ranked = (await (await fetch(`${api.url}/batches/${queuedBatch}/rows?limit=200`)).json()) as {
      rows: { rank: number; probability: number }[];
    };
    assert.equal(ranked.rows.length, people.length);
    assert.deepEqual(
      ranked.rows.map((r) => r.rank),
      people.map((_, i) => i + 1),
    );
  });

  test('every response in the document has a live case above', () => {
    const documented = [...operationsOf(document)]
      .flatMap(([id, op]) => Object.keys(op.responses).map((status) => `${id} ${status}`))
      .sort();
    assert.deepEqual([...covered].sort(), documented);
  });

  test("each operation's security is what the server with authentication on enforces", async () => {
    const keyOf: Record<string, Record<string, string>> = { predict: predictKeyHeader, batch: batchKeyHeader };
    for (const [operationId, op] of operationsOf(document)) {
      const path = op.path.replace('{name}', 'loan-risk').replace('{version}', version).replace('{id}', queuedBatch);
      const send = async (headers: Record<string, string> = {}) => {
        const res = await fetch(`${secure.url}${path}`, op.method === 'post' ? json({}, headers) : { headers });
        return { status: res.status, text: await res.text() };
      };
      const anonymous = await send();
      if (!op.security) {
        assert.ok(
          ![401, 403].includes(anonymous.status),
          `${operationId} is open in the document, answered ${anonymous.status}`,
        );
        continue;
      }
      assert.equal(anonymous.status, 401, `${operationId} requires a credential in the document: ${anonymous.text}`);
      assert.deepEqual(op.security.map((requirement) => Object.keys(requirement)).flat(), ['bearerAuth', 'apiKey']);
      const scopes = new Set(op.security.flatMap((requirement) => Object.values(requirement).flat()));
      assert.equal(scopes.size, 1, `${operationId}: one scope for both schemes`);
      for (const scope of ['predict', 'batch']) {
        const byToken = await send(await bearer(`security-${operationId}-${scope}`, scope));
        const byKey = await send(keyOf[scope]);
        if (scopes.has(scope)) {
          assert.ok(
            ![401, 403].includes(byToken.status),
            `${operationId} with a ${scope} token: ${byToken.status} ${byToken.text}`,
          );
        } else {
          assert.equal(byToken.status, 403, `${operationId} with a ${scope} token: ${byToken.text}`);
          assert.equal(byKey.status, 403, `${operationId} with a ${scope} key: ${byKey.text}`);
        }
      }
    }
  });

  test('a prediction retried with the same X-Request-Id after a 503 is answered with that id and recorded once', async () => {
    await auditRedis.resume();
    const sent = json(people[1], { 'x-request-id': 'openapi-retry-1' });
    const written = 'loanrisk_audit_records_total{outcome="written"}';
    const duplicate = 'loanrisk_audit_records_total{outcome="duplicate"}';
    const before = {
      written: await metricValue(unaudited.url, written),
      duplicate: await metricValue(unaudited.url, duplicate),
    };
    // The first tries may still find the connection down (a 503, as the document says): retry with the same id.
    let res = await fetch(`${unaudited.url}/predict`, sent);
    await eventually('the audit store is back', async () => {
      if (res.status === 200) return true;
      const text = await res.text();
      assert.equal(res.status, 503, text);
      res = await fetch(`${unaudited.url}/predict`, sent);
      return false;
    });
    assert.equal(res.headers.get('x-request-id'), 'openapi-retry-1');
    const again = await fetch(`${unaudited.url}/predict`, sent);
    assert.equal(again.status, 200, await again.text());
    assert.equal(again.headers.get('x-request-id'), 'openapi-retry-1');
    assert.equal((await metricValue(unaudited.url, written)) - before.written, 1);
    assert.ok((await metricValue(unaudited.url, duplicate)) - before.duplicate >= 1, 'the retry was not stored again');
  });

  test('the server and the document agree on which applicants are valid, field by field', async () => {
    const ajv = validatorOf(document);
    const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/Applicant' });
    const base: Record<string, unknown> = { ...people[0] };
    const probes: Record<string, unknown>[] = [
      base,
      { ...base, id: null },
      { ...base, id: 'holder-1' },
      { ...base, id: 7 },
      { ...base, id: { nested: true } },
      { ...base, id: true },
      { ...base, surname: 'Smith' },
    ];
    for (const f of FEATURES) {
      const { [f.name]: _left, ...without } = base;
      probes.push(without, { ...base, [f.name]: null }, { ...base, [f.name]: f.kind === 'numeric' ? 'abc' : 7 });
      if (f.kind === 'categorical') probes.push({ ...base, [f.name]: 'not-a-category' }, { ...base, [f.name]: '' });
      else {
        probes.push({ ...base, [f.name]: f.min - 1 }, { ...base, [f.name]: f.max + 1 });
        if (f.integer) probes.push({ ...base, [f.name]: 1.5 });
      }
    }
    let accepted = 0;
    for (const probe of probes) {
      const res = await fetch(`${api.url}/predict`, json(probe));
      const text = await res.text();
      assert.ok([200, 400].includes(res.status), `${JSON.stringify(probe)}: ${res.status} ${text}`);
      const documented = validate(probe);
      assert.equal(
        res.status === 200,
        documented,
        `${JSON.stringify(probe)}: the server answered ${res.status} (${text.slice(0, 200)}), the document ${documented ? 'accepts' : `refuses: ${ajv.errorsText(validate.errors)}`}`,
      );
      if (documented) accepted += 1;
    }
    // Both outcomes occur, so the comparison can tell the two apart.
    assert.ok(accepted >= 4 && accepted < probes.length, `${accepted} of ${probes.length} accepted`);
  });

  test('a response that breaks the document is caught', () => {
    const ajv = validatorOf(document);
    const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/Prediction' });
    assert.equal(validate({ probability: 1.5, decision: 'maybe', threshold: 0.1, modelVersion: 'v' }), false);
  });

  test("the README's endpoint table is the one generated from the document", () => {
    const res = spawnSync(process.execPath, [`${REPO_ROOT}scripts/api-docs.mjs`, '--check'], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
  });
});
