/**
 * report.html: one self-contained page (inline SVG and CSS, no scripts or remote assets) with
 * ROC, precision-recall, calibration and threshold trade-off curves, feature importance, the
 * search results and a data-quality table. Charts are drawn here as plain SVG polylines: a
 * charting library would need a DOM or ship a runtime for four line charts.
 */
import type { CardDataset, CardSegments, Interval, ModelCard, ModelManifest } from '@peerloan/contracts';
import type { LateRateBin } from './late-rates.js';
import { thresholdSweep } from './evaluation.js';

type Point = readonly [number, number];
interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  readonly color: string;
  readonly dashed?: boolean;
}

const W = 360;
const H = 260;
const PAD = 40;

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const fmt = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Keeps at most `n` evenly spaced points so the page stays small. */
function thin<T>(points: readonly T[], n = 200): T[] {
  if (points.length <= n) return [...points];
  const step = points.length / n;
  const out = Array.from({ length: n }, (_, i) => points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}

function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[], yMax = 1): string {
  const sx = (x: number) => PAD + x * (W - PAD - 10);
  const sy = (y: number) => H - PAD - (Math.min(y, yMax) / yMax) * (H - PAD - 20);
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''} points="${s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
  );
  const legend = series.map(
    (s, i) => `<text x="${PAD + 8}" y="${32 + i * 14}" fill="${s.color}" font-size="11">${esc(s.name)}</text>`,
  );
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      `<text x="${sx(t)}" y="${H - PAD + 14}" font-size="10" text-anchor="middle">${fmt(t, 2)}</text><text x="${PAD - 4}" y="${sy(t * yMax) + 3}" font-size="10" text-anchor="end">${fmt(t * yMax, 2)}</text>`,
  );
  return `<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<rect x="${PAD}" y="20" width="${W - PAD - 10}" height="${H - PAD - 20}" fill="#fafafa" stroke="#ccc"/>
${ticks.join('')}${lines.join('')}${legend.join('')}
<text x="${W / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>
<text x="12" y="${H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${H / 2})">${esc(yLabel)}</text>
</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

function barChart(title: string, values: Readonly<Record<string, number>>): string {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  const max = Math.max(...entries.map(([, v]) => v), 1e-9);
  const rowH = 20;
  const height = entries.length * rowH + 10;
  const bars = entries.map(
    ([name, v], i) =>
      `<text x="120" y="${i * rowH + 15}" font-size="11" text-anchor="end">${esc(name)}</text><rect x="126" y="${i * rowH + 4}" width="${((v / max) * 200).toFixed(1)}" height="14" fill="#3465a4"/><text x="${130 + (v / max) * 200}" y="${i * rowH + 15}" font-size="10">${(v * 100).toFixed(1)}%</text>`,
  );
  return `<figure><svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${esc(title)}">${bars.join('')}</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

export interface ReportCurves {
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  /** The later period's scores and outcomes, when the run was given --validation-data. */
  readonly outOfTime?: { readonly scores: ArrayLike<number>; readonly labels: ArrayLike<number> };
  /** Observed late rate per feature bin on the training rows. */
  readonly lateRates: Readonly<Record<string, readonly LateRateBin[]>>;
}

function rocAndPr(curves: ReportCurves): { roc: Point[]; pr: Point[]; tradeoff: Series[] } {
  const { thresholds, tp, fp, positives, negatives } = thresholdSweep(curves.scores, curves.labels);
  const total = positives + negatives;
  const roc: Point[] = [[0, 0], ...tp.map((t, k): Point => [fp[k] / negatives, t / positives])];
  const pr: Point[] = tp.map((t, k): Point => [t / positives, t / (t + fp[k])]);
  const byThreshold = thresholds
    .map((th, k) => ({
      th,
      precision: tp[k] / (tp[k] + fp[k]),
      recall: tp[k] / positives,
      flag: (tp[k] + fp[k]) / total,
    }))
    .filter((p) => p.th <= 0.5)
    .reverse();
  const xMax = 0.5;
  const tradeoff: Series[] = [
    { name: 'recall', color: '#cc0000', points: thin(byThreshold.map((p): Point => [p.th / xMax, p.recall])) },
    { name: 'precision', color: '#3465a4', points: thin(byThreshold.map((p): Point => [p.th / xMax, p.precision])) },
    { name: 'share flagged', color: '#4e9a06', points: thin(byThreshold.map((p): Point => [p.th / xMax, p.flag])) },
  ];
  return { roc: thin(roc), pr: thin(pr), tradeoff };
}

