/**
 * One applicant: a form built from GET features (labels, units and help in the risk team's
 * words, the reference applicant filled in), POST predict, and the answer beside the form:
 * probability, decision against the threshold, the reasons in words, the model version.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  categoryLabel,
  describeReason,
  featureDisplay,
  formatFeatureValue,
  fromDisplay,
  toDisplay,
  unitSymbol,
} from '@peerloan/contracts/feature-display';
import { ApiError, getJson, isAuthStatus, postJson } from '../api.js';
import type { FeatureRuleAnswer, FeaturesAnswer, FeatureValue, PredictionAnswer } from '../contract.js';
import { Notice } from '../components/notice.js';
import { percent } from '../format.js';
import { formProblem } from '../problems.js';

type Texts = Record<string, string>;

/** A reference value as the form shows it: float32 noise dropped (7 digits), then in display units. */
function referenceText(rule: FeatureRuleAnswer): string {
  const { reference } = rule;
  if (reference === null) return '';
  if (typeof reference === 'string') return reference;
  return String(toDisplay(rule.name, Number(reference.toPrecision(7))));
}

function referenceTexts(features: FeaturesAnswer): Texts {
  return Object.fromEntries(features.features.map((rule) => [rule.name, referenceText(rule)]));
}

function bound(rule: FeatureRuleAnswer, value: number | undefined): number | undefined {
  return value === undefined ? undefined : (toDisplay(rule.name, value) as number);
}

/** The field's value in data units, or what to tell the person about it. */
function readField(rule: FeatureRuleAnswer, text: string): { value: FeatureValue } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return rule.nullable ? { value: null } : { problem: 'Enter a value.' };
  if (rule.kind === 'categorical') return { value: trimmed };
  const typed = Number(trimmed);
  if (!Number.isFinite(typed)) return { problem: 'Enter a number.' };
  const value = fromDisplay(rule.name, typed) as number;
  if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max))
    return {
      problem: `Enter a value from ${formatFeatureValue(rule.name, rule.min ?? null)} to ${formatFeatureValue(rule.name, rule.max ?? null)}.`,
    };
  if (rule.integer && !Number.isInteger(value)) return { problem: 'Enter a whole number.' };
  return { value };
}

interface FieldProps {
  readonly rule: FeatureRuleAnswer;
  readonly text: string;
  readonly problem: string | undefined;
  readonly onChange: (text: string) => void;
}

/** Under a field: what is wrong with its value, while something is, and its help (the input's aria-describedby names both). */
function FieldNotes({
  id,
  problem,
  help,
}: {
  readonly id: string;
  readonly problem: string | undefined;
  readonly help: string;
}) {
  return (
    <>
      {problem && (
        <small class="field-problem" id={`${id}-problem`}>
          {problem}
        </small>
      )}
      <small id={`${id}-help`}>{help}</small>
    </>
  );
}

function Field({ rule, text, problem, onChange }: FieldProps) {
  const display = featureDisplay(rule.name);
  const id = `f-${rule.name}`;
  const describedBy = problem ? `${id}-problem ${id}-help` : `${id}-help`;
  const invalid = problem ? true : undefined;
  if (rule.kind === 'categorical') {
    return (
      <div class="field">
        <label for={id}>{display.label}</label>
        <select
          id={id}
          name={rule.name}
          value={text}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(event) => onChange(event.currentTarget.value)}
        >
          {rule.nullable && <option value="">Not known</option>}
          {(rule.categories ?? []).map((c) => (
            <option key={c} value={c}>
              {categoryLabel(rule.name, c)}
            </option>
          ))}
        </select>
        <FieldNotes id={id} problem={problem} help={display.help} />
      </div>
    );
  }
  const symbol = unitSymbol(rule.name);
  return (
    <div class="field">
      <label for={id}>
        {display.label}
        {symbol && <span class="unit-label"> ({symbol === '$' ? 'US dollars' : 'percent'})</span>}
      </label>
      <div class={`unit-input ${symbol === '$' ? 'unit-before' : symbol ? 'unit-after' : ''}`}>
        {symbol === '$' && (
          <span class="unit" aria-hidden="true">
            $
          </span>
        )}
        <input
          type="number"
          id={id}
          name={rule.name}
          inputMode={rule.integer ? 'numeric' : 'decimal'}
          step={rule.integer ? 1 : 'any'}
          min={bound(rule, rule.min)}
          max={bound(rule, rule.max)}
          required={!rule.nullable}
          placeholder={rule.nullable ? 'Not known' : undefined}
          value={text}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(event) => onChange(event.currentTarget.value)}
        />
        {symbol === '%' && (
          <span class="unit" aria-hidden="true">
            %
          </span>
        )}
      </div>
      <FieldNotes id={id} problem={problem} help={display.help} />
    </div>
  );
}

