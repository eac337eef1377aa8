/**
 * The cluster and images the journey runs on: the running local cluster when there is one
 * (`npm run cluster -- up`), else one brought up now and down at the end; the images built
 * from the repo's Dockerfile and loaded into its containerd (`npm run images`).
 */
import { run, kubectl } from './commands.js';

export interface ClusterLease {
  /** True when this run started the cluster (and so stops it). */
  readonly startedHere: boolean;
  release(): Promise<void>;
}

async function clusterAnswers(): Promise<boolean> {
  try {
    await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** `nodes` 2: a running one-node cluster gets its second node (`up --nodes 2` adds only what is missing). */
export async function useCluster(log: (line: string) => void, nodes: 1 | 2 = 1): Promise<ClusterLease> {
  const up = nodes === 1 ? ['scripts/cluster.sh', 'up'] : ['scripts/cluster.sh', 'up', '--nodes', '2'];
  if (await clusterAnswers()) {
    log('using the running local cluster');
    if (nodes > 1) await run('bash', up, { timeoutMs: 15 * 60_000 });
    return { startedHere: false, release: async () => {} };
  }
  log(`no local cluster running: npm run cluster -- ${up.slice(1).join(' ')}`);
  await run('bash', up, { timeoutMs: 45 * 60_000 });
  return {
    startedHere: true,
    release: async () => {
      // Not allowed to fail: a down that leaves the host changed (sysctls, devices) fails the journey.
      await run('bash', ['scripts/cluster.sh', 'down'], { timeoutMs: 5 * 60_000 });
    },
  };
}

/** Builds (layer-cached) and loads the four images tagged `tag`. */
export async function loadImages(tag: string): Promise<void> {
  await run('bash', ['scripts/images.sh'], { env: { IMAGE_TAG: tag }, timeoutMs: 30 * 60_000 });
}
