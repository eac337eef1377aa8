/**
 * The OpenAPI document against the live API: every response it documents (operation and status)
 * is produced here by a real request to a real server (a model trained on generated data, real
 * Redis, a real batch worker; a second server without a model or Redis for the 503s), and each
 * answer's media type and body validate against the document (Ajv, JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1). The README's endpoint table is the one generated from the document.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { FEATURES, FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import type { RunningServer } from '../src/server.js';
import { eventually, startApi } from './helpers/api-server.js';
import { RedisServer } from './helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from './helpers/trained-model.js';
import { WorkerProcess } from './helpers/worker-process.js';

// ajv-formats is CommonJS: its default export is the plugin function.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

type Document = {
  paths: Record<
    string,
    Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};

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
    { path: string; method: string; responses: Document['paths'][string][string]['responses'] }
  >();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      operations.set(op.operationId, { path, method, responses: op.responses });
    }
  }
  return operations;
}

describe('OpenAPI document against the live API', () => {
  let redis: RedisServer;
  let api: RunningServer;
  let empty: RunningServer;
  let worker: WorkerProcess | undefined;
  let modelsRoot: string;
  let version: string;
  let document: Document;
  const people = applicants(12, 3);
  const cases: Case[] = [];
  /** "operationId status" of each response validated against the live API. */
  const covered = new Set<string>();
  let queuedBatch = '';

  before(async () => {
    redis = await RedisServer.start();
    modelsRoot = await tempDir('openapi');
    version = await trainModel(modelsRoot, 23);
    await pointCurrentAt(modelsRoot, version);
    api = await startApi({
      MODEL_DIR: modelsRoot,
      REDIS_URL: redis.url,
      BATCH_MAX_BYTES: '8192',
      BATCH_CHUNK_ROWS: '5',
      PREDICTION_LOG_SAMPLE: '0',
    });
    empty = await startApi({ MODEL_DIR: await tempDir('openapi-empty') });
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
    await api?.shutdown();
    await empty?.shutdown();
    await redis?.stop();
  });

  const at = (path: string, init?: RequestInit) => () => fetch(`${api.url}${path}`, init);
  const atEmpty = (path: string, init?: RequestInit) => () => fetch(`${empty.url}${path}`, init);
  const model = (rest = '') => `/v2/models/loan-risk${rest}`;
  const versioned = (rest = '') => `/v2/models/loan-risk/versions/${version}${rest}`;
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
  add('webPage', 200, at('/'));
  add('webPage', 503, atEmpty('/'));
  add('liveness', 200, at('/healthz'));
  add('readiness', 200, at('/readyz'));
  add('readiness', 503, atEmpty('/readyz'));
  add('metrics', 200, at('/metrics'));
  add('rolloutStats', 200, at('/rollout/stats'));
  add('openApi', 200, at('/openapi.json'));

  test('every documented response is answered by the live API and validates against the document', async () => {
    const ajv = validatorOf(document);
    const operations = operationsOf(document);
    for (const c of cases) {
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
      assert.ok(
        content,
        `${where}: answered ${mediaType}, documented ${Object.keys(response.content ?? {}).join(', ')}`,
      );
      const pointer = `openapi.json#/paths/${encodeURIComponent(op.path.replaceAll('~', '~0').replaceAll('/', '~1'))}/${op.method}/responses/${c.status}/content/${encodeURIComponent(mediaType.replaceAll('/', '~1'))}/schema`;
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
  });

  test('every response in the document has a live case above', () => {
    const documented = [...operationsOf(document)]
      .flatMap(([id, op]) => Object.keys(op.responses).map((status) => `${id} ${status}`))
      .sort();
    assert.deepEqual([...covered].sort(), documented);
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
