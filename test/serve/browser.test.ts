// End-to-end: the dashboard's pages in real headless Chromium (Debian's, through
// playwright-core; no browser is ever downloaded). Each page must load with no console error and
// no failed request, draw its charts, and leave a screenshot in test-artifacts/screenshots/.
// Without Chromium the tests skip locally, and fail in CI, which installs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HARDWARE } from '../../src/impact/index.js';
import { openLiveWriter } from '../../src/measure/io/live-writer.js';
import { startDashboard, type Dashboard } from '../../src/serve/server.js';
import { writeRunBundle } from '../../src/runs/io/bundle.js';
import { CHROMIUM, HAVE_CHROMIUM, skipOrFail } from '../helpers/requirements.js';
import { onPage as onCheckedPage, SHOTS, WAIT_MS } from './browser-page.js';
import { makeRunsDir, powerlessInput, tempDir, type Fixture } from './helpers.js';

const skip = skipOrFail(!HAVE_CHROMIUM && `Chromium not found at ${CHROMIUM}: browser tests skipped (apt-get install chromium; CI fails instead of skipping)`);
if (skip) process.stderr.write(`NOTE: ${skip}\n`);

/** The dashboard's pages: a live stream cut by the page closing is not a failure, and no error may be shown. */
function onPage(browser: Browser, url: string, name: string, check: (page: Page) => Promise<void>): Promise<void> {
  return onCheckedPage(browser, url, name, check, {
    ignoreFailedRequest: (u, errorText) => u.includes('/api/live') && errorText === 'net::ERR_ABORTED',
    noErrorMessages: true,
  });
}

// The page's DOM as far as the checks below use it: this program's TypeScript lib has no DOM
// types, and string predicates would be refused by the pages' CSP (no eval), as they should be.
interface DomElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}
declare const document: {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement> & { readonly length: number };
};

/** Wait until a condition, evaluated in the page, holds. */
async function waitFor(page: Page, condition: () => boolean): Promise<void> {
  await page.waitForFunction(condition, null, { timeout: WAIT_MS });
}

async function waitCount(page: Page, selector: string, n: number): Promise<void> {
  await page.waitForFunction(([sel, count]) => document.querySelectorAll(sel).length === count, [selector, n] as const, { timeout: WAIT_MS });
}

