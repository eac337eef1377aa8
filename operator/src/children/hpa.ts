import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { SERVING_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import { commonLabels, ownerReference, servingName } from '../labels.js';

export function desiredHpa(model: LoanRiskModel): V2HorizontalPodAutoscaler {
  const { serving } = model.spec;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: servingName(model),
      namespace: model.metadata.namespace,
      labels: commonLabels(model, 'api'),
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: servingName(model) },
      minReplicas: serving.minReplicas ?? SERVING_DEFAULTS.minReplicas,
      maxReplicas: serving.maxReplicas ?? SERVING_DEFAULTS.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: {
              type: 'Utilization',
              averageUtilization: serving.targetCPUUtilization ?? SERVING_DEFAULTS.targetCPUUtilization,
            },
          },
        },
      ],
    },
  };
}
