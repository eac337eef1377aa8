/** The quality gate: a pure decision on a candidate against the live model. */
import type { ModelRecord, QualityGateSpec } from '@peerloan/contracts';

export type GateDecision = { accepted: true; message: string } | { accepted: false; message: string };

const fmt = (n: number) => n.toFixed(4);

/** The out-of-time limits (off unless set): a refusal message, or undefined when they pass. */
function outOfTimeRefusal(candidate: ModelRecord, live: ModelRecord | undefined, gate: QualityGateSpec): string | undefined {
  const { minOutOfTimeRocAuc, maxCalibrationError } = gate;
  if (minOutOfTimeRocAuc === undefined && maxCalibrationError === undefined) return undefined;
  const keeping = live ? `; keeping live version ${live.version}` : '';
  const oot = candidate.outOfTime;
  if (!oot) {
    const which = minOutOfTimeRocAuc !== undefined ? 'qualityGate.minOutOfTimeRocAuc' : 'qualityGate.maxCalibrationError';
    return `candidate ${candidate.version} has no out-of-time metrics, which ${which} needs: set spec.dataset.validationPath to a later period's CSV${keeping}`;
  }
  if (minOutOfTimeRocAuc !== undefined && oot.rocAuc.value < minOutOfTimeRocAuc) {
    return `candidate ${candidate.version} has out-of-time ROC AUC ${fmt(oot.rocAuc.value)} (95% ${fmt(oot.rocAuc.low)}-${fmt(oot.rocAuc.high)} on ${oot.rows} rows), below qualityGate.minOutOfTimeRocAuc ${fmt(minOutOfTimeRocAuc)}${keeping}`;
  }
  if (maxCalibrationError !== undefined && oot.expectedCalibrationError > maxCalibrationError) {
    return `candidate ${candidate.version} has out-of-time calibration error ${fmt(oot.expectedCalibrationError)}, above qualityGate.maxCalibrationError ${fmt(maxCalibrationError)}${keeping}`;
  }
  return undefined;
}

export function applyQualityGate(candidate: ModelRecord, live: ModelRecord | undefined, gate: QualityGateSpec = {}): GateDecision {
  const minRocAuc = gate.minRocAuc ?? 0.7;
  const maxRegression = gate.maxRegression ?? 0.01;
  const auc = candidate.metrics.rocAuc;
  if (auc < minRocAuc) {
    return { accepted: false, message: `candidate ${candidate.version} has ROC AUC ${fmt(auc)}, below qualityGate.minRocAuc ${fmt(minRocAuc)}${live ? `; keeping live version ${live.version}` : ''}` };
  }
  if (live && live.version !== candidate.version && auc < live.metrics.rocAuc - maxRegression) {
    return { accepted: false, message: `candidate ${candidate.version} has ROC AUC ${fmt(auc)}, more than qualityGate.maxRegression ${fmt(maxRegression)} below live version ${live.version} (${fmt(live.metrics.rocAuc)}); keeping ${live.version}` };
  }
  const refusal = outOfTimeRefusal(candidate, live, gate);
  if (refusal) return { accepted: false, message: refusal };
  const oot = candidate.outOfTime ? `, out of time ${fmt(candidate.outOfTime.rocAuc.value)} (95% ${fmt(candidate.outOfTime.rocAuc.low)}-${fmt(candidate.outOfTime.rocAuc.high)})` : '';
  return { accepted: true, message: `candidate ${candidate.version} passed the quality gate with ROC AUC ${fmt(auc)}${oot} (minimum ${fmt(minRocAuc)}${live ? `, live ${fmt(live.metrics.rocAuc)}` : ''})` };
}
