/**
 * spec.training.watchInterval: one more training run when the dataset changes. Each interval a
 * listing Job reports the fingerprint of the dataset's period files (children/listing-job.ts);
 * the newest finished one is compared with status.dataWatch.fingerprint, and a different one
 * counts one more data change. The count joins the training Job's name (like drift's retrains),
 * so every pass that sees the same change names the same Job and one run starts. Pure: the
 * reconciler reads the listing and passes it in with the time.
 */
import { parseDuration, type DataWatchStatus, type LoanRiskModel, type PeriodListing } from '@peerloan/contracts';
import { datasetKey } from './children/listing-job.js';
import type { RolloutEvent } from './rollout/state-machine.js';

/** What the newest finished listing Job of the current dataset said, with the interval it ran for. */
export type ListingOutcome = { slot: string; listing: PeriodListing } | { slot: string; failed: string };

export interface DataWatchDecision {
  /** Data changes that started a run, this one included: part of the training Job's name. */
  changes: number;
  /** True when this pass starts a new run. */
  started: boolean;
  status: { dataWatch?: DataWatchStatus };
  /** A data change started a run, or listing began to fail; reported after the status write. */
  event?: RolloutEvent;
  /** Look again when the next interval begins. */
  requeueAfterMs?: number;
}

/** The start of the interval `now` is in; undefined without spec.training.watchInterval. */
export function watchSlot(model: LoanRiskModel, now: Date): { slot: Date; intervalMs: number } | undefined {
  const interval = model.spec.training.watchInterval;
  if (!interval) return undefined;
  const intervalMs = parseDuration(interval);
  return { slot: new Date(Math.floor(now.getTime() / intervalMs) * intervalMs), intervalMs };
}

export function dataWatchDecision(
  model: LoanRiskModel,
  outcome: ListingOutcome | undefined,
  now: Date,
): DataWatchDecision {
  const previous = model.status?.dataWatch;
  const changes = previous?.changes ?? 0;
  // Kept without a watch interval too: the count names the current training Job.
  const unchanged: DataWatchDecision = { changes, started: false, status: previous ? { dataWatch: previous } : {} };
  const watch = watchSlot(model, now);
  if (!watch) return unchanged;
  const requeueAfterMs = watch.slot.getTime() + watch.intervalMs - now.getTime();
  if (!outcome) return { ...unchanged, requeueAfterMs };

  const dataset = datasetKey(model);
  // A new dataset (spec.dataset changed, which starts its own run) begins a new baseline.
  const sameDataset = previous?.dataset === dataset;
  const kept: Partial<DataWatchStatus> = sameDataset
    ? previous
    : { dataset, changes, lastChangeTime: previous?.lastChangeTime };
  if ('failed' in outcome) {
    const dataWatch: DataWatchStatus = { ...kept, dataset, changes, listedTime: outcome.slot, message: outcome.failed };
    const event: RolloutEvent | undefined = kept.message
      ? undefined
      : { type: 'Warning', reason: 'DataListingFailed', message: outcome.failed };
    return { changes, started: false, status: { dataWatch }, event, requeueAfterMs };
  }

  const { listing } = outcome;
  const changed = kept.fingerprint !== undefined && kept.fingerprint !== listing.fingerprint;
  const dataWatch: DataWatchStatus = {
    dataset,
    fingerprint: listing.fingerprint,
    files: listing.files,
    newest: listing.newest,
    listedTime: outcome.slot,
    changes: changed ? changes + 1 : changes,
    lastChangeTime: changed ? now.toISOString() : kept.lastChangeTime,
  };
  if (!changed) return { changes, started: false, status: { dataWatch }, requeueAfterMs };
  const newest = listing.newest ? `, newest ${listing.newest}` : '';
  return {
    changes: dataWatch.changes,
    started: true,
    status: { dataWatch },
    event: {
      type: 'Normal',
      reason: 'RetrainingOnNewData',
      message: `dataset ${dataset} changed (${kept.files ?? '?'} -> ${listing.files} period files${newest}): training run started`,
    },
    requeueAfterMs,
  };
}
