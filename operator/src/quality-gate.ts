/** The quality gate: a pure decision on a candidate against the live model. */
import type { ModelRecord, QualityGateSpec } from '@peerloan/contracts';

export type GateDecision = { accepted: true; message: string } | { accepted: false; message: string };

export function applyQualityGate(candidate: ModelRecord, live: ModelRecord | undefined, gate: QualityGateSpec = {}): GateDecision {
  const minRocAuc = gate.minRocAuc ?? 0.7;
  const maxRegression = gate.maxRegression ?? 0.01;
  const auc = candidate.metrics.rocAuc;
  const fmt = (n: number) => n.toFixed(4);
  if (auc < minRocAuc) {
    return { accepted: false, message: `candidate ${candidate.version} has ROC AUC ${fmt(auc)}, below qualityGate.minRocAuc ${fmt(minRocAuc)}${live ? `; keeping live version ${live.version}` : ''}` };
  }
  if (live && live.version !== candidate.version && auc < live.metrics.rocAuc - maxRegression) {
    return { accepted: false, message: `candidate ${candidate.version} has ROC AUC ${fmt(auc)}, more than qualityGate.maxRegression ${fmt(maxRegression)} below live version ${live.version} (${fmt(live.metrics.rocAuc)}); keeping ${live.version}` };
  }
  return { accepted: true, message: `candidate ${candidate.version} passed the quality gate with ROC AUC ${fmt(auc)} (minimum ${fmt(minRocAuc)}${live ? `, live ${fmt(live.metrics.rocAuc)}` : ''})` };
}
