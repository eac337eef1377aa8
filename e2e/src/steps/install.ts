/**
 * The platform team's part: `helm install` per environment, `helm test`, `helm upgrade` to
 * prod-like values, `helm uninstall`.
 */
import assert from 'node:assert/strict';
import { helm, kubectl, kubectlJson } from '../commands.js';
import type { Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

/**
 * On two nodes the data volume is the cluster's ReadWriteMany class (`shared-files`, what NFS, EFS
 * or Filestore is in a cloud): the training Pod and the API pods of both nodes mount it.
 */
function sharedStorageValues(journey: Journey): string[] {
  return journey.nodes > 1
    ? ['--set', 'persistence.storageClass=shared-files', '--set', 'persistence.accessModes={ReadWriteMany}']
    : [];
}

/**
 * What only this machine's cluster needs: its Redis image and its IngressClass. `releaseModel`:
 * the release may make its own LoanRiskModel (the README's production commands); else the samples
 * applied with kubectl declare the model.
 */
function localClusterValues(journey: Journey, releaseModel = false): string[] {
  return [
    ...sharedStorageValues(journey),
    '--set',
    `images.operator.tag=${journey.imageTag}`,
    '--set',
    `images.api.tag=${journey.imageTag}`,
    '--set',
    `images.worker.tag=${journey.imageTag}`,
    '--set',
    `images.trainer.tag=${journey.imageTag}`,
    '--set',
    'redis.image.repository=peerloan.local/redis',
    '--set',
    'redis.image.tag=7-bookworm',
    // The samples in manifests/samples/ declare the model: the release only names it for helm
    // test and for the drift worker.
    ...(releaseModel ? [] : ['--set', 'loanRiskModel.enabled=false']),
    '--set',
    `tests.apiServiceName=${journey.model}-api`,
    '--set',
    `worker.driftModelName=${journey.model}`,
    '--set',
    'networkPolicy.ingressControllerNamespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=traefik',
  ];
}

/** Installs the chart with the dev values (and `extraArgs`, e.g. `--set` of a benchmark's own). */
export async function installDev(journey: Journey, extraArgs: readonly string[] = []): Promise<void> {
  await helm([
    'install',
    journey.release,
    'charts/loan-risk',
    '-n',
    journey.namespace,
    '--create-namespace',
    '-f',
    'charts/loan-risk/values-dev.yaml',
    ...localClusterValues(journey),
    ...extraArgs,
    '--wait',
    '--timeout',
    '5m',
  ]);
  const leader = await waitFor('the operator holds its Lease', 120, async () => {
    const lease = await kubectlJson<{ spec?: { holderIdentity?: string } }>([
      '-n',
      journey.namespace,
      'get',
      'lease',
      'loan-risk-operator',
    ]);
    return lease.spec?.holderIdentity || undefined;
  });
  const pods = await kubectl([
    '-n',
    journey.namespace,
    'get',
    'pods',
    '-l',
    'app.kubernetes.io/component=operator',
    '-o',
    'name',
  ]);
  assert.ok(pods.includes(leader), `the Lease holder ${leader} is one of the operator pods (${pods.trim()})`);
  for (const component of ['redis', 'worker']) {
    await kubectl([
      '-n',
      journey.namespace,
      'wait',
      '--for=condition=Ready',
      'pod',
      '-l',
      `app.kubernetes.io/component=${component}`,
      '--timeout=120s',
    ]);
  }
}

export async function helmTest(journey: Journey): Promise<void> {
  const out = await helm(['test', journey.release, '-n', journey.namespace, '--timeout', '3m']);
  assert.match(out, /Phase:\s+Succeeded/);
}

/**
 * Prod's values cut to fit this machine: the claims' sizes and access modes as the install made
 * them, and requests one 2-core node (or two) can place.
 */
function prodFitsOneNode(journey: Journey): string[] {
  return [
    // The claim's access modes cannot change on upgrade: on two nodes it stays ReadWriteMany.
    '--set',
    `persistence.accessModes={${journey.nodes > 1 ? 'ReadWriteMany' : 'ReadWriteOnce'}}`,
    '--set',
    'persistence.size=2Gi',
    '--set',
    'redis.persistence.size=1Gi',
    '--set',
    'operator.resources.requests.cpu=20m',
    '--set',
    'worker.resources.requests.cpu=20m',
    '--set',
    'redis.resources.requests.cpu=20m',
    '--set',
    'worker.resources.requests.memory=128Mi',
    '--set',
    'operator.resources.requests.memory=96Mi',
    '--set',
    'redis.resources.requests.memory=64Mi',
  ];
}

/**
 * Prod's values with requests that fit one 2-core node: two operator replicas (one leader),
 * autoscaled workers with a PodDisruptionBudget, Redis on a volume.
 */
export async function upgradeProdLike(journey: Journey): Promise<void> {
  await helm([
    'upgrade',
    journey.release,
    'charts/loan-risk',
    '-n',
    journey.namespace,
    '-f',
    'charts/loan-risk/values-prod.yaml',
    ...localClusterValues(journey),
    ...prodFitsOneNode(journey),
    '--wait',
    '--timeout',
    '5m',
  ]);
  const operator = await kubectlJson<{ status: { readyReplicas?: number } }>([
    '-n',
    journey.namespace,
    'get',
    'deploy',
    `${journey.release}-operator`,
  ]);
  assert.equal(operator.status.readyReplicas, 2, 'two operator replicas ready');
  const hpa = await kubectlJson<{ spec: { minReplicas: number; maxReplicas: number } }>([
    '-n',
    journey.namespace,
    'get',
    'hpa',
    `${journey.release}-worker`,
  ]);
  assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 8]);
  const pdbs = await kubectl(['-n', journey.namespace, 'get', 'pdb', '-o', 'name']);
  assert.match(pdbs, /operator/);
  assert.match(pdbs, /worker/);
  await waitFor('two worker replicas ready', 180, async () => {
    const worker = await kubectlJson<{ status: { readyReplicas?: number } }>([
      '-n',
      journey.namespace,
      'get',
      'deploy',
      `${journey.release}-worker`,
    ]);
    return (worker.status.readyReplicas ?? 0) >= 2 ? true : undefined;
  });
}

