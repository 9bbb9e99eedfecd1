// The Advise page in real headless Chromium (Debian's, through playwright-core; no browser is
// downloaded): the list of workload files, one file's tables and its three figures drawn by Vega
// under the page's strict policy (no eval), no console error, no failed request; a file that is
// not a valid workload shows its one-line reason. Screenshots in test-artifacts/screenshots/.
// Skipped without Chromium locally, failing in CI (as browser.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/serve/server.js';
import { CHROMIUM, HAVE_CHROMIUM, skipOrFail } from '../helpers/requirements.js';
import { onPage as onCheckedPage, WAIT_MS } from './browser-page.js';

const skip = skipOrFail(!HAVE_CHROMIUM && `Chromium not found at ${CHROMIUM}: browser tests skipped`);

const WORKLOAD = `name: browser test
users: 2000
queries_per_user_per_day: 25
slo: { percentile: 95, latency_ms: 200 }
days: 365
deployments:
  - name: server
    hardware: Tesla-T4
    placement: pooled
    grid: FR
    pue: 1.5
    power: { idle_w: { value: 32, min: 28, max: 36 }, busy_w: 70, host_w: 80 }
    service_ms: { value: 18, min: 15, max: 22 }
    embodied: { kg: 25, host_kg: 400 }
  - name: boards
    hardware: AGX-Orin
    placement: dedicated
    users_per_device: 25
    grid: FR
    pue: 1.0
    power: { idle_w: 8, busy_w: 30 }
    service_ms: 21
    embodied: { kg: { value: 30, min: 25, max: 36 } }
`;

interface DomElement {
  readonly textContent: string | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<DomElement> & { readonly length: number } };

function onPage(browser: Browser, url: string, name: string, check: (page: Page) => Promise<void>, allowHttpErrors = false): Promise<void> {
  return onCheckedPage(browser, url, name, check, { allowHttpErrors });
}

describe('the Advise page in Chromium', { skip }, () => {
  let root = '';
  let d: Dashboard | undefined;
  let browser: Browser | undefined;
  const env = (): { d: Dashboard; browser: Browser } => {
    assert.ok(d && browser, 'set up by before()');
    return { d, browser };
  };

  before(async () => {
    assert.ok(HAVE_CHROMIUM, `Chromium is required in CI and missing at ${CHROMIUM}`);
    root = mkdtempSync(join(tmpdir(), 'inferprint-advise-browser-'));
    const runsDir = join(root, 'runs');
    mkdirSync(runsDir);
    writeFileSync(join(runsDir, 'office.yaml'), WORKLOAD);
    writeFileSync(join(runsDir, 'typo.yaml'), WORKLOAD.replace('users_per_device', 'users_per_devise'));
    d = await startDashboard({ runsDir, log: () => undefined });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await d?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('a workload: its deployments, its three figures drawn, the list of files', async () => {
    const { d, browser } = env();
    await onPage(browser, `${d.url}advise.html?file=office.yaml&draws=500`, 'advise', async (page) => {
      assert.equal(await page.locator('#workloads-table tbody tr').count(), 2);
      assert.equal(await page.locator('#deployments-table tbody tr').count(), 2);
      assert.match(await page.locator('#advice-title').innerText(), /browser test/);
      assert.equal(await page.locator('#figures .figure').count(), 3);
      await page.waitForFunction(() => document.querySelectorAll('#figures .figure svg').length >= 3, null, { timeout: WAIT_MS });
      // The figures carry their context inside the image, drawn by Vega in the page.
      const text = await page.locator('[data-figure="advise-footprint"] svg').innerHTML();
      assert.match(text, /500 draws, seed 1/);
      assert.match((await page.locator('#inputs-table').textContent()) ?? '', /file: deployments\[0\]\.power\.idle_w/);
      assert.equal(await page.locator('#messages .error').count(), 0);
      assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Advise');
    });
  });

  test('a file that is not a valid workload shows its one-line reason', async () => {
    const { d, browser } = env();
    await onPage(
      browser,
      `${d.url}advise.html?file=typo.yaml`,
      'advise-invalid',
      async (page) => {
        assert.match(await page.locator('#messages .error').innerText(), /typo\.yaml:\d+ field 'deployments\[1\]\.users_per_devise'.*users_per_device/);
        assert.match(await page.locator('#workloads-table').innerText(), /invalid/);
      },
      true,
    );
  });
});
