/**
 * The paired comparison behind the quality gate's maxRegression: the live model (its version
 * folder, --baseline-model) and the candidate scored on the same later-period rows, loans neither
 * trained on (the training rows would favour a live model trained on them); the ROC AUC
 * difference gets a paired bootstrap interval. A live folder that is not there (deleted, or a
 * first model) is not an error: no comparison.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES, recordsToColumns, type BaselineComparison, type ModelManifest } from '@peerloan/contracts';
import { pairedDifference, weightedRocAuc, type BootstrapOptions } from './bootstrap.js';
import { DataError } from './errors/data-error.js';
import type { LoanTable } from './loan-table.js';
import { scoreWithOnnx } from './parity-check.js';

export interface ComparisonInput {
  readonly dir: string;
  readonly table: LoanTable;
  /** The candidate's served probabilities of the table's rows. */
  readonly candidateScores: ArrayLike<number>;
  readonly bootstrap: BootstrapOptions;
}

async function readBaseline(dir: string): Promise<{ version: string; model: Uint8Array } | undefined> {
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const manifest = JSON.parse(manifestText) as ModelManifest;
    return { version: manifest.version, model: await readFile(join(dir, ARTIFACT_FILES.model)) };
  } catch (err) {
    throw new DataError(
      `--baseline-model ${dir}: has a manifest but no readable model (${(err as Error).message}); pass the live version's folder or leave the option out`,
    );
  }
}

/**
 * The period files the live version's published fit used (manifest data.finalFit; none for a
 * single-CSV fit or a folder without a manifest): a later period among them is no fair ground
 * for the comparison, since the live model trained on those rows.
 */
export async function liveFittedOn(dir: string): Promise<readonly string[]> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8')) as ModelManifest;
    return manifest.data.finalFit?.files ?? [];
  } catch {
    return [];
  }
}

export async function compareWithBaseline(input: ComparisonInput): Promise<BaselineComparison | undefined> {
  const baseline = await readBaseline(input.dir);
  if (!baseline) return undefined;
  const { table } = input;
  const records = Array.from({ length: table.rows }, (_, i) => table.record(i));
  let live: Float32Array;
  try {
    live = (await scoreWithOnnx(baseline.model, recordsToColumns(records), table.rows)).probability;
  } catch (err) {
    throw new DataError(`--baseline-model ${input.dir}: cannot score its model.onnx (${(err as Error).message})`);
  }
  const paired = pairedDifference(table.labels, input.candidateScores, live, weightedRocAuc, input.bootstrap);
  return {
    baselineVersion: baseline.version,
    rows: table.rows,
    candidateRocAuc: paired.a,
    liveRocAuc: paired.b,
    difference: paired.difference,
  };
}
