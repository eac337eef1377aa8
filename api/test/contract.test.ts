/**
 * The API's contracts against a real trained model and the real server: /predict (one and many),
 * Open Inference Protocol v2, health, metrics, errors as JSON, and micro-batching.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FEATURE_NAMES, FEATURES, type LoanRecord } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import { MicroBatcher, recordRows } from '@peerloan/scoring';
import type { Prediction } from '../src/prediction.js';
import type { RunningServer } from '../src/server.js';
import { call, errorOf, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const TEXT_COLUMNS = ['purpose', 'grade', 'emp_length', 'home_ownership'];

/** The answers to a /predict with `instances`. */
interface Predictions {
  readonly predictions: readonly Prediction[];
}

/** A 400 for bad input: each problem named by its field. */
interface Invalid {
  readonly error: string;
  readonly details: readonly { readonly field: string; readonly message: string }[];
}

/** The parts of an OIP v2 infer answer these tests read. */
interface InferAnswer {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly { readonly data: readonly number[] }[];
}

/** The OIP v2 infer body for these records: one named [N,1] tensor per feature. */
function inferBody(records: readonly LoanRecord[], nested = false) {
  return {
    id: 'req-1',
    inputs: FEATURES.map((f) => {
      const data = records.map((r) => r[f.name]);
      return {
        name: f.name,
        shape: [records.length, 1],
        datatype: TEXT_COLUMNS.includes(f.name) ? 'BYTES' : 'FP32',
        data: nested ? data.map((v) => [v]) : data,
      };
    }),
  };
}

