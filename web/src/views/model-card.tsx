/** One version's model card (model-card.json) in the reviewers' words. */
import { useState } from 'preact/hooks';
import type { ModelCard, SegmentPerformance, ThresholdPolicy } from '@peerloan/contracts';
import { categoryLabel, featureLabel } from '@peerloan/contracts/feature-display';
import { count, dateTime, decimal, percent } from '../format.js';
import { ColumnHeads, numeric } from '../components/column-heads.js';

const METRICS: Readonly<Record<string, { name: string; better: 'higher' | 'lower' }>> = {
  rocAuc: { name: 'ROC AUC', better: 'higher' },
  prAuc: { name: 'PR AUC', better: 'higher' },
  brier: { name: 'Brier score', better: 'lower' },
  logLoss: { name: 'Log loss', better: 'lower' },
};

export function metricName(key: string): string {
  return METRICS[key]?.name ?? key;
}

export function policyInWords(policy: ThresholdPolicy | { policy: string; value: number }): string {
  switch (policy.policy) {
    case 'fixed':
      return `fixed at ${percent(policy.value)}`;
    case 'target-recall':
      return `set to catch ${percent(policy.value, 0)} of late loans`;
    case 'max-flag-rate':
      return `set to flag at most ${percent(policy.value, 0)} of loans`;
    default:
      return `${policy.policy} ${String(policy.value)}`;
  }
}

function interval(value: { value: number; low: number; high: number } | undefined): string {
  if (!value) return '—';
  return `${decimal(value.value)} (${decimal(value.low)}–${decimal(value.high)})`;
}

