/**
 * A completed batch: how many holders are flagged at the threshold, the histogram of
 * probabilities with the threshold marked, the riskiest holders, the breakdown by grade and by
 * purpose, the refused rows, and the downloads.
 */
import { useMemo, useState } from 'preact/hooks';
import { categoryLabel } from '@peerloan/contracts/feature-display';
import type { BatchStatus, BatchSummary, SegmentSummary } from '../contract.js';
import { ChartCanvas } from '../components/chart-canvas.js';
import { ColumnHeads, numeric } from '../components/column-heads.js';
import { Notice } from '../components/notice.js';
import { COLOURS, type ChartConfiguration } from '../charts.js';
import { count, percent } from '../format.js';
import { fileProblem } from '../problems.js';
import { RiskiestTable } from './riskiest-table.js';

function niceCeiling(value: number): number {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100]) if (value <= step) return step;
  return 100;
}

/** The bins in percent up to where holders (or the threshold) are, bars past the threshold in the flagged colour. */
function histogramConfig(summary: BatchSummary, log: boolean): ChartConfiguration {
  const { binWidth, counts } = summary.histogram;
  let last = 0;
  counts.forEach((c, i) => {
    if (c > 0) last = i;
  });
  const top = niceCeiling(Math.max((last + 1) * binWidth, summary.threshold * 1.2) * 100);
  const shown = counts.slice(0, Math.ceil(top / (binWidth * 100)));
  const data = shown.map((c, i) => ({ x: (i + 0.5) * binWidth * 100, y: c }));
  const colours = shown.map((_, i) => (i * binWidth >= summary.threshold ? COLOURS.flaggedFill : COLOURS.calmFill));
  return {
    type: 'bar',
    data: {
      datasets: [
        {
          label: 'Holders',
          data,
          backgroundColor: colours,
          barPercentage: 1,
          categoryPercentage: 1,
          borderWidth: 0,
        },
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: {
          type: 'linear',
          offset: false,
          min: 0,
          max: top,
          title: { display: true, text: 'Probability of being late (%)' },
          ticks: { callback: (v) => `${String(v)} %` },
          grid: { color: COLOURS.grid },
        },
        y: {
          type: log ? 'logarithmic' : 'linear',
          beginAtZero: !log,
          title: { display: true, text: log ? 'Holders (log scale)' : 'Holders' },
          grid: { color: COLOURS.grid },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const x = items[0]?.parsed.x ?? 0;
              const half = (binWidth * 100) / 2;
              return `${(x - half).toFixed(1)}–${(x + half).toFixed(1)} %`;
            },
            label: (item) => `${count(item.parsed.y ?? 0)} holders`,
          },
        },
        annotation: {
          annotations: {
            threshold: {
              type: 'line',
              xMin: summary.threshold * 100,
              xMax: summary.threshold * 100,
              borderColor: COLOURS.threshold,
              borderWidth: 2,
              borderDash: [6, 4],
              label: {
                display: true,
                content: `Threshold ${percent(summary.threshold)}`,
                position: 'end',
                backgroundColor: COLOURS.threshold,
                color: '#fff',
                font: { size: 11, weight: 'bold' },
              },
            },
          },
        },
      },
    },
  };
}

function histogramLabel(summary: BatchSummary): string {
  const { binWidth, counts } = summary.histogram;
  const peak = counts.indexOf(Math.max(...counts));
  return (
    `Histogram of the probabilities of ${count(summary.counts.scored)} holders. ` +
    `Most holders are between ${percent(peak * binWidth)} and ${percent((peak + 1) * binWidth)}. ` +
    `Threshold ${percent(summary.threshold)}: ${count(summary.flagged)} holders at or above it.`
  );
}

