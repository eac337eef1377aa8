/**
 * The versions a pod serves and which of them answers each row. The live model answers unless a
 * canary routes a row to the candidate; each version scores its rows of a request in one call
 * (one onnxruntime run, coalesced with other requests by its micro-batcher). Whatever goes wrong
 * with the candidate (not loaded, refuses the rows, its run throws), its rows are answered by the
 * live model and counted as the candidate's errors: a candidate never fails a request. In shadow
 * mode the live model answers everything and the candidate scores the same rows afterwards.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RolloutStats, VersionEntry } from '@peerloan/contracts';
import type { CandidateConfig } from '../config.js';
import {
  pickRows,
  servingModel,
  type LoadedModel,
  type ModelStore,
  type RowBatch,
  type Scored,
} from '@peerloan/scoring';
import { Candidate } from './candidate.js';
import { RolloutRecorder, type RolloutRole } from './rollout-recorder.js';
import { ShadowScorer } from './shadow-scorer.js';
import { TrafficSplit } from './traffic-split.js';

/** The rows of one request that one version answered. */
export interface ScoredGroup {
  readonly model: LoadedModel;
  /** Indices into the request's rows, ascending. */
  readonly rows: readonly number[];
  /** Those rows. */
  readonly input: RowBatch;
  /** Scores (and reasons) in the order of `rows`. */
  readonly scored: Scored;
}

/** A version this pod holds and its part in the answers (GET /versions). */
export interface HeldVersion {
  readonly version: string;
  readonly role: VersionEntry['role'];
  /** Whole percent of live answers this version gives. */
  readonly trafficPercent: number;
  /** Undefined while a candidate is not loaded. */
  readonly model: LoadedModel | undefined;
}

export interface ServingVersionsOptions {
  readonly live: ModelStore;
  readonly candidate?: { readonly config: CandidateConfig; readonly store: ModelStore };
  readonly registry: Registry;
  readonly logger: Logger;
}

export class ServingVersions {
  private readonly recorder: RolloutRecorder;
  private readonly candidate: Candidate | undefined;
  private readonly split: TrafficSplit | undefined;
  private readonly shadow: ShadowScorer | undefined;

  constructor(private readonly options: ServingVersionsOptions) {
    this.recorder = new RolloutRecorder(options.registry, options.logger);
    if (!options.candidate) return;
    const { config, store } = options.candidate;
    this.candidate = new Candidate(config, store);
    if (config.mode === 'canary') this.split = new TrafficSplit(config.version, config.trafficPercent);
    else this.shadow = new ShadowScorer(this.candidate, this.recorder, options.logger, options.registry);
  }

  /** The live version (validation, metadata and the web page follow it); a 503 without one. */
  live(): LoadedModel {
    return servingModel(this.options.live);
  }

  /** Per row, whether the candidate answers it; undefined when no canary runs (all live, no id read). */
  route(rows: number, applicantId: (row: number) => string | undefined): boolean[] | undefined {
    const split = this.split;
    return split ? Array.from({ length: rows }, (_, i) => split.toCandidate(applicantId(i))) : undefined;
  }

  /** One choice for all rows of a request (an OIP answer names one model_version); undefined when no canary runs. */
  routeWhole(rows: number, applicantId: string | undefined): boolean[] | undefined {
    return this.split ? new Array<boolean>(rows).fill(this.split.toCandidate(applicantId)) : undefined;
  }

  /** Scores each version's rows in one call; the candidate's rows fall back to live if it fails. */
  async score(
    live: LoadedModel,
    input: RowBatch,
    toCandidate: readonly boolean[] | undefined,
    explain: boolean,
  ): Promise<ScoredGroup[]> {
    const all = Array.from({ length: input.length }, (_, i) => i);
    const candidate = this.candidate;
    const candidateRows = toCandidate ? all.filter((i) => toCandidate[i]) : [];
    if (!candidate || candidateRows.length === 0) return [await this.runLive(live, all, input, explain)];
    const liveRows = all.filter((i) => !toCandidate?.[i]);
    const groups = await Promise.all([
      liveRows.length > 0 ? this.runLive(live, liveRows, input, explain) : undefined,
      this.runCandidate(candidate, live, candidateRows, input, explain),
    ]);
    return groups.filter((g): g is ScoredGroup => g !== undefined);
  }

  /** Shadow mode: hands the live answers of a request to the candidate, after the answer is written. */
  afterAnswer(groups: readonly ScoredGroup[], requestId: string): void {
    if (!this.shadow) return;
    for (const { model, input, scored } of groups)
      this.shadow.submit({ model, input, probabilities: scored.probabilities, requestId });
  }

  /** The live version, and the candidate with its share while a rollout runs. */
  held(): HeldVersion[] {
    const live = this.live();
    const candidate = this.candidate;
    if (!candidate) return [{ version: live.version, role: 'live', trafficPercent: 100, model: live }];
    const share = candidate.config.mode === 'canary' ? candidate.config.trafficPercent : 0;
    return [
      { version: live.version, role: 'live', trafficPercent: 100 - share, model: live },
      {
        version: candidate.version,
        role: candidate.config.mode === 'canary' ? 'candidate' : 'shadow',
        trafficPercent: share,
        model: candidate.loaded,
      },
    ];
  }

  stats(): RolloutStats {
    const candidate = this.candidate
      ? { version: this.candidate.version, mode: this.candidate.config.mode }
      : undefined;
    return this.recorder.snapshot(this.live().version, candidate);
  }

  private async runLive(
    live: LoadedModel,
    rows: readonly number[],
    input: RowBatch,
    explain: boolean,
  ): Promise<ScoredGroup> {
    try {
      return await this.run('live', live.version, live, rows, input, explain);
    } catch (err) {
      this.recorder.failed('live', live.version, rows.length, err);
      throw err;
    }
  }

  private async runCandidate(
    candidate: Candidate,
    live: LoadedModel,
    rows: readonly number[],
    input: RowBatch,
    explain: boolean,
  ): Promise<ScoredGroup> {
    try {
      const model = candidate.modelFor(pickRows(input, rows));
      return await this.run('canary', candidate.version, model, rows, input, explain);
    } catch (err) {
      this.recorder.failed('canary', candidate.version, rows.length, err);
      return this.runLive(live, rows, input, explain);
    }
  }

  /** One version's call for some rows of the request, timed and recorded under the version the operator named. */
  private async run(
    role: RolloutRole,
    version: string,
    model: LoadedModel,
    rows: readonly number[],
    input: RowBatch,
    explain: boolean,
  ): Promise<ScoredGroup> {
    const picked = pickRows(input, rows);
    const start = performance.now();
    const scored = await model.score(picked, explain);
    this.recorder.scored(role, version, scored.probabilities, performance.now() - start);
    return { model, rows, input: picked, scored };
  }
}
