/**
 * The features in the risk team's words: for each column of the feature schema (features.ts) a
 * label, the unit a person reads and types it in, the factor from the data's unit to that unit
 * (rates are fractions in the data and percent on screen), help text after PeerLoan's data
 * dictionary, and names for code-like category values. The web app's form, tables and reasons
 * all speak through this module, so a column name never reaches a person unexplained.
 * No Node imports: the page's bundle includes this file.
 */
import type { Reason } from './api-answers.js';
import { FEATURES } from './features.js';

/** How a value is read: money, a percentage, a count of events, or a named category. */
export type DisplayUnit = 'currency' | 'percent' | 'count' | 'category';

export interface FeatureDisplay {
  readonly name: string;
  /** The feature in words, as a form label or a table heading. */
  readonly label: string;
  readonly unit: DisplayUnit;
  /** ISO 4217 code of a currency unit. */
  readonly currency?: 'USD';
  /** Display value = data value x factor (int_rate 0.1306 is shown as 13.06 %). */
  readonly factor: number;
  /** Fraction digits when a value is shown (not when it is typed: the form keeps what was typed). */
  readonly digits: number;
  /** One or two sentences after the data dictionary's wording. */
  readonly help: string;
  /** Words for category values that read as codes; a value without an entry is shown as it is. */
  readonly categoryLabels?: Readonly<Record<string, string>>;
}

/** A reason as /predict and batch rows give it: the applicant's value against a typical one. */
/** A reason of /predict's answer and of a batch row (declared with the API's answers). */
export type FeatureReason = Reason;

/** A value as records carry it: a number or a category in data units, null when not known. */
export type FeatureValue = number | string | null;

const PURPOSE_LABELS: Readonly<Record<string, string>> = {
  car: 'Car',
  credit_card: 'Credit card',
  debt_consolidation: 'Debt consolidation',
  educational: 'Education',
  home_improvement: 'Home improvement',
  house: 'House',
  major_purchase: 'Major purchase',
  medical: 'Medical',
  moving: 'Moving',
  other: 'Other',
  renewable_energy: 'Renewable energy',
  small_business: 'Small business',
  vacation: 'Vacation',
  wedding: 'Wedding',
};

const HOME_OWNERSHIP_LABELS: Readonly<Record<string, string>> = {
  MORTGAGE: 'Mortgage',
  RENT: 'Rent',
  OWN: 'Own',
  OTHER: 'Other',
  ANY: 'Any',
  NONE: 'None',
};

/** In the order of the feature schema. */
export const FEATURE_DISPLAY: readonly FeatureDisplay[] = [
  {
    name: 'loan_amnt',
    label: 'Loan amount',
    unit: 'currency',
    currency: 'USD',
    factor: 1,
    digits: 0,
    help: 'The listed amount of the loan applied for by the borrower; if the credit department reduced it, the reduced amount.',
  },
  {
    name: 'int_rate',
    label: 'Interest rate',
    unit: 'percent',
    factor: 100,
    digits: 1,
    help: 'Interest rate on the loan, per year.',
  },
  {
    name: 'purpose',
    label: 'Purpose',
    unit: 'category',
    factor: 1,
    digits: 0,
    help: 'A category provided by the borrower for the loan request.',
    categoryLabels: PURPOSE_LABELS,
  },
  {
    name: 'grade',
    label: 'Grade',
    unit: 'category',
    factor: 1,
    digits: 0,
    help: 'Loan grade assigned by PeerLoan, from A (best) to G (worst).',
  },
  {
    name: 'annual_inc',
    label: 'Annual income',
    unit: 'currency',
    currency: 'USD',
    factor: 1,
    digits: 0,
    help: 'The self-reported annual income provided by the borrower during registration.',
  },
  {
    name: 'revol_util',
    label: 'Revolving utilisation',
    unit: 'percent',
    factor: 100,
    digits: 1,
    help: 'The amount of credit the borrower is using relative to all available revolving credit. May be not known.',
  },
  {
    name: 'emp_length',
    label: 'Employment length',
    unit: 'category',
    factor: 1,
    digits: 0,
    help: 'Employment length in years, from less than one year to ten or more. May be not known.',
    categoryLabels: { '< 1 year': 'Less than 1 year' },
  },
  {
    name: 'dti',
    label: 'Debt-to-income ratio',
    unit: 'percent',
    factor: 1,
    digits: 1,
    help: "The borrower's total monthly debt payments, excluding mortgage and the requested loan, divided by their self-reported monthly income.",
  },
  {
    name: 'delinq_2yrs',
    label: 'Delinquencies (2 years)',
    unit: 'count',
    factor: 1,
    digits: 0,
    help: "The number of 30+ days past-due incidences of delinquency in the borrower's credit file for the past 2 years.",
  },
  {
    name: 'home_ownership',
    label: 'Home ownership',
    unit: 'category',
    factor: 1,
    digits: 0,
    help: 'The home ownership status provided by the borrower during registration or obtained from the credit report.',
    categoryLabels: HOME_OWNERSHIP_LABELS,
  },
];

