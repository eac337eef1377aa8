/**
 * The trainer's summary for the operator: one JSON object in the training container's termination
 * message. The trainer writes this type; the operator checks what it reads against the same schema.
 * Only the version and metrics.rocAuc are required (the contract's minimum); the rest is what the
 * status records of a model, plus the trainer's extras, each checked when present.
 */
import { Type, type Static } from 'typebox';
import { ComparisonRecordSchema, modelRecordFields, OutOfTimeRecordSchema } from './crd/status.js';
import { interval, number, text, VERSION_PATTERN } from './schema/fields.js';

export const TrainingSummarySchema = Type.Object(
  {
    ...modelRecordFields,
    version: text('Content-derived model version (the artifact folder name), e.g. 3f2a9c81b7de.', {
      pattern: VERSION_PATTERN,
    }),
    path: Type.Optional(text("Folder of the version's artifacts as the trainer wrote them.")),
    outOfTime: Type.Optional(
      Type.Object(
        {
          ...OutOfTimeRecordSchema.properties,
          prAuc: Type.Optional(interval('PR AUC on the later period with its 95% interval.', 'PR AUC', 0, 1)),
          brier: Type.Optional(interval('Brier score on the later period with its 95% interval.', 'Brier score', 0, 1)),
        },
        { description: 'Measured on --validation-data, a later labelled period.' },
      ),
    ),
    comparison: Type.Optional(
      Type.Object(
        {
          ...ComparisonRecordSchema.properties,
          candidateRocAuc: Type.Optional(number("The candidate's ROC AUC on those rows.", 0, 1)),
          liveRocAuc: Type.Optional(number("The live model's ROC AUC on those rows.", 0, 1)),
        },
        { description: 'Against the --baseline-model version on the same later-period rows.' },
      ),
    ),
    warnings: Type.Optional(
      Type.Array(
        text('Something the run could not do as asked, e.g. a folder with one period: no out-of-time check.'),
        {
          description: 'What the run could not do as asked; the model was still published.',
        },
      ),
    ),
  },
  { description: "The trainer's termination message: what it trained and how the model measured." },
);
export type TrainingSummary = Static<typeof TrainingSummarySchema>;
