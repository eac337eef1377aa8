/**
 * The candidate version as the request path sees it: its store (loaded and smoke-tested beside the
 * live model, tried again while it cannot load) and the one check before it may score rows. The
 * rows were validated against the live model; the candidate was trained on other data and may
 * know other categories, and a category it never saw would score silently as "none of them".
 */
import type { CandidateConfig } from '../config.js';
import { CandidateError } from '../errors/candidate-error.js';
import type { LoadedModel, ModelStore, RowBatch } from '@peerloan/scoring';

export class Candidate {
  constructor(
    readonly config: CandidateConfig,
    private readonly store: ModelStore,
  ) {}

  get version(): string {
    return this.config.version;
  }

  /** The candidate as loaded now (undefined while it is not). */
  get loaded(): LoadedModel | undefined {
    return this.store.current;
  }

  /** The loaded candidate, fit to score these rows; else a CandidateError. */
  modelFor(rows: RowBatch): LoadedModel {
    const model = this.store.current;
    if (!model) throw new CandidateError(this.version, 'not-loaded');
    const problems = rows.records().flatMap((record, i) => model.validator.check(record, `row ${i}: `));
    if (problems.length > 0) throw new CandidateError(this.version, 'refused-input', problems);
    return model;
  }
}
