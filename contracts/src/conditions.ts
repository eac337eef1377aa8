/**
 * LoanRiskModel conditions (the metav1.Condition shape) and the Events that report them. Two
 * writers share this: the operator (Trained, Ready, Degraded, Pinned) and the drift worker
 * (Drifted), so both keep lastTransitionTime and observedGeneration the same way and their Events
 * look alike.
 */
import { Type, type Static } from 'typebox';
import { int64, oneOf, text, time } from './schema/fields.js';

/** The LoanRiskModel's condition types. */
export const CONDITION_TYPES = ['Trained', 'Ready', 'Degraded', 'Drifted', 'Pinned'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export const ConditionSchema = Type.Object(
  {
    type: text('Trained, Ready, Degraded, Drifted or Pinned.', { maxLength: 316 }),
    status: oneOf(CONDITION_STATUSES, 'True, False or Unknown.'),
    reason: text('Machine-readable CamelCase reason.', { maxLength: 1024 }),
    message: text('Human-readable explanation.', { maxLength: 32768 }),
    lastTransitionTime: time('When the status last changed.'),
    observedGeneration: Type.Optional(int64('metadata.generation the condition was computed from.', { minimum: 0 })),
  },
  { description: 'Condition in the metav1.Condition shape.' },
);
export type Condition = Static<typeof ConditionSchema>;

export interface ConditionInput {
  type: ConditionType;
  status: ConditionStatus;
  /** Machine-readable CamelCase reason. */
  reason: string;
  message: string;
}

/** lastTransitionTime moves only when the status changes; observedGeneration is the spec generation it was computed from. */
export function setCondition(
  previous: readonly Condition[],
  input: ConditionInput,
  generation: number | undefined,
  now: Date,
): Condition {
  const old = previous.find((c) => c.type === input.type);
  const lastTransitionTime = old && old.status === input.status ? old.lastTransitionTime : now.toISOString();
  return { ...input, lastTransitionTime, observedGeneration: generation };
}

/** The list with `condition` in place of the one of its type (appended when there is none). */
export function withCondition(conditions: readonly Condition[], condition: Condition): Condition[] {
  const at = conditions.findIndex((c) => c.type === condition.type);
  return at < 0 ? [...conditions, condition] : conditions.map((c, i) => (i === at ? condition : c));
}

/** A status or reason change: what an Event reports. */
export function isTransition(previous: Condition | undefined, next: Condition): boolean {
  return !previous || previous.status !== next.status || previous.reason !== next.reason;
}

/** Conditions whose status or reason changed: each becomes an Event. */
export function transitions(previous: readonly Condition[], next: readonly Condition[]): Condition[] {
  return next.filter((c) =>
    isTransition(
      previous.find((p) => p.type === c.type),
      c,
    ),
  );
}

export interface ModelEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. TrainingStarted or DriftDetected. */
  reason: string;
  message: string;
}

/** Who reports: `component` names the program (e.g. loanrisk-operator), `instance` the pod. */
export interface EventSource {
  component: string;
  instance?: string;
}

interface ModelReference {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** Longest message kept: events.k8s.io refuses notes over 1 kB, so core Events are held to it too. */
export const EVENT_MESSAGE_LIMIT = 1024;

/** The core/v1 Event body recording `event` on a LoanRiskModel (create it with CoreV1Api.createNamespacedEvent). */
export function modelEventBody(model: ModelReference, event: ModelEvent, source: EventSource, now: Date) {
  const { name, namespace, uid, resourceVersion } = model.metadata;
  return {
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: { apiVersion: model.apiVersion, kind: model.kind, name, namespace, uid, resourceVersion },
    type: event.type,
    reason: event.reason,
    message: event.message.slice(0, EVENT_MESSAGE_LIMIT),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    source: { component: source.component },
    reportingComponent: source.component,
    reportingInstance: source.instance ?? source.component,
  };
}
