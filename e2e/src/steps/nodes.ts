/**
 * The journey on two nodes (`npm run e2e -- --nodes 2`, `npm run cluster -- up --nodes 2`): API
 * replicas on both nodes serving the version a training Pod wrote on one of them, a node drained
 * under k6 load, and a node lost under load, first as the defaults leave it, then with what a
 * platform team adds (a retry at the ingress for requests no pod received, shorter not-ready
 * tolerations).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubectl, kubectlJson, run } from '../commands.js';
import { viaIngress } from '../ingress.js';
import { patchModel, waitRolledOut, type Journey } from '../journey-state.js';
import { runK6 } from '../k6.js';
import { waitFor } from '../waiting.js';
import { apiPodSelector, assertNoFailedRequest } from './rollout.js';

/** The node the ingress controller runs on (the host's network) and the one drained and lost. */
export const FIRST_NODE = 'peerloan-node';
export const SECOND_NODE = 'peerloan-node2';

interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string };
    spec: { nodeName?: string; containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> };
    status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> };
  }>;
}

export interface ApiPod {
  readonly name: string;
  readonly node: string;
  readonly url: string;
}

/** The API pods that are Ready and not terminating, with the node each runs on. */
export async function readyApiPods(journey: Journey): Promise<ApiPod[]> {
  const pods = await kubectlJson<PodList>(['-n', journey.namespace, 'get', 'pods', '-l', apiPodSelector(journey)]);
  return pods.items
    .filter(
      (p) =>
        !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((p) => {
      const port = p.spec.containers[0]?.ports?.find((q) => q.name === 'http')?.containerPort ?? 8080;
      return { name: p.metadata.name, node: p.spec.nodeName ?? '', url: `http://${p.status.podIP ?? ''}:${port}` };
    });
}

export async function readyNodes(): Promise<string[]> {
  const nodes = await kubectlJson<{
    items: Array<{ metadata: { name: string }; status: { conditions?: Array<{ type: string; status: string }> } }>;
  }>(['get', 'nodes']);
  return nodes.items
    .filter((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata.name);
}

/** Waits until Ready API pods run on both nodes; returns them all. */
export async function apiPodsOnBothNodes(journey: Journey, seconds = 240): Promise<ApiPod[]> {
  return waitFor(`API pods Ready on ${FIRST_NODE} and ${SECOND_NODE}`, seconds, async () => {
    const pods = await readyApiPods(journey);
    const nodes = new Set(pods.map((p) => p.node));
    return nodes.has(FIRST_NODE) && nodes.has(SECOND_NODE) ? pods : undefined;
  });
}

/**
 * Puts an API pod back on each node after a drain left them all on one: one pod of the crowded node
 * deleted (no load runs), its replacement placed by the soft spread on the other node.
 */
export async function spreadApiPods(journey: Journey): Promise<ApiPod[]> {
  const pods = await waitFor('two API pods Ready', 240, async () => {
    const ready = await readyApiPods(journey);
    return ready.length >= 2 ? ready : undefined;
  });
  if (new Set(pods.map((p) => p.node)).size < 2) {
    await kubectl(['-n', journey.namespace, 'delete', 'pod', pods[0].name, '--wait=false']);
  }
  return apiPodsOnBothNodes(journey);
}

/** POST /predict straight to one pod (the host routes to both nodes' pod subnets). */
async function predictOnPod(pod: ApiPod, loan: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${pod.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(loan),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `${pod.name} on ${pod.node}: ${body.slice(0, 300)}`);
  return (JSON.parse(body) as { modelVersion: string }).modelVersion;
}

/**
 * Two API replicas spread over the two nodes (the operator's soft topology spread on the host name),
 * and the pod on the node where the training Pod did not run serves the version that Pod wrote on
 * the shared ReadWriteMany volume.
 */
export async function replicasOnBothNodes(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const nodes = await readyNodes();
  assert.ok(
    nodes.includes(FIRST_NODE) && nodes.includes(SECOND_NODE),
    `two Ready nodes (npm run cluster -- up --nodes 2): ${nodes.join(', ')}`,
  );
  await patchModel(journey, { spec: { serving: { minReplicas: 2, maxReplicas: 3 } } });
  await waitRolledOut(journey);
  const pods = await apiPodsOnBothNodes(journey);
  // The live version and the Job that wrote it (status.live): earlier retrains (the drift step's
  // among them) may have run on either node.
  const [live, liveJob] = (
    await kubectl([
      '-n',
      journey.namespace,
      'get',
      'lrm',
      journey.model,
      '-o',
      'jsonpath={.status.live.version} {.status.live.job}',
    ])
  )
    .trim()
    .split(' ');
  assert.ok(live && liveJob, `status.live of ${journey.model} names the version and the Job that wrote it`);
  const trainingPods = await kubectlJson<PodList>([
    '-n',
    journey.namespace,
    'get',
    'pods',
    '-l',
    `batch.kubernetes.io/job-name=${liveJob}`,
  ]);
  const trainedOn = new Set(
    trainingPods.items.filter((p) => p.status.phase === 'Succeeded').map((p) => p.spec.nodeName),
  );
  assert.ok(trainedOn.size > 0, `a succeeded training Pod of ${liveJob}, the Job that wrote ${live}`);
  const elsewhere = pods.filter((p) => !trainedOn.has(p.node));
  assert.ok(
    elsewhere.length > 0,
    `an API pod on a node other than the one ${liveJob} ran on (${[...trainedOn].join(', ')})`,
  );
  for (const pod of pods)
    assert.equal(await predictOnPod(pod, loan), live, `${pod.name} on ${pod.node} serves ${live}`);
  console.log(
    `# trained on ${[...trainedOn].join(', ')}; ${live} served by ${pods.map((p) => `${p.name}@${p.node}`).join(', ')}`,
  );
}

interface Pdb {
  status: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number };
}

/** Samples the API's PodDisruptionBudget until stopped; the lowest healthy count seen against what it asks. */
function watchPdb(journey: Journey): { stop(): Promise<{ samples: number; violations: string[] }> } {
  const stopping = new AbortController();
  const violations: string[] = [];
  let samples = 0;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const pdb = await kubectlJson<Pdb>(['-n', journey.namespace, 'get', 'pdb', `${journey.model}-api`]).catch(
        () => undefined,
      );
      if (pdb) {
        samples++;
        const { currentHealthy = 0, desiredHealthy = 0 } = pdb.status;
        if (currentHealthy < desiredHealthy)
          violations.push(`${new Date().toISOString()} ${currentHealthy}/${desiredHealthy}`);
      }
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
      return { samples, violations };
    },
  };
}

