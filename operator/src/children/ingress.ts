import type { V1Ingress } from '@kubernetes/client-node';
import { INGRESS_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import { commonLabels, ownerReference, servingName } from '../labels.js';

/** undefined when the CR does not ask for an Ingress (an existing one is then deleted). */
export function desiredIngress(model: LoanRiskModel): V1Ingress | undefined {
  const ingress = model.spec.serving.ingress;
  if (!ingress?.enabled || !ingress.host) return undefined;
  const name = servingName(model);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: model.metadata.namespace,
      labels: commonLabels(model, 'api'),
      ...(ingress.annotations && { annotations: ingress.annotations }),
      ownerReferences: [ownerReference(model)],
    },
    spec: {
      ...(ingress.className && { ingressClassName: ingress.className }),
      ...(ingress.tls && { tls: [{ hosts: [ingress.host], secretName: ingress.tls.secretName }] }),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: ingress.path ?? INGRESS_DEFAULTS.path,
                pathType: 'Prefix',
                backend: { service: { name, port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  };
}