const BY_NAME = new Map(FEATURE_DISPLAY.map((d) => [d.name, d]));

/** The display of a feature of the schema; throws for a name the schema does not know. */
export function featureDisplay(name: string): FeatureDisplay {
  const display = BY_NAME.get(name);
  if (!display)
    throw new Error(`no display for feature "${name}"; features are ${FEATURES.map((f) => f.name).join(', ')}`);
  return display;
}

/** The label of a column: the feature's words, or the name itself for a column that is not a feature (an id). */
export function featureLabel(name: string): string {
  return BY_NAME.get(name)?.label ?? name;
}

/** The sign a value's input carries: '$' before money, '%' after a percentage, '' otherwise. */
export function unitSymbol(name: string): string {
  const { unit } = featureDisplay(name);
  if (unit === 'currency') return '$';
  return unit === 'percent' ? '%' : '';
}

/** Multiplying by a factor leaves binary noise (0.1306 x 100 = 13.059999999999999); twelve digits drop it. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** A data value in display units (fraction 0.1306 -> 13.06 percent); categories and null pass through. */
export function toDisplay(name: string, value: FeatureValue): FeatureValue {
  if (typeof value !== 'number') return value;
  const { factor } = featureDisplay(name);
  return factor === 1 ? value : clean(value * factor);
}

/** A value typed in display units back in data units (13.06 percent -> 0.1306). */
export function fromDisplay(name: string, value: FeatureValue): FeatureValue {
  if (typeof value !== 'number') return value;
  const { factor } = featureDisplay(name);
  return factor === 1 ? value : clean(value / factor);
}

/** A category value in words ('debt_consolidation' -> 'Debt consolidation'). */
export function categoryLabel(name: string, value: string): string {
  return BY_NAME.get(name)?.categoryLabels?.[value] ?? value;
}

function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A value as a person reads it: '$25,000', '20.4 %', 'Debt consolidation', 'not known'. */
export function formatFeatureValue(name: string, value: FeatureValue | undefined): string {
  if (value === null || value === undefined || value === '') return 'not known';
  const display = BY_NAME.get(name);
  if (!display) return String(value);
  if (typeof value === 'string') return categoryLabel(name, value);
  const shown = toDisplay(name, value) as number;
  if (display.unit === 'currency') {
    return shown.toLocaleString('en-US', {
      style: 'currency',
      currency: display.currency ?? 'USD',
      maximumFractionDigits: display.digits,
      minimumFractionDigits: 0,
    });
  }
  if (display.unit === 'percent') return `${formatNumber(shown, display.digits)} %`;
  return formatNumber(shown, display.digits);
}

/** A difference of probabilities in percentage points, signed: 0.019 -> '+1.9 points'. */
export function formatPoints(contribution: number): string {
  const points = contribution * 100;
  const digits = Math.abs(points) < 0.1 && points !== 0 ? 2 : 1;
  const text = Math.abs(points).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const sign = points < 0 ? '\u2212' : '+';
  return `${sign}${text} points`;
}

/** 'Interest rate 20.4 % (typical 12.1 %): +1.9 points'. */
export function describeReason(reason: FeatureReason): string {
  const value = formatFeatureValue(reason.feature, reason.value);
  const reference = formatFeatureValue(reason.feature, reason.reference);
  return `${featureLabel(reason.feature)} ${value} (typical ${reference}): ${formatPoints(reason.contribution)}`;
}
