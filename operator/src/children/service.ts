import type { V1Service } from '@kubernetes/client-node';
import type { LoanRiskModel } from '@peerloan/contracts';
import { commonLabels, ownerReference, selectorLabels, servingName } from '../labels.js';

export function desiredService(model: LoanRiskModel): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: servingName(model),
      namespace: model.metadata.namespace,
      labels: commonLabels(model, 'api'),
      ...(model.spec.serving.service?.annotations && { annotations: model.spec.serving.service.annotations }),
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(model),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
