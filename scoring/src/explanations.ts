/**
 * "Why": how much each feature raises this applicant's probability compared with a typical
 * applicant. For each feature whose value differs from the manifest's reference, the record is
 * scored again with that one feature set to the reference; the difference is the feature's
 * contribution. The variants ride in the same onnxruntime run as the record itself.
 */
import type { LoanRecord, ModelManifest } from '@peerloan/contracts';

export interface Reason {
  readonly feature: string;
  readonly value: number | string | null;
  readonly reference: number | string | null;
  /** Probability with the applicant's value minus probability with the reference value. */
  readonly contribution: number;
}

/** How many reasons an answer lists at most. */
export const MAX_REASONS = 3;

interface Variant {
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

/** Reasons per record, largest contribution first, only those that raise the probability. */
export function reasonsFrom(
  plan: ExplanationPlan,
  records: readonly LoanRecord[],
  scores: Float32Array,
  manifest: ModelManifest,
): Reason[][] {
  const references = new Map(manifest.features.map((f) => [f.name, f.reference]));
  const reasons: Reason[][] = records.map(() => []);
  plan.variants.forEach(({ row, feature }, i) => {
    const contribution = scores[row] - scores[records.length + i];
    if (contribution <= 0) return;
    reasons[row].push({
      feature,
      value: records[row][feature],
      reference: references.get(feature) ?? null,
      contribution,
    });
  });
  return reasons.map((list) => list.sort((a, b) => b.contribution - a.contribution).slice(0, MAX_REASONS));
}
