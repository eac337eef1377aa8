/**
 * Model: the live version and its card, the report, a candidate and its traffic share when a
 * canary (or shadow) runs, or the command that decides on one awaiting approval, the version
 * history with each gate verdict and reviewer, and drift over time.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ModelCard } from '@peerloan/contracts';
import { FEATURE_DISPLAY, featureLabel } from '@peerloan/contracts/feature-display';
import { ApiError, getJson } from '../api.js';
import type { AwaitingApprovalAnswer, DriftAnswer, HistoryEntry, VersionEntry, VersionsAnswer } from '../contract.js';
import { ChartCanvas } from '../components/chart-canvas.js';
import { ColumnHeads, numeric } from '../components/column-heads.js';
import { Notice } from '../components/notice.js';
import { COLOURS, SERIES, type ChartConfiguration } from '../charts.js';
import { count, dateTime, decimal, shortDateTime } from '../format.js';
import { ModelCardView, metricName } from './model-card.js';

type Loaded<T> = { readonly value: T } | { readonly error: string } | undefined;

function useLoad<T>(path: string | undefined): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>(undefined);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    let current = true;
    setState(undefined);
    getJson<T>(path).then(
      (value) => {
        if (current) setState({ value });
      },
      (err: unknown) => {
        if (current) setState({ error: err instanceof ApiError ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [path, attempt]);
  return [state, () => setAttempt((a) => a + 1)];
}

function reportHref(version: string): string {
  return `versions/${encodeURIComponent(version)}/report`;
}

const ROLE_WORDS = { live: 'Live', candidate: 'Candidate', shadow: 'Shadow' } as const;

/** The candidate's part in the answers: a shadow answers nobody, a canary its share. */
function Traffic({ candidate, liveShare }: { candidate: VersionEntry; liveShare: number }) {
  return (
    <div class="traffic" id="canary">
      {candidate.role === 'shadow' ? (
        <p class="traffic-title">
          <span class="chip chip-neutral">Shadow</span> Candidate{' '}
          <code id="candidate-version">{candidate.version}</code> scores every request beside the live model; it answers
          nobody.
        </p>
      ) : candidate.trafficPercent > 0 ? (
        <p class="traffic-title">
          <span class="chip chip-warning">Canary</span> Candidate{' '}
          <code id="candidate-version">{candidate.version}</code> answers{' '}
          <strong id="candidate-share">{candidate.trafficPercent} %</strong> of requests.
        </p>
      ) : (
        <p class="traffic-title">
          <span class="chip chip-neutral">Waiting</span> Candidate{' '}
          <code id="candidate-version">{candidate.version}</code> answers nobody yet.
        </p>
      )}
      <div
        class="traffic-bar"
        role="img"
        aria-label={`Live ${liveShare} %, candidate ${candidate.role === 'candidate' ? candidate.trafficPercent : 0} % of answers`}
      >
        <span class="traffic-live" style={{ flexGrow: liveShare }}>
          Live {liveShare} %
        </span>
        {candidate.role === 'candidate' && candidate.trafficPercent > 0 && (
          <span class="traffic-candidate" style={{ flexGrow: candidate.trafficPercent }}>
            {candidate.trafficPercent} %
          </span>
        )}
      </div>
    </div>
  );
}

/** A candidate the gate accepted serves nobody until a reviewer decides: who runs what. */
function AwaitingApproval({ waiting }: { waiting: AwaitingApprovalAnswer }) {
  const { namespace, name } = waiting.model;
  const decide = (verb: 'approve' | 'reject') =>
    `npx loanrisk-models ${verb} -n ${namespace} ${name} ${waiting.version}`;
  return (
    <div class="traffic" id="awaiting-approval">
      <p class="traffic-title">
        <span class="chip chip-warning">Awaiting approval</span> Version{' '}
        <code id="awaiting-version">{waiting.version}</code> passed the quality gate on {dateTime(waiting.since)} and
        waits for approval; it answers nobody until then. A reviewer other than the model's last author approves it
        with:
      </p>
      <pre>
        <code id="approve-command">{decide('approve')}</code>
      </pre>
      <p class="muted small-text">
        or rejects it with <code>{decide('reject')}</code>.
      </p>
    </div>
  );
}

