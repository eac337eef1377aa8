/**
 * One pass of the LoanRiskModel controller, in the shape of kubebuilder's CronJob reconciler:
 *
 *   1. load the LoanRiskModel (gone: nothing to do)
 *   2. paused: say so in the status and stop
 *   3. drifted with drift.action retrain (and out of cooldown): count one more training run
 *   4. list the training Jobs it owns; create the one for the current spec and run count if
 *      it does not exist (never a second one)
 *   5. a finished Job: read the trainer's summary from its Pod and apply the quality gate
 *   6. work out the version to serve (pinnedVersion overrides the live one)
 *   7. apply Deployment, Service, HPA, Ingress, PodDisruptionBudget
 *   8. rebuild the status from what was observed; write it and emit Events only on change
 *
 * Each step's detail lives in a small function below or in children/ (one pure desiredX per kind).
 */
import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  HISTORY_LIMIT, servedVersion, type Condition, type HistoryEntry, type LoanRiskModel, type LoanRiskModelStatus, type ModelRecord, type Phase,
} from '@peerloan/contracts';
import { desiredDeployment } from './children/deployment.js';
import { desiredHpa } from './children/hpa.js';
import { desiredIngress } from './children/ingress.js';
import { desiredPdb } from './children/pdb.js';
import { desiredService } from './children/service.js';
import { desiredTrainingConfigMap, desiredTrainingJob, trainingJobName } from './children/job.js';
import { setCondition, transitions, type ConditionInput } from './conditions.js';
import { retrainDecision } from './drift-retrain.js';
import { TrainingSummaryError } from './errors/training-summary-error.js';
import { isConflict, type KubeClient } from './kube.js';
import { canonicalJson, isOwnedBy, servingName } from './labels.js';
import { applyQualityGate } from './quality-gate.js';
import { parseTrainingSummary, terminationMessage } from './training-summary.js';

export interface ReconcileResult {
  /** Look again after this long even without a watch event (e.g. a Pod status not yet written). */
  requeueAfterMs?: number;
}

type Training =
  | { state: 'Running'; job: string }
  | { state: 'Failed'; job: string; message: string }
  | { state: 'AwaitingSummary'; job: string }
  | { state: 'InvalidSummary'; job: string; message: string }
  | { state: 'Succeeded'; job: string; candidate: ModelRecord };

interface Gate {
  live?: ModelRecord;
  rejection?: string;
  history: HistoryEntry[];
}

const SUMMARY_POLL_MS = 2_000;

export class Reconciler {
  constructor(private readonly kube: KubeClient, private readonly log: Logger, private readonly now: () => Date = () => new Date()) {}

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    // 1. Load. Not found means it was deleted; its children go with it through their owner references.
    const model = await this.kube.getModel(namespace, name);
    if (!model) return {};
    const log = this.log.child({ loanRiskModel: `${namespace}/${name}`, generation: model.metadata.generation });

    // 2. Paused: touch nothing but the status.
    if (model.spec.paused) {
      await this.writeStatus(model, this.pausedStatus(model), log);
      return {};
    }

    // 3. A drift-triggered run is one more run of the same spec.
    const retrain = retrainDecision(model, this.now());
    if (retrain.started) {
      log.info({ retrains: retrain.retrains }, 'retraining on drift');
      await this.kube.recordEvent(model, 'Normal', 'RetrainingOnDrift', `model drifted and drift.action is retrain: training run ${retrain.retrains} started`);
    }

    // 4. The Job for the current spec: found among the owned ones, or created.
    const jobs = (await this.kube.listModelJobs(model)).filter((j) => isOwnedBy(j, model));
    const job = jobs.find((j) => j.metadata?.name === trainingJobName(model, retrain.retrains)) ?? await this.startTraining(model, retrain.retrains, log);

    // 5. Observe the run; a finished one is gated.
    const training = await this.observeTraining(model, job);
    const gate = this.gate(model, training);

    // 6 + 7. Serve the pinned version, else the live one.
    const version = servedVersion(model.spec, gate.live?.version);
    const deployment = version ? await this.applyServing(model, version) : undefined;

