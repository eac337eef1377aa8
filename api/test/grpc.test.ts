/**
 * OIP v2 over gRPC (inference.GRPCInferenceService) on the real server with a model trained on
 * generated loans, called by real clients: @grpc/grpc-js from here, and NVIDIA's tritonclient[grpc]
 * (installed from PyPI into a cached venv by scripts/install-python-clients.sh). Health, metadata
 * and probabilities equal REST OIP's and /predict's, in typed contents and in raw bytes; every
 * malformed request gets its status code and a message and the server answers the next call;
 * credentials in metadata and budgets are the REST routes'; SIGTERM stops the gRPC server too.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import { Redis } from 'ioredis';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { inferRequest, InferenceClient, probabilitiesOf, rawBytes, restInferBody } from './helpers/grpc-client.js';
import { startApi } from './helpers/api-server.js';
import { JwksServer, jwtEnv, signingKey, token } from './helpers/jwks-server.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { call, eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { AUDIT_STREAM, streamEntryRecords, type DecisionAuditRecord } from '@peerloan/scoring/queues';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TRITON_CHECK = fileURLToPath(new URL('../../test/triton_grpc_check.py', import.meta.url));
const people = applicants(300);

interface InferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: { name: string; datatype: string; shape: number[]; contents?: { fp32_contents?: number[] } | null }[];
  raw_output_contents: Buffer[];
}

/** The failure of a call that must fail: its ServiceError. */
async function refusal(attempt: Promise<unknown>): Promise<ServiceError> {
  try {
    await attempt;
  } catch (err) {
    return err as ServiceError;
  }
  assert.fail('the call succeeded');
}

async function assertRefused(attempt: Promise<unknown>, code: Status, message: RegExp, what = ''): Promise<void> {
  const err = await refusal(attempt);
  assert.equal(Status[err.code], Status[code], `${what}: ${err.details}`);
  assert.match(err.details, message, what);
}

