/**
 * Turns one CSV row (all strings) into a typed loan record, or says what is wrong with each
 * field. Shared by the trainer (training CSV) and the batch scorer (portfolio CSV); the values are
 * checked by the one feature validator (feature-rules.ts), which the API's JSON requests use too.
 */
import { checkFieldValue, featureRule, type FieldRule } from './feature-rules.js';
import { FEATURES, LABEL, type LoanRecord } from './features.js';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type RowResult =
  | { readonly ok: true; readonly record: LoanRecord; readonly label?: 0 | 1 }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** Parses a numeric cell: '' is missing, anything Number() cannot read fully is an error. */
function parseNumber(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** CSV rows are checked against the feature schema; their category names are the trainer's to learn. */
const CSV_RULES: readonly FieldRule[] = FEATURES.map((feature) => featureRule(feature, 'any'));

function parseCell(rule: FieldRule, text: string | undefined): { value: number | string | null } | { error: string } {
  const raw = text ?? '';
  let value: number | string | null;
  if (rule.kind === 'numeric') {
    const parsed = parseNumber(raw);
    if (parsed === undefined) return { error: `is not a number: "${raw.slice(0, 40)}"` };
    value = parsed;
  } else {
    value = raw.trim() === '' ? null : raw.trim();
  }
  const problem = checkFieldValue(rule, value);
  return problem ? { error: problem } : { value };
}

/**
 * Validates a CSV row given as column -> text. With `requireLabel` the is_late column must be
 * 0 or 1. Extra columns (an id, say) are ignored here.
 */
export function parseCsvRow(row: Readonly<Record<string, string | undefined>>, requireLabel: boolean): RowResult {
  const errors: FieldError[] = [];
  const record: LoanRecord = {};
  for (const rule of CSV_RULES) {
    const cell = parseCell(rule, row[rule.name]);
    if ('error' in cell) errors.push({ field: rule.name, message: cell.error });
    else record[rule.name] = cell.value;
  }
  let label: 0 | 1 | undefined;
  if (requireLabel) {
    const text = (row[LABEL] ?? '').trim();
    if (text === '0' || text === '1') label = text === '1' ? 1 : 0;
    else errors.push({ field: LABEL, message: `must be 0 or 1, got "${text.slice(0, 40)}"` });
  }
  if (errors.length > 0) return { ok: false, errors };
  return label === undefined ? { ok: true, record } : { ok: true, record, label };
}
