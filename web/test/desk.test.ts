/**
 * The risk desk in real Chromium (Debian's, driven by playwright-core) against the real API, a
 * real Redis and the real batch worker, as the risk team uses it: score one applicant, upload a
 * generated 100,000-row portfolio and read the result, meet each kind of bad file, give an API
 * key when the server asks, read the model during a canary and meet a candidate awaiting
 * approval. The tests take the README's screenshots (docs/screenshots/) at 1280 px, and one at a
 * phone's width.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  categoryLabel,
  describeReason,
  FEATURE_NAMES,
  featureLabel,
  toDisplay,
  type LoanRecord,
  type ModelCard,
} from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
// The API's own test helpers (compiled); a restructuring may move them to another workspace.
import { keysFileText, newKey, SecretVolume } from '@peerloan/api/dist/test/helpers/api-keys.js';
import { startApi } from '@peerloan/api/dist/test/helpers/api-server.js';
import { call, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { MODEL_HISTORY_KEY, type PublishedHistory } from '@peerloan/scoring/queues';
import { Redis } from 'ioredis';
import { pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';
import type { RunningServer } from '@peerloan/api/dist/src/server.js';

const run = promisify(execFile);

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
/** web/dist/test/ -> the repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const GENERATOR = join(ROOT, 'trainer-job/bin/loanrisk-generate.js');
/** Waiting for a 100,000-row batch: a hang guard, not a speed test. */
const BATCH_TIMEOUT_MS = 180_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