/**
 * `kubectl drain` of the second node under k6 load: every request answered, the API's
 * PodDisruptionBudget never below what it asks, the API pods Ready again on the first node.
 */
export async function drainUnderLoad(journey: Journey): Promise<void> {
  await apiPodsOnBothNodes(journey);
  const load = runK6('rollout.js', journey.host, { RATE: '30', DURATION: '75s' });
  const pdb = watchPdb(journey);
  await sleep(10_000);
  const began = Date.now();
  try {
    // --force: pods no controller owns (a `helm test` Pod left from an earlier step) are deleted too.
    await kubectl(['drain', SECOND_NODE, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=180s']);
    const drained = (Date.now() - began) / 1000;
    const pods = await waitFor(`two API pods Ready on ${FIRST_NODE}`, 180, async () => {
      const ready = await readyApiPods(journey);
      return ready.length >= 2 && ready.every((p) => p.node === FIRST_NODE) ? ready : undefined;
    });
    journey.timings.set(`kubectl drain ${SECOND_NODE} under load`, drained);
    const result = await load;
    const { samples, violations } = await pdb.stop();
    console.log(
      `# drain: ${drained.toFixed(1)} s; k6 ${result.metrics.http_reqs?.count ?? 0} requests, ${result.metrics.http_req_failed?.passes ?? '?'} failed; PDB sampled ${samples} times; API pods now ${pods.map((p) => p.node).join(', ')}`,
    );
    assertNoFailedRequest(result, `the drain of ${SECOND_NODE}`);
    assert.deepEqual(violations, [], 'the PodDisruptionBudget held through the drain');
    assert.ok(samples > 5, 'the PodDisruptionBudget was watched through the drain');
  } finally {
    await pdb.stop();
    await kubectl(['uncordon', SECOND_NODE]);
  }
}

/** What a client saw around a node loss: requests sent one after another, each with its time and outcome. */
interface Probe {
  readonly seen: ReadonlyArray<{ at: number; ok: boolean }>;
  stop(): Promise<void>;
}

function probeIngress(journey: Journey, loan: Record<string, unknown>): Probe {
  const stopping = new AbortController();
  const seen: Array<{ at: number; ok: boolean }> = [];
  const body = JSON.stringify(loan);
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const at = Date.now();
      const res = await viaIngress(journey.host, 'POST', '/predict', body).catch(() => undefined);
      seen.push({ at, ok: res?.status === 200 });
      await sleep(50);
    }
  })();
  return {
    seen,
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}

/** Every probe request of the last `seconds` succeeded, and the node has been gone at least that long. */
function steadyAgain(probe: Probe, lost: number, seconds: number): true | undefined {
  const now = Date.now();
  if (now - lost < seconds * 1000) return undefined;
  const recent = probe.seen.filter((s) => s.at > now - seconds * 1000);
  return recent.length > 0 && recent.every((s) => s.ok) ? true : undefined;
}

