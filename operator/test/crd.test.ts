/**
 * The CRD: the committed YAML is the one generated from the TypeBox schemas of contracts/src/crd/
 * (which also give the TypeScript types, so the two cannot name different fields), the API server
 * accepts the samples as they are (they name no namespace: `kubectl apply -n <namespace>` picks it)
 * and refuses invalid objects with a message that names the problem.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  ROLLOUT_DEFAULTS,
  DECISION_POLICY_DEFAULTS,
  DRIFT_DEFAULTS,
  QUALITY_GATE_DEFAULTS,
  SERVING_DEFAULTS,
  TRAINING_DEFAULTS,
  type LoanRiskModel,
  type LoanRiskModelSpec,
} from '@peerloan/contracts';
import { CRD_MANIFEST_PATH, crdYaml, generatedManifests } from '../src/crd-manifest.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { createModel, createNamespace, getModel, installCrd, modelObject, REPO_ROOT, sampleSpec } from './fixtures.js';
import { required } from './required.js';

/** The parts of an OpenAPI schema these tests walk. */
interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
}

/** The description kubectl explain shows for the field at `path` under `schema`. */
function descriptionAt(schema: SchemaNode, ...path: string[]): string {
  const node = path.reduce<SchemaNode | undefined>((n, key) => n?.properties?.[key], schema);
  return required(node?.description, `a description at ${path.join('.') || '(root)'}`);
}

describe('LoanRiskModel CRD, one source of truth', () => {
  test('the committed YAML is what contracts/src/crd/ generates', async () => {
    const committed = await readFile(join(REPO_ROOT, CRD_MANIFEST_PATH), 'utf8');
    assert.equal(committed, crdYaml(), 'run `npm run build && npm run generate:crd -w operator`');
    for (const [path, text] of Object.entries(generatedManifests()))
      assert.equal(
        await readFile(join(REPO_ROOT, path), 'utf8'),
        text,
        `${path}: run npm run generate:crd -w operator`,
      );
  });

  test('exactly one YAML per CRD under manifests/', async () => {
    const files = (await readdir(join(REPO_ROOT, 'manifests'), { recursive: true })).filter((f) => /\.ya?ml$/.test(f));
    const crds = [];
    for (const f of files)
      if ((await readFile(join(REPO_ROOT, 'manifests', f), 'utf8')).includes('kind: CustomResourceDefinition'))
        crds.push(f);
    assert.deepEqual(crds.sort(), ['crd/loanriskmodelapprovals.yaml', 'crd/loanriskmodels.yaml']);
  });
});

