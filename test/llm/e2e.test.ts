/**
 * The whole served-LLM path against the real server shipped with the project: `serve-model
 * --protocol openai` (in process) → `bench --sut openai` through the CLI (closed-loop levels and
 * a Poisson level, MLPerf limits) → one bundle (schema 2, windows per level and steady state,
 * per-request timelines) → `analyze --format csv` (the contract columns, one row per level) →
 * `report` (the LLM figures) → the dashboard's API and, with Chromium, its run page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { writeReport } from '../../src/app/report.js';
import { render } from '../../src/cli/commands/analyze.js';
import { runCli } from '../../src/cli/main.js';
import { serveLlm, type LlmServer } from '../../src/llm/io/server.js';
import { MANIFEST_SCHEMA_VERSION, parseManifestText, type LlmWorkload, type RunManifest } from '../../src/runs/manifest.js';
import { startDashboard } from '../../src/serve/server.js';
import { CHROMIUM, HAVE_CHROMIUM, skipOrFail } from '../helpers/requirements.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const noChromium = skipOrFail(!HAVE_CHROMIUM && `Chromium not found at ${CHROMIUM}`);

/** The contract columns of `analyze --format csv` for served LLMs (issue 14), and the ones it adds. */
const REQUIRED = ['concurrency', 'requests', 'output_tokens', 'ttft_p50_ms', 'ttft_p99_ms', 'tpot_p50_ms', 'tpot_p99_ms', 'j_per_output_token', 'gwp_mg_per_1k_tokens'];
const ALSO = ['operational_mg_per_1k_tokens', 'embodied_mg_per_1k_tokens', 'ttft_p90_ms', 'tpot_p90_ms', 'device', 'model'];

function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

