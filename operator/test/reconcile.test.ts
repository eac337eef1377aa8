/**
 * The reconciler against a real kube-apiserver; the test plays the Job controller and the
 * kubelet (Job, Pod and Deployment status) since no controller-manager runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PolicyV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import pino from 'pino';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, MODEL_VERSION_ANNOTATION, type LoanRiskModel } from '@peerloan/contracts';
import { KubeClient } from '../src/kube.js';
import { Reconciler } from '../src/reconcile.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  makeDeploymentAvailable,
  modelObject,
  patchModelSpec,
  sampleSpec,
  summary,
} from './fixtures.js';
import { required } from './required.js';

const NS = 'risk';
let cp: ControlPlane;
let kc: KubeConfig;
let reconciler: Reconciler;

const batch = () => kc.makeApiClient(BatchV1Api);
const apps = () => kc.makeApiClient(AppsV1Api);
const condition = (m: LoanRiskModel, type: string) => m.status?.conditions?.find((c) => c.type === type);

async function jobsOf(name: string) {
  return (await batch().listNamespacedJob({ namespace: NS, labelSelector: `risk.peerloan.io/model=${name}` })).items;
}

async function trainAndAccept(name: string, version: string, rocAuc: number): Promise<string> {
  await reconciler.reconcile(NS, name);
  const jobs = await jobsOf(name);
  const model = await getModel(kc, NS, name);
  const job = required(
    jobs.find((j) => j.metadata?.name === model.status?.trainingJob),
    'jobs.find((j) => j.metadata.name === model.status.trainingJob)',
  );
  await finishTraining(
    kc,
    NS,
    required(job.metadata?.name, 'job.metadata.name'),
    JSON.stringify(summary(version, rocAuc)),
  );
  await reconciler.reconcile(NS, name);
  return required(job.metadata?.name, 'job.metadata.name');
}

describe('LoanRiskModel reconcile', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    reconciler = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }));
  });
  after(async () => {
    await cp.stop();
  });

  test('a new LoanRiskModel gets one training Job with the right spec and owner', async () => {
    const created = await createModel(kc, modelObject(NS, 'alpha', sampleSpec()));
    await reconciler.reconcile(NS, 'alpha');
    await reconciler.reconcile(NS, 'alpha');
    const jobs = await jobsOf('alpha');
    assert.equal(jobs.length, 1);
    const job = jobs[0];
    assert.match(required(job.metadata?.name, 'job.metadata.name'), /^alpha-train-[0-9a-f]{8}$/);
    const owner = required(job.metadata?.ownerReferences, 'job.metadata.ownerReferences')[0];
    assert.deepEqual(
      [owner.kind, owner.name, owner.uid, owner.controller],
      ['LoanRiskModel', 'alpha', created.metadata.uid, true],
    );
    const spec = required(job.spec, 'job.spec');
    assert.equal(spec.backoffLimit, 1);
    assert.equal(spec.activeDeadlineSeconds, 3600);
    const c = required(spec.template.spec?.containers[0], 'spec.template.spec.containers[0]');
    assert.equal(c.image, 'trainer:test');
    assert.deepEqual(c.args?.slice(0, 4), ['--data', '/data/loans/q3.csv', '--out', '/models']);
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.equal(
      spec.template.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName,
      'loan-data',
    );
    const config = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: NS, name: required(job.metadata?.name, 'job.metadata.name') });
    assert.deepEqual(JSON.parse(required(config.data, 'config.data')['training.json']), {
      folds: 3,
      seed: 42,
      threshold: { policy: 'target-recall', value: 0.5 },
    });
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.status?.phase, 'Training');
    assert.equal(model.status.observedGeneration, 1);
    assert.equal(condition(model, 'Trained')?.status, 'False');
    assert.equal(condition(model, 'Ready')?.reason, 'NoModel');
  });

  test('a completed run passes the gate and rolls out the API with every child owned', async () => {
    const job = required((await jobsOf('alpha'))[0].metadata?.name, "(await jobsOf('alpha'))[0].metadata.name");
    await finishTraining(kc, NS, job, JSON.stringify(summary('v1aaaaaaaaaa', 0.82)));
    await reconciler.reconcile(NS, 'alpha');
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.status?.liveVersion, 'v1aaaaaaaaaa');
    assert.equal(model.status.live?.metrics.rocAuc, 0.82);
    assert.equal(model.status.phase, 'RollingOut');
    assert.equal(condition(model, 'Trained')?.status, 'True');
    assert.equal(condition(model, 'Ready')?.status, 'False');
    assert.equal(condition(model, 'Ready')?.observedGeneration, 1);
    assert.equal(required(model.status.history, 'model.status.history')[0].outcome, 'Accepted');

    const uid = model.metadata.uid;
    const owned = (o: { metadata?: { ownerReferences?: Array<{ uid: string; controller?: boolean }> } }) =>
      o.metadata?.ownerReferences?.some((r) => r.uid === uid && r.controller);
    const dep = await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' });
    assert.ok(owned(dep));
    assert.equal(
      required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
        MODEL_VERSION_ANNOTATION
      ],
      'v1aaaaaaaaaa',
    );
    const api = required(dep.spec?.template.spec?.containers[0], 'dep.spec.template.spec.containers[0]');
    assert.equal(api.env?.find((e) => e.name === 'MODEL_DIR')?.value, '/models/v1aaaaaaaaaa');
    assert.equal(api.env.find((e) => e.name === 'REDIS_URL')?.value, 'redis://redis:6379');
    assert.equal(api.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(api.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(required(api.volumeMounts, 'api.volumeMounts')[0].readOnly, true);
    assert.deepEqual(
      { ...required(dep.spec?.strategy?.rollingUpdate, 'the rolling update strategy') },
      { maxUnavailable: 0, maxSurge: 1 },
    );
    assert.ok(api.lifecycle?.preStop);
    assert.equal(dep.spec?.template.spec?.terminationGracePeriodSeconds, 30);
    assert.equal(api.ports?.find((p) => p.name === 'grpc')?.containerPort, 8081);
    assert.equal(api.env.find((e) => e.name === 'GRPC_PORT')?.value, '8081');
    const service = await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace: NS, name: 'alpha-api' });
    assert.ok(owned(service));
    // OIP over gRPC beside REST, marked as cleartext HTTP/2 for the proxies that read appProtocol.
    assert.deepEqual(
      service.spec?.ports?.map(({ name, port, targetPort, appProtocol }) => [name, port, targetPort, appProtocol]),
      [
        ['http', 80, 'http', undefined],
        ['grpc', 8081, 'grpc', 'kubernetes.io/h2c'],
      ],
    );
    const hpa = await kc
      .makeApiClient(AutoscalingV2Api)
      .readNamespacedHorizontalPodAutoscaler({ namespace: NS, name: 'alpha-api' });
    assert.ok(owned(hpa));
    assert.deepEqual([hpa.spec?.minReplicas, hpa.spec?.maxReplicas], [2, 4]);
    const ingress = await kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace: NS, name: 'alpha-api' });
    assert.ok(owned(ingress));
    assert.equal(required(ingress.spec?.rules, 'ingress.spec.rules')[0].host, 'risk.test');
    assert.equal(required(ingress.spec?.tls, 'ingress.spec.tls')[0].secretName, 'risk-tls');
    assert.ok(
      owned(
        await kc.makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ namespace: NS, name: 'alpha-api' }),
      ),
    );
  });

  test('Ready turns True once the Deployment reports its replicas available; printer columns show it', async () => {
    await makeDeploymentAvailable(kc, NS, 'alpha-api');
    await reconciler.reconcile(NS, 'alpha');
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.status?.phase, 'Ready');
    assert.equal(condition(model, 'Ready')?.status, 'True');
    assert.equal(model.status.readyReplicas, 1);
    const table = await cp.getTable(`/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${NS}/${CRD_PLURAL}/alpha`);
    const names = table.columnDefinitions.map((c) => c.name);
    assert.deepEqual(names, ['Name', 'LIVE', 'CANDIDATE', 'TRAFFIC', 'PHASE', 'AUC', 'DRIFTED', 'READY', 'Age']);
    assert.deepEqual(table.rows[0].cells.slice(0, 8), ['alpha', 'v1aaaaaaaaaa', null, 0, 'Ready', 0.82, 'Unknown', 1]);
  });

  test('reconciling again changes nothing', async () => {
    const before = await snapshot('alpha');
    await reconciler.reconcile(NS, 'alpha');
    await reconciler.reconcile(NS, 'alpha');
    assert.deepEqual(await snapshot('alpha'), before);
  });

  test('a spec change starts a new Job and leaves the old one untouched', async () => {
    const [old] = await jobsOf('alpha');
    await patchModelSpec(kc, NS, 'alpha', { training: { image: 'trainer:test', folds: 4 } });
    await reconciler.reconcile(NS, 'alpha');
    const jobs = await jobsOf('alpha');
    assert.equal(jobs.length, 2);
    const again = required(
      jobs.find((j) => j.metadata?.name === old.metadata?.name),
      'jobs.find((j) => j.metadata.name === old.metadata.name)',
    );
    assert.equal(again.metadata?.resourceVersion, old.metadata?.resourceVersion);
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.status?.phase, 'Training');
    assert.equal(model.status.liveVersion, 'v1aaaaaaaaaa', 'the live model keeps serving while the new one trains');
    assert.equal(model.status.observedGeneration, 2);
  });

  test('a candidate that fails the gate keeps the live version and says why', async () => {
    const model0 = await getModel(kc, NS, 'alpha');
    await finishTraining(
      kc,
      NS,
      required(model0.status?.trainingJob, 'model0.status.trainingJob'),
      JSON.stringify(summary('v2bbbbbbbbbb', 0.75)),
    );
    await reconciler.reconcile(NS, 'alpha');
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.status?.liveVersion, 'v1aaaaaaaaaa');
    assert.equal(model.status.candidateVersion, undefined, 'a rejected candidate is not being tried');
    assert.equal(model.status.candidateTrafficPercent, 0);
    const degraded = required(condition(model, 'Degraded'), "condition(model, 'Degraded')");
    assert.equal(degraded.status, 'True');
    assert.equal(degraded.reason, 'QualityGateRejected');
    assert.match(
      degraded.message,
      /v2bbbbbbbbbb has ROC AUC 0\.7500, more than qualityGate\.maxRegression 0\.0100 below live version v1aaaaaaaaaa \(0\.8200\)/,
    );
    assert.equal(required(model.status.history, 'model.status.history')[0].outcome, 'Rejected');
    const dep = await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' });
    assert.equal(
      required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
        MODEL_VERSION_ANNOTATION
      ],
      'v1aaaaaaaaaa',
    );
    const events = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=alpha' });
    assert.ok(
      events.items.some(
        (e) => e.reason === 'LiveVersionChanged' && e.message === 'live version (none) -> v1aaaaaaaaaa',
      ),
    );
    const rejected = events.items.find((e) => e.reason === 'QualityGateRejected');
    assert.equal(rejected?.type, 'Warning');
    assert.ok(events.items.some((e) => e.reason === 'TrainingStarted'));
  });

  test('strategy immediate (the default): a better candidate is live at once and the Deployment serves it alone', async () => {
    await patchModelSpec(kc, NS, 'alpha', { training: { image: 'trainer:test', folds: 5 } });
    await trainAndAccept('alpha', 'v3cccccccccc', 0.84);
    const model = await getModel(kc, NS, 'alpha');
    assert.equal(model.spec.rollout?.strategy, 'immediate');
    assert.equal(model.status?.liveVersion, 'v3cccccccccc');
    assert.equal(model.status.previousVersion, 'v1aaaaaaaaaa');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.equal(condition(model, 'Degraded')?.status, 'False');
    const dep = await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' });
    assert.equal(
      required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
        MODEL_VERSION_ANNOTATION
      ],
      'v3cccccccccc',
    );
    const env = Object.fromEntries(
      required(dep.spec?.template.spec?.containers[0].env, 'dep.spec.template.spec.containers[0].env').map((e) => [
        e.name,
        e.value,
      ]),
    );
    assert.equal(env.MODELS_ROOT, '/models');
    assert.equal(env.LIVE_VERSION, 'v3cccccccccc');
    assert.equal(env.MODEL_DIR, '/models/v3cccccccccc');
    assert.deepEqual(
      Object.keys(env).filter((k) => k.startsWith('CANDIDATE_')),
      [],
    );
    assert.equal(model.status.phase, 'RollingOut');
  });

  test('pinnedVersion rolls the Deployment back; unpinning returns to the live version', async () => {
    await patchModelSpec(kc, NS, 'alpha', { pinnedVersion: 'v1aaaaaaaaaa' });
    await reconciler.reconcile(NS, 'alpha');
    const annotation = async () =>
      (await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' })).spec?.template.metadata
        ?.annotations?.[MODEL_VERSION_ANNOTATION];
    assert.equal(await annotation(), 'v1aaaaaaaaaa');
    const pinned = await getModel(kc, NS, 'alpha');
    assert.equal(pinned.status?.liveVersion, 'v3cccccccccc');
    assert.equal(pinned.status.pinnedVersion, 'v1aaaaaaaaaa');
    assert.equal(condition(pinned, 'Pinned')?.status, 'True');
    await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      {
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace: NS,
        name: 'alpha',
        body: [{ op: 'remove', path: '/spec/pinnedVersion' }],
      },
      (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    await reconciler.reconcile(NS, 'alpha');
    assert.equal(await annotation(), 'v3cccccccccc');
    const unpinned = await getModel(kc, NS, 'alpha');
    assert.equal(unpinned.status?.pinnedVersion, undefined);
    assert.equal(condition(unpinned, 'Pinned')?.reason, 'NotPinned');
  });

  test('disabling the ingress removes it', async () => {
    await patchModelSpec(kc, NS, 'alpha', {
      serving: { image: 'api:test', minReplicas: 2, maxReplicas: 4, ingress: { enabled: false } },
    });
    await reconciler.reconcile(NS, 'alpha');
    assert.equal(
      await kc
        .makeApiClient(NetworkingV1Api)
        .readNamespacedIngress({ namespace: NS, name: 'alpha-api' })
        .catch((e: unknown) => (e as { code?: number }).code),
      404,
    );
  });

  test('serving.auth and serving.rateLimit reach the API pods: their environment and the API keys Secret, mounted whole', async () => {
    const serving = {
      image: 'api:test',
      minReplicas: 2,
      maxReplicas: 4,
      ingress: { enabled: false },
      env: [{ name: 'REDIS_URL', value: 'redis://r:6379' }],
    };
    await patchModelSpec(kc, NS, 'alpha', {
      serving: {
        ...serving,
        auth: {
          jwt: {
            jwksUrl: 'https://login.peerloan.io/jwks',
            issuer: 'https://login.peerloan.io/',
            audience: 'loan-risk',
          },
          apiKeysSecret: { name: 'alpha-keys' },
        },
        rateLimit: { requests: 100, rows: 5000 },
      },
    });
    await reconciler.reconcile(NS, 'alpha');
    const pod = async () =>
      required(
        (await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' })).spec?.template.spec,
        "(await apps().readNamespacedDeployment({ namespace: NS, name: 'alpha-api' })).spec.template.spec",
      );
    const secured = await pod();
    const env = Object.fromEntries(
      required(secured.containers[0].env, 'secured.containers[0].env').map((e) => [e.name, e.value]),
    );
    assert.equal(env.AUTH_JWKS_URL, 'https://login.peerloan.io/jwks');
    assert.equal(env.AUTH_ISSUER, 'https://login.peerloan.io/');
    assert.equal(env.AUTH_AUDIENCE, 'loan-risk');
    assert.equal(env.AUTH_API_KEYS_FILE, '/etc/peerloan/api-keys/api-keys.json');
    assert.deepEqual(
      [env.RATE_LIMIT_REQUESTS, env.RATE_LIMIT_ROWS, env.RATE_LIMIT_WINDOW_SECONDS],
      ['100', '5000', '60'],
    );
    const volume = secured.volumes?.find((v) => v.name === 'api-keys');
    assert.equal(volume?.secret?.secretName, 'alpha-keys');
    assert.deepEqual(
      volume.secret.items?.map((i) => [i.key, i.path]),
      [['api-keys.json', 'api-keys.json']],
    );
    const mount = secured.containers[0].volumeMounts?.find((m) => m.name === 'api-keys');
    assert.equal(mount?.mountPath, '/etc/peerloan/api-keys');
    assert.equal(mount.subPath, undefined, 'a subPath mount would never see the Secret change');

    await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      {
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace: NS,
        name: 'alpha',
        body: [
          { op: 'remove', path: '/spec/serving/auth' },
          { op: 'remove', path: '/spec/serving/rateLimit' },
        ],
      },
      (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    await reconciler.reconcile(NS, 'alpha');
    const open = await pod();
    assert.deepEqual(
      open.containers[0].env?.filter((e) => /^(AUTH|RATE_LIMIT)_/.test(e.name)),
      [],
    );
    assert.equal(
      open.volumes?.find((v) => v.name === 'api-keys'),
      undefined,
    );
  });

  test('paused stops acting: no Job for a new spec, phase Paused', async () => {
    await patchModelSpec(kc, NS, 'alpha', { paused: true, training: { image: 'trainer:test', folds: 6 } });
    const before = (await jobsOf('alpha')).length;
    await reconciler.reconcile(NS, 'alpha');
    assert.equal((await jobsOf('alpha')).length, before);
    assert.equal((await getModel(kc, NS, 'alpha')).status?.phase, 'Paused');
  });

  test('a failed training run and an invalid summary are reported, not retried', async () => {
    await createModel(kc, modelObject(NS, 'beta', sampleSpec()));
    await reconciler.reconcile(NS, 'beta');
    const [job] = await jobsOf('beta');
    await finishTraining(
      kc,
      NS,
      required(job.metadata?.name, 'job.metadata.name'),
      'loanrisk-train: data.csv: 40% of rows invalid',
      false,
    );
    await reconciler.reconcile(NS, 'beta');
    let model = await getModel(kc, NS, 'beta');
    assert.equal(model.status?.phase, 'Failed');
    assert.equal(condition(model, 'Trained')?.reason, 'TrainingFailed');
    assert.equal(condition(model, 'Degraded')?.status, 'True');

    await createModel(kc, modelObject(NS, 'gamma', sampleSpec()));
    await reconciler.reconcile(NS, 'gamma');
    const [job2] = await jobsOf('gamma');
    await finishTraining(kc, NS, required(job2.metadata?.name, 'job2.metadata.name'), '{"metrics":{"rocAuc":0.9}}');
    await reconciler.reconcile(NS, 'gamma');
    model = await getModel(kc, NS, 'gamma');
    assert.equal(condition(model, 'Trained')?.reason, 'InvalidTrainingSummary');
    assert.match(
      required(condition(model, 'Trained')?.message, 'Trained condition message'),
      /termination message is not the training summary contract: version is missing/,
    );
  });

  test('a first candidate below minRocAuc leaves nothing served', async () => {
    await createModel(kc, modelObject(NS, 'delta', sampleSpec()));
    await trainAndAccept('delta', 'v9dddddddddd', 0.6);
    const model = await getModel(kc, NS, 'delta');
    assert.equal(model.status?.liveVersion, undefined);
    assert.equal(model.status?.phase, 'Failed');
    assert.match(
      required(condition(model, 'Degraded')?.message, 'Degraded condition message'),
      /ROC AUC 0\.6000, below qualityGate\.minRocAuc 0\.7000/,
    );
    assert.equal(
      await kc
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ namespace: NS, name: 'delta-api' })
        .catch((e: unknown) => (e as { code?: number }).code),
      404,
    );
  });

  test('a deleted LoanRiskModel is done: no error, nothing created', async () => {
    assert.deepEqual(await reconciler.reconcile(NS, 'never-existed'), {});
  });

  test('drift with action retrain starts one more training run per drift episode, honouring the cooldown', async () => {
    await createModel(kc, modelObject(NS, 'eps', sampleSpec({ drift: { action: 'retrain', cooldown: '1h' } })));
    await trainAndAccept('eps', 'v1epsepseps1', 0.8);
    const reportDrift = async (status: 'True' | 'False') => {
      const m = await getModel(kc, NS, 'eps');
      const others = m.status?.conditions?.filter((c) => c.type !== 'Drifted');
      const drifted = {
        type: 'Drifted',
        status,
        reason: status === 'True' ? 'PsiAboveThreshold' : 'PsiBelowThreshold',
        message: 'int_rate PSI 0.31 > 0.2',
        lastTransitionTime: new Date().toISOString(),
      };
      await kc.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObjectStatus({
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace: NS,
        name: 'eps',
        body: { ...m, status: { ...m.status, conditions: [...required(others, 'others'), drifted] } },
      });
    };
    await new Promise((r) => setTimeout(r, 20));
    await reportDrift('True');
    await reconciler.reconcile(NS, 'eps');
    await reconciler.reconcile(NS, 'eps');
    assert.equal((await jobsOf('eps')).length, 2);
    let model = await getModel(kc, NS, 'eps');
    assert.equal(model.status?.retrains, 1);
    assert.equal(model.status.phase, 'Training');
    assert.equal(condition(model, 'Drifted')?.reason, 'PsiAboveThreshold', "the drift worker's condition is kept");
    const events = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=eps' });
    assert.ok(events.items.some((e) => e.reason === 'RetrainingOnDrift'));

    // A new drift episode inside the cooldown waits.
    await reportDrift('False');
    await reportDrift('True');
    const result = await reconciler.reconcile(NS, 'eps');
    assert.equal((await jobsOf('eps')).length, 2);
    assert.ok(required(result.requeueAfterMs, 'result.requeueAfterMs') > 59 * 60_000);
    model = await getModel(kc, NS, 'eps');
    assert.equal(model.status?.retrains, 1);
  });

  test('a schedule that is due starts exactly one training run, however many passes see it', async () => {
    const created = await createModel(kc, modelObject(NS, 'cal', sampleSpec()));
    await reconciler.reconcile(NS, 'cal');
    const first = await jobsOf('cal');
    assert.equal(first.length, 1);
    await patchModelSpec(kc, NS, 'cal', { training: { ...sampleSpec().training, schedule: '0 3 * * *' } });
    await reconciler.reconcile(NS, 'cal');
    assert.equal((await jobsOf('cal')).length, 1, 'setting a schedule starts no run by itself');

    const creation = new Date(required(created.metadata.creationTimestamp, 'created.metadata.creationTimestamp'));
    const later = new Date(creation.getTime() + 2 * 86_400_000);
    const due = new Date(Date.UTC(later.getUTCFullYear(), later.getUTCMonth(), later.getUTCDate(), 3));
    if (due > later) due.setUTCDate(due.getUTCDate() - 1);
    const atLater = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }), () => later);
    // Two passes at once and one after: the due time names the Job, so one is created.
    await Promise.allSettled([atLater.reconcile(NS, 'cal'), atLater.reconcile(NS, 'cal')]);
    const result = await atLater.reconcile(NS, 'cal');
    const jobs = await jobsOf('cal');
    assert.equal(jobs.length, 2);
    const model = await getModel(kc, NS, 'cal');
    assert.equal(model.status?.lastScheduledTime, due.toISOString());
    assert.notEqual(model.status.trainingJob, first[0].metadata?.name);
    assert.ok(jobs.some((j) => j.metadata?.name === model.status?.trainingJob));
    assert.ok(required(result.requeueAfterMs, 'result.requeueAfterMs') <= 6 * 3_600_000);
    const events = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=cal' });
    assert.equal(events.items.filter((e) => e.reason === 'TrainingScheduled').length, 1);
  });

  test('a schedule not yet due starts nothing and looks again by its due time', async () => {
    await createModel(
      kc,
      modelObject(NS, 'yearly', sampleSpec({ training: { image: 'trainer:test', schedule: '0 3 1 1 *' } })),
    );
    await reconciler.reconcile(NS, 'yearly');
    const result = await reconciler.reconcile(NS, 'yearly');
    assert.equal((await jobsOf('yearly')).length, 1, 'only the run of the new spec');
    assert.ok(required(result.requeueAfterMs, 'result.requeueAfterMs') > 0);
    assert.equal((await getModel(kc, NS, 'yearly')).status?.lastScheduledTime, undefined);
  });

  test('a schedule the cron parser refuses is a Degraded condition that says what to write', async () => {
    await createModel(
      kc,
      modelObject(NS, 'badcron', sampleSpec({ training: { image: 'trainer:test', schedule: '99 3 * * *' } })),
    );
    await reconciler.reconcile(NS, 'badcron');
    const degraded = condition(await getModel(kc, NS, 'badcron'), 'Degraded');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded.reason, 'InvalidSchedule');
    assert.match(degraded.message, /spec.training.schedule "99 3 \* \* \*" is not a cron expression.*five fields/);
  });
});

async function snapshot(name: string): Promise<Record<string, string>> {
  const rv = (o: { metadata?: { resourceVersion?: string } }) =>
    required(o.metadata?.resourceVersion, 'o.metadata.resourceVersion');
  const out: Record<string, string> = { model: rv(await getModel(kc, NS, name)) };
  out.deployment = rv(await apps().readNamespacedDeployment({ namespace: NS, name: `${name}-api` }));
  out.service = rv(await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace: NS, name: `${name}-api` }));
  out.hpa = rv(
    await kc
      .makeApiClient(AutoscalingV2Api)
      .readNamespacedHorizontalPodAutoscaler({ namespace: NS, name: `${name}-api` }),
  );
  out.ingress = rv(
    await kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace: NS, name: `${name}-api` }),
  );
  out.pdb = rv(
    await kc.makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ namespace: NS, name: `${name}-api` }),
  );
  for (const j of await jobsOf(name)) out[`job/${j.metadata?.name}`] = rv(j);
  return out;
}
