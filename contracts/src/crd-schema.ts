/**
 * The LoanRiskModel CRD object: OpenAPI v3 schema (with the defaults of crd-defaults.ts), printer
 * columns and names. manifests/crd/loanriskmodels.yaml is generated from `loanRiskModelCrd()`
 * (npm run generate:crd -w operator); a test keeps the two identical.
 */
import { DURATION_PATTERN } from './duration.js';
import { MONOTONE_FEATURES } from './features.js';
import { API_KEYS_FILE_NAME } from './api-security.js';
import {
  DATASET_DEFAULTS,
  DECISION_POLICY_DEFAULTS,
  DRIFT_DEFAULTS,
  INGRESS_DEFAULTS,
  QUALITY_GATE_DEFAULTS,
  SERVING_DEFAULTS,
  TRAINING_BOUNDS,
  TRAINING_DEFAULTS,
} from './crd-defaults.js';
import {
  CRD_CATEGORIES,
  CRD_GROUP,
  CRD_KIND,
  CRD_PLURAL,
  CRD_SHORT_NAMES,
  CRD_SINGULAR,
  CRD_VERSION,
  HISTORY_LIMIT,
  OPERATOR_ENV_NAMES,
  PHASES,
  ROLLOUT_CHECK_NAMES,
  ROLLOUT_PHASES,
} from './crd-types.js';
import { ROLLOUT_DEFAULTS, ROLLOUT_STRATEGIES } from './rollout.js';

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, minimum: number, maximum: number, extra: Schema = {}): Schema => ({
  type: 'integer',
  format: 'int32',
  description,
  minimum,
  maximum,
  ...extra,
});
const num = (description: string, minimum: number, maximum: number, extra: Schema = {}): Schema => ({
  type: 'number',
  description,
  minimum,
  maximum,
  ...extra,
});
const bool = (description: string, extra: Schema = {}): Schema => ({ type: 'boolean', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});
const numberList = (description: string, minimum: number, maximum: number, integer = false): Schema => ({
  type: 'array',
  description,
  minItems: 1,
  maxItems: 10,
  items: integer ? { type: 'integer', minimum, maximum } : { type: 'number', minimum, maximum },
});

/** A list of one grid setting's values, within TRAINING_BOUNDS.grid. */
const gridList = (description: string, key: keyof typeof TRAINING_BOUNDS.grid, integer = false): Schema =>
  numberList(description, TRAINING_BOUNDS.grid[key].minimum, TRAINING_BOUNDS.grid[key].maximum, integer);

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const VERSION_PATTERN = '^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$';

const quantityMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: {
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern:
      '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  },
});
const resources = (what: string): Schema =>
  obj(`Compute resources of ${what} (core/v1 ResourceRequirements: requests and limits).`, {
    requests: quantityMap('Minimum resources, e.g. {cpu: 500m, memory: 1Gi}.'),
    limits: quantityMap('Maximum resources, e.g. {cpu: "2", memory: 2Gi}.'),
  });

const modelRecord = (what: string): Schema =>
  obj(
    what,
    {
      version: str('Content-derived model version (the artifact folder name).'),
      metrics: obj(
        'Cross-validated metrics reported by the trainer.',
        {
          rocAuc: num('Mean ROC AUC over the folds.', 0, 1),
          prAuc: num('Mean precision-recall AUC over the folds.', 0, 1),
          brier: num('Mean Brier score (lower is better).', 0, 1),
        },
        { required: ['rocAuc'] },
      ),
      outOfTime: obj(
        'Measured on dataset.validationPath, a later period (absent without one).',
        {
          rows: int('Rows of the later period scored.', 0, 2147483647),
          rocAuc: obj(
            'ROC AUC on the later period with its 95% bootstrap interval.',
            {
              value: num('ROC AUC.', 0, 1),
              low: num('Lower end of the 95% interval.', 0, 1),
              high: num('Upper end of the 95% interval.', 0, 1),
            },
            { required: ['value', 'low', 'high'] },
          ),
          expectedCalibrationError: num('Mean |predicted - observed late rate| over 10 equal-count score bins.', 0, 1),
        },
        { required: ['rows', 'rocAuc', 'expectedCalibrationError'] },
      ),
      comparison: obj(
        'Against the live model on the same rows of dataset.validationPath: the training Job scored both (--baseline-model). qualityGate.maxRegression reads its difference.',
        {
          baselineVersion: str('Live version compared with.'),
          rows: int('Later-period rows both models scored.', 0, 2147483647),
          difference: obj(
            'Candidate minus live ROC AUC with its paired 95% bootstrap interval.',
            {
              value: num('Difference.', -1, 1),
              low: num('Lower end of the 95% interval.', -1, 1),
              high: num('Upper end of the 95% interval.', -1, 1),
            },
            { required: ['value', 'low', 'high'] },
          ),
        },
        { required: ['baselineVersion', 'rows', 'difference'] },
      ),
      threshold: num('Decision threshold chosen by the decision policy.', 0, 1),
      rows: int('Training rows used.', 0, 2147483647),
      job: str('Training Job that produced this model.'),
    },
    { required: ['version', 'metrics'] },
  );

