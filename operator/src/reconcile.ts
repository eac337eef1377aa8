/**
 * One pass of the LoanRiskModel controller, in the shape of kubebuilder's CronJob reconciler:
 *
 *   1. load the LoanRiskModel (gone: nothing to do)
 *   2. paused: say so in the status and stop
 *   3. list the Jobs it owns. Drifted with drift.action retrain (and out of cooldown): count one
 *      more training run; a due time of spec.training.schedule: one more run named after that due
 *      time; spec.training.watchInterval: this interval's listing Job, and a dataset fingerprint
 *      unlike the last counts one more run
 *   4. create the training Job for the current spec and run counts if it does not exist (never a
 *      second one)
 *   5. a finished Job: read the trainer's summary from its Pod and apply the quality gate
 *   6. validate spec.pinnedVersion (only a version that passed the gate may be pinned)
 *   7. the rollout: try the accepted candidate (or make it live at once), withdraw it for a pin,
 *      or look at the current step's pods and counters and hold, advance, promote or roll back
 *   8. apply Deployment (what the API pods serve), Service, HPA, Ingress, PodDisruptionBudget;
 *      a pod that cannot start (image, Secret, claim, scheduling) is named with the reason
 *   9. rebuild the status from what was observed and decided; write it and emit Events only on change
 *
 * Each step's detail lives in a small function below, in children/ (one pure desiredX per kind)
 * or in rollout/ (the pure state machine, the checks, the pods' counters).
 */
import type { V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  canonicalJson,
  HISTORY_LIMIT,
  setCondition,
  transitions,
  type Condition,
  type ConditionInput,
  type HistoryEntry,
  type LoanRiskModel,
  type LoanRiskModelStatus,
  type ModelRecord,
  type Phase,
} from '@peerloan/contracts';
import { desiredDeployment } from './children/deployment.js';
import { NO_POD_DEFAULTS, type PodDefaults } from './children/placement.js';
import { desiredHpa } from './children/hpa.js';
import { desiredIngress } from './children/ingress.js';
import { desiredPdb } from './children/pdb.js';
import { desiredService } from './children/service.js';
import { desiredTrainingConfigMap, desiredTrainingJob, trainingJobName, type TrainingRuns } from './children/job.js';
import { desiredListingJob, listingJobName } from './children/listing-job.js';
import { dataWatchDecision, watchSlot, type DataWatchDecision } from './data-watch.js';
import { retrainDecision } from './drift-retrain.js';
import { TrainingSummaryError } from './errors/training-summary-error.js';
import { isConflict, type KubeClient } from './kube.js';
import { isOwnedBy, servingName } from './labels.js';
import { podProblem, POD_PROBLEM_REASONS, type PodProblem, type PodSection } from './pod-problems.js';
import { applyQualityGate } from './quality-gate.js';
import { listingOutcome, newestUnreadListing } from './listing-result.js';
import { deploymentProgress, describeServing, scrapeTargets, stepReadiness } from './rollout/observe.js';
import { applyApproval, awaitApproval, decisionFor, evidenceOf, recordedApproval } from './rollout/approval.js';
import { validatePin, type Pin } from './rollout/pin.js';
import { stepKey, type Serving } from './rollout/serving.js';
import { rolloutSettings, type RolloutSettings } from './rollout/settings.js';
import { RolloutSignals } from './rollout/signals.js';
import {
  applyDecision,
  begin,
  decideStep,
  inTrial,
  isNewCandidate,
  needsTrial,
  recordFrom,
  servingOf,
  withdraw,
  type RolloutEvent,
  type RolloutRecord,
  type StepObservation,
  type Transition,
  type Trial,
} from './rollout/state-machine.js';
import { parseTrainingSummary, terminationMessage } from './training-summary.js';
import { scheduleDecision, scheduledEvent } from './training-schedule.js';
import { nameOf, namespaceOf, uidOf } from './object-identity.js';
import { RolloutStateError } from './errors/rollout-state-error.js';

export interface ReconcileResult {
  /** Look again after this long even without a watch event (e.g. a Pod status not yet written). */
  requeueAfterMs?: number;
}

type Training =
  | { state: 'Running'; job: string; problem?: PodProblem }
  | { state: 'Failed'; job: string; message: string }
  | { state: 'AwaitingSummary'; job: string }
  | { state: 'InvalidSummary'; job: string; message: string }
  | { state: 'Succeeded'; job: string; candidate: ModelRecord };

