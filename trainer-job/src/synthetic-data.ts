/**
 * Seeded synthetic loans with the PeerLoan schema and realistic relations: worse grades carry
 * higher rates, and the late rate (about 2%) rises with grade, int_rate, dti, delinq_2yrs and
 * revolving utilisation, and falls with income. `shift` moves distributions for drift tests.
 * Tests and benchmarks use this; they never need the real data.
 */
import type { LoanRecord } from '@peerloan/contracts';
import { gaussian, mulberry32 } from './random.js';

export interface GeneratorOptions {
  readonly rows: number;
  readonly seed: number;
  /**
   * Drift: numeric feature -> shift in standard deviations; categorical feature -> share of rows
   * whose category is redrawn uniformly.
   */
  readonly shift?: Readonly<Record<string, number>>;
  /**
   * Prior shift: added to every loan's late log-odds, a period that runs later (or earlier) for
   * reasons the features do not show. 0.5 takes the late rate from about 2% to about 3.2%.
   */
  readonly lateLogitShift?: number;
}

export interface GeneratedLoan {
  readonly record: LoanRecord;
  readonly label: 0 | 1;
}

const GRADE_SHARES: [string, number][] = [
  ['A', 0.26],
  ['B', 0.3],
  ['C', 0.27],
  ['D', 0.135],
  ['E', 0.03],
  ['F', 0.005],
  ['G', 0.001],
];
const GRADE_RATE: Record<string, number> = { A: 0.07, B: 0.105, C: 0.14, D: 0.18, E: 0.22, F: 0.26, G: 0.29 };
const PURPOSE_SHARES: [string, number][] = [
  ['debt_consolidation', 0.48],
  ['credit_card', 0.263],
  ['other', 0.089],
  ['home_improvement', 0.069],
  ['major_purchase', 0.029],
  ['house', 0.019],
  ['medical', 0.014],
  ['car', 0.012],
  ['small_business', 0.009],
  ['vacation', 0.0085],
  ['moving', 0.007],
  ['renewable_energy', 0.0005],
];
const EMP_SHARES: [string, number][] = [
  ['10+ years', 0.337],
  ['2 years', 0.095],
  ['3 years', 0.084],
  ['< 1 year', 0.069],
  ['1 year', 0.067],
  ['4 years', 0.067],
  ['5 years', 0.063],
  ['6 years', 0.048],
  ['7 years', 0.039],
  ['8 years', 0.034],
  ['9 years', 0.028],
];
const HOME_SHARES: [string, number][] = [
  ['MORTGAGE', 0.446],
  ['RENT', 0.421],
  ['OWN', 0.1323],
  ['ANY', 0.0007],
];
const NUMERIC_STD: Record<string, number> = {
  loan_amnt: 9000,
  int_rate: 0.045,
  annual_inc: 50000,
  revol_util: 0.24,
  dti: 8.5,
  delinq_2yrs: 0.7,
};
/** Chosen so the late rate lands near the real 2.2%. */
const BASE_LOGIT = -4.95;

function pick(shares: readonly [string, number][], rng: () => number): string {
  const total = shares.reduce((a, [, s]) => a + s, 0);
  let u = rng() * total;
  for (const [value, share] of shares) {
    u -= share;
    if (u <= 0) return value;
  }
  return shares[shares.length - 1][0];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits: number) => Number(x.toFixed(digits));

function poisson(mean: number, rng: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k += 1;
    p *= rng();
  }
  return k;
}

function shifted(name: string, value: number, shift: Readonly<Record<string, number>>): number {
  return value + (shift[name] ?? 0) * (NUMERIC_STD[name] ?? 0);
}

function redraw(
  name: string,
  value: string,
  shares: readonly [string, number][],
  shift: Readonly<Record<string, number>>,
  rng: () => number,
): string {
  const share = shift[name] ?? 0;
  return share > 0 && rng() < share ? shares[Math.floor(rng() * shares.length)][0] : value;
}

function generateOne(
  rng: () => number,
  shift: Readonly<Record<string, number>>,
  lateLogitShift: number,
): GeneratedLoan {
  const grade = redraw('grade', pick(GRADE_SHARES, rng), GRADE_SHARES, shift, rng);
  const gradeRank = 'ABCDEFG'.indexOf(grade);
  const intRate = clamp(shifted('int_rate', GRADE_RATE[grade] + 0.012 * gaussian(rng), shift), 0.05, 0.31);
  const annualInc = Math.max(4000, shifted('annual_inc', Math.round(68000 * Math.exp(0.55 * gaussian(rng))), shift));
  const loanAmnt = clamp(
    Math.round(shifted('loan_amnt', 12000 * Math.exp(0.6 * gaussian(rng)), shift) / 25) * 25,
    1000,
    40000,
  );
  const dti = clamp(shifted('dti', 17 + 8.5 * gaussian(rng), shift), 0, 39.99);
  const revolUtil = clamp(shifted('revol_util', 0.43 + 0.24 * gaussian(rng), shift), 0, 1.2);
  const delinq = Math.max(0, Math.round(shifted('delinq_2yrs', poisson(0.24, rng), shift)));
  const empLength = redraw('emp_length', pick(EMP_SHARES, rng), EMP_SHARES, shift, rng);
  const purpose = redraw('purpose', pick(PURPOSE_SHARES, rng), PURPOSE_SHARES, shift, rng);
  const home = redraw('home_ownership', pick(HOME_SHARES, rng), HOME_SHARES, shift, rng);

  const logit =
    BASE_LOGIT +
    lateLogitShift +
    0.32 * gradeRank +
    9 * (intRate - 0.12) +
    0.025 * (dti - 17) +
    0.3 * delinq +
    0.5 * (revolUtil - 0.43) -
    0.35 * Math.log(annualInc / 68000) +
    0.8 * Math.max(0, loanAmnt / annualInc - 0.25) +
    (home === 'RENT' ? 0.15 : 0) +
    (purpose === 'small_business' ? 0.5 : 0) +
    0.35 * gaussian(rng);
  const label = rng() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;

  const record: LoanRecord = {
    loan_amnt: loanAmnt,
    int_rate: round(intRate, 4),
    purpose,
    grade,
    annual_inc: round(annualInc, 0),
    revol_util: rng() < 0.001 ? null : round(revolUtil, 3),
    emp_length: rng() < 0.07 ? null : empLength,
    dti: round(dti, 2),
    delinq_2yrs: delinq,
    home_ownership: home,
  };
  return { record, label };
}

export function* generateLoans(options: GeneratorOptions): Generator<GeneratedLoan> {
  const rng = mulberry32(options.seed);
  const shift = options.shift ?? {};
  for (let i = 0; i < options.rows; i++) yield generateOne(rng, shift, options.lateLogitShift ?? 0);
}
