/**
 * The placement fields of spec.serving and spec.training (contracts/src/crd/spec-placement.ts) as
 * pod template fields, with the operator's defaults: the image pull secrets the operator was
 * started with (the chart's global list) come first and the model's are added to them, and the API
 * pods spread softly over nodes and zones unless the model gives its own spread.
 */
import type { V1LocalObjectReference, V1PodSpec, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { PodPlacement } from '@peerloan/contracts';

/** What the operator adds to every pod it makes, from its own configuration. */
export interface PodDefaults {
  /** Names of Secrets with registry credentials (DEFAULT_IMAGE_PULL_SECRETS). */
  imagePullSecrets: readonly string[];
}

export const NO_POD_DEFAULTS: PodDefaults = { imagePullSecrets: [] };

type PlacementSpec = Pick<
  V1PodSpec,
  | 'nodeSelector'
  | 'tolerations'
  | 'affinity'
  | 'topologySpreadConstraints'
  | 'priorityClassName'
  | 'serviceAccountName'
  | 'imagePullSecrets'
>;

/**
 * One soft constraint per topology key: replicas prefer distinct nodes and zones, and still schedule
 * on a single-node or single-zone cluster (ScheduleAnyway), where a hard rule would leave them Pending.
 */
export function softSpread(selector: Record<string, string>): V1TopologySpreadConstraint[] {
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
  }));
}

/** The defaults' secrets, then the model's; each name once. */
export function pullSecrets(defaults: PodDefaults, placement: PodPlacement): V1LocalObjectReference[] {
  const names = [...defaults.imagePullSecrets, ...(placement.imagePullSecrets ?? []).map((s) => s.name)];
  return [...new Set(names)].map((name) => ({ name }));
}

/** The pod spec fields; `defaultSpread` applies when the model names no topologySpreadConstraints. */
export function placementSpec(
  placement: PodPlacement,
  defaults: PodDefaults,
  defaultSpread: V1TopologySpreadConstraint[] = [],
): PlacementSpec {
  const spread = placement.topologySpreadConstraints ?? defaultSpread;
  const secrets = pullSecrets(defaults, placement);
  return {
    ...(placement.nodeSelector && { nodeSelector: placement.nodeSelector }),
    ...(placement.tolerations && { tolerations: placement.tolerations }),
    // The CRD names affinity's members and leaves their content to the API server (spec-placement.ts).
    ...(placement.affinity && { affinity: placement.affinity }),
    ...(spread.length > 0 && { topologySpreadConstraints: spread }),
    ...(placement.priorityClassName && { priorityClassName: placement.priorityClassName }),
    ...(placement.serviceAccountName && { serviceAccountName: placement.serviceAccountName }),
    ...(secrets.length > 0 && { imagePullSecrets: secrets }),
  };
}

/**
 * The pod template's labels: the operator's own win. The CRD already refuses podLabels that name
 * them (RESERVED_POD_LABELS); this keeps the selector intact for an object stored before that rule.
 */
export function podLabels(placement: PodPlacement, own: Record<string, string>): Record<string, string> {
  return { ...placement.podLabels, ...own };
}

/** The pod template's annotations: the model's, then the operator's own. */
export function podAnnotations(placement: PodPlacement, own: Record<string, string> = {}): Record<string, string> {
  return { ...placement.podAnnotations, ...own };
}
