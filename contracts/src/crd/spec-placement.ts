/**
 * Where and as whom a pod runs: the core/v1 PodSpec fields spec.serving and spec.training take
 * as they are (nodeSelector, tolerations, affinity, ...), in Kubernetes' own shapes.
 *
 * Tolerations, topology spread constraints and image pull secrets get real item schemas, so a
 * wrong shape or an unknown operator is refused when the LoanRiskModel is applied. Affinity does
 * not: its full structural schema is several hundred lines of nested selector terms, so only its
 * three members are named (a misspelt one is refused by kubectl's strict field validation) and
 * each keeps its content unchecked (x-kubernetes-preserve-unknown-fields), as most operators do.
 * The API server still checks that content when the operator applies the pod template.
 */
import { Type, type Static } from 'typebox';
import { celRules, int32, int64, oneOf, text } from '../schema/fields.js';
import { CRD_GROUP } from './names.js';

/** A DNS subdomain: the name of a ServiceAccount, a Secret or a PriorityClass. */
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** prefix (a DNS subdomain, 253) + '/' + name (63). */
const QUALIFIED_NAME_MAX = 317;

/**
 * Labels the operator puts on the pods it makes (the API's selector among them) and those the Job
 * controller adds: podLabels may not set them, so a pod always matches its Deployment's selector,
 * the Service, the PodDisruptionBudget and the operator's own lists.
 */
export const RESERVED_POD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/component',
  'app.kubernetes.io/managed-by',
  `${CRD_GROUP}/model`,
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'controller-uid',
] as const;

const stringMap = (description: string, valueOptions: Record<string, unknown> = {}, options = {}) =>
  Type.Record(Type.String(), Type.String(valueOptions), { description, maxProperties: 64, ...options });

/** Annotations for a Service, an Ingress or a pod (e.g. a cloud load balancer's settings). */
export const annotations = (description: string) => stringMap(description, { maxLength: 65536 });

/** metav1.LabelSelector; its fields also make the chart's NetworkPolicy peers (chart-values.ts). */
export const LabelSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(stringMap('Labels a pod must carry.', { maxLength: 63, pattern: LABEL_VALUE })),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: text('Label key.', { minLength: 1, maxLength: QUALIFIED_NAME_MAX }),
          operator: oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, 'How the key relates to values.'),
          values: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 64 })),
        }),
        { description: 'Label requirements, all of which a pod must meet.', maxItems: 16 },
      ),
    ),
  },
  { description: 'Pods counted by the constraint (metav1.LabelSelector).' },
);

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(text('Taint key; empty with operator Exists matches every taint.', { maxLength: 317 })),
    operator: Type.Optional(
      oneOf(['Exists', 'Equal'] as const, 'Equal (the default) compares value; Exists matches any value.'),
    ),
    value: Type.Optional(text('Taint value, for operator Equal.', { maxLength: 63 })),
    effect: Type.Optional(
      oneOf(
        ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const,
        'Taint effect matched; absent matches every effect.',
      ),
    ),
    tolerationSeconds: Type.Optional(
      int64('With effect NoExecute: how long the pod stays bound after the taint appears.'),
    ),
  },
  { description: 'core/v1 Toleration.' },
);
export type Toleration = Static<typeof TolerationSchema>;

