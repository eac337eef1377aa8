/** Names, labels and owner references shared by every object the operator creates. */
import type { V1OwnerReference, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  CRD_API_VERSION,
  CRD_GROUP,
  CRD_KIND,
  type LoanRiskModel,
  type ResourceRequirements,
} from '@peerloan/contracts';
import { sha256 } from './content-hash.js';
import { nameOf, uidOf } from './object-identity.js';

export const FIELD_MANAGER = 'loanrisk-operator';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MODEL_LABEL = `${CRD_GROUP}/model`;
export const SPEC_HASH_ANNOTATION = `${CRD_GROUP}/training-hash`;
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const API_PORT = 8080;
/** The API's OIP v2 over gRPC (plain HTTP/2: h2c). */
export const API_GRPC_PORT = 8081;

/** Label values and Job names are limited to 63 characters; long model names are cut and hashed. */
export function shortName(name: string, room: number): string {
  if (name.length <= room) return name;
  return `${name.slice(0, room - 9)}-${sha256(name).slice(0, 8)}`;
}

export function servingName(model: LoanRiskModel): string {
  return `${shortName(nameOf(model), 59)}-api`;
}

export function selectorLabels(model: LoanRiskModel): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'loan-risk-api',
    'app.kubernetes.io/instance': shortName(nameOf(model), 63),
  };
}

export function commonLabels(model: LoanRiskModel, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'loan-risk',
    'app.kubernetes.io/component': component,
    [MANAGED_BY]: FIELD_MANAGER,
    [MODEL_LABEL]: shortName(nameOf(model), 63),
  };
}

export function ownerReference(model: LoanRiskModel): V1OwnerReference {
  return {
    apiVersion: CRD_API_VERSION,
    kind: CRD_KIND,
    name: nameOf(model),
    uid: uidOf(model),
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isOwnedBy(obj: { metadata?: { ownerReferences?: V1OwnerReference[] } }, model: LoanRiskModel): boolean {
  return (obj.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === model.metadata.uid);
}

/** The CRD accepts 2 as well as "2" for a quantity; the core types want strings. */
export function resourceRequirements(r: ResourceRequirements | undefined): V1ResourceRequirements | undefined {
  if (!r) return undefined;
  const strings = (m?: Record<string, string | number>) =>
    m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])) : undefined;
  return { requests: strings(r.requests), limits: strings(r.limits) };
}
