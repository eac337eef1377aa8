/** metav1.Condition bookkeeping: lastTransitionTime moves only when status changes. */
import type { Condition, ConditionType } from '@peerloan/contracts';

export interface ConditionInput {
  type: ConditionType;
  status: Condition['status'];
  reason: string;
  message: string;
}

export function setCondition(previous: readonly Condition[], input: ConditionInput, generation: number | undefined, now: string): Condition {
  const old = previous.find((c) => c.type === input.type);
  const lastTransitionTime = old && old.status === input.status ? old.lastTransitionTime : now;
  return { ...input, lastTransitionTime, observedGeneration: generation };
}

/** Conditions whose status or reason changed: each becomes an Event. */
export function transitions(previous: readonly Condition[], next: readonly Condition[]): Condition[] {
  return next.filter((c) => {
    const old = previous.find((p) => p.type === c.type);
    return !old || old.status !== c.status || old.reason !== c.reason;
  });
}
