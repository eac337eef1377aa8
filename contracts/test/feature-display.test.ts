import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  categoryLabel,
  describeReason,
  FEATURE_DISPLAY,
  FEATURES,
  featureDisplay,
  featureLabel,
  formatFeatureValue,
  formatPoints,
  fromDisplay,
  toDisplay,
  unitSymbol,
} from '../src/index.js';

test('every feature of the schema has one display, in schema order, and no display is extra', () => {
  assert.deepEqual(
    FEATURE_DISPLAY.map((d) => d.name),
    FEATURES.map((f) => f.name),
  );
  for (const d of FEATURE_DISPLAY) {
    assert.ok(d.label.length > 0 && d.help.length > 0, d.name);
    assert.ok(!d.label.includes('_'), `${d.name}: a label in words`);
  }
  assert.throws(() => featureDisplay('is_late'), /no display for feature "is_late"/);
  assert.equal(featureLabel('id'), 'id', 'a column that is not a feature keeps its name');
});

test('rates are fractions in the data and percent on screen; dti is percent already', () => {
  assert.equal(toDisplay('int_rate', 0.1306), 13.06);
  assert.equal(fromDisplay('int_rate', 13.06), 0.1306);
  assert.equal(toDisplay('revol_util', 0.953), 95.3);
  assert.equal(fromDisplay('revol_util', 95.3), 0.953);
  assert.equal(toDisplay('dti', 18.55), 18.55);
  assert.equal(fromDisplay('dti', 18.55), 18.55);
  assert.equal(toDisplay('loan_amnt', 25_000), 25_000);
  assert.equal(toDisplay('revol_util', null), null);
  assert.equal(fromDisplay('purpose', 'car'), 'car');
  assert.deepEqual(
    FEATURE_DISPLAY.filter((d) => d.factor !== 1).map((d) => d.name),
    ['int_rate', 'revol_util'],
  );
  for (const value of [0, 0.0001, 0.07, 0.1138, 0.2043, 0.29, 1]) {
    assert.equal(fromDisplay('int_rate', toDisplay('int_rate', value)), value, `round trip of ${value}`);
  }
  assert.equal(unitSymbol('loan_amnt'), '$');
  assert.equal(unitSymbol('int_rate'), '%');
  assert.equal(unitSymbol('delinq_2yrs'), '');
});

test('values read as a person reads them', () => {
  assert.equal(formatFeatureValue('loan_amnt', 25_000), '$25,000');
  assert.equal(formatFeatureValue('annual_inc', 65_000.4), '$65,000');
  assert.equal(formatFeatureValue('int_rate', 0.2043), '20.4 %');
  assert.equal(formatFeatureValue('revol_util', 0.5), '50 %');
  assert.equal(formatFeatureValue('dti', 18.56), '18.6 %');
  assert.equal(formatFeatureValue('delinq_2yrs', 2), '2');
  assert.equal(formatFeatureValue('purpose', 'debt_consolidation'), 'Debt consolidation');
  assert.equal(formatFeatureValue('home_ownership', 'MORTGAGE'), 'Mortgage');
  assert.equal(formatFeatureValue('emp_length', '< 1 year'), 'Less than 1 year');
  assert.equal(formatFeatureValue('emp_length', '10+ years'), '10+ years');
  assert.equal(formatFeatureValue('grade', 'C'), 'C');
  assert.equal(formatFeatureValue('revol_util', null), 'not known');
  assert.equal(categoryLabel('purpose', 'spaceship'), 'spaceship', 'an unknown category is shown as it is');
  for (const f of FEATURES) {
    if (f.kind !== 'categorical') continue;
    for (const c of f.categories) {
      assert.ok(!/_|^[A-Z]{2,}$/.test(categoryLabel(f.name, c)), `${f.name} ${c} has words`);
    }
  }
});

test('a reason in words: label, value against the typical one, percentage points', () => {
  assert.equal(
    describeReason({ feature: 'int_rate', value: 0.2043, reference: 0.1212, contribution: 0.019 }),
    'Interest rate 20.4 % (typical 12.1 %): +1.9 points',
  );
  assert.equal(
    describeReason({
      feature: 'purpose',
      value: 'small_business',
      reference: 'debt_consolidation',
      contribution: 0.0082,
    }),
    'Purpose Small business (typical Debt consolidation): +0.8 points',
  );
  assert.equal(
    describeReason({ feature: 'emp_length', value: null, reference: '10+ years', contribution: 0.0004 }),
    'Employment length not known (typical 10+ years): +0.04 points',
  );
  assert.equal(formatPoints(-0.012), '\u22121.2 points');
  assert.equal(formatPoints(0.25), '+25.0 points');
});
