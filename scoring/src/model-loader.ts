/**
 * Reads one version folder and proves it can serve before anyone relies on it: the manifest has
 * the shape the API needs, model.onnx opens, its inputs and output are the contract's, and the
 * manifest's reference applicant scores to a probability. When the folder also has the hot-path
 * graph (model-dense.onnx, one float tensor of encoded columns) it is opened too and must give
 * the reference applicant model.onnx's score; with a scoring thread for large runs, a run that
 * large must give the same score there. Any failure is a ModelLoadError.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  ARTIFACT_FILES,
  DENSE_INPUT,
  DENSE_MODEL_FILE,
  DenseEncoder,
  DenseEncodingError,
  FEATURES,
  type LoanRecord,
  type ManifestFeature,
  type ModelManifest,
} from '@peerloan/contracts';
import { ModelLoadError } from './errors/model-load-error.js';
import { LoadedModel, type DenseGraph } from './loaded-model.js';
import type { MicroBatcherOptions } from './micro-batcher.js';
import { ScoringThread } from './scoring-thread.js';

function manifestProblem(m: Partial<ModelManifest>): string | null {
  if (m.schemaVersion !== 1) return `schemaVersion must be 1, got ${JSON.stringify(m.schemaVersion)}`;
  if (typeof m.version !== 'string' || m.version === '') return 'version is missing';
  if (typeof m.threshold?.value !== 'number' || !(m.threshold.value >= 0 && m.threshold.value <= 1))
    return 'threshold.value must be a number from 0 to 1';
  if (typeof m.outputs?.probability !== 'string') return 'outputs.probability is missing';
  if (!Array.isArray(m.features)) return 'features is missing';
  // Each entry is as untrusted as the file it came from.
  const features = m.features as readonly (Partial<ManifestFeature> | null | undefined)[];
  const names = features.map((f) => f?.name);
  const expected = FEATURES.map((f) => f.name);
  if (names.join() !== expected.join())
    return `features must be ${expected.join(', ')} in order, got ${names.join(', ')}`;
  for (const [i, feature] of FEATURES.entries()) {
    const mf = features[i];
    if (mf?.kind !== feature.kind) return `feature ${feature.name} must be ${feature.kind}`;
    if (feature.kind === 'categorical' && (!Array.isArray(mf.categories) || mf.categories.length === 0))
      return `feature ${feature.name} has no categories`;
    if (mf.reference === undefined) return `feature ${feature.name} has no reference value`;
  }
  return null;
}

async function readManifest(dir: string): Promise<ModelManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8'));
  } catch (err) {
    throw new ModelLoadError(dir, 'manifest', `${ARTIFACT_FILES.manifest} is unreadable: ${(err as Error).message}`);
  }
  const problem = typeof parsed === 'object' && parsed !== null ? manifestProblem(parsed) : 'not a JSON object';
  if (problem) throw new ModelLoadError(dir, 'manifest', problem);
  return parsed as ModelManifest;
}

async function openSession(dir: string, file: string, intraOpThreads: number): Promise<ort.InferenceSession> {
  try {
    const bytes = await readFile(join(dir, file));
    return await ort.InferenceSession.create(bytes, { intraOpNumThreads: intraOpThreads, interOpNumThreads: 1 });
  } catch (err) {
    throw new ModelLoadError(dir, 'onnx', `${file} does not open in onnxruntime: ${(err as Error).message}`);
  }
}

/** The hot-path graph when the version has one (versions trained before it existed do not). */
async function openDenseGraph(
  dir: string,
  manifest: ModelManifest,
  intraOpThreads: number,
  threadMinRows: number,
): Promise<DenseGraph | undefined> {
  if (
    !(await access(join(dir, DENSE_MODEL_FILE)).then(
      () => true,
      () => false,
    ))
  )
    return undefined;
  let encoder: DenseEncoder;
  try {
    // Not checked with the rest of the manifest: only a version with a dense graph needs it.
    const columns: unknown = manifest.encodedColumns;
    if (!Array.isArray(columns))
      throw new ModelLoadError(dir, 'signature', `manifest.json has no encodedColumns for ${DENSE_MODEL_FILE}`);
    encoder = new DenseEncoder(columns as string[]);
  } catch (err) {
    if (err instanceof DenseEncodingError) throw new ModelLoadError(dir, 'signature', err.message);
    throw err;
  }
  const session = await openSession(dir, DENSE_MODEL_FILE, intraOpThreads);
  const input = session.inputNames[0];
  if (
    session.inputNames.length !== 1 ||
    input !== DENSE_INPUT ||
    !session.outputNames.includes(manifest.outputs.probability)
  ) {
    await session.release().catch(() => undefined);
    throw new ModelLoadError(
      dir,
      'signature',
      `${DENSE_MODEL_FILE} must take one input ${DENSE_INPUT} and give ${manifest.outputs.probability}`,
    );
  }
  if (threadMinRows === 0) return { session, encoder };
  try {
    const thread = await ScoringThread.start({
      bytes: await readFile(join(dir, DENSE_MODEL_FILE)),
      intraOpThreads,
      input: DENSE_INPUT,
      output: manifest.outputs.probability,
    });
    return { session, encoder, thread, threadMinRows };
  } catch (err) {
    await session.release().catch(() => undefined);
    throw new ModelLoadError(dir, 'onnx', (err as Error).message);
  }
}

