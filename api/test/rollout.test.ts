/**
 * Progressive delivery on the API side, with real models from the trainer and the real entrypoint
 * as the operator runs it (MODELS_ROOT, LIVE_VERSION, CANDIDATE_*): the canary's share, sticky
 * applicants, OIP v2 routed whole, shadow scores equal to the candidate's own answers, a candidate
 * that is missing, corrupt or refuses rows never failing a live request, and /rollout/stats
 * adding up. "Alone" servers serve one version each: what that version answers by itself.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FEATURES,
  ROLLOUT_LATENCY_BUCKETS_MS,
  ROLLOUT_SCORE_BINS,
  type LoanRecord,
  type ModelManifest,
  type RolloutStats,
} from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import { readConfig } from '../src/config.js';
import { ConfigError } from '@peerloan/contracts/runtime';
import type { Prediction } from '../src/prediction.js';
import { call, metricValue, postJson, eventually } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const TEXT_COLUMNS = new Set(FEATURES.filter((f) => f.kind === 'categorical').map((f) => f.name));

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The answers to a /predict with `instances`. */
interface Predictions {
  readonly predictions: readonly Prediction[];
}

/** The parts of an OIP v2 infer answer these tests read. */
interface InferAnswer {
  readonly model_version: string;
  readonly outputs: readonly { readonly data: readonly number[] }[];
}

/** A rollout pod's stats for its candidate, which the test needs to be there. */
const candidateOf = (s: RolloutStats) => required(s.candidate, 'the candidate in /rollout/stats');

/** The contract's sticky rule, restated here so the API is checked against it, not against itself. */
function stickyVersion(candidate: string, live: string, id: string, percent: number): string {
  const bucket =
    createHash('sha256')
      .update(candidate + id)
      .digest()
      .readUInt32BE(0) % 100;
  return bucket < percent ? candidate : live;
}

/** The exact two-sided binomial interval holding `confidence` of Binomial(n, p) (by cumulating the pmf). */
function binomialInterval(n: number, p: number, confidence: number): [number, number] {
  const logPmf: number[] = [n * Math.log(1 - p)];
  for (let k = 0; k < n; k++) logPmf.push(logPmf[k] + Math.log((n - k) / (k + 1)) + Math.log(p / (1 - p)));
  const top = Math.max(...logPmf);
  const pmf = logPmf.map((l) => Math.exp(l - top));
  const total = sum(pmf);
  const tail = (1 - confidence) / 2;
  let lo = 0;
  for (let below = 0; below + pmf[lo] / total <= tail; lo++) below += pmf[lo] / total;
  let hi = n;
  for (let above = 0; above + pmf[hi] / total <= tail; hi--) above += pmf[hi] / total;
  return [lo, hi];
}

/** Runs `count` tasks with `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** What a version answers by itself for these rows (its own /predict). */
async function ownScores(alone: ApiProcess, rows: readonly LoanRecord[]): Promise<number[]> {
  const { status, body } = await postJson<Predictions>(`${alone.url}/predict?explain=false`, { instances: rows });
  assert.equal(status, 200);
  return body.predictions.map((p) => p.probability);
}

async function stats(api: ApiProcess): Promise<RolloutStats> {
  const { status, body } = await call<RolloutStats>(`${api.url}/rollout/stats`);
  assert.equal(status, 200);
  return body;
}

/** The contract's invariants of one pod's stats. */
function assertAddsUp(s: RolloutStats): void {
  for (const v of s.candidate ? [s.live, s.candidate] : [s.live]) {
    assert.equal(
      v.latencyBuckets.length,
      ROLLOUT_LATENCY_BUCKETS_MS.length + 1,
      'latency buckets: the bounds plus one above',
    );
    assert.equal(v.scoreBins.length, ROLLOUT_SCORE_BINS);
    assert.equal(sum(v.scoreBins), v.rows, `${v.version}: every scored row is in one score bin`);
    assert.ok(v.errors >= 0 && v.rows >= 0);
  }
  if (s.candidate) assert.ok(s.candidate.agreements <= s.candidate.rows, 'agreements <= rows');
  assert.ok(!Number.isNaN(Date.parse(s.since)));
}

