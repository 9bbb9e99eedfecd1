// The dashboard's JSON API against a real server on loopback, over bundles written by
// writeRunBundle: every endpoint, its filters, and the security cases (host and token, methods,
// paths that try to leave the runs directory, malformed parameters, no stack traces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { isInferprintError } from '../../src/errors.js';
import { HARDWARE, computeImpact, estimateEmbodied, requireHardware, resolveImpactParams } from '../../src/impact/index.js';
import { writeRunBundle } from '../../src/runs/io/bundle.js';
import { openLiveWriter } from '../../src/measure/io/live-writer.js';
import { startDashboard, type Dashboard } from '../../src/serve/server.js';
import { isLoopbackHost } from '../../src/loopback.js';
import { SUMMARY_TEXT, bundleInput, getJson, makeRunsDir, powerlessInput, rawRequest, tempDir, type Fixture } from './helpers.js';
import { openSse, type SseEvent } from './sse.js';
import { servedUrl, spawnCli } from '../helpers/cli-child.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface RunsBody {
  total: number;
  offset: number;
  limit: number;
  runs: { id: string; label: string; device: string; queryCount: number | null; scenario: string | null; status: string; energyJ: number | null; estimated: boolean }[];
  facets: { devices: string[]; scenarios: string[]; queryCounts: number[]; statuses: string[] };
  skipped: { id: string; error: string }[];
}