export interface NodeLoss {
  readonly requests: number;
  readonly failed: number;
  /**
   * The probe's failed requests sent while `lose-node` was killing the node: a request a pod had
   * already received when its node died is lost, and no ingress retry that is safe for
   * POST /batches sends it again (the client's own retry does; scoring is idempotent).
   */
  readonly probeFailedInFlight: number;
  /** The probe's failed requests sent before the loss or after the node was gone. */
  readonly probeFailedOtherwise: number;
  /** k6's failed requests (k6 reports them only in total). */
  readonly k6Failed: number;
  /** From the loss to the first request after the last failed one (0 when none failed). */
  readonly secondsToRecover: number;
}

/** Brings the second node back (`npm run cluster -- up --nodes 2` restarts only what is missing). */
async function secondNodeBack(): Promise<void> {
  await run('bash', ['scripts/cluster.sh', 'up', '--nodes', '2'], { timeoutMs: 10 * 60_000 });
}

/**
 * The second node lost under k6 load (`npm run cluster -- lose-node`: its kubelet, containerd,
 * kube-proxy and every container killed at once); k6's failed requests and the seconds until a
 * probe's requests all succeed again. The node is brought back afterwards.
 */
export async function loseNodeUnderLoad(journey: Journey, loan: Record<string, unknown>): Promise<NodeLoss> {
  await spreadApiPods(journey);
  const load = runK6('rollout.js', journey.host, { RATE: '30', DURATION: '150s' });
  const probe = probeIngress(journey, loan);
  await sleep(15_000);
  const lost = Date.now();
  await run('bash', ['scripts/cluster.sh', 'lose-node']);
  const gone = Date.now();
  // The node turns NotReady after the controller-manager's grace period and its pods leave the
  // endpoints then: wait for 20 s of answered requests, at most until k6 ends.
  await waitFor(
    'every request answered again after the node loss',
    130,
    () => Promise.resolve(steadyAgain(probe, lost, 20)),
    1000,
  ).catch(() => undefined);
  await probe.stop();
  const seen = probe.seen;
  const result = await load;
  const lastFailure = seen.filter((s) => !s.ok).at(-1);
  const figures: NodeLoss = {
    requests: result.metrics.http_reqs?.count ?? 0,
    failed: (result.metrics.http_req_failed?.passes ?? 0) + seen.filter((s) => !s.ok).length,
    probeFailedInFlight: seen.filter((s) => !s.ok && s.at >= lost && s.at < gone).length,
    probeFailedOtherwise: seen.filter((s) => !s.ok && (s.at < lost || s.at >= gone)).length,
    k6Failed: result.metrics.http_req_failed?.passes ?? 0,
    secondsToRecover: lastFailure ? (lastFailure.at - lost) / 1000 : 0,
  };
  if (figures.requests === 0) assert.fail(`k6 sent no requests:\n${result.output.slice(-2000)}`);
  console.log(
    `# node lost: k6 ${figures.requests} requests, ${result.metrics.http_req_failed?.passes ?? '?'} failed; probe ${seen.length} requests, ${seen.filter((s) => !s.ok).length} failed; all succeed again ${figures.secondsToRecover.toFixed(1)} s after the loss`,
  );
  await secondNodeBack();
  return figures;
}

/**
 * What a platform team adds for node loss: Traefik's retry middleware on the model's Ingress (it
 * retries only requests no pod received, so POST /batches is never sent twice) and not-ready /
 * unreachable tolerations of 10 s on the API pods, so replacements start on the surviving node
 * without the default 300 s wait.
 */
export async function hardenForNodeLoss(journey: Journey): Promise<void> {
  const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 });
  await patchModel(journey, {
    spec: {
      serving: {
        ingress: { annotations: { 'traefik.ingress.kubernetes.io/router.middlewares': 'retry-unsent@file' } },
        tolerations: [toleration('node.kubernetes.io/not-ready'), toleration('node.kubernetes.io/unreachable')],
      },
    },
  });
  await waitRolledOut(journey);
  await spreadApiPods(journey);
}

/** The node-loss measurement with the defaults, then hardened: zero failed requests the second time. */
export async function nodeLossMeasuredAndMitigated(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const before = await loseNodeUnderLoad(journey, loan);
  journey.timings.set('node lost (defaults): seconds until every request succeeds', before.secondsToRecover);
  await hardenForNodeLoss(journey);
  const after = await loseNodeUnderLoad(journey, loan);
  journey.timings.set('node lost (retry + tolerations): seconds until every request succeeds', after.secondsToRecover);
  console.log(`# node loss: defaults ${JSON.stringify(before)}; with retry and tolerations ${JSON.stringify(after)}`);
  // A request already inside a pod when its node dies is lost whatever the ingress does: the
  // probe's requests sent while the node was being killed may fail, and k6's (counted only in
  // total) are allowed as many as can be in flight at 30 requests/s. Every probe request sent
  // before the loss or after the node was gone must succeed.
  const context = `with the retry and tolerations: ${JSON.stringify(after)}`;
  assert.equal(after.probeFailedOtherwise, 0, `a probe request failed outside the moment of the loss, ${context}`);
  assert.ok(after.k6Failed <= 2, `more k6 requests failed than can be in flight at the loss, ${context}`);
}
