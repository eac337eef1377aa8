/** The live model a request or a batch chunk is scored with, taken once so a swap meanwhile cannot split it. */
import { NoModelError } from './errors/no-model-error.js';
import type { LoadedModel } from './loaded-model.js';
import type { ModelStore } from './model-store.js';

export function servingModel(store: ModelStore): LoadedModel {
  const model = store.current;
  if (!model) throw new NoModelError();
  return model;
}