interface Gate {
  /** The current run's candidate, standing accepted by the gate and not live: to be tried or made live. */
  accepted?: ModelRecord;
  history: HistoryEntry[];
}

interface RolloutPass {
  record: RolloutRecord;
  events: RolloutEvent[];
  requeueAfterMs?: number;
}

const SUMMARY_POLL_MS = 2_000;

export class Reconciler {
  constructor(
    private readonly kube: KubeClient,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly signals: RolloutSignals = new RolloutSignals(),
    private readonly podDefaults: PodDefaults = NO_POD_DEFAULTS,
  ) {}

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    // 1. Load. Not found means it was deleted; its children go with it through their owner references.
    const model = await this.kube.getModel(namespace, name);
    if (!model) return {};
    const log = this.log.child({ loanRiskModel: `${namespace}/${name}`, generation: model.metadata.generation });

    // 2. Paused: touch nothing but the status.
    if (model.spec.paused) {
      await this.writeStatus(model, this.pausedStatus(model), [], log);
      return {};
    }

    // 3. A drift-triggered, scheduled or new-data run is one more run of the same spec.
    const jobs = (await this.kube.listModelJobs(model)).filter((j) => isOwnedBy(j, model));
    const retrain = retrainDecision(model, this.now());
    if (retrain.started) {
      log.info({ retrains: retrain.retrains }, 'retraining on drift');
      await this.kube.recordEvent(
        model,
        'Normal',
        'RetrainingOnDrift',
        `model drifted and drift.action is retrain: training run ${retrain.retrains} started`,
      );
    }
    const scheduled = scheduleDecision(model, this.now());
    const watched = await this.watchData(model, jobs, log);

    // 4. The Job for the current spec: found among the owned ones, or created.
    const runs = { retrains: retrain.retrains, scheduledTime: scheduled.scheduledTime, dataChanges: watched.changes };
    const jobName = trainingJobName(model, runs);
    const job = jobs.find((j) => j.metadata?.name === jobName) ?? (await this.startTraining(model, runs, log));

    // 5. Observe the run; a finished one is gated.
    const training = await this.observeTraining(model, job);
    const gate = this.gate(model, training);

    // 6. A pin serves only a version that passed the gate; a refused one changes nothing.
    const settings = rolloutSettings(model.spec.rollout);
    const pin = validatePin(
      model.spec.pinnedVersion,
      recordFrom(model.status, gate.history),
      model.status?.pinnedVersion,
      settings.approval === 'required',
    );

    // 7. The rollout's moves in this pass.
    const rollout = await this.progressRollout(model, gate, pin, settings);

    // 8. Serve what the rollout decided.
    const serving = servingOf(rollout.record, settings, pin.serve);
    const deployment = serving ? await this.applyServing(model, serving) : undefined;
    const blocked = serving
      ? await this.whyPodsWait(model, await this.kube.listServingPods(model), 'serving')
      : undefined;

