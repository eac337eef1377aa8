/**
 * The risk desk in the real Chromium (Debian's, driven by playwright-core), reached through the
 * cluster's Ingress by its host name as a person's browser would: the host resolves to the
 * ingress controller on 127.0.0.1:18080, so the request carries the Ingress host and no port.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { INGRESS_URL } from './ingress.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Lines the browser itself logs as errors that are not the page's: a 4xx the page handles, and
 * Cross-Origin-Opener-Policy ignored because the journey's Ingress speaks plain HTTP to a host
 * that is not localhost (behind TLS, as in production, the header applies).
 */
const BROWSER_NOTICES = [
  /Failed to load resource: the server responded with a status of 4\d\d/,
  /The Cross-Origin-Opener-Policy header has been ignored, because the URL's origin was untrustworthy/,
];

export interface DeskBrowser {
  readonly page: Page;
  /** Script errors and CSP violations the page reported; 4xx lines the page handles are left out. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function openDesk(host: string): Promise<DeskBrowser> {
  const ingress = new URL(INGRESS_URL).host;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${host} ${ingress}`,
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !BROWSER_NOTICES.some((notice) => notice.test(m.text()))) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems, close: () => browser.close() };
}

/** The batch id the page put in its address (#/portfolio/<id>). */
export function batchIdOf(page: Page): string {
  const match = /#\/portfolio\/([^/]+)$/.exec(page.url());
  if (!match) throw new Error(`no batch id in the page's address ${page.url()}`);
  return decodeURIComponent(match[1]);
}
