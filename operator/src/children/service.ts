import type { V1Service } from '@kubernetes/client-node';
import type { LoanRiskModel } from '@peerloan/contracts';
import { API_GRPC_PORT, commonLabels, ownerReference, selectorLabels, servingName } from '../labels.js';

/**
 * REST on port 80 and OIP v2 over gRPC on 8081. The gRPC port says it is cleartext HTTP/2
 * (appProtocol kubernetes.io/h2c) for proxies that read it; README "OIP v2 over gRPC" has what
 * Traefik and ingress-nginx need besides.
 */
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
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'grpc', port: API_GRPC_PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      ],
    },
  };
}