    // 9. Status from what was seen and decided.
    const status = {
      ...this.buildStatus(model, training, rollout.record, pin, serving, deployment, blocked, scheduled.invalid),
      ...retrain.status,
      ...scheduled.status,
      ...watched.status,
    };
    // The pass that records the due time or the data change reports it; one that loses the status write does not.
    const events = [
      ...(scheduled.started ? [scheduledEvent(scheduled)] : []),
      ...(watched.event ? [watched.event] : []),
      ...rollout.events,
    ];
    await this.writeStatus(model, status, events, log);
    return earliest(
      training.state === 'AwaitingSummary' || watched.awaitingMessage ? SUMMARY_POLL_MS : undefined,
      retrain.requeueAfterMs,
      scheduled.requeueAfterMs,
      watched.requeueAfterMs,
      rollout.requeueAfterMs,
    );
  }

  /**
   * 3. spec.training.watchInterval: this interval's listing Job is created once; the newest
   * finished listing not yet compared is read and decides whether the data changed.
   */
  private async watchData(
    model: LoanRiskModel,
    jobs: V1Job[],
    log: Logger,
  ): Promise<DataWatchDecision & { awaitingMessage?: boolean }> {
    const now = this.now();
    const watch = watchSlot(model, now);
    if (!watch) return dataWatchDecision(model, undefined, now);
    if (!jobs.some((j) => j.metadata?.name === listingJobName(model, watch.slot))) {
      const desired = desiredListingJob(model, watch.slot, watch.intervalMs, this.podDefaults);
      try {
        await this.kube.createJob(desired);
        log.debug({ job: nameOf(desired) }, 'listing job created');
      } catch (err) {
        // Another pass of this interval created it: the same name, the same Job.
        if (!isConflict(err)) throw err;
      }
    }
    const unread = newestUnreadListing(model, jobs);
    if (!unread) return dataWatchDecision(model, undefined, now);
    const outcome = listingOutcome(unread, await this.kube.listJobPods(namespaceOf(model), nameOf(unread)));
    const decision = dataWatchDecision(model, outcome, now);
    if (decision.started) log.info({ changes: decision.changes, listing: nameOf(unread) }, 'retraining on new data');
    return outcome ? decision : { ...decision, awaitingMessage: true };
  }

  private async startTraining(model: LoanRiskModel, runs: TrainingRuns, log: Logger): Promise<V1Job> {
    await this.kube.apply(desiredTrainingConfigMap(model, runs));
    const desired = desiredTrainingJob(model, runs, this.podDefaults);
    try {
      const job = await this.kube.createJob(desired);
      log.info({ job: nameOf(desired) }, 'training job created');
      await this.kube.recordEvent(model, 'Normal', 'TrainingStarted', `created training job ${nameOf(desired)}`);
      return job;
    } catch (err) {
      // Another pass (or a previous leader) created it between our list and create: same inputs, same Job.
      if (isConflict(err)) return desired;
      throw err;
    }
  }

  private async observeTraining(model: LoanRiskModel, job: V1Job): Promise<Training> {
    const name = nameOf(job);
    const conditions = job.status?.conditions ?? [];
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed)
      return {
        state: 'Failed',
        job: name,
        message: `training job ${name} failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim(),
      };
    if (!conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
      const problem = await this.whyPodsWait(model, await this.kube.listJobPods(namespaceOf(model), name), 'training');
      return { state: 'Running', job: name, ...(problem && { problem }) };
    }
    const found = terminationMessage(await this.kube.listJobPods(namespaceOf(model), name));
    if (!found) return { state: 'AwaitingSummary', job: name };
    try {
      return { state: 'Succeeded', job: name, candidate: parseTrainingSummary(found.pod, found.message, name) };
    } catch (err) {
      if (err instanceof TrainingSummaryError) return { state: 'InvalidSummary', job: name, message: err.message };
      throw err;
    }
  }

  /**
   * The gate judges a candidate once. Its decision is kept in the history, and the newest entry
   * about a version is where it stands (a rollback adds a Rejected one), so a repeated pass
   * decides nothing again and a rolled-back candidate is not tried a second time.
   */
  private gate(model: LoanRiskModel, training: Training): Gate {
    const live = model.status?.live;
    const history = model.status?.history ?? [];
    if (training.state !== 'Succeeded' || training.candidate.version === live?.version) return { history };
    const candidate = training.candidate;
    const standing = history.find((h) => h.version === candidate.version);
    if (standing) return standing.outcome === 'Accepted' ? { accepted: candidate, history } : { history };
    const decision = applyQualityGate(candidate, live, model.spec.qualityGate);
    const entry: HistoryEntry = {
      version: candidate.version,
      rocAuc: candidate.metrics.rocAuc,
      outcome: decision.accepted ? 'Accepted' : 'Rejected',
      time: this.now().toISOString(),
      reason: decision.accepted ? 'QualityGatePassed' : 'QualityGateRejected',
      message: decision.message,
    };
    const next = [entry, ...history].slice(0, HISTORY_LIMIT);
    return decision.accepted ? { accepted: candidate, history: next } : { history: next };
  }

  /**
   * 7. A candidate the gate accepted and not yet live or tried is tried (or made live at once);
   * a valid pin withdraws a trial; a trial's current step is looked at and takes its next move.
   */
  private async progressRollout(
    model: LoanRiskModel,
    gate: Gate,
    pin: Pin,
    settings: RolloutSettings,
  ): Promise<RolloutPass> {
    const now = this.now();
    let record = recordFrom(model.status, gate.history);
    const events: RolloutEvent[] = [];
    const take = (t: Transition) => {
      record = t.record;
      if (t.event) events.push(t.event);
    };

    const accepted = gate.accepted;
    if (accepted && isNewCandidate(record, accepted)) {
      if (inTrial(record))
        take(withdraw(record, 'CandidateSuperseded', `candidate ${accepted.version} passed the quality gate after it`));
      // While pinned nothing new is tried; removing the pin starts the trial.
      if (!(pin.serve && needsTrial(record, settings))) {
        const approval = await this.approve(model, record, accepted, settings, now);
        if (approval.transition) take(approval.transition);
        if (approval.approved) take(begin(record, accepted, settings, now));
      }
    }
    if (pin.serve && inTrial(record))
      take(withdraw(record, 'RolloutWithdrawn', `spec.pinnedVersion ${pin.serve} is served instead`));

    // A candidate awaiting approval needs no requeue: a LoanRiskModelApproval's event enqueues its model.
    let requeueAfterMs: number | undefined;
    if (inTrial(record)) {
      const decision = decideStep(record, settings, await this.observeStep(model, record, settings), now);
      take(applyDecision(record, decision, settings, now));
      if ('requeueAfterMs' in decision) requeueAfterMs = decision.requeueAfterMs;
    }
    if (!inTrial(record)) this.signals.forget(uidOf(model));
    return { record, events, requeueAfterMs };
  }

  /**
   * spec.rollout.approval required: the candidate's recorded approval lets it on; else the first
   * LoanRiskModelApproval of it (by someone other than the spec's author) decides; else it waits.
   */
  private async approve(
    model: LoanRiskModel,
    record: RolloutRecord,
    candidate: ModelRecord,
    settings: RolloutSettings,
    now: Date,
  ): Promise<{ approved: boolean; transition?: Transition }> {
    if (settings.approval === 'none') return { approved: true };
    if (recordedApproval(record.history, candidate.version)?.decision === 'approve') {
      return { approved: true, transition: { record: { ...record, candidate: undefined, rollout: undefined } } };
    }
    const decision = decisionFor(model, candidate, await this.kube.listApprovals(model));
    if (!decision) return { approved: false, transition: awaitApproval(record, candidate, settings, now) };
    const gateEntry = record.history.find((h) => h.version === candidate.version && h.reason === 'QualityGatePassed');
    return {
      approved: decision.spec.decision === 'approve',
      transition: applyApproval(record, candidate, decision, evidenceOf(candidate, gateEntry)),
    };
  }

  /** The current step as the Deployment and its pods show it; counters only once its pods are ready. */
  private async observeStep(model: LoanRiskModel, trial: Trial, settings: RolloutSettings): Promise<StepObservation> {
    const serving = servingOf(trial, settings, undefined);
    if (!serving) {
      throw new RolloutStateError(
        `status.rollout tries candidate ${trial.candidate.version} but status names no live version to compare it with`,
      );
    }
    const readiness = stepReadiness(await this.kube.getDeployment(namespaceOf(model), servingName(model)), serving);
    if (!readiness.ready) return readiness;
    const targets = scrapeTargets(await this.kube.listServingPods(model), serving);
    const signals = await this.signals.read(
      uidOf(model),
      stepKey(serving, trial.rollout.stepStartTime),
      trial.candidate.version,
      targets,
    );
    return { ...readiness, signals };
  }

  /** Pending pods' problems; the pods' Warning Events are read only when their status says nothing. */
  private async whyPodsWait(model: LoanRiskModel, pods: V1Pod[], section: PodSection): Promise<PodProblem | undefined> {
    const waiting = pods.filter((p) => p.status?.phase === 'Pending' && !p.metadata?.deletionTimestamp);
    if (waiting.length === 0) return undefined;
    return (
      podProblem(waiting, [], section) ??
      podProblem(waiting, await this.kube.listPodWarnings(namespaceOf(model)), section)
    );
  }

  private async applyServing(model: LoanRiskModel, serving: Serving): Promise<V1Deployment> {
    const deployment = await this.kube.apply(desiredDeployment(model, serving, this.podDefaults));
    await this.kube.apply(desiredService(model));
    await this.kube.apply(desiredHpa(model));
    await this.kube.apply(desiredPdb(model));
    const ingress = desiredIngress(model);
    if (ingress) await this.kube.apply(ingress);
    else await this.kube.deleteIngressIfPresent(namespaceOf(model), servingName(model));
    return deployment;
  }

  private buildStatus(
    model: LoanRiskModel,
    training: Training,
    record: RolloutRecord,
    pin: Pin,
    serving: Serving | undefined,
    deployment: V1Deployment | undefined,
    blocked: PodProblem | undefined,
    invalidSchedule: string | undefined,
  ): LoanRiskModelStatus {
    const ready = readiness(deployment, serving, blocked);
    const conditions = this.conditions(model, [
      trainedCondition(training),
      ready.condition,
      invalidSchedule
        ? { type: 'Degraded', status: 'True', reason: 'InvalidSchedule', message: invalidSchedule }
        : degradedCondition(training, record),
      this.driftedCondition(model),
      pinnedCondition(pin, record),
    ]);
    return {
      phase: phase(training, record, serving, ready.ready),
      observedGeneration: model.metadata.generation,
      ...(record.live && { liveVersion: record.live.version, live: record.live }),
      ...(record.previousVersion && { previousVersion: record.previousVersion }),
      ...(pin.serve && { pinnedVersion: pin.serve }),
      ...(record.candidate && { candidateVersion: record.candidate.version, candidate: record.candidate }),
      candidateTrafficPercent: serving?.candidate?.trafficPercent ?? 0,
      ...(record.rollout && { rollout: record.rollout }),
      trainingJob: training.job,
      readyReplicas: deployment?.status?.availableReplicas ?? 0,
      ...(record.history.length > 0 && { history: record.history }),
      conditions,
    };
  }

  private pausedStatus(model: LoanRiskModel): LoanRiskModelStatus {
    const previous = model.status ?? {};
    return { ...previous, phase: 'Paused', observedGeneration: model.metadata.generation };
  }

  /** Drifted is reported by the drift worker; the operator keeps what it said. */
  private driftedCondition(model: LoanRiskModel): ConditionInput {
    const reported = model.status?.conditions?.find((c) => c.type === 'Drifted');
    if (reported)
      return { type: 'Drifted', status: reported.status, reason: reported.reason, message: reported.message };
    return {
      type: 'Drifted',
      status: 'Unknown',
      reason: 'NoDriftReport',
      message: 'no drift report from the drift worker yet',
    };
  }

  private conditions(model: LoanRiskModel, inputs: ConditionInput[]): Condition[] {
    const previous = model.status?.conditions ?? [];
    const now = this.now();
    return inputs.map((c) => {
      const reported = c.type === 'Drifted' ? previous.find((p) => p.type === 'Drifted') : undefined;
      return reported ?? setCondition(previous, c, model.metadata.generation, now);
    });
  }

  /** Events follow a successful write only: a pass that loses a 409 is repeated and must not report twice. */
  private async writeStatus(
    model: LoanRiskModel,
    status: LoanRiskModelStatus,
    events: RolloutEvent[],
    log: Logger,
  ): Promise<void> {
    const previous = model.status ?? {};
    if (canonicalJson(previous) === canonicalJson(status)) return;
    await this.kube.replaceModelStatus({ ...model, status });
    log.info(
      {
        phase: status.phase,
        liveVersion: status.liveVersion,
        candidateVersion: status.candidateVersion,
        trafficPercent: status.candidateTrafficPercent,
      },
      'status updated',
    );
    for (const c of transitions(previous.conditions ?? [], status.conditions ?? [])) {
      if (c.type === 'Drifted' && c.status === 'Unknown') continue;
      await this.kube.recordEvent(model, eventType(c), c.reason, `${c.type}=${c.status}: ${c.message}`);
    }
    for (const e of events) await this.kube.recordEvent(model, e.type, e.reason, e.message);
    if (previous.liveVersion !== status.liveVersion) {
      await this.kube.recordEvent(
        model,
        'Normal',
        'LiveVersionChanged',
        `live version ${previous.liveVersion ?? '(none)'} -> ${status.liveVersion}`,
      );
    }
    if (previous.phase !== status.phase) {
      await this.kube.recordEvent(
        model,
        status.phase === 'Failed' ? 'Warning' : 'Normal',
        `Phase${status.phase}`,
        `phase ${previous.phase ?? '(none)'} -> ${status.phase}`,
      );
    }
  }
}

function earliest(...delays: Array<number | undefined>): ReconcileResult {
  const defined = delays.filter((d): d is number => d !== undefined);
  return defined.length > 0 ? { requeueAfterMs: Math.min(...defined) } : {};
}

function eventType(c: Condition): 'Normal' | 'Warning' {
  const bad =
    c.type === 'Degraded' || c.type === 'Drifted'
      ? c.status === 'True'
      : c.status === 'False' &&
        (/Failed|Invalid|Refused/.test(c.reason) || (POD_PROBLEM_REASONS as readonly string[]).includes(c.reason));
  return bad ? 'Warning' : 'Normal';
}

function trainedCondition(training: Training): ConditionInput {
  switch (training.state) {
    case 'Running':
      if (training.problem)
        return {
          type: 'Trained',
          status: 'False',
          reason: training.problem.reason,
          message: `training job ${training.job} cannot run: ${training.problem.message}`,
        };
      return {
        type: 'Trained',
        status: 'False',
        reason: 'TrainingInProgress',
        message: `training job ${training.job} is running`,
      };
    case 'AwaitingSummary':
      return {
        type: 'Trained',
        status: 'False',
        reason: 'AwaitingSummary',
        message: `training job ${training.job} completed; waiting for its pod's termination message`,
      };
    case 'Failed':
      return { type: 'Trained', status: 'False', reason: 'TrainingFailed', message: training.message };
    case 'InvalidSummary':
      return { type: 'Trained', status: 'False', reason: 'InvalidTrainingSummary', message: training.message };
    case 'Succeeded':
      return {
        type: 'Trained',
        status: 'True',
        reason: 'TrainingSucceeded',
        message: `training job ${training.job} produced version ${training.candidate.version} (ROC AUC ${training.candidate.metrics.rocAuc.toFixed(4)})`,
      };
  }
}