function calibrationPoints(curves: Pick<ReportCurves, 'scores' | 'labels'>, bins = 10): Point[] {
  const order = Array.from({ length: curves.labels.length }, (_, i) => i).sort(
    (a, b) => curves.scores[a] - curves.scores[b],
  );
  const points: Point[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(Math.floor((b * order.length) / bins), Math.floor(((b + 1) * order.length) / bins));
    if (slice.length === 0) continue;
    const meanScore = slice.reduce((a, i) => a + curves.scores[i], 0) / slice.length;
    const observed = slice.reduce((a, i) => a + curves.labels[i], 0) / slice.length;
    points.push([meanScore, observed]);
  }
  return points;
}

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const interval = (i: Interval | undefined, d = 4) =>
  i ? `${fmt(i.value, d)} (${fmt(i.low, d)} to ${fmt(i.high, d)})` : 'n/a';

function cvSection(manifest: ModelManifest): string {
  const rows = Object.entries(manifest.metrics.cv).map(([k, v]) => [k, fmt(v.mean), fmt(v.std), interval(v.pooled)]);
  const cal = manifest.metrics.calibration;
  return `<h2>Cross-validated metrics</h2>
${table(['metric', 'fold mean', 'fold std', 'pooled out-of-fold (95% bootstrap interval)'], rows)}
${priorShiftNote(manifest)}
${cal ? `<p>Out-of-fold calibration (optimistic: Platt was fitted on these scores): mean predicted ${fmt(cal.meanPredicted)}, observed ${fmt(cal.observedRate)}, slope ${fmt(cal.slope, 3)}, intercept ${fmt(cal.intercept, 3)}, expected calibration error ${fmt(cal.expectedCalibrationError)}.</p>` : ''}`;
}

function stabilitySection(manifest: ModelManifest): string {
  const st = manifest.stability;
  if (!st) return '<h2>Stability under reseeding</h2><p>Not measured (<code>stabilitySeeds</code> is 1).</p>';
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return `<h2>Stability under reseeding</h2>
<p>The chosen settings cross-validated again under ${st.seeds.length} seeds (folds, subsampling, SMOTE and XGBoost all reseeded), each calibrated and thresholded by the same policy.
CV ROC AUC ${fmt(st.rocAucSpread.min)} to ${fmt(st.rocAucSpread.max)} (mean ${fmt(st.rocAucSpread.mean)}, std ${fmt(st.rocAucSpread.std)});
${pct(st.anyFlipShare)} of the training loans change decision under at least one seed (the first seed flags ${pct(st.flaggedByDefaultShare)}).</p>
${table(
  ['seed', 'CV ROC AUC (fold mean)', 'decisions that differ from the first seed'],
  st.seeds.map((seed, k) => [k === 0 ? `${seed} (this run)` : seed, fmt(st.rocAuc[k]), pct(st.flipShare[k])]),
)}`;
}

function comparisonSection(manifest: ModelManifest): string {
  const c = manifest.comparison;
  if (!c) return '';
  return `<h2>Against the live model</h2>
<p>Live version ${esc(c.baselineVersion)} and this model scored on the same ${c.rows} loans of the later period${c.file ? ` (${esc(c.file)})` : ''}:
ROC AUC ${fmt(c.candidateRocAuc)} vs ${fmt(c.liveRocAuc)}, difference ${interval(c.difference)} (95% paired bootstrap). The quality gate's maxRegression reads this difference.</p>`;
}

function priorShiftNote(manifest: ModelManifest): string {
  const shift = manifest.calibration.priorShift;
  if (!shift)
    return "<p>No prior-shift correction (<code>expectedLateRate</code> not set): scores are calibrated to the training period's late rate.</p>";
  return `<p>Prior-shift correction: the Platt intercept was moved by ${fmt(shift.interceptShift, 3)} log-odds so the mean predicted probability is the expected late rate ${fmt(shift.expectedLateRate)} instead of the training period's ${fmt(shift.trainingLateRate)}; ranking is unchanged, the out-of-fold calibration below is measured against the training period's outcomes.</p>`;
}

