/**
 * The `loanRiskModel` part of charts/loan-risk/values.schema.json, from the CRD's own field
 * schemas where the chart passes a value through (scripts/values-schema.mjs writes it; a test fails
 * when the committed file is stale). A value the CRD defaults is null in values.yaml, so the chart
 * renders nothing and the API server fills in the CRD's default: the chart never states a default
 * of its own. The schema carries the CRD's default as an annotation for the README's table.
 */
import { Type, type TSchema } from 'typebox';
import { SCOPES } from './api-security.js';
import { DECISION_POLICY_DEFAULTS } from './crd-defaults.js';
import { DecisionPolicySpecSchema, DriftSpecSchema, QualityGateSpecSchema } from './crd/spec.js';
import { IngressSpecSchema, RateLimitSpecSchema, ServingSpecSchema } from './crd/spec-serving.js';
import { placementFields, RESERVED_POD_LABELS } from './crd/spec-placement.js';
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

const { serving, ingress, rateLimit } = {
  serving: ServingSpecSchema.properties,
  ingress: IngressSpecSchema.properties,
  rateLimit: RateLimitSpecSchema.properties,
};

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
  trainingConfig: TrainingOverridesSchema,
  trainingResources: resources('the training container'),
  minRocAuc: orNull(QualityGateSpecSchema.properties.minRocAuc),
  maxRegression: orNull(QualityGateSpecSchema.properties.maxRegression),
  minOutOfTimeRocAuc: orNull(QualityGateSpecSchema.properties.minOutOfTimeRocAuc),
  maxCalibrationError: orNull(QualityGateSpecSchema.properties.maxCalibrationError),
  decisionPolicy: orNull(
    Type.Required(DecisionPolicySpecSchema, { additionalProperties: false, default: DECISION_POLICY_DEFAULTS }),
  ),
  serving: closed({
    minReplicas: orNull(serving.minReplicas),
    maxReplicas: orNull(serving.maxReplicas),
    targetCPUUtilization: orNull(serving.targetCPUUtilization),
    resources: orNull(serving.resources),
  }),
  ingress: closed({
    enabled: flag('Create the Ingress.'),
    className: text('IngressClass.', { maxLength: 253 }),
    host: text('Host name; required when the Ingress is enabled.', {
      pattern: `^(${String(jsonSchema(ingress.host).pattern).slice(1, -1)})?$`,
      maxLength: 253,
    }),
    path: orNull(ingress.path),
    tlsSecretName: optionalName('TLS Secret name; empty = no TLS.'),
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
});

/** The JSON Schema of `.Values.loanRiskModel`. */
export function loanRiskModelValuesSchema(): Json {
  return jsonSchema(LoanRiskModelValuesSchema);
}

/**
 * The placement values of the chart's own pods (`operator`, `worker`, `redis`): the same field
 * schemas as the LoanRiskModel's spec.serving and spec.training, with the empty value meaning none.
 * podLabels may not name the labels pods are selected by (the chart's own win in the template).
 */
export function podPlacementValuesSchema(what: string): Record<string, Json> {
  const fields = placementFields(what);
  const { pattern } = jsonSchema(fields.priorityClassName);
  return {
    podAnnotations: jsonSchema(fields.podAnnotations),
    podLabels: { ...jsonSchema(fields.podLabels), propertyNames: { not: { enum: [...RESERVED_POD_LABELS] } } },
    nodeSelector: jsonSchema(fields.nodeSelector),
    tolerations: jsonSchema(fields.tolerations),
    affinity: jsonSchema(fields.affinity),
    topologySpreadConstraints: jsonSchema(fields.topologySpreadConstraints),
    priorityClassName: jsonSchema(
      text(`PriorityClass of ${what}; empty for none.`, {
        pattern: `^(${String(pattern).slice(1, -1)})?$`,
        maxLength: 253,
      }),
    ),
  };
}