function signatureProblem(session: ort.InferenceSession, manifest: ModelManifest): string | null {
  const missing = FEATURES.map((f) => f.name).filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0) return `model.onnx lacks the inputs ${missing.join(', ')}`;
  if (!session.outputNames.includes(manifest.outputs.probability))
    return `model.onnx has no output ${manifest.outputs.probability}`;
  return null;
}

/** Scores the manifest's reference applicant: a probability, and the same through both graphs. */
async function smokeTest(model: LoadedModel, threadMinRows: number): Promise<void> {
  const reference: LoanRecord = Object.fromEntries(model.manifest.features.map((f) => [f.name, f.reference]));
  let scores: Float32Array;
  let contractScores: Float32Array;
  let largeRun: Float32Array | undefined;
  try {
    scores = await model.run([reference]);
    contractScores = await model.runContractGraph([reference]);
    if (threadMinRows > 0) largeRun = await model.run(new Array<LoanRecord>(threadMinRows).fill(reference));
  } catch (err) {
    throw new ModelLoadError(
      model.dir,
      'smoke-test',
      `scoring the reference applicant failed: ${(err as Error).message}`,
    );
  }
  const p = scores[0];
  if (scores.length !== 1 || !(p >= 0 && p <= 1)) {
    throw new ModelLoadError(model.dir, 'smoke-test', `the reference applicant scored ${p}, not a probability`);
  }
  if (!(Math.abs(p - contractScores[0]) <= 1e-5)) {
    throw new ModelLoadError(
      model.dir,
      'smoke-test',
      `${DENSE_MODEL_FILE} scored the reference applicant ${p}, ${ARTIFACT_FILES.model} ${contractScores[0]}`,
    );
  }
  const threaded = largeRun?.[threadMinRows - 1];
  if (largeRun && threaded !== p) {
    throw new ModelLoadError(
      model.dir,
      'smoke-test',
      `the scoring thread scored the reference applicant ${threaded} in a ${threadMinRows}-row run, this thread ${p}`,
    );
  }
}

export async function loadModelVersion(dir: string, batching: MicroBatcherOptions): Promise<LoadedModel> {
  const manifest = await readManifest(dir);
  const threads = batching.intraOpThreads ?? 1;
  const threadMinRows = batching.threadMinRows ?? 0;
  const session = await openSession(dir, ARTIFACT_FILES.model, threads);
  let dense: DenseGraph | undefined;
  try {
    const problem = signatureProblem(session, manifest);
    if (problem) throw new ModelLoadError(dir, 'signature', problem);
    dense = await openDenseGraph(dir, manifest, threads, threadMinRows);
    const model = new LoadedModel(dir, manifest, session, batching, dense);
    await smokeTest(model, dense ? threadMinRows : 0);
    return model;
  } catch (err) {
    await session.release().catch(() => undefined);
    await dense?.session.release().catch(() => undefined);
    await dense?.thread?.close().catch(() => undefined);
    throw err;
  }
}