export const LOAN_RISK_MODEL_SPEC_SCHEMA: Schema = obj(
  'Desired state: where the data is, how to train, when to accept a model and how to serve it.',
  {
    dataset: obj(
      'Training data on a PersistentVolumeClaim; the same claim stores the model artifacts.',
      {
        claimName: str(
          'Name of the PersistentVolumeClaim (same namespace) holding the CSV and the artifacts. Use ReadWriteMany when the Job and the API pods may land on different nodes.',
          { pattern: DNS_LABEL, maxLength: 253 },
        ),
        path: str('Path of the training CSV inside the claim, e.g. loans/2026q3.csv.', {
          minLength: 1,
          maxLength: 1024,
          'x-kubernetes-validations': [
            {
              rule: "!self.startsWith('/') && !self.contains('..')",
              message: 'path must be relative to the claim root and must not contain ..',
            },
          ],
        }),
        validationPath: str(
          "Path of a later period's labelled CSV inside the claim (same columns), e.g. loans/2026q4.csv. The model is still chosen by cross-validation on path, then scored on this file (loanrisk-train --validation-data): out-of-time ROC AUC with its 95% bootstrap interval, calibration and feature PSI in the manifest, report and model card. qualityGate.minOutOfTimeRocAuc and maxCalibrationError need it.",
          {
            minLength: 1,
            maxLength: 1024,
            'x-kubernetes-validations': [
              {
                rule: "!self.startsWith('/') && !self.contains('..')",
                message: 'validationPath must be relative to the claim root and must not contain ..',
              },
            ],
          },
        ),
        modelsSubPath: str('Folder inside the claim where the trainer writes <version>/ and the API reads it.', {
          default: DATASET_DEFAULTS.modelsSubPath,
          pattern: '^[A-Za-z0-9._-]+$',
          maxLength: 253,
        }),
      },
      { required: ['claimName', 'path'] },
    ),
    training: obj(
      'The training Job (trainer-job image, loanrisk-train). Changing any of it, the dataset or the decision policy starts a new training run.',
      {
        image: str('Trainer container image, e.g. ghcr.io/peerloan/trainer-job:1.4.0.', { minLength: 1 }),
        resources: resources('the training container'),
        folds: int('Stratified cross-validation folds.', TRAINING_BOUNDS.folds.minimum, TRAINING_BOUNDS.folds.maximum, {
          default: TRAINING_DEFAULTS.folds,
        }),
        seed: int(
          'Random seed; the same data, settings and seed give the same model version.',
          TRAINING_BOUNDS.seed.minimum,
          TRAINING_BOUNDS.seed.maximum,
          { default: TRAINING_DEFAULTS.seed },
        ),
        config: obj('Overrides of the trainer defaults (trainer-job/src/training-config.ts).', {
          monotone: obj(
            'Monotone constraints (XGBoost monotone_constraints), default none: per feature 1 (the late probability never falls as the value rises), -1 (never rises) or 0 (free). The report shows the observed late rate by decile per feature to choose them; on PeerLoan data int_rate, grade, delinq_2yrs rising and annual_inc, emp_length falling cost nothing, while dti and revol_util are best left free.',
            Object.fromEntries(
              MONOTONE_FEATURES.map((name) => [
                name,
                { type: 'integer', description: `Direction for ${name}: 1, -1 or 0.`, enum: [-1, 0, 1] },
              ]),
            ),
          ),
          maxRounds: int(
            'Most boosting rounds per candidate.',
            TRAINING_BOUNDS.maxRounds.minimum,
            TRAINING_BOUNDS.maxRounds.maximum,
          ),
          earlyStoppingRounds: int(
            'Rounds without validation AUC gain before stopping.',
            TRAINING_BOUNDS.earlyStoppingRounds.minimum,
            TRAINING_BOUNDS.earlyStoppingRounds.maximum,
          ),
          imbalance: {
            type: 'array',
            description: 'Class-imbalance strategies searched.',
            minItems: 1,
            maxItems: 3,
            'x-kubernetes-list-type': 'set',
            items: { type: 'string', enum: ['none', 'scale_pos_weight', 'smote'] },
          },
          maxBadRowShare: num(
            'Largest share of invalid CSV rows tolerated before the run fails.',
            TRAINING_BOUNDS.maxBadRowShare.minimum,
            TRAINING_BOUNDS.maxBadRowShare.maximum,
          ),
          expectedLateRate: {
            type: 'number',
            description:
              'Prior-shift correction, off unless set: the late rate expected where the model will score (e.g. 0.03 for a quarter running later than the training one). The calibration intercept moves so the mean predicted probability equals it; ranking and AUC are unchanged. Recorded in manifest.calibration.priorShift and the model card.',
            exclusiveMinimum: true,
            minimum: 0,
            exclusiveMaximum: true,
            maximum: 1,
          },
          stabilitySeeds: int(
            'Seeds the chosen settings are cross-validated under to measure stability (CV AUC spread, share of decisions that flip); 1 turns it off.',
            TRAINING_BOUNDS.stabilitySeeds.minimum,
            TRAINING_BOUNDS.stabilitySeeds.maximum,
          ),
          grid: obj(
            "Hyper-parameter grid searched (every combination); replaces the default search (the base grid plus max_depth 2, eta 0.05), keys left out take the base grid's values.",
            {
              max_depth: gridList('Tree depths.', 'max_depth', true),
              eta: gridList('Learning rates.', 'eta'),
              min_child_weight: gridList('Minimum child weights.', 'min_child_weight'),
              subsample: gridList('Row subsampling ratios.', 'subsample'),
              colsample_bytree: gridList('Column subsampling ratios.', 'colsample_bytree'),
            },
          ),
        }),
        backoffLimit: int('Retries of a failed training Pod before the Job fails.', 0, 10, {
          default: TRAINING_DEFAULTS.backoffLimit,
        }),
        activeDeadlineSeconds: int(
          'Longest a training run may take, in seconds; a stuck run is stopped instead of holding the rollout forever.',
          60,
          86400,
          { default: TRAINING_DEFAULTS.activeDeadlineSeconds },
        ),
      },
      { required: ['image'] },
    ),
    qualityGate: obj(
      'When a newly trained candidate replaces the live model.',
      {
        minRocAuc: num('Lowest acceptable cross-validated ROC AUC.', 0.5, 1, {
          default: QUALITY_GATE_DEFAULTS.minRocAuc,
        }),
        maxRegression: num(
          "Largest ROC AUC drop allowed against the live model. Paired when dataset.validationPath is set and the live version's folder is there: the training Job scores both on the later period's rows (status.candidate.comparison) and the candidate is refused when its AUC minus the live one is below -maxRegression. Without that comparison, the two cross-validated AUCs are compared.",
          0,
          1,
          { default: QUALITY_GATE_DEFAULTS.maxRegression },
        ),
        minOutOfTimeRocAuc: num(
          'Lowest acceptable ROC AUC on dataset.validationPath (the point estimate; the status shows its interval). Off unless set; when set, a candidate trained without validationPath is refused.',
          0.5,
          1,
        ),
        maxCalibrationError: num(
          'Largest acceptable expected calibration error on dataset.validationPath: mean |predicted - observed late rate| over 10 equal-count score bins, e.g. 0.01. Off unless set; when set, a candidate trained without validationPath is refused.',
          0,
          1,
        ),
      },
      { default: {} },
    ),
    decisionPolicy: obj(
      'How the trainer picks the decision threshold.',
      {
        policy: str(
          'fixed: use value as the threshold; target-recall: catch value of the late loans; max-flag-rate: flag at most value of all loans.',
          { enum: ['fixed', 'target-recall', 'max-flag-rate'], default: DECISION_POLICY_DEFAULTS.policy },
        ),
        value: {
          type: 'number',
          description: 'Threshold, recall or flag rate, depending on policy; strictly between 0 and 1.',
          exclusiveMinimum: true,
          minimum: 0,
          exclusiveMaximum: true,
          maximum: 1,
          default: DECISION_POLICY_DEFAULTS.value,
        },
      },
      { default: {} },
    ),
    serving: obj(
      'The prediction API Deployment, Service, HPA, Ingress and PodDisruptionBudget.',
      {
        image: str('API container image, e.g. ghcr.io/peerloan/api:1.4.0.', { minLength: 1 }),
        env: {
          type: 'array',
          description: `Extra environment variables of the API container, e.g. REDIS_URL. ${OPERATOR_ENV_NAMES.join(', ')} are set by the operator.`,
          maxItems: 50,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          'x-kubernetes-validations': [
            {
              rule: `self.all(e, !(e.name in [${OPERATOR_ENV_NAMES.map((n) => `'${n}'`).join(', ')}]))`,
              message: `serving.env must not set ${OPERATOR_ENV_NAMES.join(', ')}: the operator sets them`,
            },
          ],
          items: obj(
            'One environment variable.',
            {
              name: str('Variable name.', { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 }),
              value: str('Its value.', { maxLength: 4096 }),
              valueFrom: obj(
                'Take the value from a key of a Secret in the same namespace (e.g. REDIS_PASSWORD) instead of value.',
                {
                  secretKeyRef: obj(
                    'The Secret and its key.',
                    {
                      name: str('Secret name.', { minLength: 1, maxLength: 253 }),
                      key: str('Key in the Secret.', { minLength: 1, maxLength: 253 }),
                    },
                    { required: ['name', 'key'] },
                  ),
                },
                { required: ['secretKeyRef'] },
              ),
            },
            {
              required: ['name'],
              'x-kubernetes-validations': [
                {
                  rule: 'has(self.value) != has(self.valueFrom)',
                  message: 'an env entry sets exactly one of value and valueFrom',
                },
              ],
            },
          ),
        },
        minReplicas: int('Fewest API replicas (HPA minimum).', 1, 100, { default: SERVING_DEFAULTS.minReplicas }),
        maxReplicas: int('Most API replicas (HPA maximum).', 1, 500, { default: SERVING_DEFAULTS.maxReplicas }),
        targetCPUUtilization: int('Average CPU utilisation (percent of requests) the HPA aims for.', 1, 100, {
          default: SERVING_DEFAULTS.targetCPUUtilization,
        }),
        resources: {
          ...resources(
            'each API container; the HPA scales on CPU as a share of the request, so a CPU request is always set',
          ),
          default: SERVING_DEFAULTS.resources,
        },
        ingress: obj(
          'Expose /predict and /v2 through an Ingress.',
          {
            enabled: bool('Create the Ingress.', { default: INGRESS_DEFAULTS.enabled }),
            host: str('Host name, e.g. risk.peerloan.io.', {
              pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
              maxLength: 253,
            }),
            path: str('Path prefix routed to the API.', {
              default: INGRESS_DEFAULTS.path,
              pattern: '^/',
              maxLength: 1024,
            }),
            className: str('IngressClass name; the cluster default when empty.', { maxLength: 253 }),
            tls: obj(
              'Terminate TLS with a certificate Secret.',
              {
                secretName: str('Secret (kubernetes.io/tls) holding the certificate for host.', {
                  pattern: DNS_LABEL,
                  maxLength: 253,
                }),
              },
              { required: ['secretName'] },
            ),
          },
          {
            'x-kubernetes-validations': [
              {
                rule: '!self.enabled || has(self.host)',
                message: 'serving.ingress.host is required when the ingress is enabled',
              },
            ],
          },
        ),
        auth: obj(
          'Who may call /predict, OIP infer (scope predict) and /batches (scope batch); /healthz, /readyz and /metrics stay open. Absent or empty: authentication is off.',
          {
            jwt: obj(
              'Accept OAuth2/OIDC bearer JWTs (RS256 or ES256) whose space-separated scope claim names the scopes.',
              {
                jwksUrl: str(
                  "The issuer's JWKS URL, e.g. https://login.peerloan.io/realms/risk/protocol/openid-connect/certs.",
                  { pattern: '^https?://', maxLength: 2048 },
                ),
                issuer: str('The iss claim accepted tokens carry.', { minLength: 1, maxLength: 2048 }),
                audience: str('The aud claim accepted tokens carry.', { minLength: 1, maxLength: 2048 }),
              },
              { required: ['jwksUrl', 'issuer', 'audience'] },
            ),
            apiKeysSecret: obj(
              "Accept static API keys (X-API-Key) listed, SHA-256 hashed, in a Secret of the model's namespace; the API reloads it when the Secret changes.",
              {
                name: str('Secret name.', { pattern: DNS_LABEL, maxLength: 253 }),
                key: str('Key of the Secret holding the API keys file.', {
                  default: API_KEYS_FILE_NAME,
                  pattern: '^[-._a-zA-Z0-9]+$',
                  maxLength: 253,
                }),
              },
              { required: ['name'] },
            ),
          },
        ),
        rateLimit: obj(
          'Per-client budgets per window, shared by all API replicas through the Redis of serving.env REDIS_URL (required when set); a client over budget gets 429 with Retry-After.',
          {
            requests: int(
              'Requests per client per window to the scoring and batch routes; absent: no limit.',
              1,
              100000000,
            ),
            rows: int(
              'Rows scored per client per window (instances, OIP infer rows, batch upload rows); absent: no limit.',
              1,
              1000000000,
            ),
            windowSeconds: int('Length of the budget window in seconds.', 1, 86400, { default: 60 }),
          },
        ),
      },
      {
        required: ['image'],
        'x-kubernetes-validations': [
          {
            rule: 'self.maxReplicas >= self.minReplicas',
            message: 'serving.maxReplicas must be at least serving.minReplicas',
          },
          {
            rule: "!has(self.rateLimit) || (has(self.env) && self.env.exists(e, e.name == 'REDIS_URL'))",
            message: 'serving.rateLimit needs REDIS_URL in serving.env: the budgets live in Redis',
          },
        ],
      },
    ),
    drift: obj(
      'Drift monitoring of the live model (PSI per feature and of the score against the training baseline).',
      {
        threshold: num('PSI above which the model counts as drifted.', 0, 10, { default: DRIFT_DEFAULTS.threshold }),
        window: str('Aggregation window of logged predictions, e.g. 1h.', {
          default: DRIFT_DEFAULTS.window,
          pattern: DURATION_PATTERN,
        }),
        action: str('alert: set the Drifted condition and an Event; retrain: also start a new training run.', {
          enum: ['alert', 'retrain'],
          default: DRIFT_DEFAULTS.action,
        }),
        cooldown: str('Shortest time between drift-triggered retrains, e.g. 6h.', {
          default: DRIFT_DEFAULTS.cooldown,
          pattern: DURATION_PATTERN,
        }),
      },
      { default: {} },
    ),
    rollout: obj(
      'How a candidate that passed the quality gate replaces the live version. The API pods split and measure the traffic themselves (no service mesh); the operator reads their counters and promotes or rolls back by the checks.',
      {
        strategy: str(
          'immediate: the candidate serves all traffic at once; shadow: the candidate scores every live request off the response path for bakeSeconds, then is promoted; canary: shadow first, then answers steps[i] percent of requests, each step held for bakeSeconds. A rollout in progress keeps the strategy it began with.',
          { enum: [...ROLLOUT_STRATEGIES], default: ROLLOUT_DEFAULTS.strategy },
        ),
        steps: {
          type: 'array',
          description:
            'Canary traffic percentages in increasing order; the last must be 100 (held for bakeSeconds, then the candidate is promoted).',
          minItems: 1,
          maxItems: 10,
          'x-kubernetes-list-type': 'set',
          default: [...ROLLOUT_DEFAULTS.steps],
          items: { type: 'integer', minimum: 1, maximum: 100 },
          'x-kubernetes-validations': [
            {
              rule: 'self.isSorted() && self[size(self) - 1] == 100',
              message: 'rollout.steps must increase and end at 100',
            },
          ],
        },
        bakeSeconds: int(
          'Seconds the shadow phase and each canary step must hold their checks (over at least checks.minSamples candidate rows) before the next.',
          0,
          86400,
          { default: ROLLOUT_DEFAULTS.bakeSeconds },
        ),
        readyDeadlineSeconds: int(
          'Seconds the API pods of a new step have to become ready; later, the rollout is rolled back.',
          10,
          3600,
          { default: ROLLOUT_DEFAULTS.readyDeadlineSeconds },
        ),
        checks: obj(
          'Limits on the candidate over each step, measured by the API pods (GET /rollout/stats). A failed check rolls the candidate back.',
          {
            maxErrorRate: num(
              'Largest share of the rows given to the candidate (answers, or shadow runs) that fail: errors / (rows + errors).',
              0,
              1,
              { default: ROLLOUT_DEFAULTS.checks.maxErrorRate },
            ),
            maxP99LatencyRatio: num(
              "Largest candidate p99 latency as a multiple of the live version's p99 over the same step.",
              1,
              1000,
              { default: ROLLOUT_DEFAULTS.checks.maxP99LatencyRatio },
            ),
            maxScorePsi: num(
              "Largest population stability index of the candidate's scores against the live scores.",
              0,
              10,
              { default: ROLLOUT_DEFAULTS.checks.maxScorePsi },
            ),
            minDecisionAgreement: num(
              'Smallest share of rows on which candidate and live make the same decision (shadow only).',
              0,
              1,
              { default: ROLLOUT_DEFAULTS.checks.minDecisionAgreement },
            ),
            minSamples: int(
              'Fewest candidate rows (scored plus failed) a step needs before its checks count; until then it waits, however long its bake.',
              0,
              100000000,
              { default: ROLLOUT_DEFAULTS.checks.minSamples },
            ),
          },
          { default: {} },
        ),
      },
      { default: {} },
    ),
    pinnedVersion: str(
      'Serve this version instead of the live one (a manual rollback); a rollout in progress is withdrawn. It must have passed the quality gate once (the live or previous version, or an Accepted entry in status.history); another version is refused (condition Pinned False) and nothing changes.',
      { pattern: VERSION_PATTERN, maxLength: 63 },
    ),
    paused: bool('Stop acting on this resource: no training, no rollout, status says Paused.', { default: false }),
  },
  { required: ['dataset', 'training', 'serving'] },
);

