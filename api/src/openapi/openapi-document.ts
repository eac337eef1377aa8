/**
 * The OpenAPI 3.1 description of the REST API, served at GET /openapi.json. The
 * README's endpoint table is generated from the operations' summaries and security
 * (scripts/api-docs.mjs), and api/test/openapi.test.ts validates live answers of every
 * documented response against it and checks each operation's security against the server.
 */
import { REQUEST_ID } from '../request-log.js';
import { requestIdHeader } from './building-blocks.js';
import { batchPaths } from './batch-paths.js';
import { modelViewPaths } from './model-view-paths.js';
import { schemas } from './schemas.js';
import { oipPaths, predictPaths } from './scoring-paths.js';
import { servicePaths } from './service-paths.js';

export interface OpenApiOptions {
  readonly serverVersion: string;
}

export function openApiDocument(options: OpenApiOptions) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'PeerLoan loan-risk API',
      version: options.serverVersion,
      description:
        "Scores PeerLoan loan applicants: the probability of being 16-120 days late next quarter and a decision by the trained threshold. Also serves the Open Inference Protocol v2 (KServe/Triton) and portfolio batches. Scoring and the model view (versions, cards, reports, drift) need the predict scope and batches the batch scope, by a bearer JWT or an API key (each operation's security); health, readiness, metrics, metadata, the live model's inputs (/features) and the web page are open. A server started without any AUTH_* variable (local development) enforces none of it: every caller is anonymous. Budgets per client (RATE_LIMIT_*) apply to the protected operations only.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'Predictions' },
      { name: 'Batches' },
      { name: 'Open Inference Protocol v2' },
      { name: 'Model' },
      { name: 'Operations' },
    ],
    paths: { ...predictPaths(), ...batchPaths(), ...oipPaths(), ...modelViewPaths(), ...servicePaths() },
    components: {
      schemas,
      parameters: {
        RequestId: requestIdHeader(
          "Names the request in the server's logs; echoed in the answer. A value not matching the pattern is replaced by a new UUID.",
        ),
        AuditedRequestId: requestIdHeader(
          "Names the request in the server's logs and its decisions' audit records; echoed in the answer. A value not matching the pattern is replaced by a new UUID. With the audit trail on (AUDIT_MODE), a retry of the same request (same id, same client, same body, answered by the same model version) within AUDIT_DEDUP_SECONDS (default 3600) is recorded once: after a 503 or a lost answer, retry with the same id.",
        ),
      },
      headers: {
        RequestId: {
          description: "The request's id: the caller's X-Request-Id when it matches the pattern, else a new UUID.",
          required: true,
          schema: { type: 'string', pattern: REQUEST_ID.source },
        },
        WwwAuthenticate: {
          description:
            'The accepted credentials (RFC 9110): `Bearer realm="loanrisk-api"` with RFC 6750 error, error_description and (403) scope when tokens are accepted; `ApiKey realm="loanrisk-api", header="X-API-Key"` when API keys are.',
          required: true,
          schema: { type: 'string', pattern: '^(Bearer|ApiKey) realm="loanrisk-api"' },
        },
        RetryAfter: {
          description: 'Seconds until the spent budget has room again.',
          required: true,
          schema: { type: 'integer', minimum: 1 },
        },
      },
      // Which operations require them, and the scope each needs, is declared per operation.
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT whose scope claim grants predict (POST /predict, OIP infer) or batch (the /batches operations).',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description:
            'An API key, for services that cannot obtain a JWT; the keys file (AUTH_API_KEYS_FILE) grants it predict, batch or both.',
        },
      },
    },
  };
}