/**
 * `helm uninstall` leaves only what docs/OPERATIONS.md says is kept: the data volume's claim and
 * (prod values: Redis on a claim, redis.persistence.keepOnUninstall) Redis' claim, which is then
 * removed as the runbook says, so a later run starts with an empty Redis.
 */
export async function uninstall(journey: Journey): Promise<void> {
  const redisClaim = `persistentvolumeclaim/${journey.release}-redis-data`;
  // Present when the prod-like upgrade ran (dev values keep Redis on an emptyDir).
  const hadRedisClaim =
    (await kubectl(['-n', journey.namespace, 'get', redisClaim, '--ignore-not-found', '-o', 'name'])).trim() !== '';
  await helm(['uninstall', journey.release, '-n', journey.namespace, '--wait', '--timeout', '3m']);
  const left = await waitFor("the release's objects are gone", 120, async () => {
    const names = (
      await kubectl([
        '-n',
        journey.namespace,
        'get',
        'all,configmap,secret,pvc,pdb,hpa,ingress,networkpolicy,role,rolebinding,serviceaccount,lease',
        '-l',
        `app.kubernetes.io/instance=${journey.release}`,
        '-o',
        'name',
      ])
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    return names.every((n) => n.startsWith('persistentvolumeclaim/')) ? names : undefined;
  });
  assert.deepEqual(left.sort(), ['persistentvolumeclaim/loan-data', ...(hadRedisClaim ? [redisClaim] : [])]);
  if (hadRedisClaim) await kubectl(['-n', journey.namespace, 'delete', redisClaim, '--wait=true', '--timeout=60s']);
}

/**
 * What the README's own `helm upgrade --install loan-risk charts/loan-risk -f values-prod.yaml`
 * gets added on this cluster (the README's production commands step): the local images and
 * classes, prod's requests cut to fit, and for the model the release makes: Traefik instead of
 * nginx, its plain entry point on 127.0.0.1:18080 instead of TLS, the stand-in issuer's key set
 * (the token's issuer and audience stay prod's), and requests that fit beside the journey's model.
 */
export function readmeReleaseValues(journey: Journey, jwksUrl: string): string[] {
  return [
    ...localClusterValues(journey, true),
    ...prodFitsOneNode(journey),
    '--set',
    'loanRiskModel.ingress.className=traefik',
    '--set',
    'loanRiskModel.ingress.tlsSecretName=',
    '--set',
    `loanRiskModel.auth.jwt.jwksUrl=${jwksUrl}`,
    '--set',
    'loanRiskModel.trainingResources.requests.cpu=500m',
    '--set',
    'loanRiskModel.trainingResources.requests.memory=1Gi',
    '--set',
    'loanRiskModel.serving.resources.requests.cpu=50m',
    '--set',
    'loanRiskModel.serving.resources.requests.memory=192Mi',
  ];
}
