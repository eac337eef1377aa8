/** spec.serving: the prediction API's Deployment, HPA, Ingress, credentials and budgets. */
import { Type, type Static } from 'typebox';
import { API_KEYS_FILE_NAME } from '../api-security.js';
import { INGRESS_DEFAULTS, RATE_LIMIT_DEFAULTS, SERVING_DEFAULTS } from '../crd-defaults.js';
import { celRules, DNS_LABEL, flag, int32, resources, text } from '../schema/fields.js';
import { OPERATOR_ENV_NAMES } from './names.js';
import { annotations, placementFields } from './spec-placement.js';

/** A literal value, or a key of a Secret in the model's namespace (e.g. the Redis password). */
export const EnvVarSchema = Type.Object(
  {
    name: text('Variable name.', { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 }),
    value: Type.Optional(text('Its value.', { maxLength: 4096 })),
    valueFrom: Type.Optional(
      Type.Object(
        {
          secretKeyRef: Type.Object(
            {
              name: text('Secret name.', { minLength: 1, maxLength: 253 }),
              key: text('Key in the Secret.', { minLength: 1, maxLength: 253 }),
            },
            { description: 'The Secret and its key.' },
          ),
        },
        {
          description:
            'Take the value from a key of a Secret in the same namespace (e.g. REDIS_PASSWORD) instead of value.',
        },
      ),
    ),
  },
  {
    description: 'One environment variable.',
    ...celRules(['has(self.value) != has(self.valueFrom)', 'an env entry sets exactly one of value and valueFrom']),
  },
);
export type EnvVar = Static<typeof EnvVarSchema>;

const operatorEnv = OPERATOR_ENV_NAMES.join(', ');

export const IngressSpecSchema = Type.Object(
  {
    enabled: Type.Optional(flag('Create the Ingress.', { default: INGRESS_DEFAULTS.enabled })),
    host: Type.Optional(
      text('Host name, e.g. risk.peerloan.io.', {
        pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        maxLength: 253,
      }),
    ),
    path: Type.Optional(
      text('Path prefix routed to the API.', { default: INGRESS_DEFAULTS.path, pattern: '^/', maxLength: 1024 }),
    ),
    className: Type.Optional(text('IngressClass name; the cluster default when empty.', { maxLength: 253 })),
    tls: Type.Optional(
      Type.Object(
        {
          secretName: text('Secret (kubernetes.io/tls) holding the certificate for host.', {
            pattern: DNS_LABEL,
            maxLength: 253,
          }),
        },
        { description: 'Terminate TLS with a certificate Secret.' },
      ),
    ),
    annotations: Type.Optional(
      annotations(
        'Annotations on the Ingress, e.g. nginx.ingress.kubernetes.io/proxy-body-size or cert-manager.io/cluster-issuer.',
      ),
    ),
  },
  {
    description: 'Expose /predict and /v2 through an Ingress.',
    ...celRules(['!self.enabled || has(self.host)', 'serving.ingress.host is required when the ingress is enabled']),
  },
);
export type IngressSpec = Static<typeof IngressSpecSchema>;

/** Bearer JWTs from an OIDC issuer (the API's AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE). */
export const JwtAuthSpecSchema = Type.Object(
  {
    jwksUrl: text("The issuer's JWKS URL, e.g. https://login.peerloan.io/realms/risk/protocol/openid-connect/certs.", {
      pattern: '^https?://',
      maxLength: 2048,
    }),
    issuer: text('The iss claim accepted tokens carry.', { minLength: 1, maxLength: 2048 }),
    audience: text('The aud claim accepted tokens carry.', { minLength: 1, maxLength: 2048 }),
  },
  {
    description: 'Accept OAuth2/OIDC bearer JWTs (RS256 or ES256) whose space-separated scope claim names the scopes.',
  },
);
export type JwtAuthSpec = Static<typeof JwtAuthSpecSchema>;