const conditionSchema: Schema = obj(
  'Condition in the metav1.Condition shape.',
  {
    type: str('Trained, Ready, Degraded, Drifted or Pinned.', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('Machine-readable CamelCase reason.', { maxLength: 1024 }),
    message: str('Human-readable explanation.', { maxLength: 32768 }),
    lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'metadata.generation the condition was computed from.',
      minimum: 0,
    },
  },
  { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
);

export const LOAN_RISK_MODEL_STATUS_SCHEMA: Schema = obj(
  'Observed state, rebuilt by the operator from the Job, Pod and Deployment it owns.',
  {
    phase: str(`${PHASES.join(', ')}. Shadow and Canary: a candidate is being tried.`, { enum: [...PHASES] }),
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'metadata.generation the status was computed from.',
    },
    liveVersion: str(
      'Version that answers live traffic (all of it but the canary share); it changes only when a candidate is promoted. A valid pinnedVersion is served instead.',
    ),
    previousVersion: str('The live version before the last promotion: the last good one.'),
    pinnedVersion: str('spec.pinnedVersion once validated: the version served instead of the live one.'),
    candidateVersion: str('Version being tried (shadow or canary); absent when none is.'),
    candidateTrafficPercent: int(
      "The candidate's share of live answers, percent (0 in shadow and without a candidate).",
      0,
      100,
    ),
    live: modelRecord('The live model.'),
    candidate: modelRecord('The candidate being tried.'),
    rollout: obj(
      'The last progressive rollout (spec.rollout): where it is, or how it ended.',
      {
        version: str('Candidate version this rollout tries (or tried).'),
        strategy: str("Strategy it runs with (the spec's when it began).", { enum: [...ROLLOUT_STRATEGIES] }),
        phase: str(
          'Shadow or Canary while in progress; Promoted, RolledBack or Withdrawn (a pin, or a newer candidate) once over.',
          { enum: [...ROLLOUT_PHASES] },
        ),
        step: int('Canary: index into spec.rollout.steps of the step being held.', 0, 9),
        stepStartTime: str("When the step's pod template was applied.", { format: 'date-time' }),
        bakeStartTime: str(
          "When the step's pods were ready and their counters first read: the bake counts from here.",
          { format: 'date-time' },
        ),
        message: str('What the step waits for, or how the rollout ended.'),
        checks: {
          type: 'array',
          description: 'Last evaluation of spec.rollout.checks over the step.',
          maxItems: ROLLOUT_CHECK_NAMES.length,
          items: obj(
            'One check.',
            {
              name: str('The spec.rollout.checks field.', { enum: [...ROLLOUT_CHECK_NAMES] }),
              value: { type: 'number', description: 'Measured over the step; absent when it cannot be.' },
              limit: { type: 'number', description: 'The limit from spec.rollout.checks.' },
              result: str('Pass, Fail, Waiting (fewer than minSamples candidate rows) or NotApplicable.', {
                enum: ['Pass', 'Fail', 'Waiting', 'NotApplicable'],
              }),
            },
            { required: ['name', 'limit', 'result'] },
          ),
        },
      },
      { required: ['version', 'strategy', 'phase', 'stepStartTime'] },
    ),
    trainingJob: str('Name of the current training Job.'),
    readyReplicas: { type: 'integer', format: 'int32', description: 'Available replicas of the API Deployment.' },
    retrains: {
      type: 'integer',
      format: 'int32',
      minimum: 0,
      description: 'Training runs started because the model drifted (drift.action retrain).',
    },
    lastRetrainTime: str('When the last drift-triggered training run started.', { format: 'date-time' }),
    history: {
      type: 'array',
      description: `Last ${HISTORY_LIMIT} gate decisions, newest first.`,
      maxItems: HISTORY_LIMIT,
      items: obj(
        'One gate decision.',
        {
          version: str('Candidate version.'),
          rocAuc: num('Its ROC AUC.', 0, 1),
          outcome: str('Accepted or Rejected (by the quality gate, or by a rollout that rolled it back).', {
            enum: ['Accepted', 'Rejected'],
          }),
          time: str('When it was decided.', { format: 'date-time' }),
          reason: str('Why, e.g. QualityGateRejected, RolloutCheckFailed, RolloutPodsNotReady.'),
          message: str('Human-readable explanation.'),
        },
        { required: ['version', 'rocAuc', 'outcome', 'time'] },
      ),
    },
    conditions: {
      type: 'array',
      description: 'Trained, Ready, Degraded, Drifted and Pinned conditions.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: conditionSchema,
    },
  },
);

