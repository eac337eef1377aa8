/**
 * spec.training.watchInterval's listing Job: the trainer image lists spec.dataset.path's period
 * files (`loanrisk-train --list-periods`) with the claim mounted read-only, as the training Job
 * mounts it, and writes their fingerprint to its termination message. The operator mounts no
 * volume (an RWO claim would pin it to the claim's node, and it would hold the data), so a pod
 * placed like the training pod reads the folder for it. One Job per interval: its name carries
 * the dataset and the interval's start, so every pass of that interval names the same Job.
 */
import type { V1Job } from '@kubernetes/client-node';
import { CRD_GROUP, type LoanRiskModel } from '@peerloan/contracts';
import { contentHash } from '../content-hash.js';
import { commonLabels, ownerReference, shortName } from '../labels.js';
import { nameOf } from '../object-identity.js';
import { trainerPodTemplate } from './job.js';
import { NO_POD_DEFAULTS, type PodDefaults } from './placement.js';

export const LISTING_COMPONENT = 'data-listing';
/** The start of the interval the Job lists for (RFC 3339). */
export const LISTING_SLOT_ANNOTATION = `${CRD_GROUP}/listing-slot`;
/** spec.dataset's claimName/path the Job lists: a result for another dataset is not compared. */
export const LISTED_DATASET_ANNOTATION = `${CRD_GROUP}/listed-dataset`;

/** The dataset a listing is of, as status.dataWatch.dataset records it. */
export function datasetKey(model: LoanRiskModel): string {
  return `${model.spec.dataset.claimName}/${model.spec.dataset.path}`;
}

export function listingJobName(model: LoanRiskModel, slot: Date): string {
  const hash = contentHash({ dataset: datasetKey(model), slot: slot.toISOString() });
  return `${shortName(nameOf(model), 44)}-list-${hash.slice(0, 8)}`;
}

/**
 * Kept finished for two intervals (at least a minute) so the operator reads its result after a
 * restart or a leader change; at most two or three exist at a time.
 */
function ttlSeconds(intervalMs: number): number {
  return Math.max(60, Math.ceil((2 * intervalMs) / 1000));
}

/** A listing that has not ended within the interval (a pod that cannot start) fails, and the next one tries. */
function deadlineSeconds(intervalMs: number): number {
  return Math.max(30, Math.min(600, Math.floor(intervalMs / 1000)));
}

export function desiredListingJob(
  model: LoanRiskModel,
  slot: Date,
  intervalMs: number,
  defaults: PodDefaults = NO_POD_DEFAULTS,
): V1Job {
  const { dataset } = model.spec;
  const labels = commonLabels(model, LISTING_COMPONENT);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: listingJobName(model, slot),
      namespace: model.metadata.namespace,
      labels,
      annotations: { [LISTING_SLOT_ANNOTATION]: slot.toISOString(), [LISTED_DATASET_ANNOTATION]: datasetKey(model) },
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: deadlineSeconds(intervalMs),
      ttlSecondsAfterFinished: ttlSeconds(intervalMs),
      template: trainerPodTemplate(
        model,
        labels,
        defaults,
        {
          name: 'lister',
          args: ['--list-periods', `/data/${dataset.path}`, '--termination-log', '/dev/termination-log'],
          // It reads file metadata only (about 75 MB resident); the training resources would hold a training-sized share.
          resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
        },
        [{ name: 'data', persistentVolumeClaim: { claimName: dataset.claimName, readOnly: true } }],
      ),
    },
  };
}
