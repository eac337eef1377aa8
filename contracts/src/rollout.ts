/**
 * Progressive delivery: the one contract between the operator (which decides what serves) and
 * the API pods (which serve it and measure how the candidate does).
 *
 * The operator states what an API pod serves in the Deployment's pod template environment; a
 * traffic step is a rolling update of the API pods (zero-downtime, as every rollout). The API pods
 * answer `GET /rollout/stats` with cumulative counters per role since the pod started; the
 * operator reads every ready API pod, subtracts what it read at the start of the step (a pod that
 * restarted counts from zero) and applies the spec's checks to the sums.
 */
import { Type, type Static } from 'typebox';
import { oneOf, text, time } from './schema/fields.js';

/** Environment of the API container set by the operator (names fixed here, read by the API). */
export const ROLLOUT_ENV = {
  /** Models root on the volume: `<root>/<version>/model.onnx`. */
  modelsRoot: 'MODELS_ROOT',
  /** The version answering for the live share of traffic. */
  liveVersion: 'LIVE_VERSION',
  /** The version being tried; absent: no candidate. */
  candidateVersion: 'CANDIDATE_VERSION',
  /** `shadow` (score off the response path, never answer) or `canary` (answer its share). */
  candidateMode: 'CANDIDATE_MODE',
  /** Canary: whole percent (0-100) of answers that come from the candidate. */
  candidateTrafficPercent: 'CANDIDATE_TRAFFIC_PERCENT',
} as const;

export const ROLLOUT_STRATEGIES = ['immediate', 'shadow', 'canary'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];
/** `shadow`: the candidate scores off the response path and never answers; `canary`: it answers its share. */
export const CANDIDATE_MODES = ['shadow', 'canary'] as const;
export type CandidateMode = (typeof CANDIDATE_MODES)[number];

/**
 * Canary routing is sticky per applicant: the same id always lands on the same version for a
 * given candidate. The id is the request header below, else an `id` field of the applicant
 * object (ignored by the model); requests with neither are split at random. The rule: the first
 * four bytes of sha256(candidateVersion + id) as a big-endian unsigned integer, mod 100; the
 * candidate answers when that is below CANDIDATE_TRAFFIC_PERCENT (so raising the percent only
 * moves applicants to the candidate, and a new candidate reshuffles them).
 */
export const APPLICANT_ID_HEADER = 'x-applicant-id';
export const APPLICANT_ID_FIELD = 'id';

/** Defaults of `spec.rollout`, declared once: the CRD schema and the operator both read them. */
/** `required`: a candidate that passed the quality gate waits for a LoanRiskModelApproval before any traffic. */
export const APPROVAL_MODES = ['none', 'required'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const ROLLOUT_DEFAULTS = {
  strategy: 'immediate' as RolloutStrategy,
  approval: 'none' as ApprovalMode,
  steps: [10, 50, 100],
  bakeSeconds: 60,
  readyDeadlineSeconds: 300,
  // PSI over 20 score bins is mostly noise below a few hundred rows: 59 shadow rows of a plain
  // retrain measured 0.32 on the local cluster, over the 0.25 limit.
  checks: { maxErrorRate: 0.01, maxP99LatencyRatio: 3, maxScorePsi: 0.25, minDecisionAgreement: 0.9, minSamples: 500 },
} as const;

/** Fixed latency bucket bounds (milliseconds) of the stats, so pods' histograms add up. */
export const ROLLOUT_LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;
/** Fixed score bins (probability) of the stats: PSI of candidate scores against live scores. */
export const ROLLOUT_SCORE_BINS = 20;

const count = (description: string) => Type.Number({ description, minimum: 0 });
const counts = (description: string, length: number) =>
  Type.Array(Type.Number({ minimum: 0 }), { description, minItems: length, maxItems: length });

/**
 * Cumulative counters of one version's runs in one pod. Rows and errors count rows (a request of
 * 50 instances is 50), so a version's error rate is errors / (rows + errors); the sum of
 * scoreBins is rows; the sum of latencyBuckets is the number of runs that succeeded.
 */
export const VersionStatsSchema = Type.Object(
  {
    version: text('The version counted.', { minLength: 1 }),
    rows: count('Rows scored (answers for the live or canary role, shadow runs for the shadow role).'),
    errors: count(
      'Rows whose run threw or could not run (candidate not loaded, or it refused the row); for the canary and shadow roles the live answer was given instead. Not included in rows.',
    ),
    latencyBuckets: counts(
      `Runs by latency of the version's scoring run per request (queueing in its micro-batcher included, HTTP excluded), in milliseconds up to ${ROLLOUT_LATENCY_BUCKETS_MS.join(', ')}; the last entry counts those above the last bound.`,
      ROLLOUT_LATENCY_BUCKETS_MS.length + 1,
    ),
    scoreBins: counts(
      `Score counts in ${ROLLOUT_SCORE_BINS} equal-width bins over [0, 1] (a score of 1 in the last).`,
      ROLLOUT_SCORE_BINS,
    ),
  },
  { description: "Cumulative counters of one version's runs in one pod." },
);
export type VersionStats = Static<typeof VersionStatsSchema>;

/** `GET /rollout/stats` of one API pod. */
export const RolloutStatsSchema = Type.Object(
  {
    since: time(
      "When the counters started (the API process's start): a different value than last read means they restarted.",
    ),
    live: VersionStatsSchema,
    candidate: Type.Optional(
      Type.Object(
        {
          ...VersionStatsSchema.properties,
          mode: oneOf(CANDIDATE_MODES, 'How the candidate is tried.'),
          agreements: count('Shadow: rows scored by both on which the decisions agreed.'),
        },
        { description: 'The candidate being tried, when there is one.' },
      ),
    ),
  },
  { description: 'Counters per serving version since the process started (GET /rollout/stats).' },
);
export type RolloutStats = Static<typeof RolloutStatsSchema>;
