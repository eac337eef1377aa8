/**
 * One drift window: counts logged predictions into the manifest's baseline slots per feature
 * and for the score, then gives the PSI of each against the baseline.
 */
import { emptyCounts, FEATURE_NAMES, psi, slotOf, type Histogram, type ModelManifest } from '@peerloan/contracts';
import type { LoggedPrediction } from '@peerloan/scoring/queues';

export const SCORE = 'score';

export class DriftWindow {
  private readonly counts = new Map<string, number[]>();
  private readonly baselines = new Map<string, Histogram>();
  events = 0;
  readonly startedAt = Date.now();

  constructor(readonly manifest: ModelManifest) {
    for (const name of FEATURE_NAMES) this.baselines.set(name, manifest.baseline.features[name]);
    this.baselines.set(SCORE, manifest.baseline.score);
    for (const [name, h] of this.baselines) this.counts.set(name, emptyCounts(h));
  }

  add(event: LoggedPrediction): void {
    FEATURE_NAMES.forEach((name, i) => {
      this.count(name, event.features[i]);
    });
    this.count(SCORE, event.probability);
    this.events += 1;
  }

  private count(name: string, value: number | string | null | undefined): void {
    const h = this.baselines.get(name);
    const counts = this.counts.get(name);
    if (h && counts) counts[slotOf(h, value)] += 1;
  }

  /** PSI per feature and for the score (key `score`). */
  psi(): Record<string, number> {
    return Object.fromEntries([...this.baselines].map(([name, h]) => [name, psi(h, this.counts.get(name) ?? [])]));
  }
}