/** /predict's probabilities for the applicants. */
async function predictProbabilities(url: string, rows: readonly LoanRecord[], headers = {}): Promise<number[]> {
  const res = await postJson<{ predictions: { probability: number }[] }>(
    `${url}/predict?explain=false`,
    { instances: rows },
    headers,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.predictions.map((p) => p.probability);
}

/** An input of a typed request, changed by `change`. */
function withInput(
  request: ReturnType<typeof inferRequest>,
  name: string,
  change: (input: Record<string, unknown>) => Record<string, unknown>,
) {
  return { ...request, inputs: request.inputs.map((i) => (i.name === name ? change(i) : i)) };
}

describe('OIP v2 over gRPC', () => {
  let root: string;
  let version: string;
  let api: RunningServer;
  let client: InferenceClient;

  before(async () => {
    root = await tempDir('api-grpc');
    version = await trainModel(root, 41);
    api = await startApi({ MODEL_DIR: root });
    assert.ok(api.grpcAddress, 'GRPC_PORT=0 gives a gRPC address');
    client = new InferenceClient(api.grpcAddress);
  });
  after(async () => {
    client.close();
    await api.shutdown();
  });

  test('GRPC_PORT=off serves no gRPC; a bad value names the variable', async () => {
    const { readConfig } = await import('../src/config.js');
    assert.equal(readConfig({ GRPC_PORT: 'off' }).grpcPort, undefined);
    assert.equal(readConfig({}).grpcPort, 8081);
    assert.throws(() => readConfig({ GRPC_PORT: 'h2c' }), /GRPC_PORT must be a whole number from 0 to 65535, or off/);
    const off = await startApi({ MODEL_DIR: root, GRPC_PORT: 'off' });
    assert.equal(off.grpcAddress, undefined);
    await off.shutdown();
  });

  test('health, server and model metadata answer as REST /v2 does', async () => {
    assert.deepEqual((await client.call('ServerLive')).response, { live: true });
    assert.deepEqual((await client.call('ServerReady')).response, { ready: true });
    assert.deepEqual((await client.call('ServerMetadata')).response, (await call(`${api.url}/v2`)).body);
    assert.deepEqual((await client.call('ModelReady', { name: 'loan-risk' })).response, { ready: true });
    const rest = (await call(`${api.url}/v2/models/loan-risk`)).body;
    assert.deepEqual((await client.call('ModelMetadata', { name: 'loan-risk' })).response, rest);
    assert.deepEqual((await client.call('ModelMetadata', { name: 'loan-risk', version })).response, rest);
  });

  test('infer of many rows equals REST infer and /predict, from typed contents and from raw bytes', async () => {
    const rest = await postJson<{ outputs: { data: number[] }[] }>(
      `${api.url}/v2/models/loan-risk/infer`,
      restInferBody(people),
    );
    assert.equal(rest.status, 200, JSON.stringify(rest.body));
    const expected = rest.body.outputs[0].data;
    assert.deepEqual(expected, await predictProbabilities(api.url, people));
    for (const form of ['typed', 'raw'] as const) {
      const { response } = await client.call<InferResponse>('ModelInfer', { ...inferRequest(people, form), id: form });
      assert.deepEqual(probabilitiesOf(response), expected, form);
      assert.equal(response.model_name, 'loan-risk');
      assert.equal(response.model_version, version);
      assert.equal(response.id, form);
      assert.deepEqual(
        response.outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
        [{ name: 'probability', datatype: 'FP32', shape: [people.length, 1] }],
      );
      // The answer takes the request's form, as Triton's does.
      assert.equal(response.raw_output_contents.length, form === 'raw' ? 1 : 0, form);
    }
  });

  test('malformed requests get a status code and a message; the server answers the next call', async () => {
    const rows = people.slice(0, 3);
    const typed = inferRequest(rows, 'typed');
    const raw = inferRequest(rows, 'raw');
    const rawWith = (name: string, bytes: Buffer) => ({
      ...raw,
      raw_input_contents: raw.raw_input_contents.map((b, i) => (raw.inputs[i].name === name ? bytes : b)),
    });
    const cases: [string, string, unknown, Status, RegExp][] = [
      ['no inputs', 'ModelInfer', { model_name: 'loan-risk' }, Status.INVALID_ARGUMENT, /inputs must be a non-empty/],
      [
        'a missing input',
        'ModelInfer',
        { ...typed, inputs: typed.inputs.filter((i) => i.name !== 'grade') },
        Status.INVALID_ARGUMENT,
        /grade/,
      ],
      [
        'a wrong datatype',
        'ModelInfer',
        withInput(typed, 'grade', (i) => ({ ...i, datatype: 'FP32', contents: { fp32_contents: [1, 2, 3] } })),
        Status.INVALID_ARGUMENT,
        /input grade must have datatype BYTES, got "FP32"/,
      ],
      [
        'a wrong shape',
        'ModelInfer',
        withInput(typed, 'dti', (i) => ({ ...i, shape: [3, 2] })),
        Status.INVALID_ARGUMENT,
        /input dti must have shape \[N, 1\]/,
      ],
      [
        'a shape the values do not fill',
        'ModelInfer',
        withInput(typed, 'dti', (i) => ({ ...i, shape: [4, 1] })),
        Status.INVALID_ARGUMENT,
        /input dti has 3 values for shape \[4,1\]/,
      ],
      [
        'values in the wrong contents list',
        'ModelInfer',
        withInput(typed, 'dti', (i) => ({ ...i, contents: { int_contents: [1, 2, 3] } })),
        Status.INVALID_ARGUMENT,
        /input dti: datatype "FP32" takes its values in contents.fp32_contents, got int_contents/,
      ],
      [
        'an unknown input',
        'ModelInfer',
        { ...typed, inputs: [...typed.inputs, { name: 'zip_code', datatype: 'FP32', shape: [3, 1] }] },
        Status.INVALID_ARGUMENT,
        /unknown input "zip_code"/,
      ],
      [
        'a value out of range',
        'ModelInfer',
        withInput(typed, 'int_rate', (i) => ({ ...i, contents: { fp32_contents: [0.1, 50, 0.1] } })),
        Status.INVALID_ARGUMENT,
        /invalid input: row 1: int_rate/,
      ],
      [
        'an unknown output',
        'ModelInfer',
        { ...typed, outputs: [{ name: 'score' }] },
        Status.INVALID_ARGUMENT,
        /the only output is probability/,
      ],
      [
        'raw FP32 bytes that are not whole values',
        'ModelInfer',
        rawWith('dti', Buffer.alloc(10)),
        Status.INVALID_ARGUMENT,
        /input dti: 10 bytes is not a whole number of FP32/,
      ],
      [
        'raw FP32 bytes for fewer rows than the shape',
        'ModelInfer',
        rawWith('dti', Buffer.alloc(8)),
        Status.INVALID_ARGUMENT,
        /input dti has 2 values for shape \[3,1\]/,
      ],
      [
        'a raw BYTES length running past its bytes',
        'ModelInfer',
        rawWith('grade', Buffer.concat([rawBytes(['A', 'B']), Buffer.from([200, 0, 0, 0, 65])])),
        Status.INVALID_ARGUMENT,
        /input grade: truncated BYTES element/,
      ],
      [
        'fewer raw contents than inputs',
        'ModelInfer',
        { ...raw, raw_input_contents: raw.raw_input_contents.slice(1) },
        Status.INVALID_ARGUMENT,
        /raw_input_contents has 9 entries for 10 inputs/,
      ],
      [
        'typed contents beside raw ones',
        'ModelInfer',
        { ...raw, inputs: raw.inputs.map((input, i) => ({ ...input, ...typed.inputs[i] })) },
        Status.INVALID_ARGUMENT,
        /not both/,
      ],
      [
        'more rows than MAX_INSTANCES',
        'ModelInfer',
        inferRequest(applicants(1001, 5), 'typed'),
        Status.INVALID_ARGUMENT,
        /the batch must have 1 to 1000 rows, got 1001/,
      ],
      ['an unknown model', 'ModelInfer', { ...typed, model_name: 'other' }, Status.NOT_FOUND, /unknown model other/],
      [
        'an unknown version',
        'ModelInfer',
        { ...typed, model_version: 'v0' },
        Status.NOT_FOUND,
        /model loan-risk version v0 is not served/,
      ],
      ['metadata of an unknown model', 'ModelMetadata', { name: 'other' }, Status.NOT_FOUND, /unknown model other/],
      ['readiness of an unknown model', 'ModelReady', { name: 'other' }, Status.NOT_FOUND, /unknown model other/],
    ];
    for (const [what, method, request, code, message] of cases) {
      await assertRefused(client.call(method, request), code, message, what);
    }
    const { response } = await client.call<InferResponse>('ModelInfer', typed);
    assert.equal(probabilitiesOf(response).length, rows.length);
  });

  test('/metrics counts gRPC calls by method and status code', async () => {
    await assertRefused(client.call('ModelInfer', { model_name: 'loan-risk' }), Status.INVALID_ARGUMENT, /inputs/);
    await client.call('ServerLive');
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const count = (labels: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`loanrisk_grpc_request_duration_seconds_count{${labels}}`))
          ?.split(' ')
          .pop() ?? 0,
      );
    assert.ok(count('method="ServerLive",code="OK"') >= 1, text);
    assert.ok(count('method="ModelInfer",code="INVALID_ARGUMENT"') >= 1);
    assert.ok(count('method="ModelInfer",code="OK"') >= 1);
  });

  test("NVIDIA's tritonclient[grpc] scores the applicants as /predict does", async () => {
    const { stdout: installed } = await run('bash', [`${REPO_ROOT}/scripts/install-python-clients.sh`], {
      maxBuffer: 1 << 24,
    });
    const python = installed.trim().split('\n').pop() ?? '';
    const rows = people.slice(0, 50);
    const child = spawn(python, [TRITON_CHECK, api.grpcAddress ?? ''], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(rows));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    const seen = JSON.parse(out) as {
      live: boolean;
      ready: boolean;
      modelReady: boolean;
      server: { name: string };
      metadata: { inputs: { name: string; datatype: string }[] };
      id: string;
      probabilities: number[];
      unknownModel: string;
    };
    assert.deepEqual([seen.live, seen.ready, seen.modelReady], [true, true, true]);
    assert.equal(seen.server.name, 'peerloan-loan-risk');
    assert.deepEqual(
      seen.metadata.inputs.map(({ name, datatype }) => ({ name, datatype })),
      FEATURES.map((f) => ({ name: f.name, datatype: f.kind === 'numeric' ? 'FP32' : 'BYTES' })),
    );
    assert.equal(seen.id, 'triton-check');
    assert.deepEqual(seen.probabilities, await predictProbabilities(api.url, rows));
    assert.equal(seen.unknownModel, 'StatusCode.NOT_FOUND');
  });

  test('SIGTERM stops the gRPC server with the HTTP one: exit 0 with a client connected, and no calls after', async () => {
    const proc = await ApiProcess.start({ MODEL_DIR: root, SHUTDOWN_TIMEOUT_MS: '20000' });
    let address = '';
    await eventually('the API logs its gRPC address', () => {
      const logged = proc.lines('listening')[0]?.grpc;
      address = typeof logged === 'string' ? logged : '';
      return address !== '';
    });
    const caller = new InferenceClient(address);
    try {
      assert.deepEqual((await caller.call('ServerLive')).response, { live: true });
      const began = performance.now();
      assert.equal(await proc.terminate(), 0);
      // The drain waited for no deadline: the idle HTTP/2 connection was closed by GOAWAY.
      assert.ok(performance.now() - began < 10_000, `exited after ${performance.now() - began} ms`);
      await assertRefused(caller.call('ServerLive'), Status.UNAVAILABLE, /./);
    } finally {
      caller.close();
      await proc.stop();
    }
  });
});

