/**
 * Shadow mode: the candidate scores the rows the live model answered, off the response path. A
 * run starts on the next turn of the event loop after the answer was written, is never awaited by
 * a request, and is recorded (rows, score bins, latency, decision agreement with the live answer,
 * errors). Runs waiting are bounded in rows: a candidate too slow to keep up is skipped and
 * counted rather than queueing without end. At debug level each run is logged with the request id
 * and the candidate's scores: how a shadow score can be looked at for a given request.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { LoadedModel, RowBatch } from '@peerloan/scoring';
import type { Candidate } from './candidate.js';
import type { RolloutRecorder } from './rollout-recorder.js';

/** Most rows waiting for or in a shadow run; more are skipped (a few MB of records at most). */
export const MAX_PENDING_SHADOW_ROWS = 10_000;

/** The live answer a shadow run is compared with. */
export interface LiveAnswer {
  readonly model: LoadedModel;
  readonly input: RowBatch;
  readonly probabilities: readonly number[];
  readonly requestId: string;
}

export class ShadowScorer {
  private pendingRows = 0;
  private readonly skipped: Counter;

  constructor(
    private readonly candidate: Candidate,
    private readonly recorder: RolloutRecorder,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.skipped = new Counter({
      name: 'loanrisk_rollout_shadow_skipped_rows_total',
      help: `Rows not shadow-scored because ${MAX_PENDING_SHADOW_ROWS} were already waiting (the candidate is slower than the traffic)`,
      registers: [registry],
    });
  }

  /** Schedules the candidate's run over a live answer's rows and returns at once. */
  submit(answer: LiveAnswer): void {
    const rows = answer.input.length;
    if (this.pendingRows + rows > MAX_PENDING_SHADOW_ROWS) {
      this.skipped.inc(rows);
      return;
    }
    this.pendingRows += rows;
    setImmediate(() => {
      void this.run(answer).finally(() => {
        this.pendingRows -= rows;
      });
    });
  }

  private async run(answer: LiveAnswer): Promise<void> {
    const { version } = this.candidate;
    const start = performance.now();
    try {
      const model = this.candidate.modelFor(answer.input);
      const { probabilities } = await model.score(answer.input, false);
      const ms = performance.now() - start;
      const agreements = countAgreements(answer, probabilities, model.threshold);
      this.recorder.scored('shadow', version, probabilities, ms, agreements);
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug({ reqId: answer.requestId, version, probabilities, agreements, ms }, 'shadow scored');
      }
    } catch (err) {
      this.recorder.failed('shadow', version, answer.input.length, err);
    }
  }
}

/** Rows on which the candidate's decision (by its own threshold) equals the live answer's. */
function countAgreements(answer: LiveAnswer, probabilities: readonly number[], threshold: number): number {
  let agreements = 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (probabilities[i] >= threshold === answer.probabilities[i] >= answer.model.threshold) agreements += 1;
  }
  return agreements;
}
