/**
 * A model version could not be served. `stage` says which check refused it (and is the metric
 * label); the message says what to fix. The store keeps serving the version it had.
 */
export type ModelLoadStage = 'pointer' | 'manifest' | 'onnx' | 'signature' | 'smoke-test';

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';

  constructor(
    readonly dir: string,
    readonly stage: ModelLoadStage,
    detail: string,
  ) {
    super(`cannot serve the model in ${dir} (${stage}): ${detail}`);
  }
}