function outOfTimeSection(manifest: ModelManifest): string {
  const oot = manifest.outOfTime;
  if (!oot)
    return '<h2>Out-of-time validation</h2><p>None: the run was not given a later period (<code>--validation-data</code>), so every number above is from one period.</p>';
  const cal = oot.calibration;
  const psi = Object.entries(oot.psi)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [k, fmt(v, 3), v > 0.25 ? 'large shift' : v > 0.1 ? 'moderate shift' : 'stable']);
  return `<h2>Out-of-time validation</h2>
<p>The model chosen by cross-validation, scored once on ${oot.rows} later loans (${oot.positives} late, ${((oot.positives / oot.rows) * 100).toFixed(2)}%).
Intervals: stratified bootstrap, ${oot.bootstrap.resamples} resamples, seed ${oot.bootstrap.seed}.</p>
${table(
  ['metric', 'value (95% interval)'],
  [
    ['ROC AUC', interval(oot.rocAuc)],
    ['PR AUC (average precision)', interval(oot.prAuc)],
    ['Brier score', interval(oot.brier)],
    [`precision at ${fmt(manifest.threshold.value)}`, interval(oot.atThreshold.precision, 3)],
    [`recall at ${fmt(manifest.threshold.value)}`, interval(oot.atThreshold.recall, 3)],
    ['share flagged', `${(oot.atThreshold.flagRate * 100).toFixed(1)}%`],
  ],
)}
<h3>Calibration out of time</h3>
${table(
  ['check', 'value', 'perfect'],
  [
    ['mean predicted probability', fmt(cal.meanPredicted), fmt(cal.observedRate)],
    ['observed late rate', fmt(cal.observedRate), ''],
    ['calibration-in-the-large (observed - mean predicted)', fmt(cal.observedRate - cal.meanPredicted), '0'],
    ['calibration slope', fmt(cal.slope, 3), '1'],
    ['calibration intercept', fmt(cal.intercept, 3), '0'],
    ['expected calibration error', fmt(cal.expectedCalibrationError), '0'],
  ],
)}
<h3>Population stability between the periods</h3>
${table(['feature', 'PSI', ''], psi)}`;
}

function lateRateSection(manifest: ModelManifest, lateRates: ReportCurves['lateRates']): string {
  // Partial: a feature without a constraint has no key.
  const monotone: Partial<Record<string, 1 | -1>> = manifest.model.monotone ?? {};
  const direction = (name: string) =>
    monotone[name] === 1
      ? 'constrained: risk rises with the value'
      : monotone[name] === -1
        ? 'constrained: risk falls as the value rises'
        : 'free';
  const tables = Object.entries(lateRates).map(
    ([name, bins]) => `<div class="late"><h3>${esc(name)} <small>(${direction(name)})</small></h3>
${table(
  ['bin', 'loans', 'late', 'late rate'],
  bins.map((b) => [b.label, b.rows, b.late, `${((b.late / b.rows) * 100).toFixed(2)}%`]),
)}</div>`,
  );
  return `<h2>Observed late rate by feature (training data)</h2>
<p>Deciles of each number (plus missing), each category of the others: where the observed rate does not move one way, a monotone constraint would cost accuracy.</p>
${tables.join('\n')}`;
}

function segmentTables(title: string, segments: CardSegments['crossValidation'], minLate: number): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  return Object.entries(segments)
    .map(
      ([feature, rows]) => `<div class="late"><h4>${esc(title)}: ${esc(feature)}</h4>
${table(
  ['value', 'loans', 'late', 'late rate', 'mean predicted', 'ROC AUC', 'recall', 'flagged', ''],
  rows.map((r) => [
    r.value,
    r.rows,
    r.late,
    pct(r.lateRate),
    pct(r.meanPredicted),
    r.rocAuc === null ? 'n/a' : fmt(r.rocAuc, 3),
    pct(r.recall),
    pct(r.flagRate),
    r.tooFewLate ? `fewer than ${minLate} late: noise` : '',
  ]),
)}</div>`,
    )
    .join('\n');
}

