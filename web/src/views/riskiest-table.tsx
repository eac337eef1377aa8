/** The riskiest holders first, a page of 25 at a time from the server's paging, each with its reasons in words. */
import { useEffect, useState } from 'preact/hooks';
import { describeReason } from '@peerloan/contracts/feature-display';
import { ApiError, getJson } from '../api.js';
import type { RowsPage } from '../contract.js';
import { ColumnHeads, numeric } from '../components/column-heads.js';
import { Notice } from '../components/notice.js';
import { count, percent } from '../format.js';

export const PAGE_SIZE = 25;

/** A page of the batch's rows by rank, loaded again when the batch or offset changes; a late answer is dropped. */
function useRowsPage(id: string, offset: number) {
  const [page, setPage] = useState<RowsPage | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  // Bumped by "Try again": the same page is fetched anew.
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setBusy(true);
    setProblem(undefined);
    getJson<RowsPage>(`batches/${encodeURIComponent(id)}/rows?offset=${offset}&limit=${PAGE_SIZE}`)
      .then(
        (loaded) => {
          if (current) setPage(loaded);
        },
        (err: unknown) => {
          if (current) setProblem(err instanceof ApiError ? err.message : String(err));
        },
      )
      .finally(() => {
        if (current) setBusy(false);
      });
    return () => {
      current = false;
    };
  }, [id, offset, attempt]);
  return { page, busy, problem, retry: () => setAttempt((n) => n + 1) };
}

function HolderRow({ row }: { row: RowsPage['rows'][number] }) {
  return (
    <tr>
      <td class="num">{count(row.rank)}</td>
      <td>
        <span class="holder-id">{row.id}</span>
        <span class="muted small-text"> row {count(row.row)}</span>
      </td>
      <td class="num">
        <span class={row.decision === 'yes' ? 'tone-flagged strong' : 'strong'}>{percent(row.probability, 1)}</span>
        {row.decision === 'yes' && <span class="chip chip-flagged chip-small">flagged</span>}
      </td>
      <td>
        {row.reasons.length === 0 ? (
          <span class="muted">nothing above a typical applicant</span>
        ) : (
          <ul class="reasons-compact">
            {row.reasons.map((r) => (
              <li key={r.feature}>{describeReason(r)}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

export function RiskiestTable({ id, total }: { id: string; total: number }) {
  const [offset, setOffset] = useState(0);
  const { page, busy, problem, retry } = useRowsPage(id, offset);

  const shownTotal = page?.total ?? total;
  const pages = Math.max(1, Math.ceil(shownTotal / PAGE_SIZE));
  const first = shownTotal === 0 ? 0 : offset + 1;
  const last = Math.min(offset + PAGE_SIZE, shownTotal);

  return (
    <section class="panel" aria-labelledby="riskiest-heading">
      <div class="panel-heading">
        <h3 id="riskiest-heading">Riskiest holders first</h3>
        <nav class="pager" aria-label="Pages of holders">
          <button
            type="button"
            class="secondary outline small"
            id="previous-page"
            disabled={offset === 0 || busy}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            ← Previous
          </button>
          <span class="pager-position" id="page-position" aria-live="polite">
            Page {count(offset / PAGE_SIZE + 1)} of {count(pages)}
          </span>
          <button
            type="button"
            class="secondary outline small"
            id="next-page"
            disabled={last >= shownTotal || busy}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            Next →
          </button>
        </nav>
      </div>
      {problem && (
        <Notice tone="error" title={`This page of holders could not be loaded: ${problem}.`}>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </Notice>
      )}
      <div class="table-scroll">
        <table id="riskiest" class="data-table stack-on-phone" aria-busy={busy}>
          <caption>
            Holders {count(first)}–{count(last)} of {count(shownTotal)}, highest probability of being late first
          </caption>
          <ColumnHeads columns={[numeric('Rank'), 'Holder', numeric('Probability'), 'What raises the risk most']} />
          <tbody>
            {(page?.rows ?? []).map((row) => (
              <HolderRow key={row.rank} row={row} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
