/**
 * Why a pod of the model cannot start, read from what the kubelet and the scheduler report: the
 * containers' waiting reasons, the PodScheduled condition and the pod's Warning Events (mount and
 * attach failures are reported only as Events). The first problem found becomes the reason of the
 * Trained or Ready condition, with a message that says what to fix.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

export interface PodProblem {
  reason: string;
  message: string;
}

/** The reasons below, each a Warning Event when its condition turns False. */
export const POD_PROBLEM_REASONS = [
  'ImagePullFailed',
  'ContainerConfigInvalid',
  'ClaimUnbound',
  'Unschedulable',
  'VolumeMountFailed',
  'ClaimNotShareable',
] as const;

/** Which section of the spec the pod comes from, so the message names the fields to look at. */
export type PodSection = 'serving' | 'training';

const IMAGE_PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

function containerProblem(pod: V1Pod, section: PodSection): PodProblem | undefined {
  const name = pod.metadata?.name ?? '(unnamed)';
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    if (!waiting?.reason) continue;
    const said = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
    if (IMAGE_PULL_REASONS.has(waiting.reason))
      return {
        reason: 'ImagePullFailed',
        message: `pod ${name} cannot pull image ${status.image} (${said}); check spec.${section}.image and the registry credentials (spec.${section}.imagePullSecrets)`,
      };
    if (waiting.reason === 'CreateContainerConfigError')
      return {
        reason: 'ContainerConfigInvalid',
        message: `pod ${name} cannot start container ${status.name} (${said}); create the Secret or ConfigMap it names in the model's namespace, or fix the reference in spec.${section}`,
      };
  }
  return undefined;
}

function schedulingProblem(pod: V1Pod, section: PodSection): PodProblem | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.status?.phase !== 'Pending' || scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable')
    return undefined;
  const name = pod.metadata?.name ?? '(unnamed)';
  const said = scheduled.message ?? 'no node fits';
  if (/unbound.*PersistentVolumeClaim/i.test(said)) {
    const claims = (pod.spec?.volumes ?? []).flatMap((v) => v.persistentVolumeClaim?.claimName ?? []);
    return {
      reason: 'ClaimUnbound',
      message: `pod ${name} is Pending: its PersistentVolumeClaim ${claims.join(', ')} is not bound (${said}); check that the claim exists in the model's namespace and that its StorageClass can provision it (spec.dataset.claimName)`,
    };
  }
  return {
    reason: 'Unschedulable',
    message: `pod ${name} cannot be scheduled (${said}); check spec.${section} nodeSelector, tolerations, affinity, topologySpreadConstraints and resources`,
  };
}

function eventProblem(pod: V1Pod, events: readonly CoreV1Event[]): PodProblem | undefined {
  const name = pod.metadata?.name ?? '(unnamed)';
  const mine = events.filter((e) => e.type === 'Warning' && e.involvedObject.name === name);
  const multiAttach = mine.find((e) => e.reason === 'FailedAttachVolume' && /Multi-Attach/.test(e.message ?? ''));
  if (multiAttach)
    return {
      reason: 'ClaimNotShareable',
      message: `pod ${name} on node ${pod.spec?.nodeName ?? '(none)'} cannot attach its volume (${multiAttach.message}); the claim is ReadWriteOnce and its volume attaches to one node at a time: serve the model from a ReadWriteMany claim (spec.dataset.claimName; with the chart, persistence.accessModes and a persistence.storageClass that offers it; a claim's access modes cannot change, so make a new one and copy the volume) or keep the model's pods and the workers on one node`,
    };
  const mount = mine.find((e) => e.reason === 'FailedMount');
  if (mount)
    return {
      reason: 'VolumeMountFailed',
      message: `pod ${name} cannot mount its volumes (${mount.message}); create what it names (a Secret, a ConfigMap, a claim) in the model's namespace`,
    };
  return undefined;
}

/** The first problem among `pods` (Running, finished and terminating pods have none), or undefined. */
export function podProblem(
  pods: readonly V1Pod[],
  events: readonly CoreV1Event[],
  section: PodSection,
): PodProblem | undefined {
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp || (pod.status?.phase !== undefined && pod.status.phase !== 'Pending'))
      continue;
    const problem = containerProblem(pod, section) ?? schedulingProblem(pod, section) ?? eventProblem(pod, events);
    if (problem) return problem;
  }
  return undefined;
}