/** Every path (with size and mtime) under a directory: the server must leave it as it found it. */
function treeState(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      out.push(`${p} ${st?.size ?? 'link'} ${st?.mtimeMs ?? ''}`);
      if (st?.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** An error body: JSON with a one-line reason and nothing that looks like a stack trace. */
function assertCleanError(body: string, status: number, expected: number | number[], pattern?: RegExp): void {
  const allowed = Array.isArray(expected) ? expected : [expected];
  assert.ok(allowed.includes(status), `status ${status}, expected ${allowed.join(' or ')}: ${body}`);
  const j = JSON.parse(body) as { error?: unknown };
  assert.equal(typeof j.error, 'string', body);
  assert.ok(!/\n/.test(j.error as string), 'one line');
  assert.ok(!/\bat .+:\d+:\d+/.test(body), `no stack trace: ${body}`);
  if (pattern) assert.match(j.error as string, pattern);
}

describe('dashboard API', () => {
  let fx: Fixture;
  let d: Dashboard;
  let before0: string[];
  const logged: string[] = [];

  before(async () => {
    fx = await makeRunsDir();
    d = await startDashboard({ runsDir: fx.runsDir, liveIntervalMs: 50, log: (l) => logged.push(l) });
    before0 = treeState(fx.runsDir);
  });
  after(async () => {
    await d.close();
    rmSync(fx.root, { recursive: true, force: true });
  });

  test('binds 127.0.0.1 by default and lists the endpoints', async () => {
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await getJson<{ endpoints: string[] }>(d.url, '/api');
    assert.equal(r.status, 200);
    assert.ok(r.body.endpoints.some((e) => e.startsWith('GET /api/runs/:id/trace')));
    const info = await getJson<{ readOnly: boolean; tokenRequired: boolean; version: string }>(d.url, '/api/info');
    assert.equal(info.body.readOnly, true);
    assert.equal(info.body.tokenRequired, false);
  });

  test('/api/runs lists valid bundles newest first and reports the corrupt one', async () => {
    const r = await getJson<RunsBody>(d.url, '/api/runs');
    assert.equal(r.status, 200);
    assert.equal(r.body.total, 5);
    assert.deepEqual(
      r.body.runs.map((x) => x.label),
      ['wrapped command', 'orin offline', 'orin qc16', 'a100 qc32', 'a100 qc16'],
    );
    assert.equal(r.body.skipped.length, 1);
    assert.equal(r.body.skipped[0]!.id, 'not-a-bundle');
    assert.match(r.body.skipped[0]!.error, /not-a-bundle\/manifest\.json(:\d+)?: .*\[PARSE\]/);
    assert.ok(!r.body.skipped[0]!.error.includes(fx.runsDir), 'paths are relative to the runs directory');
    assert.deepEqual(r.body.facets, { devices: ['A100', 'AGX-Orin', 'H100'], scenarios: ['Offline', 'SingleStream'], queryCounts: [16, 32, 64], statuses: ['completed', 'interrupted'] });
    const a = r.body.runs.find((x) => x.label === 'a100 qc16')!;
    assert.equal(a.queryCount, 16);
    assert.equal(a.scenario, 'SingleStream');
    assert.equal(r.body.runs.find((x) => x.label === 'wrapped command')!.estimated, true);
    assert.ok(logged.some((l) => l.includes('not-a-bundle')), 'the skipped folder is logged');
  });

  test('/api/runs filters by device, scenario, query count, label, status and id; pages', async () => {
    const labels = async (qs: string): Promise<string[]> => {
      const r = await getJson<RunsBody>(d.url, `/api/runs?${qs}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.runs.map((x) => x.label).sort();
    };
    assert.deepEqual(await labels('device=A100'), ['a100 qc16', 'a100 qc32']);
    // An alias of the hardware (as nvidia-smi names it) finds the same runs.
    assert.deepEqual(await labels('device=A100-SXM4-40GB'), ['a100 qc16', 'a100 qc32']);
    assert.deepEqual(await labels('device=agx-orin'), ['orin offline', 'orin qc16']);
    assert.deepEqual(await labels('device=A100&device=H100'), ['a100 qc16', 'a100 qc32', 'wrapped command']);
    assert.deepEqual(await labels('scenario=Offline'), ['orin offline']);
    assert.deepEqual(await labels('queryCount=16'), ['a100 qc16', 'orin qc16']);
    assert.deepEqual(await labels('queryCount=16,32'), ['a100 qc16', 'a100 qc32', 'orin qc16']);
    assert.deepEqual(await labels('label=ORIN'), ['orin offline', 'orin qc16']);
    assert.deepEqual(await labels('status=interrupted'), ['orin offline']);
    assert.deepEqual(await labels('device=A100&queryCount=32'), ['a100 qc32']);
    assert.deepEqual(await labels(`id=${fx.ids['orin qc16']!},${fx.ids['a100 qc16']!}`), ['a100 qc16', 'orin qc16']);
    assert.deepEqual(await labels('device=T4'), []);

    const page = await getJson<RunsBody>(d.url, '/api/runs?order=asc&limit=2&offset=1');
    assert.equal(page.body.total, 5);
    assert.equal(page.body.limit, 2);
    assert.deepEqual(
      page.body.runs.map((x) => x.label),
      ['a100 qc32', 'orin qc16'],
    );
  });

  test('malformed query parameters are 400 with a reason naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['/api/runs?queryCount=abc', /'queryCount' must be a positive whole number/],
      ['/api/runs?queryCount=0', /'queryCount'/],
      ['/api/runs?queryCount=1e3', /'queryCount'/],
      ['/api/runs?limit=0', /'limit' must be between 1 and 1000/],
      ['/api/runs?limit=5000', /'limit'/],
      ['/api/runs?offset=-1', /'offset' must be a whole number/],
      ['/api/runs?limit=10&limit=20', /'limit' given 2 times/],
      ['/api/runs?scenario=Batch', /'scenario' must be one of SingleStream, MultiStream, Server, Offline/],
      ['/api/runs?status=done', /'status' must be one of completed, interrupted, failed/],
      ['/api/runs?order=sideways', /'order'/],
      ['/api/runs?querycount=16', /unknown query parameter 'querycount'/],
      ['/api/runs?id=..%2Fetc', /'id'.*not a run id/],
      [`/api/runs?label=${'x'.repeat(500)}`, /longer than 200/],
      ['/api/hardware?model=magic', /'model' must be one of/],
      ['/api/hardware?category=Mainframe', /'category' must be one of/],
      ['/api/info?verbose=1', /unknown query parameter 'verbose'/],
      ['/api/figures?runs=..', /not a run id/],
      ['/api/live/sessions?x=1', /unknown query parameter/],
    ];
    for (const [target, pattern] of cases) {
      const r = await rawRequest(d.url, target);
      assertCleanError(r.body, r.status, 400, pattern);
    }
    const id = fx.ids['a100 qc16']!;
    for (const [q, pattern] of [
      ['points=2', /'points' must be between 4 and 20000/],
      ['points=abc', /'points'/],
      ['channel=gpu9', /no channel "gpu9"/],
      ['window=warmup', /no window "warmup" \(windows: full, compute\)/],
    ] as const) {
      const r = await rawRequest(d.url, `/api/runs/${id}/trace?${q}`);
      assertCleanError(r.body, r.status, 400, pattern);
    }
    const g = await rawRequest(d.url, `/api/runs/${id}?grid=Atlantis`);
    assertCleanError(g.body, g.status, 400, /'grid'.*Atlantis/);
    const p = await rawRequest(d.url, `/api/runs/${id}?preset=best`);
    assertCleanError(p.body, p.status, 400, /'preset' must be one of/);
  });

  test('/api/runs/:id: manifest, energy, impact breakdown and MLPerf statistics from the bundle', async () => {
    const id = fx.ids['a100 qc16']!;
    interface Detail {
      run: { id: string; energyJ: number };
      manifest: { id: string; energy: { primary: { energyJ: number; durationS: number } } };
      hardware: { id: string };
      embodied: { hardwareId: string; meanKg: number };
      impact: { source: string; preset: string; result: { gwpG: { mean: number; min: number; max: number }; operationalG: { mean: number }; embodiedG: { mean: number } }; parameters: { name: string }[] };
      mlperf: { file: string; summary: { scenario: string; resultValid: boolean; stats: { maxLatencyNs: number; meanLatencyNs: number; qpsWithLoadgenOverhead: number; percentilesNs: Record<string, number> }; params: { qslRngSeed: string; minQueryCount: number } } };
      files: { name: string; role: string; sizeBytes: number }[];
    }
    const r = await getJson<Detail>(d.url, `/api/runs/${id}`);
    assert.equal(r.status, 200);
    const b = r.body;
    assert.equal(b.manifest.id, id);
    assert.equal(b.run.energyJ, b.manifest.energy.primary.energyJ);
    assert.equal(b.hardware.id, 'A100');
    assert.equal(b.embodied.hardwareId, 'A100');
    assert.equal(b.embodied.meanKg, estimateEmbodied('die-area-v1', requireHardware('A100')).meanKg);

    // No impact was recorded: it is computed with the default preset, as `measure` would have.
    assert.equal(b.impact.source, 'computed');
    assert.equal(b.impact.preset, 'default');
    const expected = computeImpact({
      energyJ: b.manifest.energy.primary.energyJ,
      durationS: b.manifest.energy.primary.durationS,
      params: resolveImpactParams({ preset: 'default', hardware: requireHardware('A100') }).params,
    });
    assert.ok(Math.abs(b.impact.result.gwpG.mean - expected.gwpG.mean) <= 1e-12 * expected.gwpG.mean);
    assert.ok(Math.abs(b.impact.result.operationalG.mean + b.impact.result.embodiedG.mean - b.impact.result.gwpG.mean) <= 1e-9 * b.impact.result.gwpG.mean);
    assert.ok(b.impact.result.gwpG.min <= b.impact.result.gwpG.mean && b.impact.result.gwpG.mean <= b.impact.result.gwpG.max);
    assert.deepEqual(
      b.impact.parameters.map((p) => p.name),
      ['grid', 'pue', 'lifetime', 'embodied'],
    );

    // MLPerf statistics parsed from the bundle's mlperf_log_summary.txt; seeds beyond 2^53 as exact strings.
    assert.equal(b.mlperf.file, 'mlperf_log_summary.txt');
    assert.equal(b.mlperf.summary.scenario, 'SingleStream');
    assert.equal(b.mlperf.summary.resultValid, false);
    assert.equal(b.mlperf.summary.stats.maxLatencyNs, 1467785);
    assert.equal(b.mlperf.summary.stats.meanLatencyNs, 1328780);
    assert.equal(b.mlperf.summary.stats.qpsWithLoadgenOverhead, 742.06);
    assert.equal(b.mlperf.summary.stats.percentilesNs['90.00'], 1463348);
    assert.equal(b.mlperf.summary.params.qslRngSeed, '3066443479025735752');
    assert.equal(b.mlperf.summary.params.minQueryCount, 16);
    assert.deepEqual(b.files, [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', sizeBytes: Buffer.byteLength(SUMMARY_TEXT) }]);

    // The thesis preset with a grid of the caller's choosing.
    const t = await getJson<Detail>(d.url, `/api/runs/${id}?preset=thesis-2025&grid=FR`);
    assert.equal(t.status, 200);
    assert.equal(t.body.impact.source, 'computed');
    assert.equal(t.body.impact.preset, 'thesis-2025');

    // A run without MLPerf logs says so.
    const c = await getJson<{ mlperf: unknown }>(d.url, `/api/runs/${fx.ids['orin qc16']!}`);
    assert.equal(c.body.mlperf, null);

    const missing = await rawRequest(d.url, '/api/runs/2026-01-01T00-00-00.000Z-nothing-ffff');
    assertCleanError(missing.body, missing.status, 404, /no run with id/);
  });

  test('/api/runs/:id/trace: at most N points per channel, min and max kept, windows', async () => {
    const id = fx.ids['a100 qc16']!;
    interface Trace {
      channels: { name: string; samples: number; downsampled: boolean; tS: number[]; powerW: number[] }[];
      windows: { name: string; t0S: number; t1S: number }[];
      window: { name: string; t0S: number; t1S: number } | null;
      primaryChannel: string;
    }
    const r = await getJson<Trace>(d.url, `/api/runs/${id}/trace?points=100`);
    assert.equal(r.status, 200);
    assert.equal(r.body.primaryChannel, 'gpu0');
    assert.deepEqual(
      r.body.channels.map((c) => c.name),
      ['gpu0', 'board'],
    );
    const gpu = r.body.channels[0]!;
    assert.equal(gpu.samples, 5000);
    assert.equal(gpu.downsampled, true);
    assert.ok(gpu.tS.length <= 100 && gpu.tS.length >= 50, `${gpu.tS.length} points`);
    assert.equal(gpu.tS[0], 0);
    assert.ok(Math.abs(gpu.tS[gpu.tS.length - 1]! - 4999 * 0.05) < 1e-9);
    assert.equal(Math.max(...gpu.powerW), 400, 'the spike survives');
    const expectedMin = Math.min(...Array.from({ length: 5000 }, (_, i) => (i === 2500 ? Infinity : 150 + 40 * Math.sin(i / 7))));
    assert.equal(Math.min(...gpu.powerW), expectedMin, 'the minimum survives');
    for (let i = 1; i < gpu.tS.length; i++) assert.ok(gpu.tS[i]! > gpu.tS[i - 1]!);
    assert.deepEqual(
      r.body.windows.map((w) => w.name),
      ['full', 'compute'],
    );

    const w = await getJson<Trace>(d.url, `/api/runs/${id}/trace?window=compute&channel=board`);
    assert.equal(w.status, 200);
    assert.deepEqual(
      w.body.channels.map((c) => c.name),
      ['board'],
    );
    const win = w.body.window!;
    assert.equal(win.name, 'compute');
    const board = w.body.channels[0]!;
    assert.ok(board.tS.every((t) => t >= win.t0S && t <= win.t1S));
    // 5000 samples at 50 ms: the compute window (25 %–75 % of the run) holds half of them.
    assert.ok(Math.abs(board.samples - 2500) <= 2, `${board.samples}`);
  });

  test('a run that measured no power: listed with null power, its MLPerf statistics shown, and no trace (404 saying why)', async () => {
    // A runs directory of its own, so the shared fixture's counts stay as they are.
    const root = tempDir();
    const runsDir = join(root, 'runs');
    const powered = await writeRunBundle(runsDir, bundleInput({ label: 't4 power', startedAt: '2026-02-01T10:00:00.000Z', device: 'Tesla-T4', deviceName: 'NVIDIA Tesla T4', queryCount: 16 }));
    const w = await writeRunBundle(runsDir, powerlessInput('T4 v1.1 SingleStream QC16', '2026-02-01T11:00:00.000Z'));
    const d2 = await startDashboard({ runsDir, log: () => undefined });
    try {
      type Row = RunsBody['runs'][number] & { sensor: string | null; primaryChannel: string | null; meanW: number | null; hasMlperf: boolean };
      const list = await getJson<Omit<RunsBody, 'runs'> & { runs: Row[] }>(d2.url, '/api/runs?order=asc');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.skipped, []);
      assert.deepEqual(
        list.body.runs.map((r) => [r.id, r.sensor, r.primaryChannel, r.energyJ === null, r.meanW, r.queryCount, r.scenario, r.hasMlperf]),
        [
          [powered.id, 'nvml', 'gpu0', false, list.body.runs[0]!.meanW, 16, 'SingleStream', false],
          [w.id, null, null, true, null, 16, 'SingleStream', true],
        ],
      );
      const filtered = await getJson<RunsBody>(d2.url, '/api/runs?device=T4&queryCount=16&scenario=SingleStream');
      assert.equal(filtered.body.total, 2);

      interface Detail {
        run: { sensor: string | null; energyJ: number | null };
        manifest: { sensor?: unknown; energy?: unknown; notes: string[] };
        hardware: { id: string } | null;
        impact: { source: string; reason: string };
        mlperf: { file: string; summary: { stats: { maxLatencyNs: number }; params: { minQueryCount: number } } };
        files: { name: string; role: string; sizeBytes: number }[];
      }
      const r = await getJson<Detail>(d2.url, `/api/runs/${w.id}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.run.sensor, null);
      assert.equal(r.body.run.energyJ, null);
      assert.equal(r.body.manifest.sensor, undefined);
      assert.equal(r.body.manifest.energy, undefined);
      assert.match(r.body.manifest.notes[0]!, /no power was measured/);
      assert.equal(r.body.hardware?.id, 'Tesla-T4');
      assert.deepEqual(r.body.impact, { source: 'none', reason: 'the run measured no power: there is no energy to assess' });
      assert.equal(r.body.mlperf.summary.stats.maxLatencyNs, 1467785);
      assert.equal(r.body.mlperf.summary.params.minQueryCount, 16);
      assert.deepEqual(r.body.files, [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', sizeBytes: Buffer.byteLength(SUMMARY_TEXT) }]);
      // Asking for another preset changes nothing: there is still no energy.
      const t = await getJson<Detail>(d2.url, `/api/runs/${w.id}?preset=thesis-2025`);
      assert.equal(t.body.impact.source, 'none');

      const trace = await rawRequest(d2.url, `/api/runs/${w.id}/trace`);
      assertCleanError(trace.body, trace.status, 404, /has no power trace: it measured no power/);
      const ok = await getJson<{ channels: unknown[] }>(d2.url, `/api/runs/${powered.id}/trace?points=10`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.channels.length, 2);

      // The compare page's figures over latency-only runs, alone and beside runs with energy.
      for (const q of [`?runs=${w.id}`, '']) {
        const figures = await rawRequest(d2.url, `/api/figures${q}`);
        assert.equal(figures.status, 200, figures.body);
      }
    } finally {
      await d2.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('/api/hardware: the database with the embodied breakdown; /api/hardware/:name with its candidates', async () => {
    interface Hw {
      model: string;
      devices: { id: string; category: string; embodied: { meanKg: number; processorKg: number; memoryKg: number; candidates: number } | null }[];
    }
    const r = await getJson<Hw>(d.url, '/api/hardware');
    assert.equal(r.status, 200);
    assert.equal(r.body.model, 'die-area-v1');
    assert.equal(r.body.devices.length, HARDWARE.length);
    const a100 = r.body.devices.find((x) => x.id === 'A100')!;
    const e = estimateEmbodied('die-area-v1', requireHardware('A100'));
    assert.equal(a100.embodied!.meanKg, e.meanKg);
    assert.equal(a100.embodied!.candidates, e.candidates.length);
    assert.ok(Math.abs(a100.embodied!.processorKg + a100.embodied!.memoryKg - e.meanKg) < 1e-9 * e.meanKg);

    const edge = await getJson<Hw>(d.url, '/api/hardware?category=Edge');
    assert.ok(edge.body.devices.length > 0 && edge.body.devices.every((x) => x.category === 'Edge'));
    const constants = await getJson<Hw>(d.url, '/api/hardware?model=thesis-2025-constants');
    assert.ok(constants.body.devices.some((x) => x.embodied === null), 'devices without the study constants have none');
    assert.ok(constants.body.devices.some((x) => x.embodied !== null));

    const one = await getJson<{ hardware: { id: string }; embodied: { candidates: unknown[]; meanKg: number } }>(d.url, '/api/hardware/NVIDIA%20A100-SXM4-40GB');
    assert.equal(one.status, 200);
    assert.equal(one.body.hardware.id, 'A100');
    assert.equal(one.body.embodied.meanKg, e.meanKg);
    const unknown = await rawRequest(d.url, '/api/hardware/A1000');
    assertCleanError(unknown.body, unknown.status, 404, /no hardware matches "A1000"/);
  });

  test('/api/figures: the report figures as Vega-Lite specs for the runs asked for', async () => {
    interface Figures {
      figures: { id: string; title: string; caption: string; spec: { $schema?: string; data?: unknown } }[];
      notes: string[];
    }
    const ids = [fx.ids['a100 qc16']!, fx.ids['orin qc16']!];
    const r = await getJson<Figures>(d.url, `/api/figures?runs=${ids.join(',')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const figureIds = r.body.figures.map((f) => f.id);
    for (const id of ['power-profile', 'gwp-by-query-count', 'latency-by-query-count', 'embodied-by-hardware']) assert.ok(figureIds.includes(id), `${id} in ${figureIds.join(', ')}`);
    for (const f of r.body.figures) {
      assert.match(String(f.spec.$schema), /vega-lite/);
      assert.ok(f.title.length > 0 && f.caption.length > 0);
    }
    // The two devices asked for, and only them, are the series.
    const gwp = JSON.stringify(r.body.figures.find((f) => f.id === 'gwp-by-query-count')!.spec);
    assert.ok(gwp.includes('A100') && gwp.includes('AGX-Orin') && !gwp.includes('H100'));

    const all = await getJson<Figures>(d.url, '/api/figures');
    assert.equal(all.status, 200);
    const grid = await rawRequest(d.url, '/api/figures?grid=Atlantis');
    assertCleanError(grid.body, grid.status, 400, /'grid'.*Atlantis/);
    const missing = await rawRequest(d.url, '/api/figures?runs=2026-01-01T00-00-00.000Z-none-0000');
    assertCleanError(missing.body, missing.status, 404, /no run with id/);
    const info = await getJson<{ figures: boolean }>(d.url, '/api/info');
    assert.equal(info.body.figures, true);
  });

  test('read-only: other methods are 405, nothing in the runs directory changes', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const target of ['/api/runs', `/api/runs/${fx.ids['a100 qc16']!}`, '/']) {
        const r = await rawRequest(d.url, target, { method, headers: { 'Content-Type': 'application/json' }, body: '{}' });
        assertCleanError(r.body, r.status, 405, /read-only/);
        assert.equal(r.headers.allow, 'GET, HEAD');
      }
    }
    const head = await rawRequest(d.url, '/api/runs', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.deepEqual(treeState(fx.runsDir), before0);
  });

  test('paths cannot leave the runs directory or the page list', async () => {
    const cases: [string, number[]][] = [
      ['/api/runs/..', [400]],
      ['/api/runs/../../etc/passwd', [400]],
      ['/api/runs/%2e%2e/%2e%2e/etc/passwd', [400]],
      ['/api/runs/%2E%2E', [400]],
      ['/api/runs/..%2F..%2Fetc%2Fpasswd', [400]],
      ['/api/runs/%2Fetc%2Fpasswd', [400]],
      ['/api/runs/%2Fetc%2Fpasswd/trace', [400]],
      ['/api/runs/..%5C..%5Cwindows', [400]],
      ['/api/runs/.hidden', [400]],
      ['/api/runs/a%00b', [400]],
      ['/api/runs/%E0%A4%A', [400]],
      ['//etc/passwd', [400]],
      ['/static/..%2Fserver.ts', [400]],
      ['/static/../../package.json', [400]],
      ['/static/server.ts', [404]],
      ['/static/index.html', [404]],
      ['/vendor/..%2F..%2Fpackage.json', [400]],
      ['/vendor/vega.js', [404]],
      ['/etc/passwd', [404]],
      ['/api/runs/not-a-bundle', [422]],
    ];
    for (const [target, statuses] of cases) {
      const r = await rawRequest(d.url, target);
      assertCleanError(r.body, r.status, statuses);
      assert.ok(!r.body.includes('root:'), target);
    }
    // An absolute-form request target (proxy style) is refused too.
    const abs = await rawRequest(d.url, 'http://127.0.0.1/etc/passwd');
    assertCleanError(abs.body, abs.status, 400);
  });

  test('symbolic links out of the runs directory are refused', async () => {
    const outside = join(fx.root, 'outside');
    const w = await writeRunBundle(outside, bundleInput({ label: 'secret', startedAt: '2026-02-01T00:00:00.000Z', device: 'A100', deviceName: 'A100', withSummary: true }), { randomSuffix: () => 'dead' });
    // A bundle directory that is a link to a bundle elsewhere: not listed, not served.
    const linkId = w.id;
    symlinkSync(w.path, join(fx.runsDir, linkId));
    // A real bundle whose files are links to files outside it.
    const leakyId = '2026-02-02T00-00-00.000Z-leaky-beef';
    const leaky = join(fx.runsDir, leakyId);
    cpSync(w.path, leaky, { recursive: true });
    writeFileSync(join(leaky, 'manifest.json'), readFileSync(join(w.path, 'manifest.json'), 'utf8').replace(linkId, leakyId));
    writeFileSync(join(fx.root, 'secret.txt'), 'TOP-SECRET\n');
    rmSync(join(leaky, 'mlperf_log_summary.txt'));
    symlinkSync(join(fx.root, 'secret.txt'), join(leaky, 'mlperf_log_summary.txt'));
    rmSync(join(leaky, 'trace.parquet'));
    symlinkSync(join(w.path, 'trace.parquet'), join(leaky, 'trace.parquet'));
    try {
      const list = await getJson<RunsBody>(d.url, '/api/runs?limit=1000');
      assert.ok(!list.body.runs.some((r) => r.id === linkId), 'a linked bundle is not listed');
      for (const target of [`/api/runs/${linkId}`, `/api/runs/${linkId}/trace`]) {
        const r = await rawRequest(d.url, target);
        assertCleanError(r.body, r.status, 404, /symbolic link/);
      }
      const detail = await getJson<{ mlperf: { error: string } }>(d.url, `/api/runs/${leakyId}`);
      assert.equal(detail.status, 200);
      assert.match(detail.body.mlperf.error, /outside its bundle/);
      assert.ok(!JSON.stringify(detail.body).includes('TOP-SECRET'));
      const trace = await rawRequest(d.url, `/api/runs/${leakyId}/trace`);
      assertCleanError(trace.body, trace.status, 422, /outside its bundle/);
    } finally {
      rmSync(join(fx.runsDir, linkId));
      rmSync(leaky, { recursive: true, force: true });
    }
  });

  test('a request whose Host is not a loopback name is refused (DNS rebinding)', async () => {
    const bad = await rawRequest(d.url, '/api/runs', { headers: { Host: 'attacker.example:80' } });
    assertCleanError(bad.body, bad.status, 403, /not a loopback name/);
    const ok = await rawRequest(d.url, '/api/runs', { headers: { Host: `localhost:${d.port}` } });
    assert.equal(ok.status, 200);
  });

  test('security headers on pages, API answers and errors', async () => {
    for (const target of ['/', '/run.html', '/api/runs', '/api/nothing', '/static/app.js', '/hardware.html', '/live.html']) {
      const r = await rawRequest(d.url, target);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, target);
      assert.match(csp, /script-src 'self'/, target);
      assert.ok(!csp.includes('unsafe-inline'), `${target}: ${csp}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', target);
      assert.equal(r.headers['access-control-allow-origin'], undefined, target);
    }
    const page = await rawRequest(d.url, '/');
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.ok(!/<script>|<script [^>]*>[^<]/.test(page.body), 'no inline script');
    const vega = await rawRequest(d.url, '/vendor/vega.min.js', { method: 'HEAD' });
    assert.equal(vega.status, 200);
    assert.match(String(vega.headers['content-type']), /javascript/);
    const vl = await rawRequest(d.url, '/vendor/vega-lite.min.js', { method: 'HEAD' });
    assert.equal(vl.status, 200);
  });

  test('the live stream delivers samples written by the live writer', async () => {
    const sse = openSse(d.url, '/api/live');
    assert.equal(await sse.status, 200);
    await sse.waitFor((es) => es.some((e) => e.event === 'snapshot'), 'snapshot');
    const w = openLiveWriter(fx.runsDir, { label: 'live test', sensor: 'nvml', channels: [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }], primaryChannel: 'gpu0', intervalS: 0.1 }, { flushIntervalMs: 20 });
    try {
      const session = (es: readonly SseEvent[]): SseEvent | undefined => es.find((e) => e.event === 'session' && (e.data as { label: string }).label === 'live test');
      await sse.waitFor((es) => session(es) !== undefined, 'session event');
      const info = session(sse.events)!.data as { session: string; sensor: string; channels: { name: string }[]; pid: number };
      assert.equal(info.sensor, 'nvml');
      assert.equal(info.pid, process.pid);
      assert.deepEqual(
        info.channels.map((c) => c.name),
        ['gpu0'],
      );
      for (let i = 0; i < 10; i++) w.sample('gpu0', i * 0.1, 100 + i);
      w.flush();
      const received = (): { t: number; channel: string; watts: number }[] =>
        sse.events.filter((e) => e.event === 'samples' && (e.data as { session: string }).session === info.session).flatMap((e) => (e.data as { samples: { t: number; channel: string; watts: number }[] }).samples);
      await sse.waitFor(() => received().length >= 10, '10 samples');
      assert.deepEqual(
        received().map((s) => s.watts),
        [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
      );
      assert.ok(Math.abs(received()[9]!.t - 0.9) < 1e-12);

      // A viewer who arrives late gets the session and its recent samples in the snapshot.
      const late = openSse(d.url, '/api/live');
      await late.waitFor((es) => es.some((e) => e.event === 'snapshot'), 'late snapshot');
      const snap = late.events.find((e) => e.event === 'snapshot')!.data as { sessions: { session: string; samples: number; recent: { watts: number }[] }[] };
      const mine = snap.sessions.find((s) => s.session === info.session)!;
      assert.equal(mine.samples, 10);
      assert.deepEqual(
        mine.recent.map((s) => s.watts),
        [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
      );
      late.close();

      const sessions = await getJson<{ sessions: { session: string; samples: number }[] }>(d.url, '/api/live/sessions');
      assert.equal(sessions.body.sessions.find((s) => s.session === info.session)!.samples, 10);

      w.close();
      await sse.waitFor((es) => es.some((e) => e.event === 'end' && (e.data as { session: string }).session === info.session), 'end event');
    } finally {
      w.close();
      sse.close();
    }
    // The writer removed its file; the server never writes there.
    assert.deepEqual(readdirSync(join(fx.runsDir, '.live')), []);
  });

  test('an unexpected failure is a generic 500, logged on the server', async () => {
    const root = tempDir();
    const notADir = join(root, 'runs');
    writeFileSync(notADir, 'a file where the runs directory should be');
    const errs: string[] = [];
    const broken = await startDashboard({ runsDir: notADir, log: (l) => errs.push(l) });
    try {
      const r = await rawRequest(broken.url, '/api/runs');
      assertCleanError(r.body, r.status, 500, /^internal error/);
      assert.ok(!r.body.includes(notADir));
      assert.ok(errs.some((l) => l.includes('ENOTDIR')), errs.join('\n'));
    } finally {
      await broken.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('dashboard access control', () => {
  test('loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', 'localhost.example.com', 'app.localhost', 'evil.localhost']) assert.ok(!isLoopbackHost(h), h);
  });

  test('a non-loopback host without a token is refused', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      await assert.rejects(
        startDashboard({ runsDir: tempDir(), host }),
        (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.where.flag === '--host' && /without a token/.test(e.message),
      );
    }
    await assert.rejects(startDashboard({ runsDir: tempDir(), token: '  ' }), (e: unknown) => isInferprintError(e) && e.where.flag === '--token');
  });

  test('a port in use is a usage error naming --port', async () => {
    const first = await startDashboard({ runsDir: tempDir() });
    try {
      await assert.rejects(startDashboard({ runsDir: tempDir(), port: first.port }), (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.where.flag === '--port' && /in use/.test(e.message));
    } finally {
      await first.close();
    }
  });

  test('with a token, every request must carry it', async () => {
    const fx = await makeRunsDir();
    const token = 'tok-0123456789abcdef';
    // Bound to every interface: allowed because a token is required.
    const d = await startDashboard({ runsDir: fx.runsDir, host: '0.0.0.0', token, log: () => undefined });
    try {
      for (const target of ['/api/runs', '/', '/static/app.js', '/api/live', `/api/runs/${fx.ids['a100 qc16']!}`]) {
        const none = await rawRequest(d.url, target);
        assertCleanError(none.body, none.status, 401, /requires a token/);
        assert.match(String(none.headers['www-authenticate']), /^Bearer/);
        const wrong = await rawRequest(d.url, target, { headers: { Authorization: 'Bearer tok-0123456789abcdeX' } });
        assertCleanError(wrong.body, wrong.status, 401, /does not match/);
        const short = await rawRequest(d.url, target, { headers: { Authorization: 'Bearer t' } });
        assertCleanError(short.body, short.status, 401);
        const basic = await rawRequest(d.url, target, { headers: { Authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` } });
        assertCleanError(basic.body, basic.status, 401);
      }
      const ok = await rawRequest(d.url, '/api/runs', { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      // The Host check is for tokenless loopback serving; with a token a LAN name is fine.
      const lan = await rawRequest(d.url, '/api/runs', { headers: { Authorization: `Bearer ${token}`, Host: 'workstation.lan:1234' } });
      assert.equal(lan.status, 200);
      const q = await rawRequest(d.url, `/api/runs?token=${token}`);
      assert.equal(q.status, 200);
      const badQ = await rawRequest(d.url, '/api/runs?token=nope');
      assertCleanError(badQ.body, badQ.status, 401);

      // A page opened with ?token= sets a cookie that its assets and API calls then carry.
      const page = await rawRequest(d.url, `/?token=${token}`);
      assert.equal(page.status, 200);
      const setCookie = String(page.headers['set-cookie']);
      assert.match(setCookie, new RegExp(`^inferprint_token_${d.port}=`));
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      const cookie = setCookie.split(';')[0]!;
      const asset = await rawRequest(d.url, '/static/app.js', { headers: { Cookie: cookie } });
      assert.equal(asset.status, 200);
      const forged = await rawRequest(d.url, '/static/app.js', { headers: { Cookie: `inferprint_token_${d.port}=guess` } });
      assertCleanError(forged.body, forged.status, 401);

      const sse = openSse(d.url, `/api/live?token=${token}`);
      assert.equal(await sse.status, 200);
      await sse.waitFor((es) => es.some((e) => e.event === 'snapshot'), 'snapshot');
      sse.close();
      // 405 before anything else: no method but GET/HEAD, token or not.
      const post = await rawRequest(d.url, '/api/runs', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      assertCleanError(post.body, post.status, 405);
    } finally {
      await d.close();
      rmSync(fx.root, { recursive: true, force: true });
    }
  });
});

describe('inferprint serve', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: ROOT });
    return { code, out, err };
  }

  test('bad usage exits 2 naming the flag', async () => {
    const host = await cli(['serve', '--host', '0.0.0.0', '--runs-dir', tempDir()]);
    assert.equal(host.code, 2);
    assert.match(host.err, /--host/);
    assert.match(host.err, /token/);
    const port = await cli(['serve', '--port', 'http']);
    assert.equal(port.code, 2);
    assert.match(port.err, /--port/);
    const extra = await cli(['serve', 'now']);
    assert.equal(extra.code, 2);
    const help = await cli(['serve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--token T/);
  });

  test('prints the URL, serves, and stops on SIGINT with exit code 0', async () => {
    const fx = await makeRunsDir();
    const child = spawnCli(['serve', '--port', '0', '--runs-dir', fx.runsDir]);
    try {
      const url = await servedUrl(child);
      const r = await getJson<RunsBody>(url, '/api/runs');
      assert.equal(r.body.total, 5);
      child.proc.kill('SIGINT');
      assert.equal((await child.exited).code, 0, child.stderr());
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
      rmSync(fx.root, { recursive: true, force: true });
    }
  });
});