function modelCardSection(card: ModelCard): string {
  const list = (items: readonly string[]) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
  const dataRow = (name: string, d: CardDataset | undefined) =>
    d ? [name, d.file, d.rows, d.positives, `${(d.lateRate * 100).toFixed(2)}%`, d.sha256.slice(0, 16)] : undefined;
  const data = [dataRow('training', card.data.training), dataRow('out of time', card.data.outOfTime)].filter(
    (r): r is (string | number)[] => r !== undefined,
  );
  const cm = card.thresholdPolicy.confusionMatrix;
  const trained = card.trainedBy;
  return `<h2>Model card</h2>
<p>The same content as <code>model-card.json</code> beside this report.</p>
<h3>Intended use</h3><p>${esc(card.intendedUse.purpose)}</p>
<p>Users:</p>${list(card.intendedUse.users)}<p>Out of scope:</p>${list(card.intendedUse.outOfScope)}
<h3>Data</h3>
${table(['set', 'file (period)', 'loans', 'late', 'late rate', 'SHA-256 (first 16)'], data)}
<h3>Features</h3>
${table(
  ['feature', 'meaning', 'direction'],
  card.features.map((f) => [f.name, f.description, f.direction]),
)}
<h3>Metrics</h3>
${table(
  ['metric', 'CV fold mean (std)', 'CV pooled (95% interval)', 'out of time (95% interval)'],
  Object.entries(card.metrics.crossValidation).map(([name, m]) => {
    const oot = card.metrics.outOfTime?.[name as 'rocAuc' | 'prAuc' | 'brier'];
    return [name, `${fmt(m.foldMean)} (${fmt(m.foldStd)})`, interval(m.pooled), interval(oot)];
  }),
)}
<h3>Threshold policy</h3>
<p>${esc(card.thresholdPolicy.policy.policy)} ${card.thresholdPolicy.policy.value}: threshold ${fmt(card.thresholdPolicy.threshold)}, precision ${fmt(card.thresholdPolicy.precision, 3)}, recall ${fmt(card.thresholdPolicy.recall, 3)}, ${(card.thresholdPolicy.flagRate * 100).toFixed(1)}% flagged (out-of-fold).</p>
${table(
  ['', 'flagged', 'not flagged'],
  [
    ['late', cm.truePositives, cm.falseNegatives],
    ['on time', cm.falsePositives, cm.trueNegatives],
  ],
)}
<h3>Performance by segment</h3>
<p>Out-of-fold scores on the training period${card.segments.outOfTime ? ', then the served model on the later period' : ''}. Segments with fewer than ${card.segments.minLate} late loans are marked: their AUC and recall are noise.</p>
${segmentTables('training (out-of-fold)', card.segments.crossValidation, card.segments.minLate)}
${card.segments.outOfTime ? segmentTables('out of time', card.segments.outOfTime, card.segments.minLate) : ''}
<h3>Limitations</h3>${list(card.limitations)}
<h3>Trained by</h3>
<p>${esc(trained.trainer)}, ${esc(trained.engine)}, seed ${trained.seed}; configuration:</p>
<pre>${esc(JSON.stringify(trained.config, null, 2))}</pre>`;
}

/** The curves (ROC, precision-recall, calibration, threshold trade-off) and the feature importance bars. */
function charts(manifest: ModelManifest, curves: ReportCurves): string[] {
  const { roc, pr, tradeoff } = rocAndPr(curves);
  const calibration = calibrationPoints(curves);
  const calibrationOot = curves.outOfTime ? calibrationPoints(curves.outOfTime) : [];
  const calMax = Math.max(
    0.05,
    ...calibration.flatMap(([x, y]) => [x, y]),
    ...calibrationOot.flatMap(([x, y]) => [x, y]),
  );
  const m = manifest.metrics.cv;
  const th = manifest.threshold;
  return [
    lineChart(`ROC (out-of-fold), AUC ${fmt(m.rocAuc.mean)}`, 'false positive rate', 'true positive rate', [
      { name: 'model', color: '#3465a4', points: roc },
      {
        name: 'chance',
        color: '#999',
        dashed: true,
        points: [
          [0, 0],
          [1, 1],
        ],
      },
    ]),
    lineChart(`Precision-recall (out-of-fold), AP ${fmt(m.prAuc.mean)}`, 'recall', 'precision', [
      { name: 'model', color: '#3465a4', points: pr },
    ]),
    lineChart(
      'Calibration: mean predicted vs observed late rate per decile',
      `predicted (0 to ${fmt(calMax, 3)})`,
      'observed',
      [
        { name: 'out-of-fold', color: '#3465a4', points: calibration.map(([x, y]): Point => [x / calMax, y]) },
        ...(calibrationOot.length > 0
          ? [{ name: 'out of time', color: '#cc0000', points: calibrationOot.map(([x, y]): Point => [x / calMax, y]) }]
          : []),
        {
          name: 'perfect',
          color: '#999',
          dashed: true,
          points: [
            [0, 0],
            [1, calMax],
          ],
        },
      ],
      calMax,
    ),
    lineChart(`Threshold trade-off (chosen ${fmt(th.value)})`, 'threshold (0 to 0.5)', 'share', tradeoff),
    barChart('Feature importance (share of split gain)', manifest.model.importance),
  ];
}