export const TopologySpreadConstraintSchema = Type.Object(
  {
    maxSkew: int32('Largest allowed difference in matching pods between two domains.', 1, 1000),
    topologyKey: text('Node label whose values are the domains, e.g. topology.kubernetes.io/zone.', {
      minLength: 1,
      maxLength: QUALIFIED_NAME_MAX,
    }),
    whenUnsatisfiable: oneOf(
      ['DoNotSchedule', 'ScheduleAnyway'] as const,
      'DoNotSchedule leaves the pod Pending; ScheduleAnyway only prefers the lesser skew.',
    ),
    labelSelector: Type.Optional(LabelSelectorSchema),
    minDomains: Type.Optional(int32('Fewest eligible domains (DoNotSchedule only).', 1, 1000)),
    matchLabelKeys: Type.Optional(
      Type.Array(Type.String({ maxLength: QUALIFIED_NAME_MAX }), {
        description: "Label keys whose values are taken from the incoming pod's labels, e.g. pod-template-hash.",
        maxItems: 16,
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    nodeAffinityPolicy: Type.Optional(oneOf(['Honor', 'Ignore'] as const, "Whether the pod's node affinity counts.")),
    nodeTaintsPolicy: Type.Optional(oneOf(['Honor', 'Ignore'] as const, 'Whether node taints count.')),
  },
  { description: 'core/v1 TopologySpreadConstraint.' },
);
export type TopologySpreadConstraint = Static<typeof TopologySpreadConstraintSchema>;

/** Named members, unchecked content: see the file's comment. */
const affinityTerm = (description: string) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const AffinitySchema = Type.Object(
  {
    nodeAffinity: Type.Optional(affinityTerm('core/v1 NodeAffinity.')),
    podAffinity: Type.Optional(affinityTerm('core/v1 PodAffinity.')),
    podAntiAffinity: Type.Optional(affinityTerm('core/v1 PodAntiAffinity.')),
  },
  {
    description:
      "core/v1 Affinity. Its members' content is checked by the API server when the operator applies the pod template, not when the LoanRiskModel is applied.",
  },
);
export type Affinity = Static<typeof AffinitySchema>;

const reservedList = RESERVED_POD_LABELS.map((k) => `'${k}'`).join(', ');

/** The placement fields of the pods of `what`, spread into spec.serving and spec.training. */
export const placementFields = (what: string) => ({
  nodeSelector: Type.Optional(
    stringMap(`Node labels ${what} must be scheduled on.`, { maxLength: 63, pattern: LABEL_VALUE }),
  ),
  tolerations: Type.Optional(Type.Array(TolerationSchema, { description: `Taints ${what} tolerate.`, maxItems: 50 })),
  affinity: Type.Optional(AffinitySchema),
  topologySpreadConstraints: Type.Optional(
    Type.Array(TopologySpreadConstraintSchema, {
      description: `How ${what} spread across nodes, zones or other domains.`,
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['topologyKey', 'whenUnsatisfiable'],
    }),
  ),
  priorityClassName: Type.Optional(text(`PriorityClass of ${what}.`, { pattern: DNS_SUBDOMAIN, maxLength: 253 })),
  podAnnotations: Type.Optional(annotations(`Extra annotations on ${what}.`)),
  podLabels: Type.Optional(
    stringMap(
      `Extra labels on ${what}; the operator's own (${RESERVED_POD_LABELS.join(', ')}) cannot be set.`,
      { maxLength: 63, pattern: LABEL_VALUE },
      celRules([
        `self.all(k, !(k in [${reservedList}]))`,
        `podLabels must not set ${RESERVED_POD_LABELS.join(', ')}: the operator and the Job controller select pods by them`,
      ]),
    ),
  ),
  serviceAccountName: Type.Optional(
    text(`ServiceAccount ${what} run as; the namespace's default when absent.`, {
      pattern: DNS_SUBDOMAIN,
      maxLength: 253,
    }),
  ),
  imagePullSecrets: Type.Optional(
    Type.Array(
      Type.Object(
        { name: text('Secret name (kubernetes.io/dockerconfigjson).', { pattern: DNS_SUBDOMAIN, maxLength: 253 }) },
        { description: 'core/v1 LocalObjectReference.' },
      ),
      {
        description: `Secrets with registry credentials for ${what}'s images, added to the operator's default list.`,
        maxItems: 20,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
    ),
  ),
});

export const PodPlacementSchema = Type.Object(placementFields('the pods'));
/** What spec.serving and spec.training share; the operator turns it into pod template fields. */
export type PodPlacement = Static<typeof PodPlacementSchema>;