function gradeConfig(rows: readonly SegmentSummary[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.value),
      datasets: [
        {
          label: 'Flagged share',
          data: rows.map((r) => (r.count ? (r.flagged / r.count) * 100 : 0)),
          backgroundColor: COLOURS.flaggedFill,
        },
        {
          label: 'Mean probability',
          data: rows.map((r) => r.meanProbability * 100),
          backgroundColor: COLOURS.calmFill,
        },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'Grade' }, grid: { display: false } },
        y: {
          beginAtZero: true,
          ticks: { callback: (v) => `${String(v)} %` },
          grid: { color: COLOURS.grid },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${(item.parsed.y ?? 0).toFixed(1)} %` },
        },
      },
    },
  };
}

function SegmentTable({
  id,
  title,
  feature,
  rows,
}: {
  id: string;
  title: string;
  feature: string;
  rows: readonly SegmentSummary[];
}) {
  const topShare = Math.max(0.0001, ...rows.map((r) => (r.count ? r.flagged / r.count : 0)));
  return (
    <div class="table-scroll">
      <table id={id} class="data-table compact">
        <caption>{title}</caption>
        <ColumnHeads
          columns={[
            feature === 'grade' ? 'Grade' : 'Purpose',
            numeric('Holders'),
            numeric('Flagged'),
            'Flagged share',
            numeric('Mean probability'),
          ]}
        />
        <tbody>
          {rows.map((r) => {
            const share = r.count ? r.flagged / r.count : 0;
            return (
              <tr key={r.value}>
                <th scope="row">{categoryLabel(feature, r.value)}</th>
                <td class="num">{count(r.count)}</td>
                <td class="num">{count(r.flagged)}</td>
                <td>
                  <span class="share">
                    <span class="share-bar" aria-hidden="true">
                      <span class="share-fill" style={{ width: `${(share / topShare) * 100}%` }} />
                    </span>
                    <span class="share-text">{percent(share)}</span>
                  </span>
                </td>
                <td class="num">{percent(r.meanProbability)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RefusedRows({ status }: { status: BatchStatus }) {
  const { invalid } = status.counts;
  if (invalid === 0) return null;
  return (
    <section class="panel" aria-labelledby="refused-heading">
      <h3 id="refused-heading">Refused rows</h3>
      <Notice tone="warning" id="refused-summary">
        <p>
          {count(invalid)} {invalid === 1 ? 'row was' : 'rows were'} refused and {invalid === 1 ? 'is' : 'are'} not in
          the results. Correct {invalid === 1 ? 'it' : 'them'} in the file and score {invalid === 1 ? 'it' : 'them'}{' '}
          again.
          {status.errors.length < invalid && ` The first ${count(status.errors.length)} are listed.`}
        </p>
      </Notice>
      <div class="table-scroll">
        <table id="refused" class="data-table compact stack-on-phone">
          <ColumnHeads columns={[numeric('Row'), 'Holder', 'What is wrong']} />
          <tbody>
            {status.errors.map((e) => (
              <tr key={e.row}>
                <td class="num">{count(e.row)}</td>
                <td class="holder-id">{e.id}</td>
                <td>
                  <ul class="problems">
                    {e.errors.map((p) => (
                      <li key={p.field + p.message}>{fileProblem(p)}</li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The headline numbers and the downloads. */
function Headline({ summary }: { summary: BatchSummary }) {
  const id = encodeURIComponent(summary.id);
  return (
    <section class="panel headline" aria-labelledby="headline-heading">
      <h3 id="headline-heading" class="visually-hidden">
        Summary
      </h3>
      <div class="stats">
        <div class="stat stat-primary">
          <span class="stat-label">Flagged at the threshold</span>
          <span class="stat-value tone-flagged" id="flagged-count">
            {count(summary.flagged)}
          </span>
          <span class="stat-note" id="flagged-share">
            {percent(summary.flaggedShare)} of scored holders
          </span>
        </div>
        <div class="stat">
          <span class="stat-label">Threshold</span>
          <span class="stat-value" id="portfolio-threshold">
            {percent(summary.threshold)}
          </span>
          <span class="stat-note">probability of being late</span>
        </div>
        <div class="stat">
          <span class="stat-label">Scored</span>
          <span class="stat-value" id="scored-count">
            {count(summary.counts.scored)}
          </span>
          <span class="stat-note">of {count(summary.counts.total)} rows</span>
        </div>
        <div class="stat">
          <span class="stat-label">Refused</span>
          <span class={`stat-value ${summary.counts.invalid > 0 ? 'tone-warning' : ''}`} id="refused-count">
            {count(summary.counts.invalid)}
          </span>
          <span class="stat-note">rows not scored</span>
        </div>
      </div>
      <div class="downloads">
        <span class="muted small-text">
          Model {summary.modelVersions.map((v) => v).join(', ')} · every row with its three main reasons
        </span>
        <a role="button" class="small" href={`batches/${id}/results`} download id="download-csv">
          Download CSV
        </a>
        <a
          role="button"
          class="small secondary outline"
          href={`batches/${id}/results?format=jsonl`}
          download
          id="download-jsonl"
        >
          Download JSON lines
        </a>
      </div>
    </section>
  );
}

/** How the probabilities spread (on a log scale if asked) and the grade chart. */
function Distribution({ summary }: { summary: BatchSummary }) {
  const [log, setLog] = useState(false);
  const histogram = useMemo(() => histogramConfig(summary, log), [summary, log]);
  const grades = useMemo(() => gradeConfig(summary.byGrade), [summary]);
  return (
    <div class="two-columns">
      <section class="panel" aria-labelledby="histogram-heading">
        <div class="panel-heading">
          <h3 id="histogram-heading">How the probabilities spread</h3>
          <label class="switch-label">
            <input
              type="checkbox"
              role="switch"
              id="histogram-log"
              checked={log}
              onChange={(e) => setLog(e.currentTarget.checked)}
            />
            Log scale
          </label>
        </div>
        <ChartCanvas id="histogram" label={histogramLabel(summary)} config={histogram} />
        <p class="chart-note">
          <span class="swatch swatch-calm" aria-hidden="true" /> below the threshold{' '}
          <span class="swatch swatch-flagged" aria-hidden="true" /> flagged
        </p>
      </section>
      <section class="panel" aria-labelledby="grade-chart-heading">
        <h3 id="grade-chart-heading">By grade</h3>
        <ChartCanvas
          id="grade-chart"
          label={`Flagged share and mean probability for each grade; the table below gives the numbers.`}
          config={grades}
        />
      </section>
    </div>
  );
}

/** The segment tables: by grade, and by purpose with the highest flagged share first. */
function Breakdown({ summary }: { summary: BatchSummary }) {
  const byShare = useMemo(
    () => [...summary.byPurpose].sort((a, b) => b.flagged / (b.count || 1) - a.flagged / (a.count || 1)),
    [summary],
  );
  return (
    <section class="panel" aria-labelledby="breakdown-heading">
      <h3 id="breakdown-heading">Breakdown</h3>
      <div class="two-columns">
        <SegmentTable id="by-grade" title="By grade" feature="grade" rows={summary.byGrade} />
        <SegmentTable
          id="by-purpose"
          title="By purpose, highest flagged share first"
          feature="purpose"
          rows={byShare}
        />
      </div>
    </section>
  );
}

export function BatchResult({ status, summary }: { status: BatchStatus; summary: BatchSummary }) {
  return (
    <div class="result-stack" id="portfolio-result">
      <Headline summary={summary} />
      <Distribution summary={summary} />
      <RiskiestTable id={summary.id} total={summary.counts.scored} />
      <Breakdown summary={summary} />
      <RefusedRows status={status} />
    </div>
  );
}
