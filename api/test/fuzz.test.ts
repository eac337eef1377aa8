/**
 * Hundreds of seeded malformed requests to /predict and the OIP v2 infer route: each one must get
 * a 4xx with a JSON error body, and the server must still score a good request afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import type { RunningServer } from '../src/server.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly what: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

const NESTED_JUNK = [
  {},
  [],
  [[[]]],
  { a: { b: { c: [1, '2', null] } } },
  [1, 2, 3],
  { $gt: 0 },
  { __proto__: { x: 1 } },
];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** A value the feature can never take: wrong type, out of range, unknown category, or null where not allowed. */
function badValue(rnd: () => number, name: string): unknown {
  const feature = required(
    FEATURES.find((f) => f.name === name),
    `feature ${name}`,
  );
  const always = [true, false, pick(rnd, NESTED_JUNK), 'x'.repeat(1 + Math.floor(rnd() * 40_000)), ''];
  if (feature.kind === 'numeric') {
    return pick(rnd, [
      ...always,
      String(rnd() * 100),
      -1 - rnd() * 1e6,
      feature.max * (2 + rnd() * 1e6),
      1e308,
      -1e308,
      ...(feature.nullable ? [] : [null]),
    ]);
  }
  return pick(rnd, [
    ...always,
    rnd() * 100,
    `unknown-${Math.floor(rnd() * 1e6)}`,
    'a\u0000b',
    ...(feature.nullable ? [] : [null]),
  ]);
}

function mutateRecord(rnd: () => number, record: LoanRecord): [string, unknown] {
  const copy: Record<string, unknown> = { ...record };
  const names = FEATURES.map((f) => f.name);
  const kind = pick(rnd, ['missing', 'extra', 'bad-value', 'bad-values', 'top-level']);
  if (kind === 'missing') {
    const dropped = pick(
      rnd,
      FEATURES.filter((f) => !f.nullable).map((f) => f.name),
    );
    return [kind, Object.fromEntries(Object.entries(copy).filter(([name]) => name !== dropped))];
  } else if (kind === 'extra') {
    copy[pick(rnd, ['loan_amount', 'grade ', 'GRADE', 'x', '__proto__x', 'instances_'])] = pick(rnd, [
      1,
      'a',
      null,
      {},
    ]);
  } else if (kind === 'bad-value') {
    const name = pick(rnd, names);
    copy[name] = badValue(rnd, name);
  } else if (kind === 'bad-values') {
    for (const name of names) if (rnd() < 0.4) copy[name] = badValue(rnd, name);
    copy[pick(rnd, names)] = badValue(rnd, pick(rnd, names));
  } else {
    return [
      kind,
      pick(rnd, [
        [],
        [record],
        42,
        'loan',
        null,
        true,
        { instances: 'all' },
        { instances: [] },
        { instances: [record, 7] },
        { instances: { 0: record } },
      ]),
    ];
  }
  return [kind, copy];
}

function brokenJson(rnd: () => number, text: string): string {
  const cut = Math.floor(rnd() * (text.length - 1));
  return pick(rnd, [
    text.slice(0, cut),
    `${text.slice(0, cut)}\u0007${text.slice(cut)}`,
    text.replace(':', ''),
    `${text},`,
    `{'single': 'quotes'}`,
    'NaN',
    '',
    '\uFEFF{}x',
  ]);
}

