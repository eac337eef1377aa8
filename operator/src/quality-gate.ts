/** The quality gate: a pure decision on a candidate against the live model. */
import { QUALITY_GATE_DEFAULTS, type ModelRecord, type QualityGateSpec } from '@peerloan/contracts';

export type GateDecision = { accepted: true; message: string } | { accepted: false; message: string };

const fmt = (n: number) => n.toFixed(4);

/** The out-of-time limits (off unless set): a refusal message, or undefined when they pass. */
function outOfTimeRefusal(
  candidate: ModelRecord,
  live: ModelRecord | undefined,
  gate: QualityGateSpec,
): string | undefined {
  const { minOutOfTimeRocAuc, maxCalibrationError } = gate;
  if (minOutOfTimeRocAuc === undefined && maxCalibrationError === undefined) return undefined;
  const keeping = live ? `; keeping live version ${live.version}` : '';
  const oot = candidate.outOfTime;
  if (!oot) {
    const which =
      minOutOfTimeRocAuc !== undefined ? 'qualityGate.minOutOfTimeRocAuc' : 'qualityGate.maxCalibrationError';
    return `candidate ${candidate.version} has no out-of-time metrics, which ${which} needs: set spec.dataset.validationPath to a later period's CSV, or point spec.dataset.path at a folder of two or more period files${keeping}`;
  }
  if (minOutOfTimeRocAuc !== undefined && oot.rocAuc.value < minOutOfTimeRocAuc) {
    return `candidate ${candidate.version} has out-of-time ROC AUC ${fmt(oot.rocAuc.value)} (95% ${fmt(oot.rocAuc.low)}-${fmt(oot.rocAuc.high)} on ${oot.rows} rows), below qualityGate.minOutOfTimeRocAuc ${fmt(minOutOfTimeRocAuc)}${keeping}`;
  }
  if (maxCalibrationError !== undefined && oot.expectedCalibrationError > maxCalibrationError) {
    return `candidate ${candidate.version} has out-of-time calibration error ${fmt(oot.expectedCalibrationError)}, above qualityGate.maxCalibrationError ${fmt(maxCalibrationError)}${keeping}`;
  }
  return undefined;
}

/** The paired comparison with this live version, when the training Job made one. */
function pairedWith(candidate: ModelRecord, live: ModelRecord) {
  return candidate.comparison?.baselineVersion === live.version ? candidate.comparison : undefined;
}

/**
 * maxRegression: on the later period's rows when the trainer scored the live model beside the
 * candidate (a paired difference), else the two cross-validated AUCs, each from its own data.
 */
function regressionRefusal(candidate: ModelRecord, live: ModelRecord, maxRegression: number): string | undefined {
  const paired = pairedWith(candidate, live);
  if (paired) {
    const d = paired.difference;
    if (d.value >= -maxRegression) return undefined;
    return `candidate ${candidate.version} scores ROC AUC ${fmt(-d.value)} below live version ${live.version} on the same ${paired.rows} later-period rows (difference ${fmt(d.value)}, paired 95% ${fmt(d.low)} to ${fmt(d.high)}), more than qualityGate.maxRegression ${fmt(maxRegression)}; keeping ${live.version}`;
  }
  if (candidate.metrics.rocAuc >= live.metrics.rocAuc - maxRegression) return undefined;
  return `candidate ${candidate.version} has ROC AUC ${fmt(candidate.metrics.rocAuc)}, more than qualityGate.maxRegression ${fmt(maxRegression)} below live version ${live.version} (${fmt(live.metrics.rocAuc)}); keeping ${live.version}`;
}

export function applyQualityGate(
  candidate: ModelRecord,
  live: ModelRecord | undefined,
  gate: QualityGateSpec = {},
): GateDecision {
  const minRocAuc = gate.minRocAuc ?? QUALITY_GATE_DEFAULTS.minRocAuc;
  const maxRegression = gate.maxRegression ?? QUALITY_GATE_DEFAULTS.maxRegression;
  const auc = candidate.metrics.rocAuc;
  if (auc < minRocAuc) {
    return {
      accepted: false,
      message: `candidate ${candidate.version} has ROC AUC ${fmt(auc)}, below qualityGate.minRocAuc ${fmt(minRocAuc)}${live ? `; keeping live version ${live.version}` : ''}`,
    };
  }
  const regression =
    live && live.version !== candidate.version ? regressionRefusal(candidate, live, maxRegression) : undefined;
  if (regression) return { accepted: false, message: regression };
  const refusal = outOfTimeRefusal(candidate, live, gate);
  if (refusal) return { accepted: false, message: refusal };
  const oot = candidate.outOfTime
    ? `, out of time ${fmt(candidate.outOfTime.rocAuc.value)} (95% ${fmt(candidate.outOfTime.rocAuc.low)}-${fmt(candidate.outOfTime.rocAuc.high)})`
    : '';
  const paired = live && pairedWith(candidate, live);
  const versusLive = paired
    ? `, ${fmt(paired.difference.value)} against live on the same ${paired.rows} later-period rows (paired 95% ${fmt(paired.difference.low)} to ${fmt(paired.difference.high)})`
    : '';
  return {
    accepted: true,
    message: `candidate ${candidate.version} passed the quality gate with ROC AUC ${fmt(auc)}${oot}${versusLive} (minimum ${fmt(minRocAuc)}${live ? `, live ${fmt(live.metrics.rocAuc)}` : ''})`,
  };
}