/**
 * Degraded: the run failed, or the newest decision rejected the current run's candidate or the
 * last rollout's (the gate refused it, or its rollout was rolled back).
 */
function degradedCondition(training: Training, record: RolloutRecord): ConditionInput {
  if (training.state === 'Failed')
    return { type: 'Degraded', status: 'True', reason: 'TrainingFailed', message: training.message };
  if (training.state === 'InvalidSummary')
    return { type: 'Degraded', status: 'True', reason: 'InvalidTrainingSummary', message: training.message };
  const last = record.history.at(0);
  const current = training.state === 'Succeeded' ? training.candidate.version : undefined;
  if (last?.outcome === 'Rejected' && (last.version === current || last.version === record.rollout?.version)) {
    return {
      type: 'Degraded',
      status: 'True',
      reason: last.reason ?? 'QualityGateRejected',
      message: last.message ?? `version ${last.version} was rejected at ${last.time}`,
    };
  }
  return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'training, gate and rollout as expected' };
}

function pinnedCondition(pin: Pin, record: RolloutRecord): ConditionInput {
  switch (pin.kind) {
    case 'None':
      return {
        type: 'Pinned',
        status: 'False',
        reason: 'NotPinned',
        message: 'spec.pinnedVersion is not set: the live version serves',
      };
    case 'Valid':
      return {
        type: 'Pinned',
        status: 'True',
        reason: 'PinnedVersionServed',
        message: `serving pinned version ${pin.version} instead of live version ${record.live?.version ?? '(none)'}`,
      };
    case 'Refused':
      return { type: 'Pinned', status: 'False', reason: 'PinRefused', message: pin.message };
  }
}