describe('dashboard in Chromium', { skip }, () => {
  interface Env {
    readonly fx: Fixture;
    readonly d: Dashboard;
    readonly browser: Browser;
  }
  let env: Env | undefined;
  const setUp = (): Env => {
    assert.ok(env, 'set up by before()');
    return env;
  };

  before(async () => {
    assert.ok(HAVE_CHROMIUM, `Chromium is required in CI and missing at ${CHROMIUM}`);
    const fx = await makeRunsDir();
    const d = await startDashboard({ runsDir: fx.runsDir, liveIntervalMs: 100, log: () => undefined });
    const { chromium } = await import('playwright-core');
    env = { fx, d, browser: await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }) };
  });
  after(async () => {
    if (!env) return;
    await env.browser.close();
    await env.d.close();
    rmSync(env.fx.root, { recursive: true, force: true });
  });

  test('runs: the table, the filters and the energy chart', async () => {
    const { d, browser } = setUp();
    await onPage(browser, d.url, 'runs', async (page) => {
      await waitCount(page, '#runs-table tbody tr', 5);
      assert.equal(await page.locator('#chart svg circle.point').count(), 5);
      assert.equal(await page.locator('select[name="device"] option').count(), 4, 'any + 3 devices');
      await page.selectOption('select[name="device"]', 'A100');
      await waitCount(page, '#runs-table tbody tr', 2);
      assert.match(page.url(), /device=A100/);
      assert.match(await page.locator('#skipped summary').innerText(), /1 folder/);
    });
  });

  test('run detail: power trace with windows, energy, impact, MLPerf statistics', async () => {
    const { fx, d, browser } = setUp();
    await onPage(browser, `${d.url}run.html?id=${encodeURIComponent(fx.ids['a100 qc16']!)}`, 'run', async (page) => {
      assert.equal(await page.locator('#trace svg path.series').count(), 2);
      assert.equal(await page.locator('#trace svg rect.band').count(), 1, 'the compute window (full is the whole axis)');
      assert.ok((await page.locator('#impact svg rect.bar').count()) >= 2, 'operational and embodied bars');
      assert.match(await page.locator('#mlperf-table').innerText(), /max latency\s+1\.468 ms/);
      assert.match(await page.locator('#title').innerText(), /a100 qc16/);
      // Zoom to the compute window.
      await page.selectOption('#window', 'compute');
      await waitFor(page, () => (document.querySelector('#trace-note')?.textContent ?? '').includes('samples') && document.querySelectorAll('#trace svg rect.band').length === 0);
    });
  });

  test('run detail of a run without power: its MLPerf statistics, no trace, no error', async () => {
    const { browser } = setUp();
    // A runs directory of its own: the shared one's counts stay as the other pages expect.
    const root = tempDir();
    const runsDir = join(root, 'runs');
    const w = await writeRunBundle(runsDir, powerlessInput('T4 v1.1 SingleStream QC16', '2026-02-01T11:00:00.000Z'));
    const d2 = await startDashboard({ runsDir, log: () => undefined });
    try {
      // onPage fails on any console error or HTTP error: the page must not ask for a trace.
      await onPage(browser, `${d2.url}run.html?id=${encodeURIComponent(w.id)}`, 'run-no-power', async (page) => {
        assert.match(await page.locator('#no-trace').innerText(), /measured no power/);
        assert.equal(await page.locator('#trace svg').count(), 0);
        assert.match(await page.locator('#mlperf-table').innerText(), /max latency\s+1\.468 ms/);
        assert.match(await page.locator('#energy').innerText(), /measured no power/);
        assert.match(await page.locator('#impact').innerText(), /measured no power/);
        assert.match(await page.locator('#overview').innerText(), /none: the run measured no power/);
      });
      await onPage(browser, d2.url, 'runs-no-power', async (page) => {
        await waitCount(page, '#runs-table tbody tr', 1);
        assert.match(await page.locator('#runs-table tbody tr').first().innerText(), /none/);
        assert.match(await page.locator('#chart').innerText(), /No energy to plot/);
      });
    } finally {
      await d2.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('compare: Vega figures render with tooltips', async () => {
    const { fx, d, browser } = setUp();
    const ids = [fx.ids['a100 qc16']!, fx.ids['a100 qc32']!, fx.ids['orin qc16']!].join(',');
    await onPage(browser, `${d.url}compare.html?runs=${encodeURIComponent(ids)}`, 'compare', async (page) => {
      await page.waitForSelector('#overview-figure svg .mark-symbol.role-mark path', { timeout: WAIT_MS });
      assert.equal(await page.locator('#overview-figure svg .mark-symbol.role-mark path').count(), 3);
      // The report's figures, each drawn with its marks.
      const figures = await page.locator('#figures .figure').count();
      assert.ok(figures >= 4, `${figures} report figures`);
      assert.equal(await page.locator('#figures .figure svg').count(), figures, 'every report figure is drawn');
      for (let i = 0; i < figures; i++) assert.ok((await page.locator('#figures .figure').nth(i).locator('svg .role-mark').count()) > 0, `figure ${i} has marks`);
      // Hovering a mark shows its tooltip (Vega's default handler sets the title attribute).
      await page.locator('#overview-figure svg .mark-symbol.role-mark path').first().hover();
      await waitFor(page, () => [...document.querySelectorAll('#overview-figure[title], #overview-figure [title]')].some((e) => (e.getAttribute('title') ?? '').includes('energy (J)')));
    });
  });

  test('compare over runs without power: the latency figure is drawn and the page says the runs carry no power', async () => {
    const { browser } = setUp();
    // A runs directory of its own: imported MLPerf logs only (no sensor, no trace, no energy).
    const root = tempDir();
    const runsDir = join(root, 'runs');
    await writeRunBundle(runsDir, powerlessInput('T4 v1.1 SingleStream QC16', '2026-02-01T11:00:00.000Z'));
    await writeRunBundle(runsDir, powerlessInput('T4 v1.1 SingleStream QC16 again', '2026-02-01T11:05:00.000Z'));
    const d2 = await startDashboard({ runsDir, log: () => undefined });
    try {
      await onPage(browser, `${d2.url}compare.html`, 'compare-no-power', async (page) => {
        assert.match(await page.locator('#no-power').innerText(), /carry no power measurement/);
        assert.match(await page.locator('#overview-empty').innerText(), /No energy to plot: none of these 2 run\(s\) measured power/);
        const latency = page.locator('#figures .figure[data-figure="latency-by-query-count"]');
        assert.equal(await latency.count(), 1);
        assert.ok((await latency.locator('svg .role-mark').count()) > 0, 'the latency figure has marks');
        assert.equal(await page.locator('#figures .figure[data-figure="gwp-by-query-count"]').count(), 0);
      });
    } finally {
      await d2.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('hardware: the database, the embodied breakdown chart and a device', async () => {
    const { d, browser } = setUp();
    await onPage(browser, `${d.url}hardware.html`, 'hardware', async (page) => {
      assert.equal(await page.locator('#hardware-table tbody tr').count(), HARDWARE.length);
      assert.ok((await page.locator('#chart svg rect.bar').count()) >= HARDWARE.length, 'processor and memory bars');
      await page.locator('#hardware-table a', { hasText: /^A100$/ }).click();
      await page.waitForSelector('#candidates-table tbody tr', { timeout: WAIT_MS });
      assert.match(await page.locator('#device-title').innerText(), /^A100/);
    });
  });

  test('live: samples of a measurement in progress arrive and are drawn', async () => {
    const { fx, d, browser } = setUp();
    await onPage(browser, `${d.url}live.html`, 'live', async (page) => {
      assert.equal(await page.locator('#empty').isVisible(), true);
      const w = openLiveWriter(fx.runsDir, { label: 'live bench', sensor: 'nvml', channels: [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }, { name: 'board', kind: 'board-total' }], primaryChannel: 'gpu0', intervalS: 0.05 }, { flushIntervalMs: 50 });
      let t = 0;
      const feed = setInterval(() => {
        for (let i = 0; i < 5; i++) {
          t += 0.05;
          w.sample('gpu0', t, 200 + 50 * Math.sin(t));
          w.sample('board', t, 80);
        }
      }, 50);
      try {
        await waitFor(page, () => Number(document.querySelector('article.session')?.getAttribute('data-samples') ?? 0) >= 40);
        await waitCount(page, 'article.session svg path.series', 2);
        assert.equal(await page.locator('#empty').isVisible(), false);
        assert.match(await page.locator('article.session h2').innerText(), /live bench/);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, 'live-measuring.png'), fullPage: true });
      } finally {
        clearInterval(feed);
        w.close();
      }
      await page.waitForSelector('article.session.ended', { timeout: WAIT_MS });
    });
  });
});
