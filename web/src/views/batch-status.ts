/**
 * Following a batch: GET batches/{id} polled until it completes or fails, with the scoring rate
 * measured between polls (smoothed) and the time left from it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import type { BatchStatus } from '../contract.js';

const POLL_MS = 700;

export interface BatchFollow {
  readonly status: BatchStatus | undefined;
  /** Rows per second, once two polls saw rows move. */
  readonly rate: number | undefined;
  /** Set when a poll failed; polling goes on unless the batch is gone (404). */
  readonly problem: ApiError | undefined;
}

function processed(status: BatchStatus): number {
  return status.counts.scored + status.counts.invalid;
}

export function useBatchStatus(id: string): BatchFollow {
  const [follow, setFollow] = useState<BatchFollow>({ status: undefined, rate: undefined, problem: undefined });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: { rows: number; at: number } | undefined;
    let rate: number | undefined;
    setFollow({ status: undefined, rate: undefined, problem: undefined });
    const poll = async () => {
      try {
        const status = await getJson<BatchStatus>(`batches/${encodeURIComponent(id)}`);
        if (stopped) return;
        const now = performance.now();
        const rows = processed(status);
        if (last && rows > last.rows && now > last.at) {
          const sample = ((rows - last.rows) * 1000) / (now - last.at);
          rate = rate === undefined ? sample : 0.6 * rate + 0.4 * sample;
        }
        if (!last || rows !== last.rows) last = { rows, at: now };
        setFollow({ status, rate, problem: undefined });
        if (status.state === 'completed' || status.state === 'failed') return;
      } catch (err) {
        if (stopped) return;
        const problem = err instanceof ApiError ? err : new ApiError(0, { error: String(err), details: [] });
        setFollow((f) => ({ ...f, problem }));
        if (problem.status === 404 || problem.status === 401 || problem.status === 403) return;
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  return follow;
}
