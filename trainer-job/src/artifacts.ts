/**
 * Publishes a trained model as `<out>/<version>/{model.onnx, manifest.json, report.html,
 * model-card.json, xgboost-model.json,
 * model-dense.onnx}`:
 * written to a temporary folder and renamed into place, so a reader never sees half a version.
 * `<out>/current` then names the newest version, for local use (the quickstart, an API or worker
 * given a models root on a developer's machine). It moves for every run, gated or not, so in a
 * cluster no server follows it: the operator serves the LoanRiskModel's status.liveVersion.
 */
import { createHash } from 'node:crypto';
import { access, constants, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ARTIFACT_FILES,
  CURRENT_POINTER,
  DENSE_MODEL_FILE,
  MODEL_CARD_FILE,
  XGBOOST_MODEL_FILE,
  type ModelCard,
  type ModelManifest,
  type PeriodListing,
  type TrainingSummary,
} from '@peerloan/contracts';

/** Same data + same settings + same seed = same version. */
export function deriveVersion(dataSha256: string, canonicalConfig: string, trainerRevision: string): string {
  return createHash('sha256')
    .update(`${trainerRevision}\n${dataSha256}\n${canonicalConfig}`)
    .digest('hex')
    .slice(0, 12);
}

export interface Artifacts {
  readonly model: Uint8Array;
  readonly manifest: ModelManifest;
  readonly card: ModelCard;
  readonly report: string;
  readonly xgboostModel: Uint8Array;
  /** The API's hot-path graph (one float tensor of encoded columns), beside model.onnx. */
  readonly denseModel: Uint8Array;
}

export async function publishArtifacts(outRoot: string, artifacts: Artifacts): Promise<string> {
  const version = artifacts.manifest.version;
  const finalDir = join(outRoot, version);
  const tmpDir = join(outRoot, `.${version}.tmp-${process.pid}`);
  await mkdir(tmpDir, { recursive: true });
  await writeFile(join(tmpDir, ARTIFACT_FILES.model), artifacts.model);
  await writeFile(join(tmpDir, ARTIFACT_FILES.manifest), `${JSON.stringify(artifacts.manifest, null, 2)}\n`);
  await writeFile(join(tmpDir, ARTIFACT_FILES.report), artifacts.report);
  await writeFile(join(tmpDir, MODEL_CARD_FILE), `${JSON.stringify(artifacts.card, null, 2)}\n`);
  await writeFile(join(tmpDir, XGBOOST_MODEL_FILE), artifacts.xgboostModel);
  await writeFile(join(tmpDir, DENSE_MODEL_FILE), artifacts.denseModel);
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  const pointerTmp = join(outRoot, `.${CURRENT_POINTER}.tmp-${process.pid}`);
  await writeFile(pointerTmp, `${version}\n`);
  await rename(pointerTmp, join(outRoot, CURRENT_POINTER));
  return finalDir;
}

/** Writes the operator's summary (or listing) when the file is writable (always in a Pod); skips it elsewhere. */
export async function writeTerminationMessage(
  path: string,
  summary: TrainingSummary | PeriodListing,
): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
  } catch {
    if (path === '/dev/termination-log') return false;
  }
  await writeFile(path, JSON.stringify(summary));
  return true;
}