function inferBody(rows: readonly LoanRecord[]) {
  return {
    id: 'request-1',
    inputs: FEATURES.map((f) => ({
      name: f.name,
      shape: [rows.length, 1],
      datatype: TEXT_COLUMNS.has(f.name) ? 'BYTES' : 'FP32',
      data: rows.map((r) => r[f.name] ?? (TEXT_COLUMNS.has(f.name) ? '' : null)),
    })),
  };
}

describe('progressive delivery (API)', () => {
  let root: string;
  let live: string;
  let candidate: string;
  let nextCandidate: string;
  let liveAlone: ApiProcess;
  let candidateAlone: ApiProcess;
  const started: ApiProcess[] = [];
  // Applicants with every feature present: OIP JSON tensors cannot say "missing" for a number.
  const people = applicants(400, 4242)
    // `?? null`: a generated record may also leave a feature out.
    .filter((p) => FEATURES.every((f) => (p[f.name] ?? null) !== null))
    .slice(0, 200);

  async function serve(env: Record<string, string>): Promise<ApiProcess> {
    const api = await ApiProcess.start({ MODELS_ROOT: root, LIVE_VERSION: live, LOG_LEVEL: 'warn', ...env });
    started.push(api);
    return api;
  }

  const canary = (version: string, percent: number, env: Record<string, string> = {}) =>
    serve({ CANDIDATE_VERSION: version, CANDIDATE_MODE: 'canary', CANDIDATE_TRAFFIC_PERCENT: String(percent), ...env });

  before(async () => {
    root = await tempDir('api-rollout');
    live = await trainModel(root, 31);
    candidate = await trainModel(root, 32);
    nextCandidate = await trainModel(root, 33);
    assert.equal(new Set([live, candidate, nextCandidate]).size, 3);
    liveAlone = await serve({});
    candidateAlone = await serve({ LIVE_VERSION: candidate });
  });
  after(() => Promise.all(started.map((api) => api.stop())));

  test("canary: the candidate answers a share of 10,000 requests within the binomial 99.9% interval; each answer is that version's own", async () => {
    const percent = 30;
    const api = await canary(candidate, percent);
    const own = { [live]: await ownScores(liveAlone, people), [candidate]: await ownScores(candidateAlone, people) };
    const answeredBy = new Map<string, number>([
      [live, 0],
      [candidate, 0],
    ]);
    const n = 10_000;
    await inParallel(n, 16, async (i) => {
      const row = i % people.length;
      const { status, body } = await postJson<Prediction>(`${api.url}/predict?explain=false`, people[row]);
      assert.equal(status, 200);
      assert.ok(answeredBy.has(body.modelVersion), `answered by ${body.modelVersion}`);
      assert.equal(body.probability, own[body.modelVersion][row], "the answer is the answering version's own score");
      answeredBy.set(body.modelVersion, (answeredBy.get(body.modelVersion) ?? 0) + 1);
    });
    const [lo, hi] = binomialInterval(n, percent / 100, 0.999);
    const share = required(answeredBy.get(candidate), 'the count of candidate answers');
    assert.ok(share >= lo && share <= hi, `candidate answered ${share} of ${n}, interval [${lo}, ${hi}]`);

    const s = await stats(api);
    assertAddsUp(s);
    assert.equal(s.live.version, live);
    assert.deepEqual(
      { version: s.candidate?.version, mode: s.candidate?.mode },
      { version: candidate, mode: 'canary' },
    );
    assert.equal(s.live.rows, answeredBy.get(live));
    assert.equal(candidateOf(s).rows, share);
    assert.equal(s.live.errors + candidateOf(s).errors, 0);
    assert.equal(sum(s.live.latencyBuckets), answeredBy.get(live), 'one live run per request it answered');
    assert.equal(sum(candidateOf(s).latencyBuckets), share);
    assert.equal(candidateOf(s).agreements, 0, 'agreement is measured in shadow mode only');
    assert.equal(
      await metricValue(api.url, `loanrisk_rollout_rows_total{version="${candidate}",role="canary"}`),
      share,
    );
    assert.equal(
      await metricValue(api.url, `loanrisk_rollout_run_duration_seconds_count{version="${live}",role="live"}`),
      answeredBy.get(live),
    );
  });

  test("canary: an applicant id always gets the same version, by header or field, alone or among instances; each version scores a request's rows in one run", async () => {
    const percent = 30;
    const api = await canary(candidate, percent);
    const ids = Array.from({ length: 10_000 }, (_, i) => `applicant-${i}`);
    const rows = ids.map((id, i) => ({ ...people[i % people.length], id }));
    const seen = new Map<string, string>();
    const atStart = await stats(api);
    for (let start = 0; start < rows.length; start += 500) {
      const { status, body } = await postJson<Predictions>(`${api.url}/predict?explain=false`, {
        instances: rows.slice(start, start + 500),
      });
      assert.equal(status, 200);
      body.predictions.forEach((p, j) => seen.set(ids[start + j], p.modelVersion));
    }
    for (const id of ids)
      assert.equal(seen.get(id), stickyVersion(candidate, live, id, percent), `${id} follows the contract's rule`);
    const [lo, hi] = binomialInterval(ids.length, percent / 100, 0.999);
    const share = ids.filter((id) => seen.get(id) === candidate).length;
    assert.ok(share >= lo && share <= hi, `${share} of ${ids.length} ids on the candidate, interval [${lo}, ${hi}]`);
    const atEnd = await stats(api);
    assertAddsUp(atEnd);
    assert.equal(
      sum(atEnd.live.latencyBuckets) - sum(atStart.live.latencyBuckets),
      20,
      'one live run per request of 500 rows',
    );
    assert.equal(
      sum(candidateOf(atEnd).latencyBuckets) - sum(candidateOf(atStart).latencyBuckets),
      20,
      'one candidate run per request',
    );
    assert.equal(atEnd.live.rows + candidateOf(atEnd).rows - atStart.live.rows - candidateOf(atStart).rows, ids.length);

    // Again in another order and grouping, and one by one by header or by field: the same versions.
    const shuffled = rows.map((row, i) => rows[(i * 7919) % rows.length]);
    for (let start = 0; start < shuffled.length; start += 333) {
      const { body } = await postJson<Predictions>(`${api.url}/predict?explain=false`, {
        instances: shuffled.slice(start, start + 333),
      });
      body.predictions.forEach((p, j) => {
        assert.equal(p.modelVersion, seen.get(shuffled[start + j].id));
      });
    }
    for (const [i, id] of ids.slice(0, 200).entries()) {
      const { id: _id, ...applicant } = rows[i];
      const byHeader = await postJson<Prediction>(`${api.url}/predict`, applicant, { 'x-applicant-id': id });
      const byField = await postJson<Prediction>(`${api.url}/predict`, rows[i]);
      assert.equal(byHeader.body.modelVersion, seen.get(id));
      assert.equal(byField.body.modelVersion, seen.get(id));
      assert.equal(byField.body.probability, byHeader.body.probability, 'the id is not a feature');
    }

    // The next candidate at the same share reshuffles the applicants, by the same rule.
    const next = await canary(nextCandidate, percent);
    let moved = 0;
    for (let start = 0; start < 2000; start += 500) {
      const { body } = await postJson<Predictions>(`${next.url}/predict?explain=false`, {
        instances: rows.slice(start, start + 500),
      });
      body.predictions.forEach((p, j) => {
        const id = ids[start + j];
        assert.equal(p.modelVersion, stickyVersion(nextCandidate, live, id, percent));
        if ((p.modelVersion === nextCandidate) !== (seen.get(id) === candidate)) moved += 1;
      });
    }
    // Independent 30% draws differ for 2 x 0.3 x 0.7 = 42% of applicants.
    assert.ok(moved > 2000 * 0.3 && moved < 2000 * 0.55, `${moved} of 2000 applicants changed side`);
  });

  test('canary: OIP v2 infer goes whole to one version, by the x-applicant-id header, else at random; its answer names that version; a versioned path is not split', async () => {
    const api = await canary(candidate, 50);
    const rows = people.slice(0, 20);
    const own = { [live]: await ownScores(liveAlone, rows), [candidate]: await ownScores(candidateAlone, rows) };
    for (const id of ['applicant-1', 'applicant-2', 'applicant-3', 'applicant-4', 'applicant-5', 'applicant-6']) {
      const { status, body } = await postJson<InferAnswer>(`${api.url}/v2/models/loan-risk/infer`, inferBody(rows), {
        'x-applicant-id': id,
      });
      assert.equal(status, 200);
      assert.equal(body.model_version, stickyVersion(candidate, live, id, 50));
      assert.deepEqual(body.outputs[0]?.data, own[body.model_version]);
    }
    for (let i = 0; i < 20; i++) {
      const { body } = await postJson<InferAnswer>(
        `${api.url}/v2/models/loan-risk/versions/${live}/infer`,
        inferBody(rows),
        {
          'x-applicant-id': `applicant-${i}`,
        },
      );
      assert.equal(body.model_version, live, 'a path naming the live version is never split');
    }
    const versions = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const { body } = await postJson<InferAnswer>(`${api.url}/v2/models/loan-risk/infer`, inferBody(rows));
      versions.add(body.model_version);
      assert.deepEqual(body.outputs[0]?.data, own[body.model_version], 'every row from the version named');
    }
    assert.deepEqual(
      [...versions].sort(),
      [live, candidate].sort(),
      'without an id both versions answer (P(not) = 2^-59)',
    );
  });

  test('shadow: live answers; the candidate scores the same rows afterwards, equal to its own /predict; agreement counted exactly', async () => {
    const api = await serve({ CANDIDATE_VERSION: candidate, CANDIDATE_MODE: 'shadow', LOG_LEVEL: 'debug' });
    const ownLive = await ownScores(liveAlone, people);
    const ownCandidate = await ownScores(candidateAlone, people);
    const threshold = async (alone: ApiProcess) =>
      (await postJson<Prediction>(`${alone.url}/predict`, people[0])).body.threshold;
    const [liveThreshold, candidateThreshold] = [await threshold(liveAlone), await threshold(candidateAlone)];
    const requests: { reqId: string; rows: number[] }[] = [];
    for (let i = 0; i < 40; i++) {
      const reqId = `shadow-${i}`;
      const rowIds = i % 2 === 0 ? [i] : Array.from({ length: 5 }, (_, j) => (i * 5 + j) % people.length);
      const body = rowIds.length === 1 ? people[rowIds[0]] : { instances: rowIds.map((r) => people[r]) };
      const res = await postJson(`${api.url}/predict`, body, { 'x-request-id': reqId });
      assert.equal(res.status, 200);
      const answers = rowIds.length === 1 ? [res.body as Prediction] : (res.body as Predictions).predictions;
      answers.forEach((a, j) => {
        assert.equal(a.modelVersion, live, 'shadow never answers');
        assert.equal(a.probability, ownLive[rowIds[j]]);
      });
      requests.push({ reqId, rows: rowIds });
    }
    const oip = await postJson<InferAnswer>(`${api.url}/v2/models/loan-risk/infer`, inferBody(people.slice(0, 7)), {
      'x-request-id': 'shadow-oip',
    });
    assert.equal(oip.body.model_version, live);
    requests.push({ reqId: 'shadow-oip', rows: [0, 1, 2, 3, 4, 5, 6] });

    const rowsSent = sum(requests.map((r) => r.rows.length));
    await eventually('every shadow run recorded', async () => candidateOf(await stats(api)).rows === rowsSent);
    // A run is counted before its line is logged, and the line still has a pipe to cross.
    await eventually('every shadow run logged', () =>
      requests.every((r) => api.lines('shadow scored').some((l) => l.reqId === r.reqId)),
    );
    const shadowLines = api.lines('shadow scored');
    let agreeing = 0;
    for (const { reqId, rows } of requests) {
      const line = shadowLines.find((l) => l.reqId === reqId);
      assert.ok(line, `a shadow run for ${reqId}`);
      assert.equal(line.version, candidate);
      assert.deepEqual(
        line.probabilities,
        rows.map((r) => ownCandidate[r]),
        `${reqId}: shadow scores equal the candidate's own /predict`,
      );
      agreeing += rows.filter((r) => ownCandidate[r] >= candidateThreshold === ownLive[r] >= liveThreshold).length;
    }
    const s = await stats(api);
    assertAddsUp(s);
    assert.equal(candidateOf(s).mode, 'shadow');
    assert.equal(s.live.rows, rowsSent);
    assert.equal(candidateOf(s).rows, rowsSent, 'every answered row was shadow-scored');
    assert.equal(candidateOf(s).errors, 0);
    assert.equal(
      candidateOf(s).agreements,
      agreeing,
      "agreements: rows whose decisions match the two versions' own answers",
    );
    assert.equal(sum(candidateOf(s).latencyBuckets), requests.length, 'one shadow run per request');
    assert.equal(
      await metricValue(api.url, `loanrisk_rollout_agreements_total{version="${candidate}",role="shadow"}`),
      agreeing,
    );
  });

  describe('a candidate that is missing, corrupt or refuses rows never fails a live request', () => {
    const percent = 50;
    let refused: string;
    let refusedCategory: string;

    before(async () => {
      await mkdir(join(root, 'corrupt'));
      await copyFile(join(root, candidate, 'manifest.json'), join(root, 'corrupt', 'manifest.json'));
      await writeFile(join(root, 'corrupt', 'model.onnx'), 'not an onnx model');
      // A candidate that loads and passes its smoke test but refuses a purpose the live model knows.
      const manifest = JSON.parse(await readFile(join(root, candidate, 'manifest.json'), 'utf8')) as ModelManifest;
      const purpose = required(
        manifest.features.find((f) => f.name === 'purpose'),
        'the purpose feature in the manifest',
      );
      const counts = new Map<string, number>();
      for (const p of people) counts.set(String(p.purpose), (counts.get(String(p.purpose)) ?? 0) + 1);
      refusedCategory = [...counts].filter(([c]) => c !== purpose.reference).sort((a, b) => b[1] - a[1])[0][0];
      const narrowed = {
        ...manifest,
        features: manifest.features.map((f) =>
          f === purpose
            ? {
                ...f,
                categories: required(f.categories, 'the purpose categories').filter((c) => c !== refusedCategory),
              }
            : f,
        ),
      };
      refused = 'refuses-a-purpose';
      await mkdir(join(root, refused));
      await copyFile(join(root, candidate, 'model.onnx'), join(root, refused, 'model.onnx'));
      await writeFile(join(root, refused, 'manifest.json'), JSON.stringify(narrowed));
    });

    /** Sends each applicant once with its id; every answer must be 200 and the live model's own. */
    async function sendAll(api: ApiProcess, version: string): Promise<{ routed: string[] }> {
      const ownLive = await ownScores(liveAlone, people);
      const routed: string[] = [];
      for (const [i, applicant] of people.entries()) {
        const id = `applicant-${i}`;
        const { status, body } = await postJson<Prediction>(`${api.url}/predict?explain=false`, applicant, {
          'x-applicant-id': id,
        });
        assert.equal(status, 200, JSON.stringify(body));
        if (stickyVersion(version, live, id, percent) === version) routed.push(id);
        if (body.modelVersion === live) assert.equal(body.probability, ownLive[i]);
      }
      const ready = await call(`${api.url}/readyz`);
      assert.equal(ready.status, 200, 'ready: readiness follows the live model only');
      return { routed };
    }

    for (const [name, stage] of [
      ['a missing folder', 'manifest'],
      ['a corrupt model.onnx', 'onnx'],
    ] as const) {
      test(`canary and shadow with ${name}: answered by live, counted as the candidate's errors`, async () => {
        const version = name === 'a missing folder' ? 'no-such-version' : 'corrupt';
        const api = await canary(version, percent);
        const { routed } = await sendAll(api, version);
        const s = await stats(api);
        assertAddsUp(s);
        assert.equal(s.live.rows, people.length, 'live answered every row');
        assert.deepEqual(
          { rows: candidateOf(s).rows, errors: candidateOf(s).errors },
          { rows: 0, errors: routed.length },
        );
        assert.equal(
          await metricValue(api.url, `loanrisk_rollout_errors_total{version="${version}",role="canary"}`),
          routed.length,
        );
        assert.ok((await metricValue(api.url, `loanrisk_candidate_load_failures_total{stage="${stage}"}`)) >= 1);
        assert.equal(await metricValue(api.url, `loanrisk_candidate_info{version="${version}"}`), 0);

        const shadow = await serve({ CANDIDATE_VERSION: version, CANDIDATE_MODE: 'shadow' });
        await sendAll(shadow, version);
        await eventually(
          'every shadow run failed and was counted',
          async () => candidateOf(await stats(shadow)).errors === people.length,
        );
        const ss = await stats(shadow);
        assertAddsUp(ss);
        assert.equal(ss.live.rows, people.length);
        assert.equal(candidateOf(ss).rows, 0);
      });
    }

    test('canary with a candidate that refuses rows the live model accepts: those rows are answered by live and counted', async () => {
      const api = await canary(refused, percent);
      assert.equal(
        await metricValue(api.url, `loanrisk_candidate_info{version="${candidate}"}`),
        1,
        'it loaded (its manifest still names its version)',
      );
      const { routed } = await sendAll(api, refused);
      const refusedIds = routed.filter((id) => people[Number(id.split('-')[1])].purpose === refusedCategory);
      assert.ok(refusedIds.length > 0 && refusedIds.length < routed.length);
      const s = await stats(api);
      assertAddsUp(s);
      assert.equal(candidateOf(s).errors, refusedIds.length);
      assert.equal(candidateOf(s).rows, routed.length - refusedIds.length);
      assert.equal(s.live.rows, people.length - candidateOf(s).rows);
    });
  });

  test('the id field is accepted and ignored; any other type is a 400 naming it', async () => {
    const plain = await postJson(`${liveAlone.url}/predict`, people[0]);
    for (const id of ['a-1', 17, null]) {
      const res = await postJson(`${liveAlone.url}/predict`, { ...people[0], id });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, plain.body);
    }
    const bad = await postJson<{ details: readonly { field: string; message: string }[] }>(`${liveAlone.url}/predict`, {
      instances: [people[0], { ...people[1], id: { nested: true } }],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.details.map((d) => d.field),
      ['instances[1].id'],
    );
    assert.match(required(bad.body.details[0], 'a detail of the 400').message, /must be a string or a number/);
  });

  test('without LIVE_VERSION the API follows MODEL_DIR as before; /rollout/stats has the live version only', async () => {
    const api = await ApiProcess.start({ MODEL_DIR: join(root, live), LOG_LEVEL: 'warn' });
    started.push(api);
    await postJson(`${api.url}/predict`, { instances: people.slice(0, 3) });
    const s = await stats(api);
    assertAddsUp(s);
    assert.equal(s.live.version, live);
    assert.equal(s.live.rows, 3);
    assert.equal(s.candidate, undefined);
  });

  test('the environment is checked: a candidate needs a mode and a live version, versions are folder names, the share 0-100', () => {
    const base = { MODELS_ROOT: '/models', LIVE_VERSION: 'a' };
    const refusedEnvs: Record<string, string>[] = [
      { ...base, CANDIDATE_VERSION: 'b' },
      { ...base, CANDIDATE_VERSION: 'b', CANDIDATE_MODE: 'blue-green' },
      { ...base, CANDIDATE_VERSION: 'b', CANDIDATE_MODE: 'canary', CANDIDATE_TRAFFIC_PERCENT: '101' },
      { ...base, CANDIDATE_VERSION: 'a', CANDIDATE_MODE: 'shadow' },
      { ...base, LIVE_VERSION: '../elsewhere' },
      { LIVE_VERSION: 'a' },
      { MODEL_DIR: '/models', CANDIDATE_VERSION: 'b', CANDIDATE_MODE: 'shadow' },
    ];
    for (const env of refusedEnvs) assert.throws(() => readConfig(env), ConfigError, JSON.stringify(env));
    assert.deepEqual(
      readConfig({ ...base, CANDIDATE_VERSION: 'b', CANDIDATE_MODE: 'canary', CANDIDATE_TRAFFIC_PERCENT: '10' })
        .rollout,
      { modelsRoot: '/models', liveVersion: 'a', candidate: { version: 'b', mode: 'canary', trafficPercent: 10 } },
    );
    assert.equal(
      readConfig({ ...base, CANDIDATE_VERSION: '' }).rollout?.candidate,
      undefined,
      'an empty CANDIDATE_VERSION: no candidate',
    );
    assert.equal(readConfig({ MODEL_DIR: '/models' }).rollout, undefined);
  });
});
