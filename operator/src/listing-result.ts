/**
 * Reads spec.training.watchInterval's listing Jobs: which finished one is new to the status, and
 * what its pod said (`loanrisk-train --list-periods`' termination message, checked against
 * contracts' PeriodListingSchema, or why it failed).
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { payloadCheck, PeriodListingSchema, type LoanRiskModel } from '@peerloan/contracts';
import {
  datasetKey,
  LISTED_DATASET_ANNOTATION,
  LISTING_COMPONENT,
  LISTING_SLOT_ANNOTATION,
} from './children/listing-job.js';
import type { ListingOutcome } from './data-watch.js';
import { nameOf } from './object-identity.js';
import { terminationMessage } from './training-summary.js';

const checkListing = payloadCheck(PeriodListingSchema);

const COMPONENT_LABEL = 'app.kubernetes.io/component';

function ended(job: V1Job, type: 'Complete' | 'Failed') {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/**
 * The newest finished listing Job of the model's current dataset whose interval is later than the
 * one status.dataWatch records; undefined when there is none (every result was read already).
 */
export function newestUnreadListing(model: LoanRiskModel, jobs: readonly V1Job[]): V1Job | undefined {
  const seen = model.status?.dataWatch;
  const dataset = datasetKey(model);
  const since = seen?.dataset === dataset ? Date.parse(seen.listedTime) : Number.NEGATIVE_INFINITY;
  const slot = (job: V1Job) => Date.parse(job.metadata?.annotations?.[LISTING_SLOT_ANNOTATION] ?? '');
  return jobs
    .filter((j) => j.metadata?.labels?.[COMPONENT_LABEL] === LISTING_COMPONENT)
    .filter((j) => j.metadata?.annotations?.[LISTED_DATASET_ANNOTATION] === dataset)
    .filter((j) => (ended(j, 'Complete') ?? ended(j, 'Failed')) && slot(j) > since)
    .sort((a, b) => slot(b) - slot(a))
    .at(0);
}

/**
 * What a finished listing Job says; undefined while a completed one's pod has not shown its
 * termination message yet.
 */
export function listingOutcome(job: V1Job, pods: readonly V1Pod[]): ListingOutcome | undefined {
  const slot = job.metadata?.annotations?.[LISTING_SLOT_ANNOTATION] ?? '';
  const name = nameOf(job);
  const found = terminationMessage(pods);
  const failed = ended(job, 'Failed');
  if (failed) {
    const why = found?.message.trim() || `${failed.reason ?? ''} ${failed.message ?? ''}`.trim();
    return { slot, failed: `listing job ${name} failed: ${why}` };
  }
  if (!found) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(found.message);
  } catch {
    return { slot, failed: `listing job ${name}: termination message is not JSON: ${found.message.slice(0, 200)}` };
  }
  const checked = checkListing(value);
  if ('problems' in checked)
    return {
      slot,
      failed: `listing job ${name}: termination message is not a period listing: ${checked.problems.join('; ')}`,
    };
  return { slot, listing: checked.value };
}
