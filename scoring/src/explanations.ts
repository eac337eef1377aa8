/**
 * "Why": how much each feature raises this applicant's probability compared with a typical
 * applicant. For each feature whose value differs from the manifest's reference, the record is
 * scored again with that one feature set to the reference; the difference is the feature's
 * contribution. The variants ride in the same onnxruntime run as the record itself.
 */
import type { LoanRecord, ModelManifest, Reason } from '@peerloan/contracts';

/** A reason of /predict's answer (declared with the API's answers in contracts). */
export type { Reason } from '@peerloan/contracts';

/** How many reasons an answer lists at most. */
export const MAX_REASONS = 3;

export interface Variant {
  readonly row: number;
  readonly feature: string;
}

export interface ExplanationPlan {
  /** The records followed by their one-feature-at-reference variants. */
  readonly rows: readonly LoanRecord[];
  readonly variants: readonly Variant[];
}

export function planExplanations(records: readonly LoanRecord[], manifest: ModelManifest): ExplanationPlan {
  const rows: LoanRecord[] = [...records];
  const variants: Variant[] = [];
  records.forEach((record, row) => {
    for (const { name, reference } of manifest.features) {
      if (record[name] === reference) continue;
      rows.push({ ...record, [name]: reference });
      variants.push({ row, feature: name });
    }
  });
  return { rows, variants };
}

/** A feature value as records and schema-ordered rows carry it. */
type Cell = number | string | null;

/**
 * The one rule behind every answer's reasons, /predict's and a batch row's alike: a variant's
 * contribution is the row's score minus the score with that feature at the reference; only
 * contributions that raise the probability count, largest first, at most MAX_REASONS.
 */
export function reasonsOfVariants(
  variants: readonly Variant[],
  count: number,
  scores: Float32Array,
  valueOf: (row: number, feature: string) => Cell,
  references: ReadonlyMap<string, Cell>,
): Reason[][] {
  const reasons: Reason[][] = Array.from({ length: count }, () => []);
  variants.forEach(({ row, feature }, i) => {
    const contribution = scores[row] - scores[count + i];
    if (contribution <= 0) return;
    reasons[row].push({
      feature,
      value: valueOf(row, feature),
      reference: references.get(feature) ?? null,
      contribution,
    });
  });
  return reasons.map((list) =>
    (list.length > 1 ? list.sort((a, b) => b.contribution - a.contribution) : list).slice(0, MAX_REASONS),
  );
}

/** The manifest's reference applicant by feature name. */
export function referencesOf(manifest: ModelManifest): ReadonlyMap<string, Cell> {
  return new Map(manifest.features.map((f) => [f.name, f.reference]));
}

/** Reasons per record, largest contribution first, only those that raise the probability. */
export function reasonsFrom(
  plan: ExplanationPlan,
  records: readonly LoanRecord[],
  scores: Float32Array,
  manifest: ModelManifest,
): Reason[][] {
  return reasonsOfVariants(
    plan.variants,
    records.length,
    scores,
    (row, feature) => records[row][feature] ?? null,
    referencesOf(manifest),
  );
}