    // 8. Status from what was seen.
    const status = { ...this.buildStatus(model, training, gate, version, deployment), ...retrain.status };
    await this.writeStatus(model, status, log);
    if (training.state === 'AwaitingSummary') return { requeueAfterMs: SUMMARY_POLL_MS };
    return retrain.requeueAfterMs ? { requeueAfterMs: retrain.requeueAfterMs } : {};
  }

  private async startTraining(model: LoanRiskModel, retrains: number, log: Logger): Promise<V1Job> {
    await this.kube.apply(desiredTrainingConfigMap(model, retrains));
    const desired = desiredTrainingJob(model, retrains);
    try {
      const job = await this.kube.createJob(desired);
      log.info({ job: desired.metadata!.name }, 'training job created');
      await this.kube.recordEvent(model, 'Normal', 'TrainingStarted', `created training job ${desired.metadata!.name}`);
      return job;
    } catch (err) {
      // Another pass (or a previous leader) created it between our list and create: same inputs, same Job.
      if (isConflict(err)) return desired;
      throw err;
    }
  }

  private async observeTraining(model: LoanRiskModel, job: V1Job): Promise<Training> {
    const name = job.metadata!.name!;
    const conditions = job.status?.conditions ?? [];
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) return { state: 'Failed', job: name, message: `training job ${name} failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim() };
    if (!conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { state: 'Running', job: name };
    const found = terminationMessage(await this.kube.listJobPods(model.metadata.namespace!, name));
    if (!found) return { state: 'AwaitingSummary', job: name };
    try {
      return { state: 'Succeeded', job: name, candidate: parseTrainingSummary(found.pod, found.message, name) };
    } catch (err) {
      if (err instanceof TrainingSummaryError) return { state: 'InvalidSummary', job: name, message: err.message };
      throw err;
    }
  }

  /**
   * The live model is the last candidate the gate accepted, remembered in the status. A
   * candidate is judged against it; judging the same candidate again gives the same answer,
   * so a repeated pass changes nothing.
   */
  private gate(model: LoanRiskModel, training: Training): Gate {
    const live = model.status?.live;
    const history = model.status?.history ?? [];
    if (training.state !== 'Succeeded' || training.candidate.version === live?.version) return { live, history };
    const candidate = training.candidate;
    const decision = applyQualityGate(candidate, live, model.spec.qualityGate);
    const outcome = decision.accepted ? 'Accepted' : 'Rejected';
    const known = history.some((h) => h.version === candidate.version && h.outcome === outcome);
    const entry: HistoryEntry = { version: candidate.version, rocAuc: candidate.metrics.rocAuc, outcome, time: this.now().toISOString() };
    const nextHistory = known ? history : [entry, ...history].slice(0, HISTORY_LIMIT);
    return decision.accepted ? { live: candidate, history: nextHistory } : { live, rejection: decision.message, history: nextHistory };
  }

  private async applyServing(model: LoanRiskModel, version: string): Promise<V1Deployment> {
    const deployment = await this.kube.apply(desiredDeployment(model, version));
    await this.kube.apply(desiredService(model));
    await this.kube.apply(desiredHpa(model));
    await this.kube.apply(desiredPdb(model));
    const ingress = desiredIngress(model);
    if (ingress) await this.kube.apply(ingress);
    else await this.kube.deleteIngressIfPresent(model.metadata.namespace!, servingName(model));
    return deployment;
  }

  private buildStatus(model: LoanRiskModel, training: Training, gate: Gate, version: string | undefined, deployment: V1Deployment | undefined): LoanRiskModelStatus {
    const ready = readiness(deployment, version);
    const candidate = training.state === 'Succeeded' ? training.candidate : undefined;
    const conditions = this.conditions(model, [trainedCondition(training), ready.condition, degradedCondition(training, gate), this.driftedCondition(model)]);
    return {
      phase: phase(training, version, ready.ready),
      observedGeneration: model.metadata.generation,
      ...(gate.live && { liveVersion: gate.live.version, live: gate.live }),
      ...(candidate && { candidateVersion: candidate.version, candidate }),
      trainingJob: training.job,
      readyReplicas: deployment?.status?.availableReplicas ?? 0,
      ...(gate.history.length > 0 && { history: gate.history }),
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
    if (reported) return { type: 'Drifted', status: reported.status, reason: reported.reason, message: reported.message };
    return { type: 'Drifted', status: 'Unknown', reason: 'NoDriftReport', message: 'no drift report from the drift worker yet' };
  }

  private conditions(model: LoanRiskModel, inputs: ConditionInput[]): Condition[] {
    const previous = model.status?.conditions ?? [];
    const now = this.now().toISOString();
    return inputs.map((c) => {
      const reported = c.type === 'Drifted' ? previous.find((p) => p.type === 'Drifted') : undefined;
      return reported ?? setCondition(previous, c, model.metadata.generation, now);
    });
  }

  private async writeStatus(model: LoanRiskModel, status: LoanRiskModelStatus, log: Logger): Promise<void> {
    const previous = model.status ?? {};
    if (canonicalJson(previous) === canonicalJson(status)) return;
    await this.kube.replaceModelStatus({ ...model, status });
    log.info({ phase: status.phase, liveVersion: status.liveVersion, candidateVersion: status.candidateVersion }, 'status updated');
    for (const c of transitions(previous.conditions ?? [], status.conditions ?? [])) {
      if (c.type === 'Drifted' && c.status === 'Unknown') continue;
      await this.kube.recordEvent(model, eventType(c), c.reason, `${c.type}=${c.status}: ${c.message}`);
    }
    if (previous.liveVersion !== status.liveVersion) {
      await this.kube.recordEvent(model, 'Normal', 'LiveVersionChanged', `live version ${previous.liveVersion ?? '(none)'} -> ${status.liveVersion}`);
    }
    if (previous.phase !== status.phase) {
      await this.kube.recordEvent(model, status.phase === 'Failed' ? 'Warning' : 'Normal', `Phase${status.phase}`, `phase ${previous.phase ?? '(none)'} -> ${status.phase}`);
    }
  }
}

function eventType(c: Condition): 'Normal' | 'Warning' {
  const bad = (c.type === 'Degraded' || c.type === 'Drifted') ? c.status === 'True' : c.status === 'False' && /Failed|Invalid/.test(c.reason);
  return bad ? 'Warning' : 'Normal';
}

function trainedCondition(training: Training): ConditionInput {
  switch (training.state) {
    case 'Running': return { type: 'Trained', status: 'False', reason: 'TrainingInProgress', message: `training job ${training.job} is running` };
    case 'AwaitingSummary': return { type: 'Trained', status: 'False', reason: 'AwaitingSummary', message: `training job ${training.job} completed; waiting for its pod's termination message` };
    case 'Failed': return { type: 'Trained', status: 'False', reason: 'TrainingFailed', message: training.message };
    case 'InvalidSummary': return { type: 'Trained', status: 'False', reason: 'InvalidTrainingSummary', message: training.message };
    case 'Succeeded': return { type: 'Trained', status: 'True', reason: 'TrainingSucceeded', message: `training job ${training.job} produced version ${training.candidate.version} (ROC AUC ${training.candidate.metrics.rocAuc.toFixed(4)})` };
  }
}

