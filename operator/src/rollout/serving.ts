/**
 * What the API pods serve, and how that is said to them: the rollout environment of the API
 * container (ROLLOUT_ENV in contracts/src/rollout.ts). A change of it is a rolling update.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import { ROLLOUT_ENV, type CandidateMode } from '@peerloan/contracts';

/** Where the models folder of the claim is mounted in the API container. */
export const MODELS_MOUNT = '/models';

export interface Serving {
  /** Answers every request but the candidate's canary share: the live version, or a valid pin. */
  live: string;
  candidate?: { version: string; mode: CandidateMode; trafficPercent: number };
}

export function rolloutEnv(serving: Serving): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: ROLLOUT_ENV.modelsRoot, value: MODELS_MOUNT },
    { name: ROLLOUT_ENV.liveVersion, value: serving.live },
  ];
  const c = serving.candidate;
  if (!c) return env;
  return [
    ...env,
    { name: ROLLOUT_ENV.candidateVersion, value: c.version },
    { name: ROLLOUT_ENV.candidateMode, value: c.mode },
    { name: ROLLOUT_ENV.candidateTrafficPercent, value: String(c.trafficPercent) },
  ];
}

/** Whether a container's environment serves exactly `serving` (the pods of an earlier step do not). */
export function servesRollout(env: readonly V1EnvVar[] | undefined, serving: Serving): boolean {
  const want = new Map(rolloutEnv(serving).map((e) => [e.name, e.value]));
  return Object.values(ROLLOUT_ENV).every((name) => env?.find((e) => e.name === name)?.value === want.get(name));
}

/** Identity of one step, for its counters' baseline: a retried step starts over. */
export function stepKey(serving: Serving, stepStartTime: string): string {
  const c = serving.candidate;
  return `${serving.live}/${c?.version}/${c?.mode}/${c?.trafficPercent}@${stepStartTime}`;
}
