/**
 * The training run: a ConfigMap with the trainer's config file and a Job named after a hash of
 * everything that changes the model (dataset, training settings, decision policy), so a repeated
 * reconcile finds the Job it made instead of making another.
 */
import type { V1ConfigMap, V1Container, V1Job, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import { DATASET_DEFAULTS, DECISION_POLICY_DEFAULTS, TRAINING_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import { contentHash } from '../content-hash.js';
import { commonLabels, resourceRequirements, ownerReference, shortName, SPEC_HASH_ANNOTATION } from '../labels.js';
import { nameOf } from '../object-identity.js';
import { NO_POD_DEFAULTS, placementSpec, podAnnotations, podLabels, type PodDefaults } from './placement.js';

const CONFIG_FILE = 'training.json';

/**
 * Runs of the same spec after its first, each of which must name a new Job: the same spec trained
 * again reads whatever the dataset path now holds.
 */
export interface TrainingRuns {
  /** Drift-triggered runs so far (status.retrains). */
  retrains?: number;
  /** The schedule's last due time (status.lastScheduledTime). */
  scheduledTime?: string;
  /** Data changes that started a run (status.dataWatch.changes). */
  dataChanges?: number;
}

/**
 * The training Job's hash. The schedule and the watch interval are left out: setting or changing
 * them starts no run; the runs they start count in `runs`.
 */
export function trainingHash(model: LoanRiskModel, runs: TrainingRuns = {}): string {
  const { dataset, training: withTriggers, decisionPolicy } = model.spec;
  const { schedule: _schedule, watchInterval: _watchInterval, ...training } = withTriggers;
  const { retrains = 0, scheduledTime, dataChanges = 0 } = runs;
  return contentHash({
    dataset,
    training,
    decisionPolicy,
    ...(retrains > 0 && { retrains }),
    ...(scheduledTime && { scheduledTime }),
    ...(dataChanges > 0 && { dataChanges }),
  });
}

export function trainingJobName(model: LoanRiskModel, runs: TrainingRuns = {}): string {
  return `${shortName(nameOf(model), 48)}-train-${trainingHash(model, runs).slice(0, 8)}`;
}

/**
 * The pod template of a Job of the trainer image (the training run, the data listing): placed and
 * labelled as spec.training says, non-root with a read-only root, the message at the path the
 * operator reads.
 */
export function trainerPodTemplate(
  model: LoanRiskModel,
  labels: Record<string, string>,
  defaults: PodDefaults,
  container: Pick<V1Container, 'name' | 'args' | 'resources' | 'volumeMounts'>,
  volumes: V1Volume[],
): V1PodTemplateSpec {
  const { training } = model.spec;
  return {
    metadata: { labels: podLabels(training, labels), annotations: podAnnotations(training) },
    spec: {
      // An RWO claim mounts where the training pod can: every pod of the trainer image is placed alike.
      ...placementSpec(training, defaults),
      restartPolicy: 'Never',
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          ...container,
          image: training.image,
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'FallbackToLogsOnError',
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
      volumes,
    },
  };
}

/** The trainer's --config file: the CR's overrides plus folds, seed and the threshold policy. */
export function trainerConfig(model: LoanRiskModel): Record<string, unknown> {
  const { training, decisionPolicy } = model.spec;
  return {
    ...training.config,
    ...(training.folds !== undefined && { folds: training.folds }),
    ...(training.seed !== undefined && { seed: training.seed }),
    ...(decisionPolicy && { threshold: { ...DECISION_POLICY_DEFAULTS, ...decisionPolicy } }),
  };
}

export function desiredTrainingConfigMap(model: LoanRiskModel, runs: TrainingRuns = {}): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: trainingJobName(model, runs),
      namespace: model.metadata.namespace,
      labels: commonLabels(model, 'training'),
      ownerReferences: [ownerReference(model)],
    },
    immutable: true,
    data: { [CONFIG_FILE]: `${JSON.stringify(trainerConfig(model), null, 2)}\n` },
  };
}

export function desiredTrainingJob(
  model: LoanRiskModel,
  runs: TrainingRuns = {},
  defaults: PodDefaults = NO_POD_DEFAULTS,
): V1Job {
  const { dataset, training } = model.spec;
  const name = trainingJobName(model, runs);
  const labels = commonLabels(model, 'training');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: model.metadata.namespace,
      labels,
      annotations: { [SPEC_HASH_ANNOTATION]: trainingHash(model, runs) },
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      backoffLimit: training.backoffLimit ?? TRAINING_DEFAULTS.backoffLimit,
      activeDeadlineSeconds: training.activeDeadlineSeconds ?? TRAINING_DEFAULTS.activeDeadlineSeconds,
      template: trainerPodTemplate(
        model,
        labels,
        defaults,
        {
          name: 'trainer',
          args: trainerArgs(model),
          resources: resourceRequirements(training.resources),
          volumeMounts: [
            { name: 'data', mountPath: '/data', readOnly: true },
            { name: 'data', mountPath: '/models', subPath: dataset.modelsSubPath ?? DATASET_DEFAULTS.modelsSubPath },
            { name: 'config', mountPath: '/config', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
        [
          { name: 'data', persistentVolumeClaim: { claimName: dataset.claimName } },
          { name: 'config', configMap: { name } },
          { name: 'tmp', emptyDir: {} },
        ],
      ),
    },
  };
}

function trainerArgs(model: LoanRiskModel): string[] {
  const { dataset } = model.spec;
  const live = model.status?.live?.version;
  return [
    '--data',
    `/data/${dataset.path}`,
    '--out',
    '/models',
    ...(dataset.validationPath ? ['--validation-data', `/data/${dataset.validationPath}`] : []),
    // The live version at creation (the Job is made once): the trainer scores it beside the
    // candidate on the later period (validationPath, or the newest file of a folder of periods)
    // for the gate's paired maxRegression; the name's hash leaves it out, so a promotion does not
    // start another run. Passed whenever there is a live version: the operator never mounts the
    // claim, so it cannot tell a folder from a CSV (spec.dataset.path names either, with no
    // marker), and the trainer ignores it with a logged note when it has no later rows.
    ...(live ? ['--baseline-model', `/models/${live}`] : []),
    '--config',
    `/config/${CONFIG_FILE}`,
    '--termination-log',
    '/dev/termination-log',
    '--quiet',
  ];
}
