/**
 * The API's answers that more than one program reads, declared once as TypeBox schemas: each gives
 * the TypeScript type the server builds and the web app reads (`Static`), and the OpenAPI
 * document's component schema (`jsonSchema`), which api/test/openapi.test.ts checks live answers
 * against. A field added here reaches the server's type, the web app's type and the document together.
 */
import { Type, type Static } from 'typebox';
import { ApprovalRecordSchema, HistoryEntrySchema } from './crd/status.js';
import { FieldRuleSchema } from './feature-rules.js';
import { FEATURE_NAMES } from './features.js';
import { THRESHOLD_POLICIES } from './manifest.js';
import { oneOf, time } from './schema/fields.js';

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

/** GET /features: one feature's rule as the server validates it, with the reference applicant's value. */
export const FeatureRuleAnswerSchema = Type.Object(
  {
    ...FieldRuleSchema.properties,
    reference: cell('The typical value of the training data (the reasons compare with it).'),
  },
  closed,
);
export type FeatureRuleAnswer = Static<typeof FeatureRuleAnswerSchema>;

/** GET /features: the live model's inputs and reference applicant, what the web app's form is built from. */
export const FeaturesAnswerSchema = Type.Object(
  {
    modelVersion: Type.String({ description: 'The live version.' }),
    threshold: probability('Its decision threshold.'),
    features: Type.Array(FeatureRuleAnswerSchema),
  },
  closed,
);
export type FeaturesAnswer = Static<typeof FeaturesAnswerSchema>;

const interval = Type.Object(
  { value: probability('The estimate.'), low: probability('Lower end.'), high: probability('Upper end.') },
  closed,
);

/** One version a server holds (GET /versions): its role and, once loaded, its headline figures. */
export const VersionEntrySchema = Type.Object(
  {
    version: Type.String(),
    role: oneOf(['live', 'candidate', 'shadow']),
    trafficPercent: Type.Integer({ minimum: 0, maximum: 100, description: 'Whole percent of live answers.' }),
    loaded: Type.Boolean({
      description: 'False while the server has not loaded this version yet: then the figures below are absent.',
    }),
    created: Type.Optional(time('When it was trained.')),
    threshold: Type.Optional(
      Type.Object(
        {
          value: probability('The threshold the policy chose.'),
          policy: oneOf(THRESHOLD_POLICIES),
          target: Type.Number({ description: "The policy's own value: a fixed threshold, a recall or a flag rate." }),
        },
        closed,
      ),
    ),
    metrics: Type.Optional(
      Type.Object(
        { rocAuc: probability('ROC AUC.'), prAuc: probability('PR AUC.'), brier: probability('Brier score.') },
        { ...closed, description: 'Cross-validated means.' },
      ),
    ),
    outOfTime: Type.Optional(
      Type.Object(
        { rocAuc: interval },
        { ...closed, description: 'On the later period (out of time), with its 95 % interval.' },
      ),
    ),
  },
  closed,
);
export type VersionEntry = Static<typeof VersionEntrySchema>;

/** One item of GET /versions' history: a candidate and, in a cluster, its gate verdict. */
export const HistoryItemSchema = Type.Object(
  {
    version: Type.String(),
    created: Type.Optional(time('When it was trained.')),
    rocAuc: Type.Optional(probability('Its cross-validated ROC AUC.')),
    verdict: Type.Optional(HistoryEntrySchema.properties.outcome),
    at: Type.Optional(time('When it was decided.')),
    reason: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    approval: Type.Optional(
      Type.Object(ApprovalRecordSchema.properties, {
        description: "With spec.rollout.approval required: the reviewer's decision that gave this verdict.",
      }),
    ),
  },
  {
    ...closed,
    description:
      "In a cluster, the LoanRiskModel's status.history with each quality gate verdict (published by the workers); elsewhere the versions under the models root.",
  },
);
export type HistoryItem = Static<typeof HistoryItemSchema>;

export const VersionsAnswerSchema = Type.Object(
  {
    versions: Type.Array(VersionEntrySchema, { description: 'Live first, then a candidate or shadow.' }),
    history: Type.Array(HistoryItemSchema),
    awaitingApproval: Type.Optional(AwaitingApprovalAnswerSchema),
  },
  closed,
);
export type VersionsAnswer = Static<typeof VersionsAnswerSchema>;

export const FieldProblemSchema = Type.Object(
  { field: Type.String(), message: Type.String({ description: 'What the value must be, and what it was.' }) },
  closed,
);
export type FieldProblem = Static<typeof FieldProblemSchema>;

export const ErrorBodySchema = Type.Object(
  { error: Type.String(), details: Type.Immutable(Type.Array(FieldProblemSchema)) },
  {
    ...closed,
    description:
      'Every failed answer outside /v2, refusals by authentication and budgets included: what was wrong and, for bad input, each bad field.',
  },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** Invalid rows kept with their problems, per chunk and per batch. */
export const ERRORS_KEPT = 100;

export const RowProblemSchema = Type.Object(
  {
    row: Type.Integer({ minimum: 1, description: '1-based data row (header excluded).' }),
    id: Type.String(),
    errors: Type.Immutable(Type.Array(FieldProblemSchema)),
  },
  closed,
);
export type RowProblem = Static<typeof RowProblemSchema>;

/** POST /batches' 202: the batch's id and how many records the upload was split into. */
export const BatchAcceptedSchema = Type.Object(
  {
    id: Type.String(),
    counts: Type.Object(
      { total: count() },
      {
        ...closed,
        description:
          'The records the upload was split into; the workers validate them, so valid and invalid rows are in GET /batches/{id}.',
      },
    ),
  },
  closed,
);
export type BatchAccepted = Static<typeof BatchAcceptedSchema>;

/** GET /batches/{id}: where a batch is, from BullMQ's own job state. */
export const BatchStatusSchema = Type.Object(
  {
    id: Type.String(),
    state: oneOf(['queued', 'running', 'completed', 'failed']),
    progress: Type.Number({ minimum: 0, maximum: 1, description: 'The share of chunks done.' }),
    counts: BatchCountsSchema,
    modelVersions: Type.Array(Type.String(), { description: 'The versions that scored its chunks.' }),
    errors: Type.Array(RowProblemSchema, {
      maxItems: ERRORS_KEPT,
      description: 'The first invalid rows found so far, in row order.',
    }),
    createdAt: time('When it was submitted.'),
    failedReason: Type.Optional(Type.String()),
  },
  closed,
);
export type BatchStatus = Static<typeof BatchStatusSchema>;
export type BatchState = BatchStatus['state'];