function oipBody(rnd: () => number, record: LoanRecord): unknown {
  const inputs: Record<string, unknown>[] = FEATURES.map((f) => ({
    name: f.name,
    shape: [1, 1],
    datatype: f.kind === 'numeric' ? 'FP32' : 'BYTES',
    data: [record[f.name]],
  }));
  const target = pick(rnd, inputs);
  const kind = pick(rnd, ['name', 'shape', 'datatype', 'data', 'value', 'drop', 'inputs']);
  if (kind === 'name') target.name = pick(rnd, ['LOAN_AMNT', '', 7, null, 'salary']);
  if (kind === 'shape') target.shape = pick(rnd, [[2, 1], [1, 2], [], 'x', [-1, 1], [1, 1, 1], null]);
  if (kind === 'datatype') target.datatype = pick(rnd, ['BOOL', 'STRING', '', 3, null]);
  if (kind === 'data') target.data = pick(rnd, [null, 'x', {}, [], [1, 2]]);
  if (kind === 'value') target.data = [badValue(rnd, target.name as string)];
  if (kind === 'drop')
    inputs.splice(
      inputs.indexOf(target),
      1,
      ...(FEATURES.find((f) => f.name === target.name)?.nullable ? [{ ...target, name: 'extra' }] : []),
    );
  if (kind === 'inputs')
    return pick(rnd, [{}, { inputs: null }, { inputs: {} }, { inputs: [] }, [inputs], { inputs: [null] }]);
  return { inputs };
}

function makeCases(count: number, seed: number, people: readonly LoanRecord[]): Case[] {
  const rnd = random(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i += 1) {
    const record = pick(rnd, people);
    const roll = rnd();
    if (roll < 0.5) {
      const [what, body] = mutateRecord(rnd, record);
      const wrapped = rnd() < 0.2 && what !== 'top-level' ? { instances: [record, body] } : body;
      cases.push({
        what: `predict ${what}`,
        path: '/predict',
        contentType: 'application/json',
        // JSON.stringify gives undefined (though typed string) for undefined: send null instead.
        body: JSON.stringify(wrapped ?? null),
      });
    } else if (roll < 0.65) {
      cases.push({
        what: 'broken JSON',
        path: pick(rnd, ['/predict', '/v2/models/loan-risk/infer']),
        contentType: 'application/json',
        body: brokenJson(rnd, JSON.stringify(record)),
      });
    } else if (roll < 0.75) {
      const contentType = pick(rnd, [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        '',
      ]);
      cases.push({
        what: `content-type ${contentType}`,
        path: pick(rnd, ['/predict', '/v2/models/loan-risk/infer']),
        contentType,
        body: JSON.stringify(record),
      });
    } else {
      cases.push({
        what: 'oip infer',
        path: '/v2/models/loan-risk/infer',
        contentType: 'application/json',
        body: JSON.stringify(oipBody(rnd, record)),
      });
    }
  }
  return cases;
}

describe('fuzzing the prediction routes', () => {
  let api: RunningServer;
  const people = applicants(20);

  before(async () => {
    const root = await tempDir('api-fuzz');
    await trainModel(root, 3);
    api = await startApi({ MODEL_DIR: root, BODY_LIMIT: '16kb' });
  });
  after(() => api.shutdown());

  test('500 malformed requests each get a 4xx with a JSON error, and the server keeps serving', async () => {
    const cases = makeCases(500, 20240611, people);
    const statuses = new Map<number, number>();
    for (const [i, c] of cases.entries()) {
      const headers: Record<string, string> = c.contentType ? { 'content-type': c.contentType } : {};
      const res = await fetch(`${api.url}${c.path}`, { method: 'POST', headers, body: c.body });
      const text = await res.text();
      const label = `case ${i} (${c.what}): ${c.body.slice(0, 120)}`;
      assert.ok(res.status >= 400 && res.status < 500, `${label} answered ${res.status} ${text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, label);
      const body = JSON.parse(text) as { error?: unknown };
      assert.equal(typeof body.error, 'string', label);
      assert.doesNotMatch(text, /at .*\.js:\d+/, `${label} leaks a stack trace`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    // The mix reaches every kind of refusal, not just one.
    for (const status of [400, 413, 415])
      assert.ok((statuses.get(status) ?? 0) > 0, `no case got ${status}: ${JSON.stringify([...statuses])}`);
    const good = await postJson(`${api.url}/predict`, people[0]);
    assert.equal(good.status, 200);
    const { probability } = good.body as { probability: number };
    assert.ok(probability > 0 && probability < 1);
  });
});