function VersionRow({ v }: { v: VersionEntry }) {
  return (
    <tr>
      <th scope="row">
        <code>{v.version}</code>
      </th>
      <td>
        <span class={`chip chip-small ${v.role === 'live' ? 'chip-calm' : 'chip-warning'}`}>{ROLE_WORDS[v.role]}</span>
      </td>
      <td class="num">{v.trafficPercent} %</td>
      <td class="nowrap">{v.created ? dateTime(v.created) : '—'}</td>
      <td>
        {v.threshold ? (
          <>
            {decimal(v.threshold.value * 100, 2)} %{' '}
            <span class="muted small-text">{policyName(v.threshold.policy)}</span>
          </>
        ) : (
          <span class="muted small-text">not loaded yet</span>
        )}
      </td>
      <td class="num">{v.metrics ? decimal(v.metrics.rocAuc) : '—'}</td>
      <td class="num">
        {v.outOfTime
          ? `${decimal(v.outOfTime.rocAuc.value)} (${decimal(v.outOfTime.rocAuc.low)}–${decimal(v.outOfTime.rocAuc.high)})`
          : '—'}
      </td>
      <td class="num">{v.metrics ? decimal(v.metrics.prAuc) : '—'}</td>
      <td class="num">{v.metrics ? decimal(v.metrics.brier, 4) : '—'}</td>
    </tr>
  );
}

