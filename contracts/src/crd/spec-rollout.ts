/** spec.rollout: how a candidate that passed the quality gate replaces the live version. */
import { Type, type Static } from 'typebox';
import { APPROVAL_MODES, ROLLOUT_DEFAULTS, ROLLOUT_STRATEGIES } from '../rollout.js';
import { celRules, int32, number, oneOf } from '../schema/fields.js';

const { checks } = ROLLOUT_DEFAULTS;

export const RolloutChecksSchema = Type.Object(
  {
    maxErrorRate: Type.Optional(
      number(
        'Largest share of the rows given to the candidate (answers, or shadow runs) that fail: errors / (rows + errors).',
        0,
        1,
        { default: checks.maxErrorRate },
      ),
    ),
    maxP99LatencyRatio: Type.Optional(
      number("Largest candidate p99 latency as a multiple of the live version's p99 over the same step.", 1, 1000, {
        default: checks.maxP99LatencyRatio,
      }),
    ),
    maxScorePsi: Type.Optional(
      number("Largest population stability index of the candidate's scores against the live scores.", 0, 10, {
        default: checks.maxScorePsi,
      }),
    ),
    minDecisionAgreement: Type.Optional(
      number('Smallest share of rows on which candidate and live make the same decision (shadow only).', 0, 1, {
        default: checks.minDecisionAgreement,
      }),
    ),
    minSamples: Type.Optional(
      int32(
        'Fewest candidate rows (scored plus failed) a step needs before its checks count; until then it waits, however long its bake.',
        0,
        100000000,
        { default: checks.minSamples },
      ),
    ),
  },
  {
    description:
      'Limits on the candidate over each step, measured by the API pods (GET /rollout/stats). A failed check rolls the candidate back.',
    default: {},
  },
);
export type RolloutChecks = Static<typeof RolloutChecksSchema>;

/** The checks of spec.rollout.checks, by name, as the status reports them. */
export const ROLLOUT_CHECK_NAMES = [
  'minSamples',
  'maxErrorRate',
  'maxP99LatencyRatio',
  'maxScorePsi',
  'minDecisionAgreement',
] as const satisfies ReadonlyArray<keyof RolloutChecks>;
export type RolloutCheckName = (typeof ROLLOUT_CHECK_NAMES)[number];

export const RolloutSpecSchema = Type.Object(
  {
    strategy: Type.Optional(
      oneOf(
        ROLLOUT_STRATEGIES,
        'immediate: the candidate serves all traffic at once; shadow: the candidate scores every live request off the response path for bakeSeconds, then is promoted; canary: shadow first, then answers steps[i] percent of requests, each step held for bakeSeconds. A rollout in progress keeps the strategy it began with.',
        { default: ROLLOUT_DEFAULTS.strategy },
      ),
    ),
    approval: Type.Optional(
      oneOf(
        APPROVAL_MODES,
        'none: a candidate that passed the quality gate is rolled out at once; required: it waits in phase AwaitingApproval, serving nobody, until a LoanRiskModelApproval (npx loanrisk-models approve|reject) by someone other than the last author of the spec approves it (then it is rolled out by strategy) or rejects it (then it ends like a failed gate).',
        { default: ROLLOUT_DEFAULTS.approval },
      ),
    ),
    steps: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), {
        description:
          'Canary traffic percentages in increasing order; the last must be 100 (held for bakeSeconds, then the candidate is promoted).',
        minItems: 1,
        maxItems: 10,
        'x-kubernetes-list-type': 'set',
        default: [...ROLLOUT_DEFAULTS.steps],
        ...celRules(['self.isSorted() && self[size(self) - 1] == 100', 'rollout.steps must increase and end at 100']),
      }),
    ),
    bakeSeconds: Type.Optional(
      int32(
        'Seconds the shadow phase and each canary step must hold their checks (over at least checks.minSamples candidate rows) before the next.',
        0,
        86400,
        { default: ROLLOUT_DEFAULTS.bakeSeconds },
      ),
    ),
    readyDeadlineSeconds: Type.Optional(
      int32('Seconds the API pods of a new step have to become ready; later, the rollout is rolled back.', 10, 3600, {
        default: ROLLOUT_DEFAULTS.readyDeadlineSeconds,
      }),
    ),
    checks: Type.Optional(RolloutChecksSchema),
  },
  {
    description:
      'How a candidate that passed the quality gate replaces the live version. The API pods split and measure the traffic themselves (no service mesh); the operator reads their counters and promotes or rolls back by the checks.',
    default: {},
  },
);
export type RolloutSpec = Static<typeof RolloutSpecSchema>;