describe('prediction API contracts', () => {
  let api: RunningServer;
  let version: string;
  const people = applicants(40);

  before(async () => {
    const root = await tempDir('api-contract');
    version = await trainModel(root, 7);
    api = await startApi({ MODEL_DIR: root, MAX_INSTANCES: '50' });
  });
  after(() => api.shutdown());

  const servedModel = () => required(api.store.current, 'the served model');

  test('POST /predict scores one applicant with decision, threshold, version and reasons', async () => {
    const { status, body } = await postJson<Prediction>(`${api.url}/predict`, people[0]);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['decision', 'modelVersion', 'probability', 'reasons', 'threshold']);
    assert.ok(body.probability > 0 && body.probability < 1);
    assert.equal(body.modelVersion, version);
    assert.equal(body.threshold, api.store.current?.threshold);
    assert.equal(body.decision, body.probability >= body.threshold ? 'yes' : 'no');
    assert.ok(Array.isArray(body.reasons) && body.reasons.length <= 3);
  });

  test('reasons name features whose reference value lowers the probability, largest first', async () => {
    const risky = { ...people[0], grade: 'G', int_rate: 0.3, dti: 38, delinq_2yrs: 3, annual_inc: 15000 };
    const { body } = await postJson<Prediction>(`${api.url}/predict`, risky);
    const reasons = required(body.reasons, 'the reasons');
    assert.ok(reasons.length > 0, 'a risky applicant has reasons');
    const contributions = reasons.map((r) => r.contribution);
    assert.deepEqual(
      contributions,
      [...contributions].sort((a, b) => b - a),
    );
    const manifest = servedModel().manifest;
    for (const reason of reasons) {
      assert.ok(FEATURE_NAMES.some((name) => name === reason.feature));
      assert.ok(reason.contribution > 0);
      assert.equal(reason.value, (risky as LoanRecord)[reason.feature]);
      assert.equal(reason.reference, manifest.features.find((f) => f.name === reason.feature)?.reference);
      // Re-scoring with the reference value must give the probability minus the contribution.
      const { body: without } = await postJson<Prediction>(`${api.url}/predict?explain=false`, {
        ...risky,
        [reason.feature]: reason.reference,
      });
      assert.ok(Math.abs(body.probability - reason.contribution - without.probability) < 1e-6);
    }
  });

  test('?explain=false leaves the reasons out and scores the same', async () => {
    const plain = await postJson<Prediction>(`${api.url}/predict?explain=false`, people[1]);
    const explained = await postJson<Prediction>(`${api.url}/predict`, people[1]);
    assert.equal(plain.body.reasons, undefined);
    assert.equal(plain.body.probability, explained.body.probability);
  });

  test('?explain takes true/1 and false/0 once; anything else is a 400 naming it', async () => {
    assert.ok((await postJson<Prediction>(`${api.url}/predict?explain=1`, people[1])).body.reasons);
    assert.equal((await postJson<Prediction>(`${api.url}/predict?explain=0`, people[1])).body.reasons, undefined);
    assert.ok((await postJson<Prediction>(`${api.url}/predict?other=x`, people[1])).body.reasons);
    for (const query of ['explain=maybe', 'explain=', 'explain=true&explain=false']) {
      const bad = await postJson<Invalid>(`${api.url}/predict?${query}`, people[1]);
      assert.equal(bad.status, 400, query);
      assert.deepEqual(
        bad.body.details.map((d: { field: string }) => d.field),
        ['explain'],
      );
    }
  });

  test('instances are answered in order, each as the single-row answer', async () => {
    const batch = people.slice(0, 25);
    const { status, body } = await postJson<Predictions>(`${api.url}/predict`, { instances: batch });
    assert.equal(status, 200);
    assert.equal(body.predictions.length, 25);
    const singles = await Promise.all(batch.map((p) => postJson(`${api.url}/predict`, p)));
    assert.deepEqual(
      body.predictions,
      singles.map((s) => s.body),
    );
    assert.ok(new Set(body.predictions.map((p) => p.probability)).size > 5, 'different applicants score differently');
  });

  test('too many instances, or keys beside instances, are a 400 naming them', async () => {
    const big = await postJson<Invalid>(`${api.url}/predict`, { instances: applicants(51) });
    assert.equal(big.status, 400);
    assert.deepEqual(
      big.body.details.map((d: { field: string }) => d.field),
      ['instances'],
    );
    const extra = await postJson<Invalid>(`${api.url}/predict`, { instances: [people[0]], explain: true });
    assert.equal(extra.status, 400);
    assert.deepEqual(
      extra.body.details.map((d: { field: string }) => d.field),
      ['explain'],
    );
  });

  test('every bad field is named, with the row for instances', async () => {
    const bad = {
      ...people[0],
      loan_amnt: 'lots',
      grade: 'Z',
      revol_util: null,
      emp_length: null,
      home_owner: 'RENT',
    } as Record<string, unknown>;
    delete bad.dti;
    const { status, body } = await postJson<Invalid>(`${api.url}/predict`, bad);
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid input');
    assert.deepEqual(
      body.details.map((d: { field: string }) => d.field),
      ['loan_amnt', 'grade', 'dti', 'home_owner'],
    );
    assert.match(
      required(body.details[0], 'the first detail').message,
      /must be a number from 1 to 10000000, got "lots"/,
    );
    assert.match(required(body.details[1], 'the second detail').message, /must be one of "A", .*got "Z"/);
    assert.equal(body.details[2]?.message, 'is required');
    assert.equal(body.details[3]?.message, 'is not a feature of this model');

    const many = await postJson<Invalid>(`${api.url}/predict`, {
      instances: [people[0], { ...people[1], int_rate: 7 }, { ...people[2], delinq_2yrs: 1.5 }],
    });
    assert.equal(many.status, 400);
    assert.deepEqual(
      many.body.details.map((d: { field: string }) => d.field),
      ['instances[1].int_rate', 'instances[2].delinq_2yrs'],
    );
  });

  test('a nullable feature may be null or left out; a required one may not be null', async () => {
    const { revol_util: _r, emp_length: _e, ...rest } = people[3];
    const leftOut = await postJson<Prediction>(`${api.url}/predict`, rest);
    const nulls = await postJson<Prediction>(`${api.url}/predict`, { ...rest, revol_util: null, emp_length: null });
    assert.equal(leftOut.status, 200);
    assert.equal(leftOut.body.probability, nulls.body.probability);
    const nullGrade = await postJson<Invalid>(`${api.url}/predict`, { ...people[3], grade: null });
    assert.equal(nullGrade.status, 400);
    assert.deepEqual(
      nullGrade.body.details.map((d: { field: string }) => d.field),
      ['grade'],
    );
  });

  test('a category the model never saw is refused with the known ones listed', async () => {
    const known = required(
      servedModel().manifest.features.find((f) => f.name === 'home_ownership')?.categories,
      "the model's home_ownership categories",
    );
    const unseen = required(
      FEATURES.find((f) => f.name === 'home_ownership'),
      'the home_ownership feature',
    );
    const other =
      (unseen.kind === 'categorical' ? unseen.categories : []).find((c) => !known.includes(c)) ?? 'SPACESHIP';
    const { status, body } = await postJson<Invalid>(`${api.url}/predict`, { ...people[0], home_ownership: other });
    assert.equal(status, 400);
    assert.match(required(body.details[0], 'the detail').message, new RegExp(known.map((c) => `"${c}"`).join(', ')));
  });

  test('not JSON is 415, broken JSON 400, too large 413, unknown route a JSON 404', async () => {
    const text = await call(`${api.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(text.status, 415);
    const broken = await call(`${api.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"loan_amnt": 1,',
    });
    assert.equal(broken.status, 400);
    assert.equal(errorOf(broken), 'the body is not valid JSON');
    const large = await call(`${api.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"x":"${'a'.repeat(1_100_000)}"}`,
    });
    assert.equal(large.status, 413);
    const missing = await call(`${api.url}/no/such/route`);
    assert.equal(missing.status, 404);
    assert.match(errorOf(missing), /no route GET \/no\/such\/route/);
  });

  test('a JSON body reads the same through the short lane and through express.json', async () => {
    const text = JSON.stringify(people[3]);
    const asSent = (headers: Record<string, string>, body: BodyInit) =>
      call<Prediction>(`${api.url}/predict`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
    // The lane: plain JSON with a length, with or without a UTF-8 charset or a byte order mark.
    const plain = await asSent({ 'content-type': 'application/json' }, text);
    const charset = await asSent({ 'content-type': 'application/json; charset=UTF-8' }, text);
    const marked = await asSent({ 'content-type': 'application/json' }, `\uFEFF${text}`);
    // express.json: a compressed body, and one sent in chunks without a length.
    const gzipped = await asSent(
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      gzipSync(Buffer.from(text)),
    );
    const chunked = await asSent(
      { 'content-type': 'application/json' },
      Readable.toWeb(Readable.from([text.slice(0, 20), text.slice(20)])) as ReadableStream,
    );
    for (const [what, res] of Object.entries({ charset, marked, gzipped, chunked })) {
      assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.probability, plain.body.probability, what);
    }
    // Strict mode on both: JSON that is not an object or an array is refused alike.
    const scalars: [Record<string, string>, BodyInit][] = [
      [{ 'content-type': 'application/json' }, '"hello"'],
      [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(Buffer.from('"hello"'))],
    ];
    for (const [headers, body] of scalars) {
      const scalar = await asSent(headers, body);
      assert.equal(scalar.status, 400, JSON.stringify(headers));
      assert.equal(errorOf(scalar), 'the body is not valid JSON');
    }
    // A refused body is read off, so the server goes on answering.
    const after = await asSent({ 'content-type': 'application/json' }, text);
    assert.equal(after.body.probability, plain.body.probability);
  });

  test('health, readiness, request ids and security headers', async () => {
    assert.deepEqual((await call(`${api.url}/healthz`)).body, { status: 'ok' });
    const ready = await call<{ modelVersion: string }>(`${api.url}/readyz`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.modelVersion, version);
    assert.equal(ready.headers.get('x-request-id'), 'trace-42');
    assert.equal(ready.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(ready.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'");
    assert.equal(ready.headers.get('x-frame-options'), 'DENY');
    assert.match(ready.headers.get('strict-transport-security') ?? '', /max-age=/);
    assert.equal(ready.headers.get('x-powered-by'), null);
    // The document-only headers go on the web page, not on every JSON answer.
    assert.equal(ready.headers.get('cross-origin-opener-policy'), null);
    const page = await fetch(`${api.url}/`);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    // The web app's own bundle and calls to this server, nothing inline, nothing from elsewhere.
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, /script-src 'self'/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|https?:/);
    // Only the page and its hashed bundle are served from web/dist.
    assert.equal((await fetch(`${api.url}/bundle-size.json`)).status, 404);
    assert.equal((await fetch(`${api.url}/test/desk.test.js`)).status, 404);
  });

  test('OIP v2: health, server metadata and model readiness', async () => {
    assert.equal((await call(`${api.url}/v2/health/live`)).status, 200);
    assert.equal((await call(`${api.url}/v2/health/ready`)).status, 200);
    const server = await call<{ name: string; version: unknown; extensions: unknown }>(`${api.url}/v2`);
    assert.equal(server.body.name, 'peerloan-loan-risk');
    assert.equal(typeof server.body.version, 'string');
    assert.ok(Array.isArray(server.body.extensions));
    assert.equal((await call(`${api.url}/v2/models/loan-risk/ready`)).status, 200);
    assert.equal((await call(`${api.url}/v2/models/loan-risk/versions/${version}/ready`)).status, 200);
    assert.equal((await call(`${api.url}/v2/models/other-model/ready`)).status, 404);
    assert.equal((await call(`${api.url}/v2/models/loan-risk/versions/nope/ready`)).status, 404);
  });

  test('OIP v2 model metadata: one input per feature, BYTES for text, FP32 otherwise, shape [-1,1]', async () => {
    const { status, body } = await call<{ name: string; versions: unknown; inputs: unknown; outputs: unknown }>(
      `${api.url}/v2/models/loan-risk`,
    );
    assert.equal(status, 200);
    assert.equal(body.name, 'loan-risk');
    assert.deepEqual(body.versions, [version]);
    assert.deepEqual(body.inputs, [
      { name: 'loan_amnt', datatype: 'FP32', shape: [-1, 1] },
      { name: 'int_rate', datatype: 'FP32', shape: [-1, 1] },
      { name: 'purpose', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'grade', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'annual_inc', datatype: 'FP32', shape: [-1, 1] },
      { name: 'revol_util', datatype: 'FP32', shape: [-1, 1] },
      { name: 'emp_length', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'dti', datatype: 'FP32', shape: [-1, 1] },
      { name: 'delinq_2yrs', datatype: 'FP32', shape: [-1, 1] },
      { name: 'home_ownership', datatype: 'BYTES', shape: [-1, 1] },
    ]);
    assert.deepEqual(body.outputs, [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }]);
  });

  test('OIP v2 infer answers probability per row in order, equal to /predict (flat and nested data)', async () => {
    const batch = people.slice(0, 20);
    const predicted = await postJson<Predictions>(`${api.url}/predict?explain=false`, { instances: batch });
    const expected = predicted.body.predictions.map((p) => p.probability);
    for (const nested of [false, true]) {
      const { status, body } = await postJson<InferAnswer>(
        `${api.url}/v2/models/loan-risk/infer`,
        inferBody(batch, nested),
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.model_name, 'loan-risk');
      assert.equal(body.model_version, version);
      assert.equal(body.id, 'req-1');
      assert.deepEqual(body.outputs, [{ name: 'probability', datatype: 'FP32', shape: [20, 1], data: expected }]);
    }
    const versioned = await postJson<InferAnswer>(
      `${api.url}/v2/models/loan-risk/versions/${version}/infer`,
      inferBody(batch),
    );
    assert.deepEqual(versioned.body.outputs[0]?.data, expected);
    // Without an id the answer has none, and keeps the protocol's field order.
    const { id: _id, ...unnamed } = inferBody(batch);
    const anonymous = await postJson<InferAnswer>(`${api.url}/v2/models/loan-risk/infer`, unnamed);
    assert.deepEqual(Object.keys(anonymous.body), ['model_name', 'model_version', 'outputs']);
  });

  test('OIP v2 infer: an empty name ("") and a nullable input left out are missing, scored as /predict scores null', async () => {
    // Every third applicant without an employment length; nobody's revolving utilisation is sent.
    const batch = people
      .slice(0, 30)
      .map((p, i) => ({ ...p, revol_util: null, emp_length: i % 3 === 0 ? null : p.emp_length }));
    const predicted = await postJson<Predictions>(`${api.url}/predict?explain=false`, { instances: batch });
    const body = inferBody(batch);
    const inputs = body.inputs
      .filter((input) => input.name !== 'revol_util')
      .map((input) => (input.name === 'emp_length' ? { ...input, data: batch.map((p) => p.emp_length ?? '') } : input));
    const { status, body: answer } = await postJson<InferAnswer>(`${api.url}/v2/models/loan-risk/infer`, {
      ...body,
      inputs,
    });
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(
      answer.outputs[0]?.data,
      predicted.body.predictions.map((p) => p.probability),
    );
  });

  test("OIP v2 infer takes binary tensors and no Content-Type, as Triton's client sends them, and answers binary when asked", async () => {
    const batch = people.slice(0, 6);
    const predicted = await postJson<Predictions>(`${api.url}/predict?explain=false`, { instances: batch });
    const expected = predicted.body.predictions.map((p) => p.probability);
    const blobs: Buffer[] = [];
    const inputs = FEATURES.map((f) => {
      const values = batch.map((r) => r[f.name]);
      let blob: Buffer;
      if (TEXT_COLUMNS.includes(f.name)) {
        blob = Buffer.concat(
          values.map((v) => {
            const text = Buffer.from(String(v ?? ''));
            const length = Buffer.alloc(4);
            length.writeUInt32LE(text.length);
            return Buffer.concat([length, text]);
          }),
        );
      } else {
        blob = Buffer.from(new Float32Array(values.map((v) => (v === null ? Number.NaN : Number(v)))).buffer);
      }
      blobs.push(blob);
      return {
        name: f.name,
        shape: [batch.length, 1],
        datatype: TEXT_COLUMNS.includes(f.name) ? 'BYTES' : 'FP32',
        parameters: { binary_data_size: blob.length },
      };
    });
    // Missing numbers travel as NaN in binary; the generator's loans may have a missing revol_util.
    const header = Buffer.from(
      JSON.stringify({ inputs, outputs: [{ name: 'probability', parameters: { binary_data: true } }] }),
    );
    const res = await fetch(`${api.url}/v2/models/loan-risk/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, ...blobs]),
    });
    const answer = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, answer.toString());
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const meta = JSON.parse(answer.toString('utf8', 0, jsonLength)) as { outputs?: unknown };
    assert.deepEqual(meta.outputs, [
      { name: 'probability', datatype: 'FP32', shape: [6, 1], parameters: { binary_data_size: 24 } },
    ]);
    const scores = new Float32Array(
      answer.buffer.slice(answer.byteOffset + jsonLength, answer.byteOffset + answer.length),
    );
    assert.deepEqual(Array.from(scores), expected);

    const plain = await fetch(`${api.url}/v2/models/loan-risk/infer`, {
      method: 'POST',
      body: Buffer.from(JSON.stringify(inferBody(batch))),
    });
    assert.equal(plain.status, 200);
    assert.deepEqual(((await plain.json()) as InferAnswer).outputs[0]?.data, expected);
  });

  test('OIP v2 infer errors are 400 {error} naming the problem', async () => {
    const url = `${api.url}/v2/models/loan-risk/infer`;
    const body = inferBody(people.slice(0, 2));
    const cases: [unknown, RegExp][] = [
      [{ inputs: body.inputs.slice(1) }, /loan_amnt is required/],
      [
        { inputs: [...body.inputs, { name: 'salary', shape: [2, 1], datatype: 'FP32', data: [1, 2] }] },
        /unknown input "salary"/,
      ],
      [
        { inputs: body.inputs.map((i) => (i.name === 'grade' ? { ...i, datatype: 'FP32' } : i)) },
        /input grade must have datatype BYTES/,
      ],
      [
        { inputs: body.inputs.map((i) => (i.name === 'dti' ? { ...i, data: [1] } : i)) },
        /input dti has 1 values for shape \[2,1\]/,
      ],
      [
        { inputs: body.inputs.map((i) => (i.name === 'int_rate' ? { ...i, data: [0.1, 5] } : i)) },
        /row 1: int_rate must be a number from 0 to 1/,
      ],
      [{ ...body, outputs: [{ name: 'raw' }] }, /the only output is probability/],
      [{ nothing: true }, /inputs must be a non-empty array/],
    ];
    for (const [request, message] of cases) {
      const res = await postJson(url, request);
      assert.equal(res.status, 400, JSON.stringify(request).slice(0, 100));
      assert.deepEqual(Object.keys(res.body as object), ['error']);
      assert.match(errorOf(res), message);
    }
    assert.equal((await postJson(`${api.url}/v2/models/other/infer`, body)).status, 404);
  });

  test('/metrics exposes request, prediction, score, model, batch and runtime metrics', async () => {
    await postJson(`${api.url}/predict`, people[0]);
    const res = await fetch(`${api.url}/metrics`);
    const text = await res.text();
    assert.equal(res.status, 200);
    for (const name of [
      'loanrisk_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/predict",status_code="200"}',
      'loanrisk_predictions_total{decision=',
      'loanrisk_prediction_probability_bucket',
      `loanrisk_model_info{version="${version}"} 1`,
      'loanrisk_microbatch_rows_bucket',
      'loanrisk_model_swaps_total 1',
      'loanrisk_model_load_failures_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(text.includes(name), `metrics lack ${name}`);
    }
  });

  test('requests made together coalesce into one onnxruntime run, each getting its own answer', async () => {
    const model = servedModel();
    const runs: number[] = [];
    const batcher = new MicroBatcher((parts, rows) => model.runParts(parts, rows), {
      maxBatchRows: 8,
      maxConcurrentRuns: 1,
      onRun: (rows) => runs.push(rows),
    });
    const batch = people.slice(0, 20);
    const together = await Promise.all(batch.map((p) => batcher.score(recordRows([p]))));
    // The first request finds no run in flight and starts one at once; the others queue meanwhile.
    assert.deepEqual(runs, [1, 8, 8, 3]);
    const alone = await model.run(batch);
    assert.deepEqual(
      together.map((s) => s[0]),
      Array.from(alone),
    );
  });
});
