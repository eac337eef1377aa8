/**
 * The feature schema: the one definition of what a loan row is. The trainer validates CSV rows
 * against it, the exporter names the model's inputs from it, the API validates requests with it.
 */

export interface NumericFeature {
  readonly name: string;
  readonly kind: 'numeric';
  readonly description: string;
  /** Missing values are allowed (NaN in the model, routed natively by XGBoost). */
  readonly nullable: boolean;
  /** Hard bounds: values outside are data errors, not outliers. */
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export interface CategoricalFeature {
  readonly name: string;
  readonly kind: 'categorical';
  readonly description: string;
  readonly nullable: boolean;
  /** Categories PeerLoan's data dictionary knows; the model's manifest records the ones seen. */
  readonly categories: readonly string[];
  /**
   * For ordered categories (grade, employment length) the model also gets the rank as a number,
   * which lets a tree split "grade C or worse" in one node instead of one per grade.
   */
  readonly ordinal?: readonly string[];
}

export type Feature = NumericFeature | CategoricalFeature;

const EMP_LENGTHS = [
  '< 1 year',
  '1 year',
  '2 years',
  '3 years',
  '4 years',
  '5 years',
  '6 years',
  '7 years',
  '8 years',
  '9 years',
  '10+ years',
] as const;

const GRADES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;

export const FEATURES: readonly Feature[] = [
  {
    name: 'loan_amnt',
    kind: 'numeric',
    nullable: false,
    min: 1,
    max: 1e7,
    description: 'Amount of the loan applied for, in dollars.',
  },
  {
    name: 'int_rate',
    kind: 'numeric',
    nullable: false,
    min: 0,
    max: 1,
    description: 'Interest rate of the loan as a fraction (0.1306 = 13.06%).',
  },
  {
    name: 'purpose',
    kind: 'categorical',
    nullable: false,
    description: 'Purpose of the loan given by the borrower.',
    categories: [
      'car',
      'credit_card',
      'debt_consolidation',
      'educational',
      'home_improvement',
      'house',
      'major_purchase',
      'medical',
      'moving',
      'other',
      'renewable_energy',
      'small_business',
      'vacation',
      'wedding',
    ],
  },
  {
    name: 'grade',
    kind: 'categorical',
    nullable: false,
    categories: GRADES,
    ordinal: GRADES,
    description: 'Loan grade assigned by PeerLoan (A best to G worst).',
  },
  {
    name: 'annual_inc',
    kind: 'numeric',
    nullable: false,
    min: 0,
    max: 1e9,
    description: 'Self-reported annual income, in dollars.',
  },
  {
    name: 'revol_util',
    kind: 'numeric',
    nullable: true,
    min: 0,
    max: 10,
    description: 'Revolving line utilisation as a fraction of available credit; may be missing.',
  },
  {
    name: 'emp_length',
    kind: 'categorical',
    nullable: true,
    categories: EMP_LENGTHS,
    ordinal: EMP_LENGTHS,
    description: 'Employment length ("< 1 year" to "10+ years"); may be missing.',
  },
  {
    name: 'dti',
    kind: 'numeric',
    nullable: false,
    min: 0,
    max: 1000,
    description: 'Monthly debt payments (excluding mortgage and this loan) over monthly income, in percent.',
  },
  {
    name: 'delinq_2yrs',
    kind: 'numeric',
    nullable: false,
    min: 0,
    max: 1000,
    integer: true,
    description: 'Number of 30+ days past-due incidences in the last 2 years.',
  },
  {
    name: 'home_ownership',
    kind: 'categorical',
    nullable: false,
    categories: ['MORTGAGE', 'RENT', 'OWN', 'OTHER', 'ANY', 'NONE'],
    description: 'Home ownership status: RENT, OWN, MORTGAGE or OTHER.',
  },
];

/** The label column: 1 when the loan was 16-120 days late in the next quarter. */
export const LABEL = 'is_late';

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/** The text columns: BYTES inputs in the Open Inference Protocol, strings in the ONNX graph. */
export const CATEGORICAL_FEATURES = FEATURES.filter((f): f is CategoricalFeature => f.kind === 'categorical');
export const NUMERIC_FEATURES = FEATURES.filter((f): f is NumericFeature => f.kind === 'numeric');

/** Features a monotone direction can be given to: numbers, and ordered categories by rank. */
export const MONOTONE_FEATURES: readonly string[] = FEATURES.filter((f) => f.kind === 'numeric' || f.ordinal).map(
  (f) => f.name,
);

export function featureByName(name: string): Feature | undefined {
  return FEATURES.find((f) => f.name === name);
}

/** One loan as the API and the CSV carry it: numbers, strings, or null for missing. */
export type LoanRecord = Record<string, number | string | null>;
