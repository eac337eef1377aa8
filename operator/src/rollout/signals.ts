/**
 * The candidate's numbers over a step: every ready pod of the step is read, what it said when the
 * bake began is subtracted (a changed `since` means the pod restarted: it counts from zero), and
 * the rest summed.
 *
 * The baselines live in memory, one step per model. A new leader (or a restarted operator) has
 * none: its first read becomes the baseline and the bake of the current step starts over, which
 * costs time but never counts traffic from before the bake.
 */
import type { RolloutStats } from '@peerloan/contracts';
import { addStepCounts, podCounts, zeroStepCounts, type StepCounts } from './checks.js';
import type { ScrapeTarget } from './observe.js';
import { fetchRolloutStats, type StatsScraper } from './stats-client.js';

export interface StepSignals {
  counts: StepCounts;
  /** Pods whose counters were summed. */
  pods: number;
  /** This read is the step's baseline (first read of the step): the bake starts now. */
  fresh: boolean;
  /** Pods that could not be read or report another candidate; the step waits while there are any. */
  problems: string[];
}

interface Baseline {
  step: string;
  pods: Map<string, RolloutStats>;
}

export class RolloutSignals {
  private readonly baselines = new Map<string, Baseline>();

  constructor(private readonly scrape: StatsScraper = fetchRolloutStats) {}

  async read(
    modelUid: string,
    step: string,
    candidate: string,
    targets: readonly ScrapeTarget[],
  ): Promise<StepSignals> {
    const reads = await Promise.allSettled(targets.map((t) => this.scrape(t.url)));
    const problems: string[] = [];
    const stats = new Map<string, RolloutStats>();
    reads.forEach((r, i) => {
      const pod = targets[i].pod;
      if (r.status === 'rejected') problems.push(`pod ${pod}: ${(r.reason as Error).message}`);
      else if (r.value.candidate?.version !== candidate)
        problems.push(`pod ${pod} reports candidate ${r.value.candidate?.version ?? '(none)'}, not ${candidate}`);
      else stats.set(pod, r.value);
    });
    const baseline = this.baselines.get(modelUid);
    if (baseline?.step !== step) {
      this.baselines.set(modelUid, { step, pods: stats });
      return { counts: zeroStepCounts(), pods: stats.size, fresh: true, problems };
    }
    let counts = zeroStepCounts();
    for (const [pod, now] of stats) {
      const base = baseline.pods.get(pod);
      counts = addStepCounts(counts, podCounts(now, base?.since === now.since ? base : undefined));
    }
    return { counts, pods: stats.size, fresh: false, problems };
  }

  /** The rollout ended: its baseline is of no further use. */
  forget(modelUid: string): void {
    this.baselines.delete(modelUid);
  }
}