function degradedCondition(training: Training, gate: Gate): ConditionInput {
  if (training.state === 'Failed') return { type: 'Degraded', status: 'True', reason: 'TrainingFailed', message: training.message };
  if (training.state === 'InvalidSummary') return { type: 'Degraded', status: 'True', reason: 'InvalidTrainingSummary', message: training.message };
  if (gate.rejection) return { type: 'Degraded', status: 'True', reason: 'QualityGateRejected', message: gate.rejection };
  return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'training and gate as expected' };
}

function readiness(deployment: V1Deployment | undefined, version: string | undefined): { ready: boolean; condition: ConditionInput } {
  if (!version || !deployment) {
    return { ready: false, condition: { type: 'Ready', status: 'False', reason: 'NoModel', message: 'no model has passed the quality gate yet' } };
  }
  const want = deployment.spec?.replicas ?? 1;
  const current = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const updated = deployment.status?.updatedReplicas ?? 0;
  const available = deployment.status?.availableReplicas ?? 0;
  if (!current) return { ready: false, condition: { type: 'Ready', status: 'False', reason: 'RolloutPending', message: `deployment ${deployment.metadata?.name} has not yet observed version ${version}` } };
  if (updated < want || available < want) {
    return { ready: false, condition: { type: 'Ready', status: 'False', reason: 'RolloutInProgress', message: `${Math.min(updated, available)} of ${want} replicas of version ${version} available` } };
  }
  return { ready: true, condition: { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: `${available} replicas serving version ${version}` } };
}

function phase(training: Training, version: string | undefined, ready: boolean): Phase {
  if (training.state === 'Running') return 'Training';
  if (training.state === 'AwaitingSummary') return 'Gating';
  // Nothing to serve after a finished run: it failed, or the gate refused the only candidate.
  if (!version) return 'Failed';
  return ready ? 'Ready' : 'RollingOut';
}
