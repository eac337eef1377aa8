/**
 * The prediction API. The pod template names the live version (annotation) and what the pods
 * serve (the rollout environment: live, and a candidate in shadow or with its canary share), so
 * every change of it, a promotion or a canary step, is an ordinary rolling update: one extra pod
 * at a time, none taken away before its replacement is ready, and a preStop pause so endpoints
 * drop a pod before it stops.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { DATASET_DEFAULTS, MODEL_VERSION_ANNOTATION, SERVING_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import {
  API_GRPC_PORT,
  API_PORT,
  commonLabels,
  resourceRequirements,
  ownerReference,
  selectorLabels,
  servingName,
} from '../labels.js';
import { MODELS_MOUNT, rolloutEnv, type Serving } from '../rollout/serving.js';
import { apiKeysMounts, apiKeysVolumes, securityEnv } from './api-security.js';
import {
  NO_POD_DEFAULTS,
  placementSpec,
  podAnnotations,
  podLabels,
  softSpread,
  type PodDefaults,
} from './placement.js';

export function desiredDeployment(
  model: LoanRiskModel,
  serves: Serving,
  defaults: PodDefaults = NO_POD_DEFAULTS,
): V1Deployment {
  const { serving, dataset } = model.spec;
  const labels = { ...commonLabels(model, 'api'), ...selectorLabels(model) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: servingName(model),
      namespace: model.metadata.namespace,
      labels,
      ownerReferences: [ownerReference(model)],
    },
    // No replicas: the HPA owns the count.
    spec: {
      selector: { matchLabels: selectorLabels(model) },
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: podLabels(serving, labels),
          annotations: podAnnotations(serving, { [MODEL_VERSION_ANNOTATION]: serves.live }),
        },
        spec: {
          ...placementSpec(serving, defaults, softSpread(selectorLabels(model))),
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'api',
              image: serving.image,
              ports: [
                { name: 'http', containerPort: API_PORT },
                { name: 'grpc', containerPort: API_GRPC_PORT },
              ],
              env: [
                { name: 'PORT', value: String(API_PORT) },
                { name: 'GRPC_PORT', value: String(API_GRPC_PORT) },
                // The API binds loopback by default (safe on a laptop); in a Pod it must listen on all interfaces.
                { name: 'HOST', value: '0.0.0.0' },
                ...rolloutEnv(serves),
                // API images that predate the rollout environment read only this.
                { name: 'MODEL_DIR', value: `${MODELS_MOUNT}/${serves.live}` },
                ...(serving.env ?? []),
                ...securityEnv(serving),
              ],
              resources: resourceRequirements(serving.resources ?? SERVING_DEFAULTS.resources),
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                initialDelaySeconds: 10,
                periodSeconds: 10,
              },
              // Endpoint removal races SIGTERM; a short pause lets the load balancers catch up.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                {
                  name: 'models',
                  mountPath: MODELS_MOUNT,
                  subPath: dataset.modelsSubPath ?? DATASET_DEFAULTS.modelsSubPath,
                  readOnly: true,
                },
                ...apiKeysMounts(serving),
              ],
            },
          ],
          volumes: [
            { name: 'models', persistentVolumeClaim: { claimName: dataset.claimName, readOnly: true } },
            ...apiKeysVolumes(serving),
          ],
        },
      },
    },
  };
}
