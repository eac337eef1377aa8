/**
 * Test stand-ins for the API pods of a rollout step: the Pods (as the Deployment controller and
 * the kubelet would make them: the Deployment's template, Ready, podIP 127.0.0.1) and behind each
 * a real HTTP server answering GET /rollout/stats per contracts/src/rollout.ts. The server's port
 * is the pod's `http` containerPort, which is where the operator looks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import {
  ROLLOUT_LATENCY_BUCKETS_MS,
  ROLLOUT_SCORE_BINS,
  type CandidateMode,
  type RolloutStats,
  type VersionStats,
} from '@peerloan/contracts';
import { required } from './required.js';

/** Share of scores per bin (the rest of the 20 bins empty): a typical late-payment score histogram. */
export const LOW_SCORES = [0.4, 0.3, 0.15, 0.1, 0.05];
export const HIGH_SCORES = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.15, 0.3, 0.4];

export interface RoleCounts {
  rows: number;
  errors?: number;
  /** Every row's latency falls in the bucket whose bound is this (ms). */
  latencyMs?: number;
  scores?: number[];
}

export function versionStats(version: string, c: RoleCounts): VersionStats {
  const latencyBuckets = new Array<number>(ROLLOUT_LATENCY_BUCKETS_MS.length + 1).fill(0);
  const bucket = ROLLOUT_LATENCY_BUCKETS_MS.findIndex((b) => b >= (c.latencyMs ?? 2));
  latencyBuckets[bucket < 0 ? ROLLOUT_LATENCY_BUCKETS_MS.length : bucket] = c.rows;
  const shares = c.scores ?? LOW_SCORES;
  const scoreBins = new Array<number>(ROLLOUT_SCORE_BINS).fill(0).map((_, i) => Math.floor(c.rows * (shares[i] ?? 0)));
  scoreBins[shares.indexOf(Math.max(...shares))] += c.rows - scoreBins.reduce((a, b) => a + b, 0);
  return { version, rows: c.rows, errors: c.errors ?? 0, latencyBuckets, scoreBins };
}

export class FakeApiPod {
  readonly since = new Date().toISOString();
  private stats: RolloutStats;

  private constructor(
    readonly name: string,
    private readonly server: Server,
    readonly port: number,
    live: string,
    candidate: { version: string; mode: CandidateMode },
  ) {
    this.stats = {
      since: this.since,
      live: versionStats(live, { rows: 0 }),
      candidate: { ...versionStats(candidate.version, { rows: 0 }), mode: candidate.mode, agreements: 0 },
    };
  }

  static async start(
    name: string,
    live: string,
    candidate: { version: string; mode: CandidateMode },
  ): Promise<FakeApiPod> {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const pod = new FakeApiPod(name, server, (server.address() as AddressInfo).port, live, candidate);
    server.on('request', (req, res) => {
      if (req.url !== '/rollout/stats') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pod.stats));
    });
    return pod;
  }

  /** Cumulative counters since the pod started, as the API keeps them. */
  count(live: RoleCounts, candidate: RoleCounts & { agreements?: number }): void {
    const c = required(this.stats.candidate, 'this.stats.candidate');
    this.stats = {
      since: this.since,
      live: versionStats(this.stats.live.version, live),
      candidate: { ...versionStats(c.version, candidate), mode: c.mode, agreements: candidate.agreements ?? 0 },
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }
}

/**
 * Plays a finished rolling update of the Deployment's current template: the old pods are gone, the
 * Deployment reports every replica updated and available, and `count` new pods run the template.
 */
export async function rollPods(
  kc: KubeConfig,
  namespace: string,
  deployment: string,
  count: number,
  previous: FakeApiPod[],
): Promise<FakeApiPod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  for (const p of previous) {
    await p.stop();
    await core.deleteNamespacedPod({ namespace, name: p.name, gracePeriodSeconds: 0 });
  }
  const dep = await apps.readNamespacedDeployment({ namespace, name: deployment });
  const replicas = dep.spec?.replicas ?? 1;
  await apps.patchNamespacedDeploymentStatus(
    {
      namespace,
      name: deployment,
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

  const template = required(dep.spec?.template, 'dep.spec.template');
  const env = Object.fromEntries(
    required(template.spec?.containers[0].env, 'template.spec.containers[0].env').map((e) => [
      e.name,
      required(e.value, 'e.value'),
    ]),
  );
  const pods: FakeApiPod[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${deployment}-g${dep.metadata?.generation}-${i}`;
    const fake = await FakeApiPod.start(name, env.LIVE_VERSION, {
      version: env.CANDIDATE_VERSION,
      mode: env.CANDIDATE_MODE as CandidateMode,
    });
    const containers = template.spec?.containers.map((c) => ({
      ...c,
      ports: [{ name: 'http', containerPort: fake.port }],
    }));
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: template.metadata?.labels, annotations: template.metadata?.annotations },
        spec: { ...required(template.spec, 'template.spec'), containers: required(containers, 'containers') },
      },
    });
    await core.patchNamespacedPodStatus(
      {
        namespace,
        name,
        body: {
          status: {
            phase: 'Running',
            podIP: '127.0.0.1',
            podIPs: [{ ip: '127.0.0.1' }],
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    pods.push(fake);
  }
  return pods;
}