/** The CustomResourceDefinition object, as written to manifests/crd/loanriskmodels.yaml. */
export function loanRiskModelCrd(): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD_PLURAL}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: {
        kind: CRD_KIND,
        listKind: `${CRD_KIND}List`,
        plural: CRD_PLURAL,
        singular: CRD_SINGULAR,
        shortNames: [...CRD_SHORT_NAMES],
        categories: [...CRD_CATEGORIES],
      },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'LIVE', type: 'string', jsonPath: '.status.liveVersion', description: 'Live model version.' },
            {
              name: 'CANDIDATE',
              type: 'string',
              jsonPath: '.status.candidateVersion',
              description: 'Version being tried (shadow or canary).',
            },
            {
              name: 'TRAFFIC',
              type: 'integer',
              jsonPath: '.status.candidateTrafficPercent',
              description: "The candidate's share of live answers, percent.",
            },
            {
              name: 'PHASE',
              type: 'string',
              jsonPath: '.status.phase',
              description: 'Where the model is in its lifecycle.',
            },
            {
              name: 'AUC',
              type: 'number',
              jsonPath: '.status.live.metrics.rocAuc',
              description: 'ROC AUC of the live model.',
            },
            {
              name: 'DRIFTED',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Drifted")].status',
              description: 'Drifted condition: True when the drift monitor saw the inputs move.',
            },
            {
              name: 'READY',
              type: 'integer',
              jsonPath: '.status.readyReplicas',
              description: 'Available API replicas.',
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: obj(
              'LoanRiskModel trains the PeerLoan late-payment model from a CSV on a volume, gates it on quality and serves it with the prediction API.',
              {
                apiVersion: str('APIVersion of this object.'),
                kind: str('Kind of this object.'),
                metadata: { type: 'object' },
                spec: LOAN_RISK_MODEL_SPEC_SCHEMA,
                status: LOAN_RISK_MODEL_STATUS_SCHEMA,
              },
              { required: ['spec'] },
            ),
          },
        },
      ],
    },
  };
}
