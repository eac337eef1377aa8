/**
 * Problems the server names by column, said with the feature's words: "Interest rate (int_rate):
 * is not a number" for a file a person must fix, "Interest rate: must be from 0 % to 100 %" for
 * the form, whose numbers are typed in display units.
 */
import { FEATURE_DISPLAY, featureLabel, formatFeatureValue } from '@peerloan/contracts/feature-display';
import type { FieldProblem } from './contract.js';

const FEATURE_NAMES = new Set(FEATURE_DISPLAY.map((d) => d.name));

export function isFeature(name: string): boolean {
  return FEATURE_NAMES.has(name);
}

/** A column as a person finds it in a file: its words and its name in the header. */
export function columnInWords(field: string): string {
  if (field === '(row)' || field === '') return 'The row';
  if (field === 'id') return 'Holder id (id)';
  return isFeature(field) ? `${featureLabel(field)} (${field})` : field;
}

/** A problem with a row or a header of a file: the column named in words and by name. */
export function fileProblem(problem: FieldProblem): string {
  return `${columnInWords(problem.field)}: ${problem.message}`;
}

const NUMBER = '(-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)';

/** The server's numbers are in data units; the form's person typed display units. */
function inDisplayUnits(field: string, message: string): string {
  if (!isFeature(field)) return message;
  const shown = (text: string) => formatFeatureValue(field, Number(text));
  return message
    .replace(
      new RegExp(`from ${NUMBER} to ${NUMBER}`),
      (_m, low: string, high: string) => `from ${shown(low)} to ${shown(high)}`,
    )
    .replace(new RegExp(`got ${NUMBER}$`), (_m, value: string) => `got ${shown(value)}`);
}

/** A problem with a field of the form: its label, and the numbers in the form's units. */
export function formProblem(problem: FieldProblem): string {
  const label = isFeature(problem.field) ? featureLabel(problem.field) : problem.field;
  return `${label}: ${inDisplayUnits(problem.field, problem.message)}`;
}