/** Where the probability sits against the threshold, on a scale that keeps both in view. */
function RiskScale({ probability, threshold }: { probability: number; threshold: number }) {
  const top = Math.min(1, Math.max(threshold * 3, probability * 1.15));
  const at = (p: number) => `${Math.min(100, (p / top) * 100)}%`;
  return (
    <div class="risk-scale" aria-hidden="true">
      <div class="risk-track">
        <div class={`risk-fill ${probability >= threshold ? 'is-flagged' : ''}`} style={{ width: at(probability) }} />
        <div class="risk-threshold" style={{ left: at(threshold) }} />
      </div>
      <div class="risk-legend">
        <span>0 %</span>
        <span class="risk-threshold-label" style={{ left: at(threshold) }}>
          threshold {percent(threshold)}
        </span>
        <span>{percent(top, 0)}</span>
      </div>
    </div>
  );
}

function Result({ answer }: { answer: PredictionAnswer }) {
  const flagged = answer.decision === 'yes';
  return (
    <>
      <p class="eyebrow">Probability of being 16–120 days late next quarter</p>
      <p class={`big-number ${flagged ? 'tone-flagged' : 'tone-calm'}`} id="probability">
        {percent(answer.probability, 2)}
      </p>
      <p>
        <span class={`chip ${flagged ? 'chip-flagged' : 'chip-calm'}`} id="decision" data-decision={answer.decision}>
          {flagged ? 'Likely to be late: flagged' : 'Not likely to be late'}
        </span>
      </p>
      <RiskScale probability={answer.probability} threshold={answer.threshold} />
      <dl class="facts">
        <dt>Threshold</dt>
        <dd id="threshold">{percent(answer.threshold, 2)}</dd>
        <dt>Model version</dt>
        <dd>
          <code id="model-version">{answer.modelVersion}</code>
        </dd>
      </dl>
      <h3 class="h-small">What raises the risk most, against a typical applicant</h3>
      {answer.reasons.length === 0 ? (
        <p id="no-reasons">Nothing raises the risk above a typical applicant.</p>
      ) : (
        <ol id="reasons" class="reasons">
          {answer.reasons.map((r) => (
            <li key={r.feature}>{describeReason(r)}</li>
          ))}
        </ol>
      )}
    </>
  );
}

interface ProblemList {
  readonly title: string;
  readonly lines: readonly string[];
}

interface ApplicantFormProps {
  readonly features: FeaturesAnswer;
  readonly texts: Texts;
  readonly problems: Texts;
  readonly error: ProblemList | undefined;
  readonly busy: boolean;
  readonly onSubmit: (event: Event) => void;
  /** Back to the typical applicant, problems cleared. */
  readonly onReset: () => void;
  readonly onChange: (name: string, text: string) => void;
}