function readiness(
  deployment: V1Deployment | undefined,
  serving: Serving | undefined,
  blocked: PodProblem | undefined,
): { ready: boolean; condition: ConditionInput } {
  if (!serving || !deployment) {
    return {
      ready: false,
      condition: {
        type: 'Ready',
        status: 'False',
        reason: 'NoModel',
        message: 'no model has passed the quality gate yet',
      },
    };
  }
  const progress = deploymentProgress(deployment, describeServing(serving));
  if (blocked && progress.state !== 'Done')
    return {
      ready: false,
      condition: { type: 'Ready', status: 'False', reason: blocked.reason, message: blocked.message },
    };
  switch (progress.state) {
    case 'Pending':
      return {
        ready: false,
        condition: { type: 'Ready', status: 'False', reason: 'RolloutPending', message: progress.message },
      };
    case 'InProgress':
      return {
        ready: false,
        condition: { type: 'Ready', status: 'False', reason: 'RolloutInProgress', message: progress.message },
      };
    case 'Done':
      return {
        ready: true,
        condition: { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: progress.message },
      };
  }
}

function phase(training: Training, record: RolloutRecord, serving: Serving | undefined, ready: boolean): Phase {
  if (training.state === 'Running') return 'Training';
  if (training.state === 'AwaitingSummary') return 'Gating';
  if (inTrial(record)) return record.rollout.phase === 'Shadow' ? 'Shadow' : 'Canary';
  if (record.candidate && record.rollout?.phase === 'AwaitingApproval') return 'AwaitingApproval';
  // Nothing to serve after a finished run: it failed, or the gate refused the only candidate.
  if (!serving) return 'Failed';
  return ready ? 'Ready' : 'RollingOut';
}
