/**
 * Other services' part: /predict, the web page and Open Inference Protocol v2 through the
 * Ingress, checked against the trainer's own scoring of the same rows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordsToColumns, type LoanRecord } from '@peerloan/contracts';
import { scoreWithOnnx } from '@peerloan/trainer-job';
import { kubectlJson } from '../commands.js';
import { jsonViaIngress, viaIngress } from '../ingress.js';
import { liveVersionOf, type Journey } from '../journey-state.js';
import { runK6 } from '../k6.js';

/** Where the data volume's files are on this node: the hostPath of the PV bound to the claim. */
async function volumeDirectory(journey: Journey): Promise<string> {
  const claim = await kubectlJson<{ spec: { volumeName: string } }>([
    '-n',
    journey.namespace,
    'get',
    'pvc',
    'loan-data',
  ]);
  const volume = await kubectlJson<{ spec: { hostPath?: { path: string } } }>(['get', 'pv', claim.spec.volumeName]);
  if (!volume.spec.hostPath)
    throw new Error(`volume ${claim.spec.volumeName} is not a hostPath volume of the local cluster`);
  return volume.spec.hostPath.path;
}

interface Prediction {
  probability: number;
  decision: unknown;
  threshold: number;
  modelVersion: string;
}

export async function predictionsMatchTrainer(journey: Journey, loans: LoanRecord[]): Promise<void> {
  const version = liveVersionOf(journey);
  const model = readFileSync(join(await volumeDirectory(journey), 'models', version, 'model.onnx'));
  const expected = (await scoreWithOnnx(model, recordsToColumns(loans), loans.length)).probability;
  const single = await jsonViaIngress<Prediction>(journey.host, 'POST', '/predict', loans[0]);
  assert.equal(single.modelVersion, version);
  assert.ok(
    Math.abs(single.probability - expected[0]) <= 1e-6,
    `/predict ${single.probability} vs trainer ${expected[0]}`,
  );
  const many = await jsonViaIngress<{ predictions: Prediction[] }>(journey.host, 'POST', '/predict', {
    instances: loans,
  });
  assert.equal(many.predictions.length, loans.length);
  many.predictions.forEach((p, i) => {
    assert.ok(Math.abs(p.probability - expected[i]) <= 1e-6, `row ${i}: ${p.probability} vs ${expected[i]}`);
  });
}

export async function webPageAndOip(journey: Journey, loans: LoanRecord[]): Promise<void> {
  const page = await viaIngress(journey.host, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.body, /<div id="app">/);
  const server = await jsonViaIngress<{ name: string; version: string }>(journey.host, 'GET', '/v2');
  assert.ok(server.name && server.version, 'server metadata');
  const ready = await viaIngress(journey.host, 'GET', '/v2/models/loan-risk/ready');
  assert.equal(ready.status, 200);
  const metadata = await jsonViaIngress<{ inputs: Array<{ name: string }>; outputs: Array<{ name: string }> }>(
    journey.host,
    'GET',
    '/v2/models/loan-risk',
  );
  assert.equal(metadata.inputs.length, 10);
  assert.ok(metadata.outputs.some((o) => o.name === 'probability'));
  // JSON has no NaN: rows with a missing number are covered by /predict above.
  const complete = loans.filter((loan) => Object.values(loan).every((v) => v !== null)).slice(0, 20);
  const inputs = metadata.inputs.map(({ name }) => {
    const text = typeof complete[0][name] === 'string';
    return {
      name,
      shape: [complete.length, 1],
      datatype: text ? 'BYTES' : 'FP32',
      data: complete.map((loan) => loan[name]),
    };
  });
  const infer = await jsonViaIngress<{ outputs: Array<{ name: string; data: number[] }> }>(
    journey.host,
    'POST',
    '/v2/models/loan-risk/infer',
    { inputs },
  );
  const probability = infer.outputs.find((o) => o.name === 'probability');
  assert.ok(
    probability,
    `the OIP answer has a probability output: ${JSON.stringify(infer.outputs.map((o) => o.name))}`,
  );
  const predict = await jsonViaIngress<{ predictions: Prediction[] }>(journey.host, 'POST', '/predict', {
    instances: complete,
  });
  assert.equal(probability.data.length, complete.length);
  probability.data.forEach((p, i) => {
    assert.ok(
      Math.abs(p - predict.predictions[i].probability) <= 1e-6,
      `infer row ${i}: ${p} vs ${predict.predictions[i].probability}`,
    );
  });
}

export async function k6Smoke(journey: Journey): Promise<void> {
  const result = await runK6('smoke.js', journey.host);
  assert.ok(result.passed, `k6 smoke through the Ingress failed:\n${result.output.slice(-3000)}`);
}