/** The page's number formats (web/src/format.ts), restated so the page is checked against them. */
const countText = (n: number) => n.toLocaleString('en-US');
const percentText = (p: number, digits: number) =>
  `${(p * 100).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;

interface Reason {
  readonly feature: string;
  readonly value: number | string | null;
  readonly reference: number | string | null;
  readonly contribution: number;
}
interface Prediction {
  readonly probability: number;
  readonly decision: string;
  readonly threshold: number;
  readonly modelVersion: string;
  readonly reasons: readonly Reason[];
}
interface FeaturesAnswer {
  readonly modelVersion: string;
  readonly features: readonly { name: string; reference: number | string | null; categories?: readonly string[] }[];
}
interface Summary {
  readonly flagged: number;
  readonly flaggedShare: number;
  readonly threshold: number;
  readonly counts: { readonly total: number; readonly scored: number; readonly invalid: number };
  readonly byGrade: readonly { value: string }[];
  readonly byPurpose: readonly { value: string }[];
}
interface RowsPage {
  readonly total: number;
  readonly rows: readonly { rank: number; id: string; probability: number; reasons: readonly Reason[] }[];
}

function csvOf(records: readonly LoanRecord[], ids: readonly string[]): string {
  const lines = [['id', ...FEATURE_NAMES].join(',')];
  records.forEach((r, i) => lines.push([ids[i], ...FEATURE_NAMES.map((f) => r[f] ?? '')].join(',')));
  return `${lines.join('\n')}\n`;
}

/** Console errors and page errors, but not the browser's own line for a 4xx the page handles. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** The batch id the page put in its address (#/portfolio/<id>). */
function batchIdOf(page: Page): string {
  const match = /#\/portfolio\/([^/]+)$/.exec(page.url());
  assert.ok(match, `a batch id in ${page.url()}`);
  return decodeURIComponent(match[1]);
}

describe('the risk desk', () => {
  let redis: RedisServer;
  let root: string;
  let live: string;
  let candidate: string;
  let api: RunningServer;
  let worker: WorkerProcess;
  let browser: Browser;
  let work: string;
  let portfolio: string;
  const servers: RunningServer[] = [];
  const key = newKey('risk-team', ['predict', 'batch']);

  async function serve(env: Record<string, string>): Promise<RunningServer> {
    const server = await startApi({ REDIS_URL: redis.url, PREDICTION_LOG_SAMPLE: '0', ...env });
    servers.push(server);
    return server;
  }

  async function desktop(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const page = await context.newPage();
    return { context, page, problems: watchProblems(page) };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await mkdir(SCREENSHOTS, { recursive: true });
    // Let transitions settle; the charts draw without animation.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
  }

  before(async () => {
    redis = await RedisServer.start();
    root = await tempDir('web-desk');
    live = await trainModel(root, 41);
    candidate = await trainModel(root, 42);
    assert.notEqual(live, candidate);
    await pointCurrentAt(root, live);
    api = await serve({ MODEL_DIR: root });
    worker = WorkerProcess.start({ MODEL_DIR: root, REDIS_URL: redis.url, WORKER_ROLES: 'batch' });
    work = await tempDir('web-desk-files');
    portfolio = join(work, 'portfolio.csv');
    await run(process.execPath, [
      GENERATOR,
      '--rows',
      '100000',
      '--seed',
      '7',
      '--with-id',
      '--no-label',
      '--out',
      portfolio,
    ]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser.close();
    await worker.stop();
    await Promise.all(servers.map((s) => s.shutdown()));
    await redis.stop();
  });

  test('one applicant: the form speaks in words and units, starts at the reference applicant and shows what /predict answers', async () => {
    const { context, page, problems } = await desktop();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const response = await page.goto(`${api.url}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);

    const features = (await call<FeaturesAnswer>(`${api.url}/features`)).body;
    await page.locator('#f-int_rate').waitFor();
    for (const f of features.features) {
      const label = (await page.locator(`label[for="f-${f.name}"]`).textContent()) ?? '';
      assert.ok(label.startsWith(featureLabel(f.name)), `${f.name} is labelled "${label}"`);
    }
    const intRate = features.features.find((f) => f.name === 'int_rate');
    assert.equal(
      Number(await page.locator('#f-int_rate').inputValue()),
      toDisplay('int_rate', Number((intRate?.reference as number).toPrecision(7))),
      'the reference interest rate, in percent',
    );
    const purposes = await page.locator('#f-purpose option').allTextContents();
    const purposeRule = features.features.find((f) => f.name === 'purpose');
    assert.deepEqual(
      purposes,
      (purposeRule?.categories ?? []).map((c) => categoryLabel('purpose', c)),
    );
    assert.ok(purposes.includes('Debt consolidation'));

    await page.locator('#f-int_rate').fill('26.5');
    await page.locator('#f-grade').selectOption('F');
    await page.locator('#f-revol_util').fill('');
    await page.click('#submit');
    await page.locator('#probability').waitFor();

    const form = await page
      .locator('#applicant')
      .evaluate((el) => Object.fromEntries(new FormData(el as HTMLFormElement).entries()));
    const applicant: Record<string, number | string | null> = {};
    for (const f of features.features) {
      const value = form[f.name];
      const text = typeof value === 'string' ? value : '';
      applicant[f.name] = text === '' ? null : f.categories ? text : Number(text);
    }
    applicant.int_rate = 0.265;
    const expected = (await postJson<Prediction>(`${api.url}/predict?explain=true`, applicant)).body;
    assert.equal(await page.locator('#probability').textContent(), percentText(expected.probability, 2));
    assert.equal(await page.locator('#decision').getAttribute('data-decision'), expected.decision);
    assert.equal(await page.locator('#threshold').textContent(), percentText(expected.threshold, 2));
    assert.equal(await page.locator('#model-version').textContent(), live);
    assert.deepEqual(
      await page.locator('#reasons li').allTextContents(),
      expected.reasons.map((r) => describeReason(r)),
    );

    await screenshot(page, 'form.png');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'form-phone.png');
    assert.deepEqual(
      requested.filter((u) => !u.startsWith(api.url)),
      [],
      'no request leaves the server',
    );
    assert.deepEqual(problems, [], 'no script error or CSP violation');
    await context.close();
  });

  test("one applicant: a value out of range is named by its label, in the form's units, whether the page or the API finds it", async () => {
    const { context, page } = await desktop();
    await page.goto(`${api.url}/`);
    await page.locator('#f-int_rate').fill('150');
    await page.click('#submit');
    await page.locator('#error').waitFor();
    assert.match((await page.locator('#error').textContent()) ?? '', /Interest rate: Enter a value from 0 % to 100 %/);

    // The API's own check: the request leaves with int_rate 5 (500 %) whatever the form says.
    await page.route('**/predict*', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, int_rate: 5 }) });
    });
    await page.locator('#f-int_rate').fill('12');
    await page.click('#submit');
    await page.locator('#error').filter({ hasText: 'was not scored' }).waitFor();
    const text = (await page.locator('#error').textContent()) ?? '';
    assert.match(text, /Interest rate: /);
    assert.match(text, /500 %/, 'the refused value in percent');
    assert.ok(!text.includes('int_rate'), 'the column name stays out of the form');
    await context.close();
  });

  test('portfolio: a 100,000-row file uploads with progress, and the page shows the flagged count, the histogram, the riskiest holders a page at a time and a download equal to the results', async () => {
    const { context, page, problems } = await desktop();
    const dataRequests: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'fetch' || r.resourceType() === 'xhr') dataRequests.push(r.url());
    });
    await page.goto(`${api.url}/#/portfolio`);
    // A slow line, so the upload's progress in bytes can be seen.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * 1024 * 1024,
    });
    await page.locator('#portfolio-file').setInputFiles(portfolio);
    await page
      .locator('#upload-bytes')
      .filter({ hasText: /\d MB of \d+(\.\d)? MB/ })
      .waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.locator('#flagged-count').waitFor({ timeout: BATCH_TIMEOUT_MS });

    const id = batchIdOf(page);
    const summary = (await call<Summary>(`${api.url}/batches/${id}/summary`)).body;
    assert.deepEqual(summary.counts, { total: 100_000, scored: 100_000, invalid: 0 });
    assert.equal(await page.locator('#flagged-count').textContent(), countText(summary.flagged));
    assert.match(
      (await page.locator('#flagged-share').textContent()) ?? '',
      new RegExp(`^${percentText(summary.flaggedShare, 1)}`),
    );
    assert.equal(await page.locator('#scored-count').textContent(), countText(100_000));

    const histogram = page.locator('canvas#histogram');
    assert.match(
      (await histogram.getAttribute('aria-label')) ?? '',
      new RegExp(`Threshold ${percentText(summary.threshold, 1)}`),
    );
    assert.ok(((await histogram.boundingBox())?.height ?? 0) > 100, 'the histogram is drawn');

    const firstPage = (await call<RowsPage>(`${api.url}/batches/${id}/rows?offset=0&limit=25`)).body;
    const rows = page.locator('#riskiest tbody tr');
    assert.equal(await rows.count(), 25);
    const first = rows.first();
    assert.equal((await first.locator('td').first().textContent())?.trim(), '1');
    assert.ok(((await first.textContent()) ?? '').includes(firstPage.rows[0].id));
    assert.ok(((await first.textContent()) ?? '').includes(percentText(firstPage.rows[0].probability, 1)));
    assert.deepEqual(
      await first.locator('.reasons-compact li').allTextContents(),
      firstPage.rows[0].reasons.map((r) => describeReason(r)),
    );
    const probabilities = firstPage.rows.map((r) => r.probability);
    assert.deepEqual(
      probabilities,
      [...probabilities].sort((a, b) => b - a),
      'riskiest first',
    );

    assert.equal(await page.locator('#by-grade tbody tr').count(), summary.byGrade.length);
    assert.equal(await page.locator('#by-purpose tbody tr').count(), summary.byPurpose.length);
    assert.equal(await page.locator('#refused').count(), 0, 'no refused rows table when none were refused');
    await screenshot(page, 'portfolio.png');

    await page.click('#next-page');
    await page.locator('#riskiest caption').filter({ hasText: 'Holders 26–50 of 100,000' }).waitFor();
    const secondPage = (await call<RowsPage>(`${api.url}/batches/${id}/rows?offset=25&limit=25`)).body;
    assert.ok(((await rows.first().textContent()) ?? '').includes(secondPage.rows[0].id));

    const downloading = page.waitForEvent('download');
    await page.click('#download-csv');
    const download = await downloading;
    const downloaded = await readFile(await download.path(), 'utf8');
    const served = await (await fetch(`${api.url}/batches/${id}/results`)).text();
    assert.ok(downloaded.startsWith('id,probability,decision,model_version,reason_1,reason_2,reason_3\n'));
    assert.equal(downloaded, served, 'the download is GET /batches/{id}/results');

    assert.deepEqual(
      dataRequests.filter((u) => u.includes('/results')),
      [],
      'the page never fetches the whole results',
    );
    assert.ok(
      dataRequests.filter((u) => u.includes('/rows')).every((u) => /limit=25\b/.test(u)),
      'rows come a page at a time',
    );

    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'portfolio-phone.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('portfolio: refused rows are listed with their row numbers and what is wrong, in words', async () => {
    const { context, page } = await desktop();
    const people = [...generateLoans({ rows: 300, seed: 99 })].map((l) => l.record);
    let csv = csvOf(
      people,
      people.map((_, i) => `h-${i}`),
    );
    csv += 'bad-1,abc,0.1,car,A,50000,0.5,1 year,10,0,RENT\nbad-2,5000,0.1,spaceship,A,50000,0.5,1 year,10,0,RENT\n';
    const file = join(work, 'with-bad-rows.csv');
    await writeFile(file, csv);
    await page.goto(`${api.url}/#/portfolio`);
    await page.locator('#portfolio-file').setInputFiles(file);
    await page.locator('#refused').waitFor({ timeout: BATCH_TIMEOUT_MS });
    assert.equal(await page.locator('#refused-count').textContent(), '2');
    const refused = await page.locator('#refused tbody tr').allTextContents();
    assert.equal(refused.length, 2);
    assert.ok(refused[0].startsWith('301') && refused[0].includes('bad-1'), refused[0]);
    assert.ok(refused[0].includes('Loan amount (loan_amnt): '), refused[0]);
    assert.ok(refused[1].startsWith('302') && refused[1].includes('Purpose (purpose): '), refused[1]);
    assert.match((await page.locator('#refused-summary').textContent()) ?? '', /2 rows were refused/);

    // A page of holders that fails to load says why, and "Try again" loads it.
    let failures = 1;
    await page.route('**/rows?*', async (route) => {
      if (failures-- > 0)
        await route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'Redis is restarting', details: [] }),
        });
      else await route.continue();
    });
    await page.reload();
    await page.getByText('Redis is restarting').waitFor();
    assert.equal(await page.locator('#riskiest tbody tr').count(), 0);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#riskiest tbody tr').first().waitFor();
    assert.equal(await page.locator('#riskiest tbody tr').count(), 25);
    await context.close();
  });

  test('portfolio: a file that is not a portfolio, a wrong header, a lost connection: each message says what to do', async () => {
    const { context, page } = await desktop();
    await page.goto(`${api.url}/#/portfolio`);
    const error = page.locator('#portfolio-error');
    let previous = '';
    /** Chooses a file and waits for the message about it (each one differs from the one before). */
    const choose = async (name: string, content: Buffer | string) => {
      const file = join(work, name);
      await writeFile(file, content);
      await page.locator('#portfolio-file').setInputFiles(file);
      await page.waitForFunction((before) => {
        const text = document.querySelector('#portfolio-error')?.textContent ?? '';
        return text !== '' && text !== before;
      }, previous);
      previous = (await error.textContent()) ?? '';
      return previous;
    };

    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
    assert.match(await choose('chart.png', png), /is a PNG image, not a CSV file.*Choose the portfolio as a CSV file/);
    assert.match(await choose('book.xlsx', Buffer.from('504b0304140000000800', 'hex')), /Excel workbook/);
    assert.match(await choose('notes.docx', 'just text\n'), /is not a CSV file \(\.docx\)/);

    const people = [...generateLoans({ rows: 50, seed: 98 })].map((l) => l.record);
    const withoutRate = csvOf(
      people,
      people.map((_, i) => `w-${i}`),
    ).replace(/^([^\n]*?),int_rate/, '$1,interest');
    const header = await choose('no-rate.csv', withoutRate);
    assert.match(header, /Interest rate \(int_rate\)/);

    // Compressed, the header is the server's to read: its 400 names the column too.
    const server = await choose('no-rate.csv.gz', gzipSync(withoutRate));
    assert.match(server, /The server refused “no-rate\.csv\.gz”/);
    assert.match(server, /int_rate/);

    // The connection drops mid-upload: the page says so and offers to send the file again.
    await page.route('**/batches', (route) => route.abort('connectionreset'));
    const lost = await choose(
      'lost.csv',
      csvOf(
        people,
        people.map((_, i) => `l-${i}`),
      ),
    );
    assert.match(lost, /The connection was lost/);
    assert.match(lost, /send the file again/);
    await page.unroute('**/batches');
    await page.click('#retry-upload');
    await page.locator('#flagged-count').waitFor({ timeout: BATCH_TIMEOUT_MS });
    await context.close();
  });

  test('with authentication on, the page asks for a key, then scores, uploads and opens the report with it', async () => {
    const volume = new SecretVolume(await tempDir('web-desk-keys'));
    await volume.create(keysFileText([key]));
    const secured = await serve({ MODEL_DIR: root, AUTH_API_KEYS_FILE: volume.file });
    const { context, page, problems } = await desktop();
    await page.goto(`${secured.url}/`);
    const dialog = page.locator('#credential-dialog[open]');
    await page.locator('#f-int_rate').or(dialog).first().waitFor();
    if (!(await dialog.isVisible())) await page.click('#submit');
    await dialog.waitFor();
    await page.locator('#credential').fill(key.key);
    await page.click('#credential-save');
    await page.locator('#f-int_rate').waitFor();
    if (!(await page.locator('#probability').isVisible())) await page.click('#submit');
    await page.locator('#probability').waitFor();
    assert.equal(await page.locator('#model-version').textContent(), live);

    await page.reload();
    await page.locator('#f-int_rate').waitFor();
    await page.click('#submit');
    await page.locator('#probability').waitFor();
    assert.equal(await dialog.count(), 0, 'the key is kept for the tab');

    const people = [...generateLoans({ rows: 200, seed: 97 })].map((l) => l.record);
    const file = join(work, 'secured.csv');
    await writeFile(
      file,
      csvOf(
        people,
        people.map((_, i) => `s-${i}`),
      ),
    );
    await page.click('#nav-portfolio');
    await page.locator('#portfolio-file').setInputFiles(file);
    await page.locator('#flagged-count').waitFor({ timeout: BATCH_TIMEOUT_MS });

    await page.click('#nav-model');
    const opening = context.waitForEvent('page');
    await page.locator('#report-link').click();
    const report = await opening;
    await report.waitForLoadState();
    assert.ok((await report.content()).includes(live), 'the report opens with the cookie as its credential');

    await page.click('#credential-button');
    await page.locator('#credential').fill('plk_wrong');
    await page.click('#credential-save');
    await page.click('#nav-applicant');
    await page.click('#submit');
    await page.locator('#credential-reason').waitFor();
    await page.locator('#credential').fill(key.key);
    const scored = page.waitForResponse((r) => r.url().includes('/predict') && r.status() === 200);
    await page.click('#credential-save');
    await scored;
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('model: the card, the report, the canary with its candidate and traffic share, the history and drift', async () => {
    const canary = await serve({
      MODELS_ROOT: root,
      LIVE_VERSION: live,
      CANDIDATE_VERSION: candidate,
      CANDIDATE_MODE: 'canary',
      CANDIDATE_TRAFFIC_PERCENT: '30',
    });
    const { context, page, problems } = await desktop();
    await page.goto(`${canary.url}/#/model`);
    await page.locator('#model-card').waitFor();
    const card = (await call<ModelCard>(`${canary.url}/versions/${live}/card`)).body;
    assert.equal(await page.locator('#card-purpose').textContent(), card.intendedUse.purpose);
    assert.equal(await page.locator('#card-limitations li').count(), card.limitations.length);
    assert.ok((await page.locator('#card-metrics tbody tr').count()) >= 3, 'ROC AUC, PR AUC, Brier at least');
    assert.ok((await page.locator('#card-segments tbody tr').count()) > 0);

    assert.equal(await page.locator('#candidate-version').textContent(), candidate);
    assert.equal(await page.locator('#candidate-share').textContent(), '30 %');
    const versionRows = await page.locator('#versions tbody tr').allTextContents();
    assert.ok(versionRows.some((r) => r.includes(live) && r.includes('Live')));
    // The threshold's policy in words, as the page names them.
    const served = (
      await call<{ versions: { version: string; threshold: { policy: string } }[] }>(`${canary.url}/versions`)
    ).body;
    const policy = served.versions.find((v) => v.version === live)?.threshold.policy ?? '';
    const policyWords = (
      { fixed: 'fixed', 'target-recall': 'target recall', 'max-flag-rate': 'most flagged' } as Record<string, string>
    )[policy];
    assert.ok(policyWords, `a known policy: ${policy}`);
    assert.ok(
      versionRows.some((r) => r.includes(live) && r.includes(policyWords)),
      `the live row names its threshold policy: ${versionRows.join(' | ')}`,
    );
    assert.ok(versionRows.some((r) => r.includes(candidate) && r.includes('Candidate') && r.includes('30 %')));
    await page.locator('#drift-chart, #drift-empty').first().waitFor();

    await page.locator('#card-version').selectOption(candidate);
    await page.locator('#model-card').filter({ hasText: candidate }).waitFor();
    await page.locator('#card-version').selectOption(live);
    await page.locator('#model-card').filter({ hasText: live }).waitFor();
    await screenshot(page, 'model.png');

    const opening = context.waitForEvent('page');
    await page.locator('#report-link').click();
    const report = await opening;
    await report.waitForLoadState();
    assert.ok((await report.content()).includes(live));

    const plain = await context.newPage();
    await plain.goto(`${api.url}/#/model`);
    await plain.locator('#model-card').waitFor();
    assert.equal(await plain.locator('#canary').count(), 0, 'no canary, no candidate shown');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('model: a candidate awaiting approval shows the command that approves it, and the history who reviewed each version', async () => {
    const time = '2026-03-02T10:00:00Z';
    // What the workers publish for a LoanRiskModel with spec.rollout.approval required.
    const published: PublishedHistory = {
      model: { namespace: 'risk', name: 'loan-risk' },
      entries: [
        {
          version: live,
          rocAuc: 0.74,
          outcome: 'Accepted',
          time,
          reason: 'Approved',
          message: `approved by bob at ${time}: cross-validated ROC AUC 0.7400`,
          approval: {
            decision: 'approve',
            user: 'bob',
            time,
            object: `loan-risk-${live}`,
            evidence: 'cross-validated ROC AUC 0.7400',
          },
        },
      ],
      awaitingApproval: { version: candidate, since: '2026-03-09T08:30:00Z' },
    };
    const client = new Redis(redis.url);
    const { context, page, problems } = await desktop();
    try {
      await client.set(MODEL_HISTORY_KEY, JSON.stringify(published));
      await page.goto(`${api.url}/#/model`);
      await page.locator('#awaiting-approval').waitFor();
      assert.equal(await page.locator('#awaiting-version').textContent(), candidate);
      assert.equal(
        await page.locator('#approve-command').textContent(),
        `npx loanrisk-models approve -n risk loan-risk ${candidate}`,
      );
      assert.ok((await page.locator('#history thead th').allTextContents()).includes('Reviewed by'));
      const rows = await page.locator('#history tbody tr').allTextContents();
      assert.ok(
        rows.some((r) => r.includes(live) && r.includes('Approved') && r.includes('bob')),
        `the approved version names its reviewer: ${rows.join(' | ')}`,
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await client.del(MODEL_HISTORY_KEY);
      client.disconnect();
    }
  });
});
