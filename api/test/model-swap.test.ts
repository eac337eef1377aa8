/**
 * Following a models root: a new version named by `current` is taken into service under load
 * with no failed request, and broken versions are refused while the old one keeps serving.
 */
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DENSE_MODEL_FILE, type ModelManifest } from '@peerloan/contracts';
import type { RunningServer } from '../src/server.js';
import {
  call,
  errorOf,
  eventually,
  metricValue,
  postJson,
  type JsonResponse,
} from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

/** A /predict answer's fields these tests read. */
interface Prediction {
  readonly modelVersion: string;
  readonly probability: number;
}

function predictionOf(res: JsonResponse): Prediction {
  return res.body as Prediction;
}

function predictionsOf(res: JsonResponse): Prediction[] {
  return (res.body as { predictions: Prediction[] }).predictions;
}

describe('model swap', () => {
  let api: RunningServer;
  let root: string;
  let v1: string;
  let v2: string;
  const people = applicants(50);

  before(async () => {
    root = await tempDir('api-swap');
    v1 = await trainModel(root, 21);
    v2 = await trainModel(root, 22);
    assert.notEqual(v1, v2);
    await pointCurrentAt(root, v1);
    api = await startApi({ MODEL_DIR: root, MODEL_POLL_MS: '25' });
  });
  after(() => api.shutdown());

  async function servedVersion(): Promise<string> {
    return predictionOf(await postJson(`${api.url}/predict?explain=false`, people[0])).modelVersion;
  }

  test('switching current under concurrent load: no failed request, answers move to the new version', async () => {
    assert.equal(await servedVersion(), v1);
    const swapsBefore = await metricValue(api.url, 'loanrisk_model_swaps_total');
    let stop = false;
    let seenNew = false;
    const answered = () =>
      metricValue(
        api.url,
        'loanrisk_http_request_duration_seconds_count{method="POST",route="/predict",status_code="200"}',
      );
    const client = async (id: number) => {
      const log: { status: number; version: string }[] = [];
      for (let i = 0; !stop; i += 1) {
        const res = await postJson(`${api.url}/predict`, people[(id * 7 + i) % people.length]);
        const { modelVersion } = predictionOf(res);
        log.push({ status: res.status, version: modelVersion });
        if (modelVersion === v2) seenNew = true;
      }
      return log;
    };
    const clients = Array.from({ length: 8 }, (_, id) => client(id));
    await eventually('some answers from the first version', async () => (await answered()) > 50);
    await pointCurrentAt(root, v2);
    await eventually('answers from the new version', () => seenNew);
    const atSwap = await answered();
    await eventually('more answers after the swap', async () => (await answered()) > atSwap + 50);
    stop = true;
    const logs = await Promise.all(clients);

    const all = logs.flat();
    assert.deepEqual(
      all.filter((r) => r.status !== 200),
      [],
      'every request succeeded',
    );
    for (const log of logs) {
      const versions = log.map((r) => r.version);
      const firstNew = versions.indexOf(v2);
      assert.ok(firstNew >= 0, 'each client reached the new version');
      assert.ok(
        versions.slice(0, firstNew).every((v) => v === v1) && versions.slice(firstNew).every((v) => v === v2),
        'a client never goes back to the old version',
      );
    }
    assert.ok(all.some((r) => r.version === v1));
    assert.equal(await metricValue(api.url, 'loanrisk_model_swaps_total'), swapsBefore + 1);
    assert.equal(await metricValue(api.url, `loanrisk_model_info{version="${v2}"}`), 1);
  });

  test('a corrupt model.onnx, a manifest naming a missing output, a broken manifest and a missing folder are refused; the old version keeps serving', async () => {
    const serving = await servedVersion();
    const corrupt = join(root, 'corrupt-onnx');
    await mkdir(corrupt);
    await copyFile(join(root, v1, 'manifest.json'), join(corrupt, 'manifest.json'));
    await writeFile(
      join(corrupt, 'model.onnx'),
      Buffer.from('this is not a protobuf model, just bytes \u0000\u0001\u0002'),
    );
    const badManifest = join(root, 'bad-manifest');
    await mkdir(badManifest);
    await copyFile(join(root, v1, 'model.onnx'), join(badManifest, 'model.onnx'));
    await writeFile(join(badManifest, 'manifest.json'), '{"schemaVersion": 1, "version": "x", "features": []');

    const wrongOutput = join(root, 'wrong-output');
    await mkdir(wrongOutput);
    await copyFile(join(root, v1, 'model.onnx'), join(wrongOutput, 'model.onnx'));
    const manifest = JSON.parse(await readFile(join(root, v1, 'manifest.json'), 'utf8')) as ModelManifest;
    await writeFile(
      join(wrongOutput, 'manifest.json'),
      JSON.stringify({ ...manifest, outputs: { ...manifest.outputs, probability: 'score' } }),
    );

    const refusals = [
      { dir: 'wrong-output', stage: 'signature' },
      { dir: 'corrupt-onnx', stage: 'onnx' },
      { dir: 'bad-manifest', stage: 'manifest' },
      { dir: 'no-such-version', stage: 'manifest' },
      { dir: '../elsewhere', stage: 'pointer' },
    ];
    for (const { dir, stage } of refusals) {
      const sample = `loanrisk_model_load_failures_total{stage="${stage}"}`;
      const before = await metricValue(api.url, sample);
      await pointCurrentAt(root, dir);
      await eventually(`${dir} refused`, async () => (await metricValue(api.url, sample)) === before + 1);
      assert.equal(await servedVersion(), serving, `still serving after ${dir}`);
      assert.equal((await call(`${api.url}/readyz`)).status, 200);
    }

    await pointCurrentAt(root, v1);
    await eventually('back to the first version', async () => (await servedVersion()) === v1);
  });

  test('a version without model-dense.onnx serves the same answers through model.onnx; a dense graph that disagrees with model.onnx is refused', async () => {
    const expected = predictionsOf(await postJson(`${api.url}/predict?explain=false`, { instances: people }));
    assert.equal(expected[0].modelVersion, v1);
    const noDense = join(root, 'no-dense');
    await cp(join(root, v1), noDense, { recursive: true });
    await rm(join(noDense, DENSE_MODEL_FILE));
    const swapsBefore = await metricValue(api.url, 'loanrisk_model_swaps_total');
    await pointCurrentAt(root, 'no-dense');
    await eventually(
      'the version without a dense graph serves',
      async () => (await metricValue(api.url, 'loanrisk_model_swaps_total')) === swapsBefore + 1,
    );
    const answers = predictionsOf(await postJson(`${api.url}/predict?explain=false`, { instances: people }));
    answers.forEach((answer, i) => {
      assert.ok(Math.abs(answer.probability - expected[i].probability) <= 1e-6, `row ${i}`);
    });

    const mismatched = join(root, 'mismatched-dense');
    await cp(join(root, v1), mismatched, { recursive: true });
    await copyFile(join(root, v2, DENSE_MODEL_FILE), join(mismatched, DENSE_MODEL_FILE));
    const sample = 'loanrisk_model_load_failures_total{stage="smoke-test"}';
    const refusedBefore = await metricValue(api.url, sample);
    await pointCurrentAt(root, 'mismatched-dense');
    await eventually(
      'the mismatched dense graph is refused',
      async () => (await metricValue(api.url, sample)) === refusedBefore + 1,
    );
    assert.equal((await call(`${api.url}/readyz`)).status, 200);

    await pointCurrentAt(root, v1);
    await eventually(
      'back to the first version',
      async () => (await metricValue(api.url, 'loanrisk_model_swaps_total')) === swapsBefore + 2,
    );
  });

  test('started before any model exists: not ready and 503 JSON, then serving once current appears', async () => {
    const empty = await tempDir('api-empty');
    const late = await startApi({ MODEL_DIR: empty, MODEL_POLL_MS: '25' });
    try {
      assert.equal((await call(`${late.url}/readyz`)).status, 503);
      assert.equal((await call(`${late.url}/v2/health/ready`)).status, 503);
      const early = await postJson(`${late.url}/predict`, people[0]);
      assert.equal(early.status, 503);
      assert.match(errorOf(early), /no model is loaded yet/);
      await cp(join(root, v2), join(empty, v2), { recursive: true });
      await pointCurrentAt(empty, v2);
      await eventually('the late model serves', async () => (await call(`${late.url}/readyz`)).status === 200);
      assert.equal(predictionOf(await postJson(`${late.url}/predict`, people[0])).modelVersion, v2);
    } finally {
      await late.shutdown();
    }
  });
});