describe('LoanRiskModel CRD on a real API server', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
  });
  after(async () => {
    await cp.stop();
  });

  test('every sample under manifests/samples names no namespace and is accepted as it is into the one it is applied to', async () => {
    const dir = join(REPO_ROOT, 'manifests/samples');
    const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length >= 2);
    // `kubectl apply -n risk -f <sample>`: the namespace comes from the command line, never from the file.
    await createNamespace(kc, 'risk');
    for (const file of files) {
      const obj = parse(await readFile(join(dir, file), 'utf8')) as LoanRiskModel;
      assert.equal(obj.metadata.namespace, undefined, `${file} must not name a namespace`);
      const created = await createModel(kc, obj, 'risk');
      assert.equal(created.metadata.name, obj.metadata.name, file);
      assert.equal(created.metadata.namespace, 'risk', file);
    }
  });

  test('the published OpenAPI carries the descriptions kubectl explain shows', async () => {
    const doc = (await cp.getJson(`/openapi/v3/apis/${CRD_GROUP}/${CRD_VERSION}`)) as {
      components: { schemas: Record<string, SchemaNode | undefined> };
    };
    const schema = required(
      doc.components.schemas[`io.peerloan.risk.${CRD_VERSION}.LoanRiskModel`],
      'the LoanRiskModel schema in the published OpenAPI',
    );
    assert.match(descriptionAt(schema), /trains the PeerLoan late-payment model/);
    assert.match(descriptionAt(schema, 'spec', 'qualityGate', 'maxRegression'), /ROC AUC drop/);
    assert.match(descriptionAt(schema, 'spec', 'dataset', 'claimName'), /PersistentVolumeClaim/);
    assert.match(descriptionAt(schema, 'spec', 'rollout', 'strategy'), /canary: shadow first/);
    assert.match(descriptionAt(schema, 'spec', 'rollout', 'checks', 'minSamples'), /until then it waits/);
    assert.match(descriptionAt(schema, 'status', 'candidateTrafficPercent'), /share of live answers/);
  });

  test('defaults are filled in by the API server', async () => {
    await createModel(
      kc,
      modelObject('default', 'defaults', {
        dataset: { claimName: 'd', path: 'x.csv' },
        training: { image: 't' },
        serving: { image: 'a' },
      }),
    );
    const got = await getModel(kc, 'default', 'defaults');
    assert.equal(got.spec.training.folds, 5);
    assert.equal(got.spec.training.backoffLimit, 1);
    assert.equal(got.spec.dataset.modelsSubPath, 'models');
    assert.deepEqual(got.spec.qualityGate, { minRocAuc: 0.7, maxRegression: 0.01 });
    assert.deepEqual(got.spec.decisionPolicy, { policy: 'target-recall', value: 0.5 });
    assert.equal(got.spec.serving.minReplicas, 2);
    assert.equal(got.spec.drift?.action, 'alert');
    assert.equal(got.spec.paused, false);
    // The schema's defaults are the code's: both read the constants of contracts/src/crd-defaults.ts.
    assert.deepEqual(got.spec.rollout, ROLLOUT_DEFAULTS);
    assert.deepEqual(got.spec.qualityGate, QUALITY_GATE_DEFAULTS);
    assert.deepEqual(got.spec.decisionPolicy, DECISION_POLICY_DEFAULTS);
    assert.deepEqual(got.spec.drift, DRIFT_DEFAULTS);
    const { minReplicas, maxReplicas, targetCPUUtilization, resources } = got.spec.serving;
    assert.deepEqual({ minReplicas, maxReplicas, targetCPUUtilization, resources }, SERVING_DEFAULTS);
    const { folds, seed, backoffLimit, activeDeadlineSeconds } = got.spec.training;
    assert.deepEqual({ folds, seed, backoffLimit, activeDeadlineSeconds }, TRAINING_DEFAULTS);
  });

  const invalid: Array<[string, (s: LoanRiskModelSpec) => unknown, RegExp]> = [
    [
      'maxReplicas below minReplicas',
      (s) => {
        s.serving.minReplicas = 5;
        s.serving.maxReplicas = 2;
      },
      /maxReplicas must be at least serving.minReplicas/,
    ],
    [
      'ingress enabled without a host',
      (s) => {
        s.serving.ingress = { enabled: true };
      },
      /host is required when the ingress is enabled/,
    ],
    [
      'unknown decision policy',
      (s) => {
        s.decisionPolicy = { policy: 'best' as 'fixed', value: 0.5 };
      },
      /spec.decisionPolicy.policy: Unsupported value: .*best.*supported values/,
    ],
    [
      'AUC gate above 1',
      (s) => {
        s.qualityGate = { minRocAuc: 1.5 };
      },
      /spec.qualityGate.minRocAuc: Invalid value: 1.5: spec.qualityGate.minRocAuc in body should be less than or equal to 1/,
    ],
    [
      'absolute dataset path',
      (s) => {
        s.dataset.path = '/etc/passwd';
      },
      /path must be relative to the claim root/,
    ],
    [
      'missing training image',
      (s) => {
        delete (s.training as Partial<typeof s.training>).image;
      },
      /spec.training.image: Required value/,
    ],
    [
      'serving.env overriding MODEL_DIR',
      (s) => {
        s.serving.env = [{ name: 'MODEL_DIR', value: '/tmp' }];
      },
      /must not set MODEL_DIR, PORT, MODELS_ROOT/,
    ],
    [
      'serving.env overriding the candidate',
      (s) => {
        s.serving.env = [{ name: 'CANDIDATE_VERSION', value: 'v9' }];
      },
      /must not set .*CANDIDATE_VERSION.*: the operator sets them/,
    ],
    [
      'serving.env entry with neither value nor valueFrom',
      (s) => {
        s.serving.env = [{ name: 'REDIS_PASSWORD' }];
      },
      /exactly one of value and valueFrom/,
    ],
    [
      'serving.env entry with both value and valueFrom',
      (s) => {
        s.serving.env = [{ name: 'REDIS_PASSWORD', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
      },
      /exactly one of value and valueFrom/,
    ],
    [
      'unknown rollout strategy',
      (s) => {
        s.rollout = { strategy: 'bluegreen' as 'canary' };
      },
      /spec.rollout.strategy: Unsupported value: .*bluegreen/,
    ],
    [
      'canary steps not ending at 100',
      (s) => {
        s.rollout = { strategy: 'canary', steps: [10, 50] };
      },
      /rollout.steps must increase and end at 100/,
    ],
    [
      'canary steps out of order',
      (s) => {
        s.rollout = { strategy: 'canary', steps: [50, 10, 100] };
      },
      /rollout.steps must increase and end at 100/,
    ],
    [
      'a canary step above 100',
      (s) => {
        s.rollout = { steps: [10, 150] };
      },
      /spec.rollout.steps\[1\]: Invalid value: 150/,
    ],
    [
      'error rate limit above 1',
      (s) => {
        s.rollout = { checks: { maxErrorRate: 2 } };
      },
      /spec.rollout.checks.maxErrorRate in body should be less than or equal to 1/,
    ],
    [
      'serving.env setting an auth variable',
      (s) => {
        s.serving.env = [{ name: 'AUTH_API_KEYS_FILE', value: '/tmp/k' }];
      },
      /must not set .*AUTH_API_KEYS_FILE.*: the operator sets them/,
    ],
    [
      'a JWKS URL that is not http(s)',
      (s) => {
        s.serving.auth = { jwt: { jwksUrl: 'file:///keys', issuer: 'i', audience: 'a' } };
      },
      /spec.serving.auth.jwt.jwksUrl in body should match/,
    ],
    [
      'jwt without an audience',
      (s) => {
        s.serving.auth = { jwt: { jwksUrl: 'https://i/jwks', issuer: 'i' } as never };
      },
      /spec.serving.auth.jwt.audience: Required value/,
    ],
    [
      'rate limits without REDIS_URL',
      (s) => {
        s.serving.env = [];
        s.serving.rateLimit = { requests: 10 };
      },
      /serving.rateLimit needs REDIS_URL/,
    ],
    [
      'bad drift window',
      (s) => {
        s.drift = { window: 'an hour' };
      },
      /spec.drift.window in body should match/,
    ],
    [
      'a schedule that is not five cron fields',
      (s) => {
        s.training.schedule = 'every quarter';
      },
      /spec.training.schedule in body should match/,
    ],
    [
      'a six-field cron schedule (seconds)',
      (s) => {
        s.training.schedule = '0 0 3 1 * *';
      },
      /spec.training.schedule in body should match/,
    ],
    [
      'a watch interval below 30s',
      (s) => {
        s.training.watchInterval = '10s';
      },
      /watchInterval must be at least 30s/,
    ],
    [
      'a watch interval that is no duration',
      (s) => {
        s.training.watchInterval = 'quarterly';
      },
      /spec.training.watchInterval in body should match/,
    ],
  ];
  for (const [name, mutate, message] of invalid) {
    test(`refused: ${name}`, async () => {
      const spec = sampleSpec();
      mutate(spec);
      await assert.rejects(
        kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
          group: CRD_GROUP,
          version: CRD_VERSION,
          plural: CRD_PLURAL,
          namespace: 'default',
          body: modelObject('default', 'bad', spec),
        }),
        (err: unknown) => {
          const { code, body } = err as { code?: number; body?: unknown };
          assert.equal(code, 422);
          assert.match(String(body), message);
          return true;
        },
      );
    });
  }
});
