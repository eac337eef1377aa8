/**
 * The `loanRiskModel` part of charts/loan-risk/values.schema.json, the placement values of the
 * chart's own pods and the NetworkPolicy's extra peers, from the CRD's own field schemas where the
 * chart passes a value through (scripts/values-schema.mjs writes them; a test fails when the
 * committed file is stale). A value the CRD defaults is null in values.yaml, so the chart
 * renders nothing and the API server fills in the CRD's default: the chart never states a default
 * of its own. The schema carries the CRD's default as an annotation for the README's table.
 */
import { Type, type TSchema } from 'typebox';
import { SCOPES } from './api-security.js';
import { DECISION_POLICY_DEFAULTS } from './crd-defaults.js';
import { LAST_CHANGED_BY_ANNOTATION } from './crd/names.js';
import { DecisionPolicySpecSchema, DriftSpecSchema, QualityGateSpecSchema } from './crd/spec.js';
import { RolloutChecksSchema, RolloutSpecSchema } from './crd/spec-rollout.js';
import { IngressSpecSchema, RateLimitSpecSchema, ServingSpecSchema } from './crd/spec-serving.js';
import { LabelSelectorSchema, placementFields, RESERVED_POD_LABELS } from './crd/spec-placement.js';
import { TrainingOverridesSchema, TrainingSpecSchema } from './crd/spec-training.js';
import { DNS_LABEL, flag, int32, resources, text } from './schema/fields.js';
import { jsonSchema } from './schema/kubernetes-schema.js';

type Json = Record<string, unknown>;

/** A CRD field the chart may leave unset (null): the same schema, null allowed. */
function orNull(schema: TSchema): Json {
  const { type, enum: values, ...rest } = jsonSchema(schema);
  return { type: [type, 'null'], ...rest, ...(Array.isArray(values) && { enum: [...(values as unknown[]), null] }) };
}

const closed = (properties: Record<string, TSchema | Json>, options: Json = {}) =>
  Type.Unsafe({ type: 'object', additionalProperties: false, properties, ...options });

