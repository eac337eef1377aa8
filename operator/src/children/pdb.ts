import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { LoanRiskModel } from '@peerloan/contracts';
import { commonLabels, ownerReference, selectorLabels, servingName } from '../labels.js';

/** maxUnavailable rather than minAvailable: with one replica a minAvailable of 1 would block every node drain. */
export function desiredPdb(model: LoanRiskModel): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: servingName(model),
      namespace: model.metadata.namespace,
      labels: commonLabels(model, 'api'),
      ownerReferences: [ownerReference(model)],
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(model) } },
  };
}
