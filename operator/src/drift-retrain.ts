/**
 * drift.action retrain: one more training run per drift episode. An episode is a Drifted=True
 * condition (written by the drift worker) that turned True after the last retrain; a new run
 * waits until drift.cooldown has passed since the last one.
 */
import { DRIFT_DEFAULTS, parseDuration, type LoanRiskModel, type LoanRiskModelStatus } from '@peerloan/contracts';

export interface RetrainDecision {
  /** Drift-triggered runs so far, this one included: part of the training Job's name. */
  retrains: number;
  /** True when this pass starts a new run. */
  started: boolean;
  status: Pick<LoanRiskModelStatus, 'retrains' | 'lastRetrainTime'>;
  /** In cooldown: look again when it ends. */
  requeueAfterMs?: number;
}

export function retrainDecision(model: LoanRiskModel, now: Date): RetrainDecision {
  const retrains = model.status?.retrains ?? 0;
  const lastRetrainTime = model.status?.lastRetrainTime;
  const unchanged: RetrainDecision = {
    retrains,
    started: false,
    status: retrains > 0 ? { retrains, lastRetrainTime } : {},
  };
  const drifted = model.status?.conditions?.find((c) => c.type === 'Drifted' && c.status === 'True');
  if (model.spec.drift?.action !== 'retrain' || !drifted) return unchanged;
  const last = lastRetrainTime ? Date.parse(lastRetrainTime) : 0;
  if (last >= Date.parse(drifted.lastTransitionTime)) return unchanged;
  const wait = last + parseDuration(model.spec.drift.cooldown ?? DRIFT_DEFAULTS.cooldown) - now.getTime();
  if (wait > 0) return { ...unchanged, requeueAfterMs: wait };
  return {
    retrains: retrains + 1,
    started: true,
    status: { retrains: retrains + 1, lastRetrainTime: now.toISOString() },
  };
}