/** The data-quality table's rows: rows used and skipped (by reason), and each feature's missing share. */
function qualityRows(manifest: ModelManifest): (string | number)[][] {
  return [
    ['rows used', manifest.data.rows],
    ['late loans', manifest.data.positives],
    ['rows skipped', manifest.data.badRows],
    ...Object.entries(manifest.data.badRowReasons).map(([r, n]) => [`skipped: ${r}`, n]),
    ...manifest.features.map((f) => [`missing: ${f.name}`, `${(f.missingShare * 100).toFixed(2)}%`]),
  ];
}

/** The search's candidates, best fold mean first, the chosen one marked. */
function candidateRows(manifest: ModelManifest): (string | number)[][] {
  const chosen = JSON.stringify([manifest.model.strategy, manifest.model.params]);
  return [...manifest.model.candidates]
    .sort((a, b) => b.rocAuc.mean - a.rocAuc.mean)
    .map((c) => [
      JSON.stringify([c.strategy, c.params]) === chosen ? 'chosen' : '',
      c.strategy,
      Object.entries(c.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      fmt(c.rocAuc.mean),
      fmt(c.rocAuc.std),
      `${fmt(Math.min(...c.rocAuc.folds))} to ${fmt(Math.max(...c.rocAuc.folds))}`,
      c.bestRounds,
    ]);
}

export function renderReport(manifest: ModelManifest, card: ModelCard, curves: ReportCurves): string {
  const th = manifest.threshold;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loan risk model ${esc(manifest.version)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}figure{display:inline-block;margin:0 1em 1em 0}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}
figcaption{font-size:13px;color:#555}.late{display:inline-block;vertical-align:top;margin-right:1.5em}</style></head><body>
<h1>Loan risk model ${esc(manifest.version)}</h1>
<p>Trained ${esc(manifest.created)} on ${manifest.data.rows} loans (${manifest.data.positives} late) in ${fmt(manifest.trainingSeconds, 1)} s.
Strategy <b>${esc(manifest.model.strategy)}</b>, ${manifest.model.rounds} trees, ${manifest.model.folds}-fold CV.</p>
${cvSection(manifest)}
${outOfTimeSection(manifest)}
${stabilitySection(manifest)}
${comparisonSection(manifest)}
<h2>Decision threshold</h2>
<p>Policy ${esc(th.policy.policy)} ${th.policy.value}: threshold ${fmt(th.value)} flags ${(th.flagRate * 100).toFixed(1)}% of loans,
precision ${fmt(th.precision, 3)}, recall ${fmt(th.recall, 3)} (out-of-fold, calibrated).</p>
${charts(manifest, curves).join('\n')}
${lateRateSection(manifest, curves.lateRates)}
<h2>Model search</h2>
<p>Chosen by the mean ROC AUC over the ${manifest.model.folds} cross-validation folds; the fold spread shows how much of a gap between candidates is noise.</p>
${table(['', 'imbalance', 'parameters', 'ROC AUC fold mean', 'fold std', 'fold range', 'rounds'], candidateRows(manifest))}
<h2>Data quality</h2>
${table(['check', 'value'], qualityRows(manifest))}
${modelCardSection(card)}
</body></html>
`;
}
