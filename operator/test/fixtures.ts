/** Test helpers: install the CRD, build LoanRiskModels, and play kubelet/controllers. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  type LoanRiskModel,
  type LoanRiskModelSpec,
  type TrainingSummary,
} from '@peerloan/contracts';
import { CRD_MANIFEST_PATH } from '../src/crd-manifest.js';
import { required } from './required.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function installCrd(kc: KubeConfig): Promise<void> {
  // loadYaml maps JSON names (default, x-kubernetes-validations) to the client's model fields.
  const crd = loadYaml<V1CustomResourceDefinition>(await readFile(join(REPO_ROOT, CRD_MANIFEST_PATH), 'utf8'));
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await api.createCustomResourceDefinition({ body: crd });
  await waitFor('CRD Established', async () => {
    const got = await api.readCustomResourceDefinition({ name: required(crd.metadata?.name, 'crd.metadata.name') });
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  await waitUntilServed(kc, CRD_PLURAL);
}

/**
 * Discovery and the resource's storage lag the Established condition (a list answers 429 "storage
 * is (re)initializing" for a moment): wait until the resource can be listed.
 */
export async function waitUntilServed(kc: KubeConfig, plural: string): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await waitFor(
    `${plural} served`,
    async () => !!(await custom.listClusterCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural })),
  );
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

export function sampleSpec(overrides: Partial<LoanRiskModelSpec> = {}): LoanRiskModelSpec {
  return {
    dataset: { claimName: 'loan-data', path: 'loans/q3.csv' },
    training: { image: 'trainer:test', folds: 3 },
    qualityGate: { minRocAuc: 0.7, maxRegression: 0.01 },
    serving: {
      image: 'api:test',
      env: [{ name: 'REDIS_URL', value: 'redis://redis:6379' }],
      minReplicas: 2,
      maxReplicas: 4,
      ingress: { enabled: true, host: 'risk.test', tls: { secretName: 'risk-tls' } },
    },
    ...overrides,
  };
}

export function modelObject(namespace: string, name: string, spec: LoanRiskModelSpec): LoanRiskModel {
  return { apiVersion: `${CRD_GROUP}/${CRD_VERSION}`, kind: 'LoanRiskModel', metadata: { name, namespace }, spec };
}

/** Creates the model in `namespace` (default: its own), as `kubectl apply -n <namespace>` sends it: the body unchanged. */
export async function createModel(
  kc: KubeConfig,
  model: LoanRiskModel,
  namespace = model.metadata.namespace,
): Promise<LoanRiskModel> {
  if (!namespace) throw new Error(`${model.metadata.name} names no namespace: pass one`);
  return (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: CRD_GROUP,
    version: CRD_VERSION,
    plural: CRD_PLURAL,
    namespace,
    body: model,
  })) as LoanRiskModel;
}

export async function getModel(kc: KubeConfig, namespace: string, name: string): Promise<LoanRiskModel> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: CRD_GROUP,
    version: CRD_VERSION,
    plural: CRD_PLURAL,
    namespace,
    name,
  })) as LoanRiskModel;
}

export async function patchModelSpec(
  kc: KubeConfig,
  namespace: string,
  name: string,
  spec: Partial<LoanRiskModelSpec>,
  annotations?: Record<string, string>,
): Promise<void> {
  const body = annotations ? { metadata: { annotations }, spec } : { spec };
  await kc
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObject(
      { group: CRD_GROUP, version: CRD_VERSION, plural: CRD_PLURAL, namespace, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

export function summary(version: string, rocAuc: number): TrainingSummary {
  return {
    version,
    path: `/models/${version}`,
    metrics: { rocAuc, prAuc: 0.2, brier: 0.02 },
    threshold: 0.1,
    rows: 5000,
  };
}

/** Plays the Job controller and the kubelet: a finished trainer Pod with its termination message, then the Job Complete. */
export async function finishTraining(
  kc: KubeConfig,
  namespace: string,
  jobName: string,
  message: string,
  succeeded = true,
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: `${jobName}-pod`, labels: { 'batch.kubernetes.io/job-name': jobName, 'job-name': jobName } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'trainer', image: 'trainer:test' }] },
    },
  });
  const now = new Date();
  await core.patchNamespacedPodStatus(
    {
      namespace,
      name: required(pod.metadata?.name, 'pod.metadata.name'),
      body: {
        status: {
          phase: succeeded ? 'Succeeded' : 'Failed',
          containerStatuses: [
            {
              name: 'trainer',
              image: 'trainer:test',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode: succeeded ? 0 : 1,
                  reason: succeeded ? 'Completed' : 'Error',
                  message,
                  startedAt: now,
                  finishedAt: now,
                },
              },
            },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const conditions = succeeded
    ? [
        { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now },
        { type: 'Complete', status: 'True', lastTransitionTime: now },
      ]
    : [
        {
          type: 'FailureTarget',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastTransitionTime: now,
        },
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastTransitionTime: now,
        },
      ];
  await kc.makeApiClient(BatchV1Api).patchNamespacedJobStatus(
    {
      namespace,
      name: jobName,
      body: {
        status: {
          startTime: now,
          completionTime: succeeded ? now : undefined,
          succeeded: succeeded ? 1 : 0,
          failed: succeeded ? 0 : 1,
          conditions,
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Plays the Deployment controller: every replica updated and available. */
export async function makeDeploymentAvailable(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const dep = await apps.readNamespacedDeployment({ namespace, name });
  const replicas = dep.spec?.replicas ?? 1;
  await apps.patchNamespacedDeploymentStatus(
    {
      namespace,
      name,
      body: {
        status: {
          observedGeneration: dep.metadata?.generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
