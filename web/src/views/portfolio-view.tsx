/**
 * Portfolio: upload a file of loan holders, follow the scoring, read the result; the batch id
 * lives in the address (#/portfolio/<id>), so a reload or a shared link comes back to it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import type { BatchStatus, BatchSummary } from '../contract.js';
import { Notice } from '../components/notice.js';
import { count, dateTime, duration, percent } from '../format.js';
import { BatchResult } from './batch-result.js';
import { useBatchStatus } from './batch-status.js';
import { UploadPanel } from './upload-panel.js';

function ScoringProgress({ status, rate }: { status: BatchStatus | undefined; rate: number | undefined }) {
  const done = status ? status.counts.scored + status.counts.invalid : 0;
  const total = status?.counts.total ?? 0;
  const left = rate && status ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const state = status?.state ?? 'queued';
  // Said to a screen reader at each quarter, not at every poll.
  const quarter = total ? Math.floor((done / total) * 4) : 0;
  return (
    <section class="panel" aria-labelledby="scoring-heading" id="scoring-progress">
      <h3 id="scoring-heading">{state === 'queued' ? 'Waiting for a worker' : 'Scoring the portfolio'}</h3>
      <progress value={status?.progress ?? 0} max={1} aria-label="Scoring progress" />
      <p class="progress-numbers">
        <span id="scored-progress">
          {count(status?.counts.scored ?? 0)} of {count(total)} holders scored
          {status && status.counts.invalid > 0 && `, ${count(status.counts.invalid)} refused`}
        </span>
        <span>{percent(status?.progress ?? 0, 0)}</span>
        {rate !== undefined && <span id="scoring-rate">{count(Math.round(rate))} rows/s</span>}
        {rate !== undefined && <span id="time-left">{duration(left)} left</span>}
      </p>
      <p class="visually-hidden" aria-live="polite">
        {state === 'queued' ? 'Waiting for a worker.' : `Scoring: ${quarter * 25} % done.`}
      </p>
    </section>
  );
}

function BatchView({ id }: { id: string }) {
  const { status, rate, problem } = useBatchStatus(id);
  const [summary, setSummary] = useState<BatchSummary | undefined>(undefined);
  const [summaryProblem, setSummaryProblem] = useState<string | undefined>(undefined);
  const completed = status?.state === 'completed';

  useEffect(() => {
    setSummary(undefined);
    if (!completed) return;
    getJson<BatchSummary>(`batches/${encodeURIComponent(id)}/summary`).then(setSummary, (err: unknown) => {
      setSummaryProblem(err instanceof ApiError ? err.message : String(err));
    });
  }, [id, completed]);

  if (problem?.status === 404)
    return (
      <Notice tone="error" title="This batch is not known to the server" id="batch-missing">
        <p>Its results may have expired. Upload the file again to score it.</p>
      </Notice>
    );
  return (
    <>
      <div class="batch-meta muted small-text">
        Batch <code>{id}</code>
        {status && ` · submitted ${dateTime(status.createdAt)}`}
      </div>
      {problem && problem.status !== 404 && (
        <Notice tone="warning" title={`Lost touch with the server: ${problem.message}.`} id="poll-problem">
          <p>The batch goes on on the server; the page keeps asking.</p>
        </Notice>
      )}
      {status?.state === 'failed' && (
        <Notice tone="error" title="Scoring failed" id="batch-failed">
          <p>
            {status.failedReason ?? 'The server gave no reason.'} Upload the file again; if it fails again, tell the
            platform team.
          </p>
        </Notice>
      )}
      {(!status || status.state === 'queued' || status.state === 'running') && (
        <ScoringProgress status={status} rate={rate} />
      )}
      {completed && !summary && !summaryProblem && <p aria-busy="true">Reading the result…</p>}
      {summaryProblem && <Notice tone="error" title={`The result could not be read: ${summaryProblem}.`} />}
      <p class="visually-hidden" aria-live="polite">
        {completed && summary
          ? `Scoring done: ${count(summary.flagged)} of ${count(summary.counts.scored)} holders flagged, ${count(summary.counts.invalid)} rows refused.`
          : ''}
      </p>
      {completed && summary && status && <BatchResult status={status} summary={summary} />}
    </>
  );
}

export function PortfolioView({ batchId }: { batchId: string | undefined }) {
  const top = useRef<HTMLDivElement>(null);
  return (
    <div class="portfolio" ref={top}>
      <UploadPanel
        compact={batchId !== undefined}
        onAccepted={(id) => {
          location.hash = `#/portfolio/${encodeURIComponent(id)}`;
        }}
      />
      {batchId && <BatchView key={batchId} id={batchId} />}
    </div>
  );
}