function MetricsTable({ card }: { card: ModelCard }) {
  const cv = card.metrics.crossValidation;
  const later = card.metrics.outOfTime;
  const keys = Object.keys(cv).filter((k) => k in METRICS);
  return (
    <div class="table-scroll">
      <table class="data-table compact" id="card-metrics">
        <caption>How well it separates late from current loans, with 95 % intervals</caption>
        <ColumnHeads
          columns={[
            'Metric',
            numeric('Cross-validation (mean ± sd)'),
            numeric('All folds pooled'),
            numeric('Later period'),
          ]}
        />
        <tbody>
          {keys.map((key) => {
            const m = cv[key];
            const laterValue =
              later && key in later ? (later as unknown as Record<string, typeof m.pooled>)[key] : undefined;
            return (
              <tr key={key}>
                <th scope="row">
                  {metricName(key)} <span class="muted small-text">({METRICS[key]?.better} is better)</span>
                </th>
                <td class="num">
                  {decimal(m.foldMean)} ± {decimal(m.foldStd)}
                </td>
                <td class="num">{interval(m.pooled)}</td>
                <td class="num">{interval(laterValue)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Each group's numbers for the one feature, in the period chosen. */
function SegmentRows({
  feature,
  rows,
  minLate,
}: {
  feature: string;
  rows: readonly SegmentPerformance[];
  minLate: number;
}) {
  return (
    <div class="table-scroll">
      <table class="data-table compact" id="card-segments">
        <caption>
          {featureLabel(feature)}: how the model does on each group. Groups with fewer than {minLate} late loans say
          little.
        </caption>
        <ColumnHeads
          columns={[
            featureLabel(feature),
            numeric('Loans'),
            numeric('Late rate'),
            numeric('Mean predicted'),
            numeric('ROC AUC'),
            numeric('Recall'),
            numeric('Flagged'),
          ]}
        />
        <tbody>
          {rows.map((s) => (
            <tr key={s.value} class={s.tooFewLate ? 'is-faint' : ''}>
              <th scope="row">
                {categoryLabel(feature, s.value)}
                {s.tooFewLate && <span class="chip chip-neutral chip-small">few late loans</span>}
              </th>
              <td class="num">{count(s.rows)}</td>
              <td class="num">{percent(s.lateRate, 2)}</td>
              <td class="num">{percent(s.meanPredicted, 2)}</td>
              <td class="num">{s.rocAuc === null ? '—' : decimal(s.rocAuc)}</td>
              <td class="num">{s.recall === null ? '—' : percent(s.recall, 0)}</td>
              <td class="num">{percent(s.flagRate, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SegmentsTable({ card }: { card: ModelCard }) {
  const periods = card.segments.outOfTime
    ? ([
        ['crossValidation', 'Training period (cross-validation)'],
        ['outOfTime', 'Later period'],
      ] as const)
    : ([['crossValidation', 'Training period (cross-validation)']] as const);
  const [period, setPeriod] = useState<'crossValidation' | 'outOfTime'>('crossValidation');
  const segments = card.segments[period] ?? card.segments.crossValidation;
  const features = Object.keys(segments);
  const [feature, setFeature] = useState(features[0] ?? 'grade');
  const given: readonly SegmentPerformance[] = segments[feature] ?? [];
  // Grades read best in their own order, A to G; other features keep the card's order.
  const rows = feature === 'grade' ? [...given].sort((a, b) => a.value.localeCompare(b.value)) : given;
  return (
    <>
      <div class="inline-controls">
        <label>
          Segments by
          <select id="segment-feature" value={feature} onChange={(e) => setFeature(e.currentTarget.value)}>
            {features.map((f) => (
              <option key={f} value={f}>
                {featureLabel(f)}
              </option>
            ))}
          </select>
        </label>
        {periods.length > 1 && (
          <label>
            Period
            <select
              id="segment-period"
              value={period}
              onChange={(e) => setPeriod(e.currentTarget.value as 'crossValidation' | 'outOfTime')}
            >
              {periods.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <SegmentRows feature={feature} rows={rows} minLate={card.segments.minLate} />
    </>
  );
}

const DIRECTION_WORDS = {
  rising: 'risk rises with it',
  falling: 'risk falls as it rises',
  free: 'either way',
} as const;

/** What the model is for, and not for. */
function IntendedUse({ card }: { card: ModelCard }) {
  return (
    <section class="panel" aria-labelledby="use-heading">
      <h3 id="use-heading">Intended use</h3>
      <p id="card-purpose">{card.intendedUse.purpose}</p>
      <div class="two-columns">
        <div>
          <h4 class="h-small">For</h4>
          <ul>
            {card.intendedUse.users.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </div>
        <div>
          <h4 class="h-small">Not for</h4>
          <ul>
            {card.intendedUse.outOfScope.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

/** The decision threshold, its precision, recall and flag rate, and the out-of-fold confusion matrix. */
function ThresholdSection({ card }: { card: ModelCard }) {
  const t = card.thresholdPolicy;
  const m = t.confusionMatrix;
  return (
    <section class="panel" aria-labelledby="threshold-heading">
      <h3 id="threshold-heading">Decision threshold</h3>
      <p>
        Loans with a probability of at least <strong>{percent(t.threshold, 2)}</strong> are flagged; the threshold is{' '}
        {policyInWords(t.policy)}.
      </p>
      <div class="stats stats-small">
        <div class="stat">
          <span class="stat-label">Precision</span>
          <span class="stat-value">{percent(t.precision, 1)}</span>
          <span class="stat-note">of flagged loans were late</span>
        </div>
        <div class="stat">
          <span class="stat-label">Recall</span>
          <span class="stat-value">{percent(t.recall, 1)}</span>
          <span class="stat-note">of late loans were flagged</span>
        </div>
        <div class="stat">
          <span class="stat-label">Flagged</span>
          <span class="stat-value">{percent(t.flagRate, 1)}</span>
          <span class="stat-note">of all loans</span>
        </div>
      </div>
      <table class="data-table compact confusion">
        <caption>Out-of-fold decisions on the training loans</caption>
        <ColumnHeads corner columns={[numeric('Late'), numeric('Not late')]} />
        <tbody>
          <tr>
            <th scope="row">Flagged</th>
            <td class="num">{count(m.truePositives)}</td>
            <td class="num">{count(m.falsePositives)}</td>
          </tr>
          <tr>
            <th scope="row">Not flagged</th>
            <td class="num">{count(m.falseNegatives)}</td>
            <td class="num">{count(m.trueNegatives)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

/** The metrics, and the data they were measured on. */
function PerformanceSection({ card }: { card: ModelCard }) {
  const later = card.data.outOfTime;
  return (
    <section class="panel span-all" aria-labelledby="metrics-heading">
      <h3 id="metrics-heading">Performance</h3>
      <MetricsTable card={card} />
      <dl class="facts facts-row">
        <dt>Trained on</dt>
        <dd>
          {count(card.data.training.rows)} loans ({card.data.training.file}), {percent(card.data.training.lateRate, 2)}{' '}
          late
        </dd>
        {later && (
          <>
            <dt>Checked on</dt>
            <dd>
              {count(later.rows)} later loans ({later.file}), {percent(later.lateRate, 2)} late
            </dd>
          </>
        )}
        {card.metrics.outOfTime && (
          <>
            <dt>Calibration (later period)</dt>
            <dd>
              predicted {percent(card.metrics.outOfTime.calibration.meanPredicted, 2)} against{' '}
              {percent(card.metrics.outOfTime.calibration.observedRate, 2)} observed
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** What the model cannot do, how each feature may move the risk, and where it came from. */
function LimitationsSection({ card }: { card: ModelCard }) {
  return (
    <section class="panel span-all" aria-labelledby="limitations-heading">
      <h3 id="limitations-heading">Limitations</h3>
      <ul id="card-limitations">
        {card.limitations.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
      <h4 class="h-small">How each feature may move the risk</h4>
      <ul class="directions">
        {card.features.map((f) => (
          <li key={f.name}>
            <strong>{featureLabel(f.name)}</strong>: {DIRECTION_WORDS[f.direction]}
          </li>
        ))}
      </ul>
      <p class="muted small-text">
        Version {card.version}, created {dateTime(card.created)} by {card.trainedBy.trainer} ({card.trainedBy.engine},
        seed {card.trainedBy.seed}).
      </p>
    </section>
  );
}

export function ModelCardView({ card }: { card: ModelCard }) {
  return (
    <div class="card-sections" id="model-card">
      <IntendedUse card={card} />
      <ThresholdSection card={card} />
      <PerformanceSection card={card} />
      <section class="panel span-all" aria-labelledby="segments-heading">
        <h3 id="segments-heading">Segments</h3>
        <SegmentsTable card={card} />
      </section>
      <LimitationsSection card={card} />
    </div>
  );
}
