/** What the Deployment and its pods say about a step, read without side effects. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { servesRollout, type Serving } from './serving.js';
import { nameOf } from '../object-identity.js';

export interface Progress {
  state: 'Pending' | 'InProgress' | 'Done';
  message: string;
}

/** How far the Deployment controller got with the current pod template, by its own numbers. */
export function deploymentProgress(deployment: V1Deployment, what: string): Progress {
  const want = deployment.spec?.replicas ?? 1;
  const current = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const updated = deployment.status?.updatedReplicas ?? 0;
  const available = deployment.status?.availableReplicas ?? 0;
  if (!current)
    return { state: 'Pending', message: `deployment ${deployment.metadata?.name} has not yet observed ${what}` };
  if (updated < want || available < want)
    return { state: 'InProgress', message: `${Math.min(updated, available)} of ${want} replicas of ${what} available` };
  return { state: 'Done', message: `${available} replicas serving ${what}` };
}

export function describeServing(serving: Serving): string {
  const c = serving.candidate;
  if (!c) return `version ${serving.live}`;
  return c.mode === 'shadow'
    ? `version ${serving.live} with ${c.version} in shadow`
    : `version ${serving.live} with ${c.version} answering ${c.trafficPercent}%`;
}

/** The step's pods are ready when the Deployment runs the step's template on all its replicas. */
export function stepReadiness(
  deployment: V1Deployment | undefined,
  serving: Serving,
): { ready: boolean; message: string } {
  const what = describeServing(serving);
  const api = deployment?.spec?.template.spec?.containers.find((c) => c.name === 'api');
  if (!deployment || !servesRollout(api?.env, serving))
    return { ready: false, message: `the API deployment is not yet updated to ${what}` };
  const progress = deploymentProgress(deployment, what);
  return { ready: progress.state === 'Done', message: progress.message };
}

export interface ScrapeTarget {
  pod: string;
  url: string;
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * The pods whose counters belong to the step: ready, not on their way out, and running the step's
 * environment (a pod of the previous step can still be draining). The port is the API container's
 * `http` port from the pod's own spec.
 */
export function scrapeTargets(pods: readonly V1Pod[], serving: Serving): ScrapeTarget[] {
  return pods.flatMap((pod) => {
    const api = pod.spec?.containers.find((c) => c.name === 'api');
    const port = api?.ports?.find((p) => p.name === 'http')?.containerPort;
    const ip = pod.status?.podIP;
    if (pod.metadata?.deletionTimestamp || !isReady(pod) || !ip || !port || !servesRollout(api.env, serving)) return [];
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return [{ pod: nameOf(pod), url: `http://${host}:${port}/rollout/stats` }];
  });
}