function ApplicantForm({ features, texts, problems, error, busy, onSubmit, onReset, onChange }: ApplicantFormProps) {
  return (
    <form id="applicant" class="panel" noValidate onSubmit={onSubmit}>
      <div class="panel-heading">
        <h3>Applicant</h3>
        <button type="button" class="secondary outline small" id="reset" onClick={onReset}>
          Typical applicant
        </button>
      </div>
      <div class="fields">
        {features.features.map((rule) => (
          <Field
            key={rule.name}
            rule={rule}
            text={texts[rule.name] ?? ''}
            problem={problems[rule.name]}
            onChange={(text) => onChange(rule.name, text)}
          />
        ))}
      </div>
      {error && (
        <Notice tone="error" title={error.title} id="error">
          {error.lines.length > 0 && (
            <ul>
              {error.lines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </Notice>
      )}
      <div class="actions">
        <button type="submit" id="submit" aria-busy={busy} disabled={busy}>
          Score this applicant
        </button>
      </div>
    </form>
  );
}

/** The latest answer (marked stale once the form changes), or the live model's version and threshold before any. */
function ResultPanel({
  answer,
  stale,
  features,
}: {
  answer: PredictionAnswer | undefined;
  stale: boolean;
  features: FeaturesAnswer;
}) {
  return (
    <section class="panel result-panel" id="result-panel" aria-labelledby="result-heading">
      <h3 id="result-heading" class="visually-hidden">
        Result
      </h3>
      <div id="result" aria-live="polite" class={stale ? 'is-stale' : ''}>
        {stale && (
          <p class="stale-note" id="stale-note">
            The form has changed since this result: score again to update it.
          </p>
        )}
        {answer ? (
          <Result answer={answer} />
        ) : (
          <div class="empty-result">
            <p>Fill in the applicant and choose “Score this applicant”.</p>
            <dl class="facts">
              <dt>Live model</dt>
              <dd>
                <code>{features.modelVersion}</code>
              </dd>
              <dt>Threshold</dt>
              <dd>{percent(features.threshold, 2)}</dd>
            </dl>
          </div>
        )}
      </div>
    </section>
  );
}

/** The form's texts read by the model's rules: the request body, and each field's problem if it has one. */
function readForm(features: FeaturesAnswer, texts: Texts): { body: Record<string, FeatureValue>; found: Texts } {
  const body: Record<string, FeatureValue> = {};
  const found: Texts = {};
  for (const rule of features.features) {
    const read = readField(rule, texts[rule.name] ?? '');
    if ('problem' in read) found[rule.name] = read.problem;
    else body[rule.name] = read.value;
  }
  return { body, found };
}

/** The model's fields on their way, or why they did not come and a way to ask again. */
function FormLoading({ loadError, onRetry }: { loadError: string | undefined; onRetry: () => void }) {
  return loadError ? (
    <Notice tone="error" title="The form could not be loaded" id="applicant-load-error">
      <p>{loadError}.</p>
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </Notice>
  ) : (
    <p aria-busy="true">Loading the model's fields…</p>
  );
}

export function ApplicantView() {
  const [features, setFeatures] = useState<FeaturesAnswer | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [texts, setTexts] = useState<Texts>({});
  const [problems, setProblems] = useState<Texts>({});
  const [error, setError] = useState<ProblemList | undefined>(undefined);
  const [answer, setAnswer] = useState<PredictionAnswer | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [scoredTexts, setScoredTexts] = useState<Texts | undefined>(undefined);

  const load = () => {
    setLoadError(undefined);
    getJson<FeaturesAnswer>('features').then(
      (loaded) => {
        setFeatures(loaded);
        setTexts(referenceTexts(loaded));
      },
      (err: unknown) => {
        setLoadError(err instanceof ApiError ? err.message : String(err));
      },
    );
  };
  useEffect(load, []);

  if (!features) {
    return <FormLoading loadError={loadError} onRetry={load} />;
  }

  const submit = async (event: Event) => {
    event.preventDefault();
    const { body, found } = readForm(features, texts);
    setProblems(found);
    setError(undefined);
    const first = Object.keys(found)[0];
    if (first) {
      setError({
        title: 'Check these fields',
        lines: Object.entries(found).map(([name, problem]) => `${featureDisplay(name).label}: ${problem}`),
      });
      document.getElementById(`f-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const scored = { ...texts };
      setAnswer(await postJson<PredictionAnswer>('predict?explain=true', body));
      setScoredTexts(scored);
      // On a narrow screen the result is below the form: bring it into view.
      document.getElementById('result-panel')?.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      setAnswer(undefined);
      if (!(err instanceof ApiError)) throw err;
      const details = err.body.details ?? [];
      setProblems(Object.fromEntries(details.map((d) => [d.field, formProblem(d)])));
      if (isAuthStatus(err.status))
        setError({ title: 'An API key is needed to score', lines: ['Use the API key button at the top of the page.'] });
      else setError({ title: `The applicant was not scored: ${err.message}`, lines: details.map(formProblem) });
    } finally {
      setBusy(false);
    }
  };

  const stale = answer !== undefined && JSON.stringify(texts) !== JSON.stringify(scoredTexts);

  return (
    <div class="applicant-layout">
      <ApplicantForm
        features={features}
        texts={texts}
        problems={problems}
        error={error}
        busy={busy}
        onSubmit={(event) => void submit(event)}
        onReset={() => {
          setTexts(referenceTexts(features));
          setProblems({});
          setError(undefined);
        }}
        onChange={(name, text) => setTexts((t) => ({ ...t, [name]: text }))}
      />
      <ResultPanel answer={answer} stale={stale} features={features} />
    </div>
  );
}
