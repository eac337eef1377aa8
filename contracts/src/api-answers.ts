/**
 * The API's answers that more than one program reads, declared once as TypeBox schemas: each gives
 * the TypeScript type the server builds and the web app reads (`Static`), and the OpenAPI
 * document's component schema (`jsonSchema`), which api/test/openapi.test.ts checks live answers
 * against. A field added here reaches the server's type, the web app's type and the document together.
 */
import { Type, type Static } from 'typebox';
import { FEATURE_NAMES } from './features.js';
import { oneOf } from './schema/fields.js';

const probability = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const count = (description?: string) => Type.Integer({ minimum: 0, ...(description !== undefined && { description }) });
/** A feature's value as JSON carries it: a number, a category, or null for missing. */
const cell = (description: string) => Type.Union([Type.Number(), Type.String(), Type.Null()], { description });
const closed = { additionalProperties: false } as const;

/** The decision at the threshold: "yes" when probability >= threshold (likely to be late). */
export const DecisionSchema = Type.Union([Type.Literal('yes'), Type.Literal('no')], {
  description: '"yes" when probability >= threshold: likely to be late.',
});

export const ReasonSchema = Type.Object(
  {
    feature: oneOf(FEATURE_NAMES, 'The feature (its column name).'),
    value: cell("The applicant's value."),
    reference: cell('The typical value of the training data.'),
    contribution: Type.Number({
      description: "Probability with the applicant's value minus probability with the reference value.",
    }),
  },
  closed,
);
export type Reason = Static<typeof ReasonSchema>;

const REASONS = 'Up to three features raising the probability most, largest first.';
const reasons = (description = REASONS) => Type.Array(ReasonSchema, { maxItems: 3, description });

export const PredictionSchema = Type.Object(
  {
    probability: probability('Calibrated probability of being 16-120 days late next quarter.'),
    decision: DecisionSchema,
    threshold: probability('The decision threshold of the version that answered.'),
    modelVersion: Type.String({ description: 'The version that answered (the candidate during a canary).' }),
    reasons: Type.Optional(reasons(`${REASONS} Absent with ?explain=false.`)),
  },
  closed,
);
export type Prediction = Static<typeof PredictionSchema>;

export const PredictionsSchema = Type.Object(
  { predictions: Type.Array(PredictionSchema, { description: 'In the order of instances.' }) },
  closed,
);

/** One scored row of a batch: /batches/{id}/results?format=jsonl and /rows (/predict's shape with the row's id). */
export const BatchAnswerSchema = Type.Object({
  id: Type.String(),
  probability: probability('Calibrated probability of being 16-120 days late next quarter.'),
  decision: DecisionSchema,
  modelVersion: Type.String(),
  reasons: reasons(),
});
export type BatchAnswer = Static<typeof BatchAnswerSchema>;

export const RankedAnswerSchema = Type.Intersect([
  BatchAnswerSchema,
  Type.Object({
    rank: Type.Integer({ minimum: 1, description: '1 is the highest probability.' }),
    row: Type.Integer({ minimum: 1, description: "The row's number in the upload (data rows from 1)." }),
  }),
]);
export type RankedAnswer = Static<typeof RankedAnswerSchema>;

export const RankedPageSchema = Type.Object(
  {
    total: count('Scored rows in the batch.'),
    offset: count(),
    limit: count(),
    rows: Type.Array(RankedAnswerSchema),
  },
  closed,
);
export type RankedPage = Static<typeof RankedPageSchema>;

export const GroupSummarySchema = Type.Object(
  {
    value: Type.String(),
    count: count(),
    flagged: count(),
    meanProbability: probability('Mean probability of the group.'),
  },
  closed,
);
export type GroupSummary = Static<typeof GroupSummarySchema>;

export const BatchCountsSchema = Type.Object(
  { total: count(), scored: count(), invalid: count() },
  {
    ...closed,
    description: 'scored and invalid grow as the workers read the chunks; scored + invalid = total once completed.',
  },
);

export const BatchSummarySchema = Type.Object(
  {
    id: Type.String(),
    threshold: probability('The threshold the rows were decided at.'),
    modelVersions: Type.Array(Type.String()),
    counts: BatchCountsSchema,
    flagged: count('Scored rows at or above the threshold.'),
    flaggedShare: probability('flagged / scored.'),
    histogram: Type.Object(
      {
        binWidth: Type.Number({ exclusiveMinimum: 0 }),
        counts: Type.Array(count()),
      },
      {
        ...closed,
        description:
          'Scored rows per probability bin from 0: bin i covers [i * binWidth, (i + 1) * binWidth), the last includes 1.',
      },
    ),
    byGrade: Type.Array(GroupSummarySchema),
    byPurpose: Type.Array(GroupSummarySchema),
  },
  closed,
);
export type BatchSummary = Static<typeof BatchSummarySchema>;

export const DriftWindowSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the window closed.' }),
    modelVersion: Type.String(),
    events: count('Logged predictions in the window.'),
    threshold: Type.Number({ description: 'The PSI above which a feature counts as drifted.' }),
    psi: Type.Record(Type.String(), Type.Number(), { description: 'PSI per feature.' }),
    scorePsi: Type.Number({ description: "PSI of the model's probabilities." }),
  },
  closed,
);
export type DriftWindow = Static<typeof DriftWindowSchema>;

export const DriftSchema = Type.Object(
  {
    threshold: Type.Union([Type.Number(), Type.Null()], {
      description: "The newest window's PSI threshold; null before any.",
    }),
    windows: Type.Array(DriftWindowSchema, { description: "The drift monitor's windows, oldest first." }),
  },
  closed,
);
export type Drift = Static<typeof DriftSchema>;

/** GET /versions' candidate awaiting approval, and whom to name when deciding on it. */
export const AwaitingApprovalAnswerSchema = Type.Object(
  {
    version: Type.String({ description: 'The candidate that passed the quality gate.' }),
    since: Type.String({ format: 'date-time', description: 'When it began to wait.' }),
    model: Type.Object(
      { namespace: Type.String(), name: Type.String() },
      {
        ...closed,
        description: 'The LoanRiskModel: npx loanrisk-models approve -n <namespace> <name> <version> decides.',
      },
    ),
  },
  {
    ...closed,
    description:
      'With spec.rollout.approval required: the candidate that serves nobody until a reviewer approves or rejects it (published by the workers); absent when none waits.',
  },
);
export type AwaitingApprovalAnswer = Static<typeof AwaitingApprovalAnswerSchema>;