describe('served LLM, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-llm-e2e-'));
  const runsDir = join(dir, 'runs');
  const trace = join(dir, gpuTraceName());
  // 250 W with a ripple, every 10 ms: a GPU as the replay sensor plays it.
  writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 3000 }, (_, i) => `${(i * 0.01).toFixed(2)},${250 + 20 * Math.sin(i / 9)}`).join('\n')}\n`);
  let server: LlmServer;
  let manifest: RunManifest;
  let bundleDir: string;
  let json: { levels: Record<string, unknown>[]; bundle: string };

  before(async () => {
    server = await serveLlm({ preset: 'decoder-tiny', port: 0 });
    let out = '';
    let err = '';
    const prompts = join(dir, 'prompts.jsonl');
    writeFileSync(prompts, ['"What is a joule?"', '{"prompt": "Count the watts."}', '{"messages": [{"role": "user", "content": "Hello"}]}', '"Energy per token, please."'].join('\n'));
    const code = await runCli(
      ['bench', '--sut', 'openai', '--url', `${server.url}/v1`, '--model', server.modelName, '--concurrency', '1,2', '--request-rate', '40', '--requests', '6', '--max-tokens', '16', '--ignore-eos', '--prompts', prompts, '--latency-limits', 'llama2-70b', '--sensor', `replay:${trace}`, '--interval', '20ms', '--hardware', 'H100-NVL', '--label', 'llm-e2e', '--runs-dir', runsDir, '--format', 'json'],
      { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} },
    );
    assert.equal(code, 0, err);
    json = JSON.parse(out) as typeof json;
    bundleDir = json.bundle;
    manifest = parseManifestText(readFileSync(join(bundleDir, 'manifest.json'), 'utf8'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one bundle of schema 2: levels, their windows and steady states, every request\'s timeline', () => {
    assert.equal(manifest.schemaVersion, MANIFEST_SCHEMA_VERSION);
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.status.kind, 'completed');
    const w = manifest.workload as LlmWorkload;
    assert.equal(w.kind, 'llm');
    assert.equal(w.api, 'openai-chat');
    assert.equal(w.streamUsage, true);
    assert.deepEqual(w.levels.map((l) => l.name), ['c1', 'c2', 'r40']);
    for (const l of w.levels) {
      assert.deepEqual([l.requests, l.succeeded, l.failed], [6, 6, 0]);
      // --ignore-eos and --max-tokens 16: every answer is 16 tokens, counted by the server.
      assert.equal(l.outputTokens, 96);
      assert.equal(l.outputTokensSource, 'usage');
      assert.ok(l.ttftMs!.p50 <= l.ttftMs!.p99 && l.tpotMs!.p50 > 0);
      assert.equal(l.limits![0]!.name, 'llama2-70b');
      assert.ok(l.energy && l.energy.jPerOutputToken! > 0 && l.energy.outputTokens > 0);
    }
    const c1 = w.levels[0]!.energy!;
    assert.equal(c1.window, 'steady');
    assert.equal(c1.split.approximate, false, 'one client: requests never overlap');
    assert.equal(w.levels[1]!.energy!.split.approximate, true);
    const names = manifest.windows.map((x) => x.name);
    for (const n of ['full', 'c1', 'c1-steady', 'c2', 'c2-steady', 'r40']) assert.ok(names.includes(n), `window ${n} in ${names.join(', ')}`);
    const steady = manifest.windows.find((x) => x.name === 'c1-steady')!;
    assert.ok(Math.abs(steady.t0S - c1.t0S) < 1e-12 && Math.abs(steady.t1S - c1.t1S) < 1e-12);
    // The steady window's energy in the manifest's windows is the level's figure.
    const e = manifest.energy!.perWindow!.find((x) => x.window === 'c1-steady' && x.channel === manifest.energy!.primary.channel)!;
    assert.ok(Math.abs(e.energyJ - c1.energyJ) < 1e-6 * c1.energyJ, `${e.energyJ} vs ${c1.energyJ}`);
    const lines = readFileSync(join(bundleDir, 'llm_requests.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 18);
    assert.equal((JSON.parse(lines[0]!) as { tokens_s: number[] }).tokens_s.length, 16);
    assert.deepEqual(manifest.files.find((f) => f.name === 'llm_requests.jsonl'), { name: 'llm_requests.jsonl', role: 'llm_requests' });
  });

  test('analyze --format csv: one row per device × model × level, with the contract columns', () => {
    const csv = render(analyze({ paths: [runsDir], method: 'trapezoid' }), 'csv');
    const header = csv.split('\n')[0]!.split(',');
    for (const c of [...REQUIRED, ...ALSO]) assert.ok(header.includes(c), `column ${c}`);
    const rows = csvRows(csv);
    assert.deepEqual(rows.map((r) => [r.device, r.model, r.concurrency, r.request_rate]), [
      ['H100-NVL', server.modelName, '1', ''],
      ['H100-NVL', server.modelName, '2', ''],
      ['H100-NVL', server.modelName, '', '40'],
    ]);
    const w = manifest.workload as LlmWorkload;
    rows.forEach((r, i) => {
      const l = w.levels[i]!;
      assert.equal(r.requests, '6');
      assert.equal(r.output_tokens, '96');
      // One run: the ratio over its window is the run's own figure; percentiles pooled from its timelines equal its own.
      assert.ok(Math.abs(Number(r.j_per_output_token) - l.energy!.jPerOutputToken!) < 1e-9 * l.energy!.jPerOutputToken!);
      assert.ok(Math.abs(Number(r.ttft_p99_ms) - l.ttftMs!.p99) < 1e-9 * l.ttftMs!.p99);
      assert.ok(Math.abs(Number(r.tpot_p50_ms) - l.tpotMs!.p50) < 1e-9 * l.tpotMs!.p50);
      const gwp = Number(r.gwp_mg_per_1k_tokens);
      assert.ok(gwp > 0);
      assert.ok(Math.abs(gwp - Number(r.operational_mg_per_1k_tokens) - Number(r.embodied_mg_per_1k_tokens)) < 1e-9 * gwp);
      // GWP over the window's mean energy and duration, per 1 000 of its tokens: the run's own impact figure spread over them.
      assert.ok(Math.abs(gwp - (Number(r.gwp_mg) * 1000) / l.energy!.outputTokens) < 1e-9 * gwp);
      assert.equal(r.latency_source, 'requests');
    });
    // The table names the LLM rows apart.
    assert.match(render(analyze({ paths: [runsDir], method: 'trapezoid' }), 'table'), /Served LLMs — energy per output token/);
  });

  test('bench --format json gives the same per-level figures as the bundle', () => {
    const w = manifest.workload as LlmWorkload;
    assert.deepEqual(json.levels.map((l) => l.level), ['c1', 'c2', 'r40']);
    assert.equal(json.levels[0]!.j_per_output_token, w.levels[0]!.energy!.jPerOutputToken);
    assert.ok((json.levels[0]!.gwp_mg_per_1k_tokens as number) > 0);
  });

  test('report: energy per token and latency against concurrency, per device', async () => {
    const out = join(dir, 'report');
    await writeReport({ paths: [runsDir], outDir: out, formats: ['svg'] });
    const figures = readdirSync(join(out, 'figures'));
    for (const f of ['llm-energy-per-token.svg', 'llm-latency.svg', 'llm-energy-per-token-rate.svg', 'llm-latency-rate.svg']) assert.ok(figures.includes(f), `${f} in ${figures.join(', ')}`);
    const spec = JSON.parse(readFileSync(join(out, 'figures', 'llm-energy-per-token.vl.json'), 'utf8')) as { data: { values: { x: number; jPerToken: number }[] } };
    assert.deepEqual(spec.data.values.map((v) => v.x), [1, 2]);
    const latency = readFileSync(join(out, 'figures', 'llm-latency.svg'), 'utf8');
    assert.match(latency, /llama2-70b/, 'the limit is drawn');
  });

  test('dashboard: the run\'s API gives each level\'s footprint; the run page shows the LLM table', { timeout: 120_000 }, async (t) => {
    const d = await startDashboard({ runsDir, log: () => undefined });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request(`${d.url}api/runs/${encodeURIComponent(manifest.id)}`, (res) => {
          let s = '';
          res.on('data', (c: Buffer) => (s += c.toString()));
          res.on('end', () => { resolve(s); });
        })
          .on('error', reject)
          .end();
      });
      const detail = JSON.parse(body) as { llm: { level: string; footprint: { gwpMgPer1kTokens: number } }[]; run: { workload: string; model: string } };
      assert.deepEqual(detail.llm.map((x) => x.level), ['c1', 'c2', 'r40']);
      assert.ok(detail.llm.every((x) => x.footprint.gwpMgPer1kTokens > 0));
      assert.equal(detail.run.workload, 'llm');
      assert.equal(detail.run.model, server.modelName);
      if (noChromium) {
        t.skip(noChromium);
        return;
      }
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        await page.goto(`${d.url}run.html?id=${encodeURIComponent(manifest.id)}`);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
        assert.equal(await page.locator('#llm-table tbody tr').count(), 3);
        assert.match(await page.locator('#llm-table').innerText(), /c2/);
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
      }
    } finally {
      await d.close();
    }
  });
});
