/** One page of the dashboard in Chromium, checked for a clean load (the browser tests' shared frame). */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
/** Waits are on conditions; this only bounds a hang. */
export const WAIT_MS = 60_000;

export interface PageOptions {
  /** The page is expected to meet HTTP 422s (a refused input): they are not problems. */
  readonly allowHttpErrors?: boolean;
  /** A failed request that is not a failure of the page (a stream cut by its closing). */
  readonly ignoreFailedRequest?: (url: string, errorText: string | undefined) => boolean;
  /** Also require that the page shows no error in its `#messages`. */
  readonly noErrorMessages?: boolean;
}

/**
 * Open a page, recording console errors, page errors, failed requests and HTTP errors; run the
 * checks; keep a screenshot whatever happened; then require a clean page.
 */
export async function onPage(browser: Browser, url: string, name: string, check: (page: Page) => Promise<void>, o: PageOptions = {}): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !(o.allowHttpErrors === true && /status of 422/.test(m.text()))) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (o.ignoreFailedRequest?.(r.url(), r.failure()?.errorText) !== true) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && o.allowHttpErrors !== true) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: WAIT_MS });
    await check(page);
  } finally {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }).catch(() => undefined);
  }
  assert.deepEqual(problems, [], `${name}: ${problems.join('\n')}`);
  if (o.noErrorMessages === true) assert.equal(await page.locator('#messages .error').count(), 0, `${name}: an error is shown: ${await page.locator('#messages').innerText()}`);
  await page.close();
}