function Rollout({ versions, waiting }: { versions: readonly VersionEntry[]; waiting?: AwaitingApprovalAnswer }) {
  const live = versions.find((v) => v.role === 'live');
  const candidate = versions.find((v) => v.role !== 'live');
  if (!live) return <Notice tone="warning" title="No version is live on this server." />;
  const liveShare = candidate?.role === 'candidate' ? 100 - candidate.trafficPercent : 100;
  return (
    <section class="panel" aria-labelledby="rollout-heading" id="rollout">
      <div class="panel-heading">
        <h3 id="rollout-heading">What serves now</h3>
        <a role="button" class="small" href={reportHref(live.version)} target="_blank" rel="noopener" id="report-link">
          Open the live model's report ↗
        </a>
      </div>
      {waiting && <AwaitingApproval waiting={waiting} />}
      {candidate && <Traffic candidate={candidate} liveShare={liveShare} />}
      <div class="table-scroll">
        <table class="data-table compact" id="versions">
          <caption>Versions this server holds</caption>
          <ColumnHeads
            columns={[
              'Version',
              'Role',
              numeric('Traffic'),
              'Created',
              'Threshold',
              numeric(metricName('rocAuc')),
              numeric(`Later period ${metricName('rocAuc')}`),
              numeric(metricName('prAuc')),
              numeric(metricName('brier')),
            ]}
          />
          <tbody>
            {versions.map((v) => (
              <VersionRow key={v.version} v={v} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function policyName(policy: string): string {
  return { fixed: 'fixed', 'target-recall': 'target recall', 'max-flag-rate': 'most flagged' }[policy] ?? policy;
}

function verdictTone(verdict: string | undefined): string {
  if (!verdict) return 'chip-neutral';
  if (/pass|approv|promot|accept|live/i.test(verdict)) return 'chip-calm';
  if (/fail|reject|refus|roll|degrad/i.test(verdict)) return 'chip-flagged';
  return 'chip-neutral';
}

/** By the time of the verdict (or creation), newest first; entries without times keep their order, last. */
function newestFirst(history: readonly HistoryEntry[]): HistoryEntry[] {
  const time = (h: HistoryEntry) => Date.parse(h.at ?? h.created ?? '') || 0;
  return history
    .map((h, i) => ({ h, i }))
    .sort((a, b) => time(b.h) - time(a.h) || b.i - a.i)
    .map(({ h }) => h);
}

function History({ history }: { history: readonly HistoryEntry[] }) {
  // Only models with approval required have reviewers; the column stays away elsewhere.
  const reviewed = history.some((h) => h.approval);
  return (
    <section class="panel" aria-labelledby="history-heading">
      <h3 id="history-heading">History</h3>
      {history.length === 0 ? (
        <p class="muted">No earlier versions recorded.</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table compact" id="history">
            <caption>
              Every version trained, newest first, with the quality gate's verdict
              {reviewed && " and the reviewer's decision"}
            </caption>
            <ColumnHeads
              columns={[
                'Version',
                'Created',
                'Verdict',
                'Why',
                ...(reviewed ? ['Reviewed by'] : []),
                'Decided',
                numeric(metricName('rocAuc')),
              ]}
            />
            <tbody>
              {newestFirst(history).map((h, i) => (
                <tr key={`${h.version}-${String(i)}`}>
                  <th scope="row">
                    <code>{h.version}</code>
                  </th>
                  <td class="nowrap">{dateTime(h.created)}</td>
                  <td>
                    {h.verdict ? <span class={`chip chip-small ${verdictTone(h.verdict)}`}>{h.verdict}</span> : '—'}
                  </td>
                  <td>{h.reason ?? ''}</td>
                  {reviewed && <td title={h.approval?.note}>{h.approval?.user ?? ''}</td>}
                  <td class="nowrap">{dateTime(h.at)}</td>
                  <td class="num">{h.rocAuc === undefined ? '—' : decimal(h.rocAuc)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function driftConfig(drift: DriftAnswer, threshold: number): ChartConfiguration {
  const labels = drift.windows.map((w) => shortDateTime(w.at));
  const features = FEATURE_DISPLAY.filter((d) => drift.windows.some((w) => d.name in w.psi));
  return {
    type: 'line',
    data: {
      labels,
      datasets: [
        ...features.map((d, i) => ({
          label: d.label,
          data: drift.windows.map((w) => w.psi[d.name] ?? null),
          borderColor: SERIES[i % SERIES.length],
          backgroundColor: SERIES[i % SERIES.length],
          borderWidth: 1.5,
          pointRadius: 2,
          spanGaps: true,
        })),
        {
          label: 'Score',
          data: drift.windows.map((w) => w.scorePsi),
          borderColor: '#1f2937',
          backgroundColor: '#1f2937',
          borderDash: [5, 3],
          borderWidth: 2.5,
          pointRadius: 2,
        },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: {
          beginAtZero: true,
          title: { display: true, text: 'Population stability index (PSI)' },
          grid: { color: COLOURS.grid },
          suggestedMax: threshold * 1.4,
        },
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 24 } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 2 } },
        annotation: {
          annotations: {
            threshold: {
              type: 'line',
              yMin: threshold,
              yMax: threshold,
              borderColor: COLOURS.threshold,
              borderWidth: 2,
              borderDash: [6, 4],
              label: {
                display: true,
                content: `Drift threshold ${String(threshold)}`,
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

function Drift({ drift }: { drift: DriftAnswer }) {
  const latest = drift.windows.at(-1);
  // The chart shows only with a window, so the 0 for "no window yet" is never drawn.
  const threshold = latest?.threshold ?? 0;
  const config = useMemo(() => driftConfig(drift, threshold), [drift, threshold]);
  if (!latest)
    return (
      <section class="panel" aria-labelledby="drift-heading" id="drift">
        <h3 id="drift-heading">Drift</h3>
        <p class="muted" id="drift-empty">
          No drift windows recorded yet. They appear once the server has logged predictions for a window.
        </p>
      </section>
    );
  const rows = [
    ...Object.entries(latest.psi).map(([name, psi]) => ({ name: featureLabel(name), psi })),
    { name: 'Score', psi: latest.scorePsi },
  ].sort((a, b) => b.psi - a.psi);
  const drifted = rows.filter((r) => r.psi >= threshold);
  return (
    <section class="panel" aria-labelledby="drift-heading" id="drift">
      <h3 id="drift-heading">Drift</h3>
      <p>
        How far each feature's recent values are from the training data's, per window.{' '}
        {drifted.length === 0 ? (
          <span>In the latest window nothing is above the threshold of {threshold}.</span>
        ) : (
          <strong class="tone-flagged">
            Above the threshold of {threshold} in the latest window: {drifted.map((r) => r.name).join(', ')}.
          </strong>
        )}
      </p>
      <div class="two-columns drift-layout">
        <ChartCanvas
          id="drift-chart"
          height="tall"
          label={`PSI per feature over ${count(drift.windows.length)} windows, threshold ${threshold}; the table gives the latest window.`}
          config={config}
        />
        <div class="table-scroll">
          <table class="data-table compact" id="drift-latest">
            <caption>
              Latest window, {dateTime(latest.at)} ({count(latest.events)} predictions)
            </caption>
            <ColumnHeads columns={['Feature', numeric('PSI')]} />
            <tbody>
              {rows.map((r) => (
                <tr key={r.name} class={r.psi >= threshold ? 'is-alert' : ''}>
                  <th scope="row">{r.name}</th>
                  <td class="num">{decimal(r.psi, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function Failed({ what, error, retry }: { what: string; error: string; retry: () => void }) {
  return (
    <Notice tone="error" title={`${what} could not be loaded: ${error}.`}>
      <button type="button" class="small" onClick={retry}>
        Try again
      </button>
    </Notice>
  );
}

export function ModelView() {
  const [versions, reloadVersions] = useLoad<VersionsAnswer>('versions');
  const [drift, reloadDrift] = useLoad<DriftAnswer>('drift');
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const list = versions && 'value' in versions ? versions.value.versions : [];
  const cardVersion = chosen ?? list.find((v) => v.role === 'live')?.version;
  const [card, reloadCard] = useLoad<ModelCard>(
    cardVersion ? `versions/${encodeURIComponent(cardVersion)}/card` : undefined,
  );

  return (
    <div class="model">
      {!versions && <p aria-busy="true">Loading the versions…</p>}
      {versions && 'error' in versions && <Failed what="The versions" error={versions.error} retry={reloadVersions} />}
      {versions && 'value' in versions && (
        <Rollout versions={versions.value.versions} waiting={versions.value.awaitingApproval} />
      )}
      {cardVersion && (
        <section class="card-heading" aria-labelledby="card-heading">
          <h3 id="card-heading">Model card</h3>
          {list.length > 1 && (
            <label class="inline-label">
              Version
              <select id="card-version" value={cardVersion} onChange={(e) => setChosen(e.currentTarget.value)}>
                {list.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version} ({ROLE_WORDS[v.role].toLowerCase()})
                  </option>
                ))}
              </select>
            </label>
          )}
          <a href={reportHref(cardVersion)} target="_blank" rel="noopener" id="card-report-link">
            Full report of {cardVersion} ↗
          </a>
        </section>
      )}
      {cardVersion && !card && <p aria-busy="true">Loading the model card…</p>}
      {card && 'error' in card && <Failed what="The model card" error={card.error} retry={reloadCard} />}
      {card && 'value' in card && <ModelCardView card={card.value} />}
      {versions && 'value' in versions && <History history={versions.value.history} />}
      {!drift && <p aria-busy="true">Loading drift…</p>}
      {drift && 'error' in drift && <Failed what="Drift" error={drift.error} retry={reloadDrift} />}
      {drift && 'value' in drift && <Drift drift={drift.value} />}
    </div>
  );
}
