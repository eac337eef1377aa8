/**
 * Counter arithmetic over the API pods' /rollout/stats and the checks of spec.rollout.checks,
 * all pure. Counters are cumulative per pod, so a step's numbers are "now minus when the step's
 * bake began", summed over pods.
 */
import {
  psiOfCounts,
  ROLLOUT_LATENCY_BUCKETS_MS,
  ROLLOUT_SCORE_BINS,
  type CandidateMode,
  type RolloutCheckName,
  type RolloutCheckResult,
  type RolloutChecks,
  type RolloutStats,
  type VersionStats,
} from '@peerloan/contracts';

export interface Counts {
  rows: number;
  errors: number;
  latencyBuckets: number[];
  scoreBins: number[];
}

/** One step's counters of both roles, summed over pods. */
export interface StepCounts {
  live: Counts;
  candidate: Counts;
  /** Shadow: candidate rows whose decision agreed with the live one. */
  agreements: number;
}

export type Verdict = 'Pass' | 'Fail' | 'Waiting';

export interface Evaluation {
  verdict: Verdict;
  checks: RolloutCheckResult[];
  /** The failed checks in words, for the Degraded condition and the Event. */
  failures: string[];
}

const zeros = (n: number) => new Array<number>(n).fill(0);

function zeroCounts(): Counts {
  return {
    rows: 0,
    errors: 0,
    latencyBuckets: zeros(ROLLOUT_LATENCY_BUCKETS_MS.length + 1),
    scoreBins: zeros(ROLLOUT_SCORE_BINS),
  };
}

export function zeroStepCounts(): StepCounts {
  return { live: zeroCounts(), candidate: zeroCounts(), agreements: 0 };
}

// Counters never go down within one pod's life; a negative difference would be a bug upstream, not traffic.
const diff = (now: number, base: number | undefined) => Math.max(0, now - (base ?? 0));
const diffArray = (now: readonly number[], base: readonly number[] | undefined) =>
  now.map((v, i) => diff(v, base?.[i]));

function versionCounts(now: VersionStats | undefined, base: VersionStats | undefined): Counts {
  if (!now) return zeroCounts();
  return {
    rows: diff(now.rows, base?.rows),
    errors: diff(now.errors, base?.errors),
    latencyBuckets: diffArray(now.latencyBuckets, base?.latencyBuckets),
    scoreBins: diffArray(now.scoreBins, base?.scoreBins),
  };
}

/** One pod's counters since `base` (its read when the bake began); without one, since the pod started. */
export function podCounts(now: RolloutStats, base: RolloutStats | undefined): StepCounts {
  return {
    live: versionCounts(now.live, base?.live),
    candidate: versionCounts(now.candidate, base?.candidate),
    agreements: diff(now.candidate?.agreements ?? 0, base?.candidate?.agreements),
  };
}

function addCounts(a: Counts, b: Counts): Counts {
  return {
    rows: a.rows + b.rows,
    errors: a.errors + b.errors,
    latencyBuckets: a.latencyBuckets.map((v, i) => v + b.latencyBuckets[i]),
    scoreBins: a.scoreBins.map((v, i) => v + b.scoreBins[i]),
  };
}

export function addStepCounts(a: StepCounts, b: StepCounts): StepCounts {
  return {
    live: addCounts(a.live, b.live),
    candidate: addCounts(a.candidate, b.candidate),
    agreements: a.agreements + b.agreements,
  };
}

/**
 * The 99th percentile as the upper bound of the bucket that holds it; the overflow bucket counts as
 * twice the last bound, so a ratio stays a finite number the status can carry.
 */
export function p99Ms(latencyBuckets: readonly number[]): number | undefined {
  const total = latencyBuckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const target = Math.ceil(0.99 * total);
  let seen = 0;
  for (let i = 0; i < latencyBuckets.length; i++) {
    seen += latencyBuckets[i];
    if (seen >= target)
      return ROLLOUT_LATENCY_BUCKETS_MS[i] ?? 2 * ROLLOUT_LATENCY_BUCKETS_MS[ROLLOUT_LATENCY_BUCKETS_MS.length - 1];
  }
  return undefined;
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

type Measure = { value?: number; applicable: boolean };

/** Rows the candidate was given: scored plus failed (the API counts failed rows in errors, not in rows). */
export function candidateRows(counts: StepCounts): number {
  return counts.candidate.rows + counts.candidate.errors;
}

function measures(mode: CandidateMode, c: StepCounts): Record<RolloutCheckName, Measure> {
  const given = candidateRows(c);
  const liveP99 = p99Ms(c.live.latencyBuckets);
  const candidateP99 = p99Ms(c.candidate.latencyBuckets);
  const bothScored = total(c.live.scoreBins) > 0 && total(c.candidate.scoreBins) > 0;
  return {
    minSamples: { value: given, applicable: true },
    maxErrorRate: { value: given > 0 ? c.candidate.errors / given : undefined, applicable: given > 0 },
    // At 100 % no live answers are left to compare with: the latency and PSI checks rest on the earlier steps.
    maxP99LatencyRatio: {
      value: liveP99 && candidateP99 ? candidateP99 / liveP99 : undefined,
      applicable: !!(liveP99 && candidateP99),
    },
    maxScorePsi: {
      value: bothScored ? psiOfCounts(c.live.scoreBins, c.candidate.scoreBins) : undefined,
      applicable: bothScored,
    },
    minDecisionAgreement: {
      value: mode === 'shadow' && c.candidate.rows > 0 ? c.agreements / c.candidate.rows : undefined,
      applicable: mode === 'shadow' && c.candidate.rows > 0,
    },
  };
}

/** Each check over the step; none counts until minSamples candidate rows were seen (the verdict is then Waiting). */
export function evaluateChecks(limits: Required<RolloutChecks>, mode: CandidateMode, counts: StepCounts): Evaluation {
  const m = measures(mode, counts);
  const enough = (m.minSamples.value ?? 0) >= limits.minSamples;
  // min* limits are floors, max* ceilings.
  const passes = (name: RolloutCheckName, value: number) =>
    name.startsWith('min') ? value >= limits[name] : value <= limits[name];
  const checks: RolloutCheckResult[] = (Object.keys(m) as RolloutCheckName[]).map((name) => {
    const { value, applicable } = m[name];
    const result: RolloutCheckResult['result'] =
      name === 'minSamples'
        ? enough
          ? 'Pass'
          : 'Waiting'
        : !applicable
          ? 'NotApplicable'
          : !enough
            ? 'Waiting'
            : value !== undefined && passes(name, value)
              ? 'Pass'
              : 'Fail';
    return { name, ...(value !== undefined && { value: round(value) }), limit: limits[name], result };
  });
  const failures = checks
    .filter((c) => c.result === 'Fail')
    .map((c) => `${c.name} ${c.value} ${c.name.startsWith('min') ? '<' : '>'} ${c.limit}`);
  const verdict: Verdict = !enough ? 'Waiting' : failures.length > 0 ? 'Fail' : 'Pass';
  return { verdict, checks, failures };
}
