/** The rollout's pure parts: counter arithmetic, each check, the stats contract, the per-step baselines. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ROLLOUT_DEFAULTS, type RolloutCheckName, type RolloutStats } from '@peerloan/contracts';
import { RolloutStatsError } from '../src/errors/rollout-stats-error.js';
import { evaluateChecks, p99Ms, podCounts, type StepCounts } from '../src/rollout/checks.js';
import { rolloutSettings } from '../src/rollout/settings.js';
import { RolloutSignals } from '../src/rollout/signals.js';
import { parseRolloutStats } from '../src/rollout/stats-client.js';
import { HIGH_SCORES, versionStats, type RoleCounts } from './rollout-pods.js';

const LIMITS = rolloutSettings().checks;

function counts(live: RoleCounts, candidate: RoleCounts, agreements = candidate.rows): StepCounts {
  return podCounts(
    {
      since: 't',
      live: versionStats('a', live),
      candidate: { ...versionStats('b', candidate), mode: 'shadow', agreements },
    },
    undefined,
  );
}
const results = (c: StepCounts, mode: 'shadow' | 'canary' = 'shadow'): Record<'verdict' | RolloutCheckName, string> => {
  const e = evaluateChecks(LIMITS, mode, c);
  return { verdict: e.verdict, ...Object.fromEntries(e.checks.map((x) => [x.name, x.result])) } as Record<
    'verdict' | RolloutCheckName,
    string
  >;
};

describe('rollout checks', () => {
  test('settings fall back to ROLLOUT_DEFAULTS field by field', () => {
    assert.deepEqual(LIMITS, ROLLOUT_DEFAULTS.checks);
    const s = rolloutSettings({ strategy: 'canary', bakeSeconds: 5, checks: { minSamples: 7 } });
    assert.deepEqual(
      [s.strategy, s.steps, s.bakeMs, s.readyDeadlineMs, s.checks.minSamples, s.checks.maxErrorRate],
      ['canary', [10, 50, 100], 5000, 300_000, 7, 0.01],
    );
  });

  test('p99 is the upper bound of the bucket holding it; the overflow bucket counts twice the last bound', () => {
    assert.equal(p99Ms(versionStats('v', { rows: 100, latencyMs: 5 }).latencyBuckets), 5);
    const mixed = versionStats('v', { rows: 98, latencyMs: 1 }).latencyBuckets.map((v, i) => v + (i === 9 ? 2 : 0));
    assert.equal(p99Ms(mixed), 500, '2 of 100 in the 500 ms bucket: p99 is there');
    assert.equal(p99Ms(versionStats('v', { rows: 10, latencyMs: 60_000 }).latencyBuckets), 10_000);
    assert.equal(p99Ms(versionStats('v', { rows: 0 }).latencyBuckets), undefined);
  });

  test('nothing counts before minSamples candidate rows (scored + failed)', () => {
    assert.deepEqual(results(counts({ rows: 50 }, { rows: 50, errors: 49 })), {
      verdict: 'Waiting',
      minSamples: 'Waiting',
      maxErrorRate: 'Waiting',
      maxP99LatencyRatio: 'Waiting',
      maxScorePsi: 'Waiting',
      minDecisionAgreement: 'Waiting',
    });
    assert.equal(
      results(counts({ rows: 10 }, { rows: 0, errors: 600 })).maxErrorRate,
      'Fail',
      'a candidate that only throws fails once its failed rows reach minSamples',
    );
  });

  test('each limit fails on its own', () => {
    assert.equal(results(counts({ rows: 500 }, { rows: 500 })).verdict, 'Pass');
    assert.equal(results(counts({ rows: 500, latencyMs: 2 }, { rows: 500, latencyMs: 10 })).maxP99LatencyRatio, 'Fail');
    assert.equal(results(counts({ rows: 500, latencyMs: 2 }, { rows: 500, latencyMs: 5 })).maxP99LatencyRatio, 'Pass');
    assert.equal(results(counts({ rows: 500 }, { rows: 500, scores: HIGH_SCORES })).maxScorePsi, 'Fail');
    assert.equal(results(counts({ rows: 500 }, { rows: 500 }, 400)).minDecisionAgreement, 'Fail');
    const e = evaluateChecks(LIMITS, 'shadow', counts({ rows: 500 }, { rows: 480, errors: 20 }, 400));
    assert.deepEqual(e.failures, ['maxErrorRate 0.04 > 0.01', 'minDecisionAgreement 0.8333 < 0.9']);
  });

  test('canary: agreement does not apply; with no live answers (100 %) neither do latency and PSI', () => {
    assert.equal(results(counts({ rows: 500 }, { rows: 500 }, 0), 'canary').minDecisionAgreement, 'NotApplicable');
    assert.deepEqual(results(counts({ rows: 0 }, { rows: 500 }), 'canary'), {
      verdict: 'Pass',
      minSamples: 'Pass',
      maxErrorRate: 'Pass',
      maxP99LatencyRatio: 'NotApplicable',
      maxScorePsi: 'NotApplicable',
      minDecisionAgreement: 'NotApplicable',
    });
  });

  test('the stats contract is checked: wrong bucket counts are refused with the field named', () => {
    const good: RolloutStats = { since: '2026-12-01T09:00:00Z', live: versionStats('a', { rows: 1 }) };
    assert.deepEqual(parseRolloutStats(good, 'pod'), good);
    assert.throws(
      () => parseRolloutStats({ ...good, live: { ...good.live, scoreBins: [1, 2] } }, 'pod p'),
      (e: Error) =>
        e instanceof RolloutStatsError &&
        /pod p: not the RolloutStats contract: live\.scoreBins must NOT have fewer than 20 items/.test(e.message),
    );
    assert.throws(
      () =>
        parseRolloutStats(
          { ...good, candidate: { ...versionStats('b', { rows: 1 }), mode: 'blue', agreements: 0 } },
          'p',
        ),
      /candidate\.mode must be one of "shadow", "canary", got "blue"/,
    );
    assert.throws(
      () => parseRolloutStats({ ...good, since: 'yesterday' }, 'p'),
      /since must match format "date-time", got "yesterday"/,
    );
  });
});

describe('rollout signals', () => {
  const stats = (since: string, live: number, candidate: number, version = 'v2'): RolloutStats => ({
    since,
    live: versionStats('v1', { rows: live }),
    candidate: { ...versionStats(version, { rows: candidate }), mode: 'canary', agreements: 0 },
  });

  test('the first read of a step is its baseline; later reads count from it, a restarted pod from zero', async () => {
    const answers = new Map<string, RolloutStats>();
    const signals = new RolloutSignals((url) => {
      const s = answers.get(url);
      if (!s) return Promise.reject(new RolloutStatsError(`GET ${url}: connection refused`));
      return Promise.resolve(s);
    });
    const targets = [
      { pod: 'a', url: 'http://a' },
      { pod: 'b', url: 'http://b' },
    ];
    answers.set('http://a', stats('t0', 100, 10));
    answers.set('http://b', stats('t0', 200, 20));
    let read = await signals.read('uid', 'step-1', 'v2', targets);
    assert.deepEqual([read.fresh, read.pods, read.counts.candidate.rows], [true, 2, 0]);

    answers.set('http://a', stats('t0', 150, 15));
    answers.set('http://b', stats('t1', 30, 3));
    read = await signals.read('uid', 'step-1', 'v2', targets);
    assert.deepEqual([read.fresh, read.counts.live.rows, read.counts.candidate.rows], [false, 50 + 30, 5 + 3]);

    answers.delete('http://b');
    answers.set('http://c', stats('t0', 9, 9, 'v3'));
    read = await signals.read('uid', 'step-1', 'v2', [...targets, { pod: 'c', url: 'http://c' }]);
    assert.deepEqual(read.problems, ['pod b: GET http://b: connection refused', 'pod c reports candidate v3, not v2']);
    assert.equal(read.counts.candidate.rows, 5);

    read = await signals.read('uid', 'step-2', 'v2', targets);
    assert.equal(read.fresh, true, 'a new step starts a new baseline');
    signals.forget('uid');
    assert.equal(
      (await signals.read('uid', 'step-2', 'v2', targets)).fresh,
      true,
      'forgotten: the next read is a baseline again',
    );
  });
});