/** Who may call the scoring and batch routes; absent (or empty): anyone who reaches the API. */
export const ServingAuthSpecSchema = Type.Object(
  {
    jwt: Type.Optional(JwtAuthSpecSchema),
    apiKeysSecret: Type.Optional(
      Type.Object(
        {
          name: text('Secret name.', { pattern: DNS_LABEL, maxLength: 253 }),
          key: Type.Optional(
            text('Key of the Secret holding the API keys file.', {
              default: API_KEYS_FILE_NAME,
              pattern: '^[-._a-zA-Z0-9]+$',
              maxLength: 253,
            }),
          ),
        },
        {
          description:
            "Accept static API keys (X-API-Key) listed, SHA-256 hashed, in a Secret of the model's namespace; the API reloads it when the Secret changes.",
        },
      ),
    ),
  },
  {
    description:
      'Who may call /predict, OIP infer (scope predict) and /batches (scope batch); /healthz, /readyz and /metrics stay open. Absent or empty: authentication is off.',
  },
);
export type ServingAuthSpec = Static<typeof ServingAuthSpecSchema>;

/** Per-client budgets, counted in the REDIS_URL of serving.env; absent: no limits. */
export const RateLimitSpecSchema = Type.Object(
  {
    requests: Type.Optional(
      int32('Requests per client per window to the scoring and batch routes; absent: no limit.', 1, 100000000),
    ),
    rows: Type.Optional(
      int32(
        'Rows scored per client per window (instances, OIP infer rows, batch upload rows); absent: no limit.',
        1,
        1000000000,
      ),
    ),
    windowSeconds: Type.Optional(
      int32('Length of the budget window in seconds.', 1, 86400, { default: RATE_LIMIT_DEFAULTS.windowSeconds }),
    ),
  },
  {
    description:
      'Per-client budgets per window, shared by all API replicas through the Redis of serving.env REDIS_URL (required when set); a client over budget gets 429 with Retry-After.',
  },
);
export type RateLimitSpec = Static<typeof RateLimitSpecSchema>;

export const ServingSpecSchema = Type.Object(
  {
    image: text('API container image, e.g. ghcr.io/peerloan/api:<release tag>.', { minLength: 1 }),
    env: Type.Optional(
      Type.Array(EnvVarSchema, {
        description: `Extra environment variables of the API container, e.g. REDIS_URL. ${operatorEnv} are set by the operator.`,
        maxItems: 50,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        ...celRules([
          `self.all(e, !(e.name in [${OPERATOR_ENV_NAMES.map((n) => `'${n}'`).join(', ')}]))`,
          `serving.env must not set ${operatorEnv}: the operator sets them`,
        ]),
      }),
    ),
    minReplicas: Type.Optional(
      int32('Fewest API replicas (HPA minimum).', 1, 100, { default: SERVING_DEFAULTS.minReplicas }),
    ),
    maxReplicas: Type.Optional(
      int32('Most API replicas (HPA maximum).', 1, 500, { default: SERVING_DEFAULTS.maxReplicas }),
    ),
    targetCPUUtilization: Type.Optional(
      int32('Average CPU utilisation (percent of requests) the HPA aims for.', 1, 100, {
        default: SERVING_DEFAULTS.targetCPUUtilization,
      }),
    ),
    resources: Type.Optional(
      resources('each API container; the HPA scales on CPU as a share of the request, so a CPU request is always set', {
        default: SERVING_DEFAULTS.resources,
      }),
    ),
    service: Type.Optional(
      Type.Object(
        {
          annotations: Type.Optional(
            annotations("Annotations on the Service, e.g. a cloud load balancer's or a service mesh's settings."),
          ),
        },
        { description: 'The API Service (ClusterIP, port 80).' },
      ),
    ),
    ingress: Type.Optional(IngressSpecSchema),
    auth: Type.Optional(ServingAuthSpecSchema),
    rateLimit: Type.Optional(RateLimitSpecSchema),
    ...placementFields('the API pods'),
  },
  {
    description: 'The prediction API Deployment, Service, HPA, Ingress and PodDisruptionBudget.',
    ...celRules(
      ['self.maxReplicas >= self.minReplicas', 'serving.maxReplicas must be at least serving.minReplicas'],
      [
        "!has(self.rateLimit) || (has(self.env) && self.env.exists(e, e.name == 'REDIS_URL'))",
        'serving.rateLimit needs REDIS_URL in serving.env: the budgets live in Redis',
      ],
    ),
  },
);
export type ServingSpec = Static<typeof ServingSpecSchema>;
