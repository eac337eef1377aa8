/**
 * Turns one CSV row (all strings) into a typed loan record, or says what is wrong with each
 * field. Shared by the trainer (training CSV) and the batch scorer (portfolio CSV).
 */
import { FEATURES, LABEL, type Feature, type LoanRecord } from './features.js';

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

export function checkFeatureValue(feature: Feature, value: unknown): string | null {
  if (value === null || value === undefined) {
    return feature.nullable ? null : 'is required';
  }
  if (feature.kind === 'categorical') {
    return typeof value === 'string' && value.length > 0 ? null : 'must be a non-empty string';
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
  if (value < feature.min || value > feature.max) {
    return `must be between ${feature.min} and ${feature.max}, got ${value}`;
  }
  if (feature.integer && !Number.isInteger(value)) return `must be a whole number, got ${value}`;
  return null;
}

function parseCell(feature: Feature, text: string | undefined): { value: number | string | null } | { error: string } {
  const raw = text ?? '';
  let value: number | string | null;
  if (feature.kind === 'numeric') {
    const parsed = parseNumber(raw);
    if (parsed === undefined) return { error: `is not a number: "${raw.slice(0, 40)}"` };
    value = parsed;
  } else {
    value = raw.trim() === '' ? null : raw.trim();
  }
  const problem = checkFeatureValue(feature, value);
  return problem ? { error: problem } : { value };
}

/**
 * Validates a CSV row given as column -> text. With `requireLabel` the is_late column must be
 * 0 or 1. Extra columns (an id, say) are ignored here.
 */
export function parseCsvRow(row: Readonly<Record<string, string | undefined>>, requireLabel: boolean): RowResult {
  const errors: FieldError[] = [];
  const record: LoanRecord = {};
  for (const feature of FEATURES) {
    const cell = parseCell(feature, row[feature.name]);
    if ('error' in cell) errors.push({ field: feature.name, message: cell.error });
    else record[feature.name] = cell.value;
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