describe('OIP v2 over gRPC with authentication, budgets and the audit trail on', () => {
  let redis: RedisServer;
  let jwks: JwksServer;
  let api: RunningServer;
  let client: InferenceClient;
  const rsa = signingKey('rsa-grpc', 'RS256');
  const scorer = newKey('risk-team', ['predict']);
  const batcher = newKey('portfolio-job', ['batch']);
  const limited = newKey('busy-service', ['predict']);
  const REQUESTS = 3;
  const ROWS = 50;

  before(async () => {
    redis = await RedisServer.start();
    jwks = await JwksServer.start([await rsa]);
    const root = await tempDir('api-grpc-auth');
    await trainModel(root, 42);
    const volume = new SecretVolume(await tempDir('api-grpc-keys'));
    await volume.create(keysFileText([scorer, batcher, limited]));
    api = await startApi({
      MODEL_DIR: root,
      ...jwtEnv(jwks),
      AUTH_API_KEYS_FILE: volume.file,
      REDIS_URL: redis.url,
      AUDIT_MODE: 'required',
      RATE_LIMIT_REQUESTS: String(REQUESTS),
      RATE_LIMIT_ROWS: String(ROWS),
      RATE_LIMIT_WINDOW_SECONDS: '600',
    });
    client = new InferenceClient(api.grpcAddress ?? '');
  });
  after(async () => {
    client.close();
    await api.shutdown();
    await jwks.close();
    await redis.stop();
  });

  test('health and metadata need no credential; infer needs one with the predict scope', async () => {
    const request = inferRequest(people.slice(0, 2), 'typed');
    assert.deepEqual((await client.call('ServerReady')).response, { ready: true });
    await client.call('ModelMetadata', { name: 'loan-risk' });
    await assertRefused(client.call('ModelInfer', request), Status.UNAUTHENTICATED, /a credential is required/);
    await assertRefused(
      client.call('ModelInfer', request, { 'x-api-key': 'plk_unknown' }),
      Status.UNAUTHENTICATED,
      /the API key is not known/,
    );
    await assertRefused(
      client.call('ModelInfer', request, { 'x-api-key': batcher.key }),
      Status.PERMISSION_DENIED,
      /client portfolio-job lacks the predict scope/,
    );
    await assertRefused(
      client.call('ModelInfer', request, { authorization: `Bearer ${await token(await rsa, { scope: 'batch' })}` }),
      Status.PERMISSION_DENIED,
      /lacks the predict scope/,
    );
    const jwt = await token(await rsa, { scope: 'predict' });
    const expected = await predictProbabilities(api.url, people.slice(0, 2), { 'x-api-key': scorer.key });
    const byToken = await client.call<InferResponse>('ModelInfer', request, { authorization: `Bearer ${jwt}` });
    assert.deepEqual(probabilitiesOf(byToken.response), expected);
    const byKey = await client.call<InferResponse>('ModelInfer', request, {
      'x-api-key': scorer.key,
      'x-request-id': 'grpc-audit-1',
    });
    assert.deepEqual(probabilitiesOf(byKey.response), expected);
    assert.deepEqual(byKey.trailers.get('x-request-id'), ['grpc-audit-1']);
    // AUDIT_MODE=required: the record is in Redis before the answer goes.
    const admin = new Redis(redis.url);
    // Disconnected whatever the read gives: a client left open keeps the test process alive.
    const stream = await admin.xrange(AUDIT_STREAM, '-', '+').finally(() => {
      admin.disconnect();
    });
    const records = stream.flatMap(([, fields]) => streamEntryRecords(fields)) as DecisionAuditRecord[];
    const record = records.find((r) => r.requestId === 'grpc-audit-1');
    assert.deepEqual(record && [record.client, record.source], ['risk-team', 'oip']);
  });

  test("a client's request and row budgets are REST's: RESOURCE_EXHAUSTED with retry-after", async () => {
    const one = inferRequest(people.slice(0, 1), 'typed');
    for (let i = 0; i < REQUESTS; i += 1) await client.call('ModelInfer', one, { 'x-api-key': limited.key });
    const err = await refusal(client.call('ModelInfer', one, { 'x-api-key': limited.key }));
    assert.equal(Status[err.code], 'RESOURCE_EXHAUSTED');
    assert.match(err.details, /client budget exhausted: 3 requests per 600 s; retry after \d+ s/);
    assert.match(String(err.metadata.get('retry-after')[0]), /^\d+$/);
    await assertRefused(
      client.call('ModelInfer', inferRequest(people.slice(0, ROWS + 1), 'typed'), { 'x-api-key': scorer.key }),
      Status.RESOURCE_EXHAUSTED,
      /this request has 51 rows; a client may have 50 rows scored per 600 s: split it/,
    );
  });
});