/** Empty for none, else a Kubernetes name. */
const optionalName = (description: string) =>
  text(description, { pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$', maxLength: 253 });

const RELATIVE_PATH = '[^/.]([^.]|\\.[^.])*\\.?';

const { serving, ingress, rateLimit, rollout, checks } = {
  serving: ServingSpecSchema.properties,
  ingress: IngressSpecSchema.properties,
  rateLimit: RateLimitSpecSchema.properties,
  rollout: RolloutSpecSchema.properties,
  checks: RolloutChecksSchema.properties,
};

/** A name field of the CRD (its own pattern and length), or empty for none. */
function orEmpty(schema: TSchema, description: string): Json {
  const { pattern, maxLength } = jsonSchema(schema);
  return jsonSchema(
    text(description, { pattern: `^(${String(pattern).slice(1, -1)})?$`, maxLength: Number(maxLength) }),
  );
}

type PlacementFields = ReturnType<typeof placementFields>;

/**
 * Placement values of pods of `what`: the CRD's own field schemas, the empty value meaning none.
 * podLabels may not name the labels pods are selected by (the CRD says so in a CEL rule, which a
 * values schema cannot run).
 */
function placementValues(fields: PlacementFields, what: string): Record<string, Json> {
  return {
    podAnnotations: jsonSchema(fields.podAnnotations),
    podLabels: { ...jsonSchema(fields.podLabels), propertyNames: { not: { enum: [...RESERVED_POD_LABELS] } } },
    nodeSelector: jsonSchema(fields.nodeSelector),
    tolerations: jsonSchema(fields.tolerations),
    affinity: jsonSchema(fields.affinity),
    topologySpreadConstraints: jsonSchema(fields.topologySpreadConstraints),
    priorityClassName: orEmpty(fields.priorityClassName, `PriorityClass of ${what}; empty for none.`),
  };
}

/** What the chart's LoanRiskModel passes to spec.serving or spec.training: every placement field. */
const modelPlacementValues = (fields: PlacementFields, what: string): Record<string, Json> => ({
  ...placementValues(fields, what),
  serviceAccountName: orEmpty(fields.serviceAccountName, `ServiceAccount of ${what}; empty: the namespace's default.`),
  imagePullSecrets: jsonSchema(fields.imagePullSecrets),
});

export const LoanRiskModelValuesSchema = closed({
  enabled: flag('Create the LoanRiskModel.'),
  name: text('LoanRiskModel name.', { pattern: DNS_LABEL, maxLength: 59 }),
  datasetPath: text("CSV path on the volume: relative (no leading /), without '..'.", {
    minLength: 1,
    maxLength: 1024,
    pattern: `^${RELATIVE_PATH}$`,
  }),
  validationPath: text(
    "Later period's CSV path on the volume: empty for none, else relative (no leading /), without '..'.",
    { maxLength: 1024, pattern: `^$|^${RELATIVE_PATH}$` },
  ),
  folds: orNull(TrainingSpecSchema.properties.folds),
  seed: orNull(TrainingSpecSchema.properties.seed),
  schedule: orNull(TrainingSpecSchema.properties.schedule),
  watchInterval: orNull(TrainingSpecSchema.properties.watchInterval),
  trainingConfig: TrainingOverridesSchema,
  trainingResources: resources('the training container'),
  minRocAuc: orNull(QualityGateSpecSchema.properties.minRocAuc),
  maxRegression: orNull(QualityGateSpecSchema.properties.maxRegression),
  minOutOfTimeRocAuc: orNull(QualityGateSpecSchema.properties.minOutOfTimeRocAuc),
  maxCalibrationError: orNull(QualityGateSpecSchema.properties.maxCalibrationError),
  decisionPolicy: orNull(
    Type.Required(DecisionPolicySpecSchema, { additionalProperties: false, default: DECISION_POLICY_DEFAULTS }),
  ),
  training: closed(modelPlacementValues(TrainingSpecSchema.properties, 'the training pod')),
  serving: closed({
    minReplicas: orNull(serving.minReplicas),
    maxReplicas: orNull(serving.maxReplicas),
    targetCPUUtilization: orNull(serving.targetCPUUtilization),
    resources: orNull(serving.resources),
    ...modelPlacementValues(serving, 'the API pods'),
  }),
  service: closed({ annotations: jsonSchema(serving.service.properties.annotations) }),
  ingress: closed({
    enabled: flag('Create the Ingress.'),
    className: text('IngressClass.', { maxLength: 253 }),
    host: text('Host name; required when the Ingress is enabled.', {
      pattern: `^(${String(jsonSchema(ingress.host).pattern).slice(1, -1)})?$`,
      maxLength: 253,
    }),
    path: orNull(ingress.path),
    tlsSecretName: optionalName('TLS Secret name; empty = no TLS.'),
    annotations: jsonSchema(ingress.annotations),
  }),
  auth: closed({
    enabled: flag('Require a credential on the scoring and batch routes.'),
    jwt: closed({
      jwksUrl: text('JWKS URL of the issuer; empty: no bearer tokens.', {
        pattern: '^(https?://.+)?$',
        maxLength: 2048,
      }),
      issuer: text('iss of accepted tokens.', { maxLength: 2048 }),
      audience: text('aud of accepted tokens.', { maxLength: 2048 }),
    }),
    apiKeys: closed({
      existingSecret: optionalName('Secret holding api-keys.json.'),
      keys: Type.Array(
        closed(
          {
            client: Type.String({ pattern: '^[A-Za-z0-9._@:-]{1,128}$' }),
            sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
            scopes: Type.Array(Type.Unsafe({ type: 'string', enum: SCOPES }), { uniqueItems: true }),
          },
          { required: ['client', 'sha256', 'scopes'] },
        ),
        { description: "Hashed API keys for the chart's Secret." },
      ),
    }),
  }),
  rateLimit: closed({
    requests: int32('Requests per client per window; 0: no limit.', 0, Number(jsonSchema(rateLimit.requests).maximum)),
    rows: int32('Rows per client per window; 0: no limit.', 0, Number(jsonSchema(rateLimit.rows).maximum)),
    windowSeconds: orNull(rateLimit.windowSeconds),
  }),
  drift: closed({
    action: orNull(DriftSpecSchema.properties.action),
    threshold: orNull(DriftSpecSchema.properties.threshold),
    window: orNull(DriftSpecSchema.properties.window),
    cooldown: orNull(DriftSpecSchema.properties.cooldown),
  }),
  rollout: closed({
    strategy: orNull(rollout.strategy),
    approval: orNull(rollout.approval),
    steps: orNull(rollout.steps),
    bakeSeconds: orNull(rollout.bakeSeconds),
    readyDeadlineSeconds: orNull(rollout.readyDeadlineSeconds),
    checks: closed({
      maxErrorRate: orNull(checks.maxErrorRate),
      maxP99LatencyRatio: orNull(checks.maxP99LatencyRatio),
      maxScorePsi: orNull(checks.maxScorePsi),
      minDecisionAgreement: orNull(checks.minDecisionAgreement),
      minSamples: orNull(checks.minSamples),
    }),
  }),
  lastChangedBy: text(`Annotation ${LAST_CHANGED_BY_ANNOTATION}: the user who last changed the spec; empty for none.`, {
    maxLength: 1024,
  }),
});

/** The JSON Schema of `.Values.loanRiskModel`. */
export function loanRiskModelValuesSchema(): Json {
  return jsonSchema(LoanRiskModelValuesSchema);
}

/**
 * The placement values of the chart's own pods (`operator`, `worker`, `redis`): the same field
 * schemas as the LoanRiskModel's spec.serving and spec.training, with the empty value meaning none.
 */
export function podPlacementValuesSchema(what: string): Record<string, Json> {
  return placementValues(placementFields(what), what);
}

/** An IPv4 or IPv6 CIDR; the API server checks the address itself. */
const CIDR = '^[0-9A-Fa-f.:]+/[0-9]{1,3}$';

/**
 * networking.k8s.io/v1 NetworkPolicyPeer: an address range, or pods and namespaces by label. An
 * ipBlock stands alone (Kubernetes refuses it beside a selector).
 */
const NetworkPolicyPeerSchema = Type.Unsafe({
  type: 'object',
  description: 'networking.k8s.io/v1 NetworkPolicyPeer.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ipBlock: closed(
      {
        cidr: text('Addresses admitted, e.g. 10.0.0.0/16.', { pattern: CIDR }),
        except: Type.Array(text('Addresses inside cidr left out.', { pattern: CIDR })),
      },
      { description: 'An address range, e.g. a cloud load balancer outside the cluster.', required: ['cidr'] },
    ),
    namespaceSelector: Type.Object(LabelSelectorSchema.properties, { description: 'Namespaces by label.' }),
    podSelector: Type.Object(LabelSelectorSchema.properties, { description: 'Pods by label.' }),
  },
  dependencies: { ipBlock: { not: { anyOf: [{ required: ['podSelector'] }, { required: ['namespaceSelector'] }] } } },
});

/** `networkPolicy.extraIngressFrom`: more peers allowed to the API pods' ports, in Kubernetes' own shape. */
export function networkPolicyPeersValuesSchema(description: string): Json {
  return jsonSchema(Type.Array(NetworkPolicyPeerSchema, { description, maxItems: 50 }));
}
