/**
 * The web page in real Chromium (Debian's, driven by playwright-core): the form is built from the
 * manifest, submitting it shows what /predict answers, and the page loads nothing from outside.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { required } from '@peerloan/operator/dist/test/required.js';
import { chromium, type Browser } from 'playwright-core';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots go to test-results/ at the repository root (git-ignored). */
const RESULTS = fileURLToPath(new URL('../../../test-results/', import.meta.url));

describe('web page', () => {
  let api: RunningServer;
  let browser: Browser;
  let secured: RunningServer;
  let version: string;
  const key = newKey('risk-team', ['predict']);

  before(async () => {
    const root = await tempDir('api-page');
    version = await trainModel(root, 9);
    api = await startApi({ MODEL_DIR: root });
    const volume = new SecretVolume(await tempDir('api-page-keys'));
    await volume.create(keysFileText([key]));
    secured = await startApi({ MODEL_DIR: root, AUTH_API_KEYS_FILE: volume.file });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser.close();
    await api.shutdown();
    await secured.shutdown();
  });

  test('the form scores an applicant and shows probability, decision, reasons and version', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${api.url}/`);

    const manifest = required(api.store.current, 'the served model').manifest;
    for (const f of manifest.features) {
      assert.equal(await page.locator(`label[for="f-${f.name}"]`).count(), 1, `a label for ${f.name}`);
    }
    const purposes = await page
      .locator('#f-purpose option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(
      purposes,
      required(
        manifest.features.find((f) => f.name === 'purpose'),
        'the purpose feature',
      ).categories,
    );
    const empLengths = await page
      .locator('#f-emp_length option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.equal(empLengths[0], '', 'a nullable category can be left unknown');
    assert.equal(await page.locator('#f-int_rate').getAttribute('max'), '1');

    const applicant = {
      loan_amnt: 25000,
      int_rate: 0.27,
      purpose: 'small_business',
      grade: 'F',
      annual_inc: 24000,
      revol_util: 0.95,
      emp_length: null,
      dti: 35,
      delinq_2yrs: 2,
      home_ownership: 'RENT',
    };
    for (const [name, value] of Object.entries(applicant)) {
      const field = page.locator(`#f-${name}`);
      if (typeof value === 'number') await field.fill(String(value));
      else await field.selectOption(value ?? '');
    }
    await page.click('#submit');
    await page.locator('#result').waitFor({ state: 'visible' });

    const expected = (await postJson(`${api.url}/predict`, applicant)).body as {
      probability: number;
      decision: string;
      reasons: { feature: string }[];
    };
    assert.equal(await page.locator('#probability').textContent(), `${(expected.probability * 100).toFixed(2)} %`);
    assert.match((await page.locator('#decision').textContent()) ?? '', new RegExp(`^${expected.decision}:`));
    assert.equal(await page.locator('#model-version').textContent(), version);
    const reasons = await page.locator('#reasons li').allTextContents();
    assert.equal(reasons.length, expected.reasons.length);
    expected.reasons.forEach((r, i) => {
      assert.ok(reasons[i].startsWith(`${r.feature} = `));
    });

    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'web-page.png'), fullPage: true });
    assert.deepEqual(
      requested.filter((u) => !u.startsWith(api.url)),
      [],
      'no request leaves the server',
    );
    assert.deepEqual(problems, [], 'no script error or CSP violation');
    await page.close();
  });

  test('a value the API refuses is shown as the error, naming the field', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/`);
    // The browser's own checks would stop the submit; the API's are what this test is about.
    await page.locator('#applicant').evaluate((form) => {
      form.setAttribute('novalidate', '');
    });
    await page.locator('#f-loan_amnt').fill('-5');
    await page.click('#submit');
    await page.locator('#error').filter({ hasText: 'loan_amnt' }).waitFor();
    assert.match((await page.locator('#error').textContent()) ?? '', /loan_amnt must be a number from 1 to/);
    await page.close();
  });

  test('with authentication on, the page asks for the key, sends it and keeps it for the tab', async () => {
    const page = await browser.newPage();
    await page.goto(`${secured.url}/`);
    await page.click('#submit');
    await page.locator('#error').filter({ hasText: 'credential is required' }).waitFor();
    await page.locator('#credential').fill(key.key);
    await page.click('#submit');
    await page.locator('#result').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#error').textContent(), '');
    await page.reload();
    assert.equal(await page.locator('#credential').inputValue(), key.key, 'sessionStorage keeps it across a reload');
    await page.click('#submit');
    await page.locator('#result').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#model-version').textContent(), version);
    await page.locator('#credential').fill('plk_wrong');
    await page.click('#submit');
    await page.locator('#error').filter({ hasText: 'API key is not known' }).waitFor();
    await page.close();
  });
});
