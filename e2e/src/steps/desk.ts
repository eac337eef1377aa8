/**
 * The risk team's morning, in a cluster: the desk opened through the Ingress in Chromium, a
 * portfolio uploaded on the page and scored by the worker, its result read on the page and
 * downloaded, then the model view showing the live version, its card and the version history
 * the workers publish from the LoanRiskModel's status.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { batchIdOf, openDesk } from '../desk-browser.js';
import { jsonViaIngress, viaIngress } from '../ingress.js';
import { liveVersionOf, type Journey } from '../journey-state.js';

/** A hang guard for a few thousand rows through the worker, not a speed test. */
const RESULT_TIMEOUT_MS = 180_000;

interface Summary {
  readonly flagged: number;
  readonly counts: { readonly total: number; readonly scored: number; readonly invalid: number };
}

export async function portfolioOnTheDesk(journey: Journey, csvPath: string, rows: number): Promise<void> {
  const desk = await openDesk(journey.host);
  try {
    const { page } = desk;
    await page.goto(`http://${journey.host}/#/portfolio`);
    await page.locator('#portfolio-file').setInputFiles(csvPath);
    await page.locator('#flagged-count').waitFor({ timeout: RESULT_TIMEOUT_MS });
    const id = batchIdOf(page);
    const summary = await jsonViaIngress<Summary>(journey.host, 'GET', `/batches/${id}/summary`);
    assert.deepEqual(summary.counts, { total: rows, scored: rows, invalid: 0 });
    assert.equal(await page.locator('#flagged-count').textContent(), summary.flagged.toLocaleString('en-US'));
    assert.equal(await page.locator('#riskiest tbody tr').count(), 25, 'the first page of the riskiest holders');
    assert.ok(
      (await page.locator('#riskiest tbody tr').first().locator('.reasons-compact li').count()) > 0,
      'the riskiest holder comes with reasons in words',
    );

    const downloading = page.waitForEvent('download');
    await page.click('#download-csv');
    const downloaded = await readFile(await (await downloading).path(), 'utf8');
    const served = await viaIngress(journey.host, 'GET', `/batches/${id}/results`);
    assert.equal(served.status, 200);
    assert.equal(downloaded, served.body, 'the download is GET /batches/{id}/results');

    await page.goto(`http://${journey.host}/#/model`);
    await page.locator('#model-card').waitFor();
    const live = liveVersionOf(journey);
    const versions = await page.locator('#versions tbody tr').allTextContents();
    assert.ok(
      versions.some((r) => r.includes(live) && r.includes('Live')),
      `the live version ${live} among ${versions.join(' | ')}`,
    );
    await page.locator('#history tbody tr').first().waitFor();
    const history = await page.locator('#history tbody tr').allTextContents();
    assert.ok(
      history.some((r) => r.includes(live)),
      `the live version in the history the workers publish: ${history.join(' | ')}`,
    );
    assert.deepEqual(desk.problems, [], 'no script error or CSP violation');
  } finally {
    await desk.close();
  }
}
