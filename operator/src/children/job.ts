/**
 * The training run: a ConfigMap with the trainer's config file and a Job named after a hash of
 * everything that changes the model (dataset, training settings, decision policy), so a repeated
 * reconcile finds the Job it made instead of making another.
 */
import type { V1ConfigMap, V1Job } from '@kubernetes/client-node';
import { DATASET_DEFAULTS, DECISION_POLICY_DEFAULTS, TRAINING_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import { contentHash } from '../content-hash.js';
import { commonLabels, resourceRequirements, ownerReference, shortName, SPEC_HASH_ANNOTATION } from '../labels.js';
import { nameOf } from '../object-identity.js';
import { NO_POD_DEFAULTS, placementSpec, podAnnotations, podLabels, type PodDefaults } from './placement.js';

const CONFIG_FILE = 'training.json';

/**
 * `retrains` counts drift-triggered runs and `scheduledTime` is the schedule's last due time: the
 * same spec trained again (on new data at the same path) needs a new Job. The schedule itself is
 * left out: setting or changing it starts no run.
 */
export function trainingHash(model: LoanRiskModel, retrains = 0, scheduledTime?: string): string {
  const { dataset, training: withSchedule, decisionPolicy } = model.spec;
  const { schedule: _schedule, ...training } = withSchedule;
  return contentHash({
    dataset,
    training,
    decisionPolicy,
    ...(retrains > 0 && { retrains }),
    ...(scheduledTime && { scheduledTime }),
  });
}

export function trainingJobName(model: LoanRiskModel, retrains = 0, scheduledTime?: string): string {
  return `${shortName(nameOf(model), 48)}-train-${trainingHash(model, retrains, scheduledTime).slice(0, 8)}`;
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

export function desiredTrainingConfigMap(model: LoanRiskModel, retrains = 0, scheduledTime?: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: trainingJobName(model, retrains, scheduledTime),
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
  retrains = 0,
  defaults: PodDefaults = NO_POD_DEFAULTS,
  scheduledTime?: string,
): V1Job {
  const { dataset, training } = model.spec;
  const name = trainingJobName(model, retrains, scheduledTime);
  const labels = commonLabels(model, 'training');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: model.metadata.namespace,
      labels,
      annotations: { [SPEC_HASH_ANNOTATION]: trainingHash(model, retrains, scheduledTime) },
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      backoffLimit: training.backoffLimit ?? TRAINING_DEFAULTS.backoffLimit,
      activeDeadlineSeconds: training.activeDeadlineSeconds ?? TRAINING_DEFAULTS.activeDeadlineSeconds,
      template: {
        metadata: { labels: podLabels(training, labels), annotations: podAnnotations(training) },
        spec: {
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
              name: 'trainer',
              image: training.image,
              args: trainerArgs(model),
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'FallbackToLogsOnError',
              resources: resourceRequirements(training.resources),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'data', mountPath: '/data', readOnly: true },
                {
                  name: 'data',
                  mountPath: '/models',
                  subPath: dataset.modelsSubPath ?? DATASET_DEFAULTS.modelsSubPath,
                },
                { name: 'config', mountPath: '/config', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: dataset.claimName } },
            { name: 'config', configMap: { name } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
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
    // candidate on the later period for the gate's paired maxRegression; the name's hash leaves
    // it out, so a promotion does not start another run.
    ...(live && dataset.validationPath ? ['--baseline-model', `/models/${live}`] : []),
    '--config',
    `/config/${CONFIG_FILE}`,
    '--termination-log',
    '/dev/termination-log',
    '--quiet',
  ];
}
