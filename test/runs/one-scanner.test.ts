/**
 * One scanner, one projection (src/runs/io/scan.ts, src/runs/row.ts): the store, the dashboard's
 * listing and `runs list --json` see the same runs, skip the same entries and match devices the
 * same way on one runs directory holding a partial run, unreadable and foreign entries, a link,
 * and devices named by id, by alias only, and by the sensor only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { deviceMatcher, type RunRow } from '../../src/runs/row.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { RunsData, type RunRow as DashboardRow } from '../../src/serve/data.js';
import { parseRunsQuery } from '../../src/serve/query.js';
import { openStore } from '../../src/store/store.js';
import { draft, tempRunsDir, writeRun } from '../store/helpers.js';

interface ListJson {
  readonly runs: RunRow[];
  readonly skipped: { name: string; code: string; reason: string }[];
}

async function runsListJson(runsDir: string, ...args: string[]): Promise<ListJson> {
  let out = '';
  let err = '';
  const code = await runCli(['runs', 'list', '--json', '--runs-dir', runsDir, ...args], { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: runsDir });
  assert.equal(code, 0, err);
  return JSON.parse(out) as ListJson;
}

async function makeRunsDir(): Promise<{ runsDir: string; ids: Record<string, string> }> {
  const runsDir = tempRunsDir();
  const sensor = draft().sensor!;
  const withChannelDevice = (device: string | undefined) => ({ ...sensor, channels: sensor.channels.map((c) => (c.name === 'gpu0' ? { name: c.name, kind: c.kind, unit: c.unit, ...(device !== undefined ? { device } : {}) } : c)) });
  const a100 = await writeRun(runsDir, { label: 'a100', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' });
  // Named by an alias only: no hardware id recorded, the device name resolves to AGX-Orin.
  const orin = await writeRun(runsDir, { label: 'orin alias', startedAt: '2026-01-02T00:00:00.000Z', endedAt: '2026-01-02T00:00:01.000Z', device: { name: 'orin' }, sensor: withChannelDevice(undefined) });
  // Named by the sensor only: the GPU name NVML reported on the primary channel.
  const h100 = await writeRun(runsDir, { label: 'h100 by sensor', startedAt: '2026-01-03T00:00:00.000Z', endedAt: '2026-01-03T00:00:01.000Z', device: {}, sensor: withChannelDevice('NVIDIA H100 80GB HBM3') });
  // An import that recorded a scenario and a query count the columns cannot hold.
  const odd = await writeRun(runsDir, {
    label: 'odd import',
    startedAt: '2026-01-04T00:00:00.000Z',
    endedAt: '2026-01-04T00:00:01.000Z',
    workload: { kind: 'import', format: 'generic-csv', sourcePath: '/x.csv', ...({ scenario: 'Weird', queryCount: 2.5 } as object) },
  });
  // A partial copy: its trace is missing.
  const partial = await writeRun(runsDir, { label: 'partial', startedAt: '2026-01-05T00:00:00.000Z', endedAt: '2026-01-05T00:00:01.000Z' });
  rmSync(join(partial.path, 'trace.parquet'));
  // Unreadable: a manifest that is not JSON.
  const broken = '2026-01-06T00-00-00.000Z-broken-0000';
  mkdirSync(join(runsDir, broken));
  writeFileSync(join(runsDir, broken, 'manifest.json'), '{ not json');
  // A link to a bundle (never followed), a writer's temporary, the campaigns folder, a plain file.
  const link = '2026-01-07T00-00-00.000Z-link-0000';
  symlinkSync(a100.path, join(runsDir, link));
  mkdirSync(join(runsDir, '.2026-01-08T00-00-00.000Z-tmp-0000.tmp-4242'));
  mkdirSync(join(runsDir, 'campaigns', 'c1'), { recursive: true });
  writeFileSync(join(runsDir, 'notes.txt'), 'not a run\n');
  return { runsDir, ids: { a100: a100.id, orin: orin.id, h100: h100.id, odd: odd.id, partial: partial.id, broken, link } };
}

async function dashboard(data: RunsData, params = ''): Promise<{ rows: readonly DashboardRow[]; skipped: string[] }> {
  const page = await data.runs(parseRunsQuery(new URLSearchParams(`order=asc&limit=1000${params}`)));
  return { rows: page.runs, skipped: page.skipped.map((s) => s.id) };
}

test('the store, the dashboard and runs list --json list the same runs and skip the same entries', async () => {
  const { runsDir, ids } = await makeRunsDir();
  const store = await openStore(runsDir).list();
  const dash = await dashboard(new RunsData(runsDir));
  const json = await runsListJson(runsDir);
  const listed = [ids.a100, ids.orin, ids.h100, ids.odd];
  assert.deepEqual(store.rows.map((r) => r.id), listed);
  assert.deepEqual(dash.rows.map((r) => r.id), listed);
  assert.deepEqual(json.runs.map((r) => r.id), listed);
  assert.deepEqual((await listRunBundles(runsDir)).map((b) => b.id), listed);

  const skipped = [ids.partial, ids.broken, ids.link].sort();
  assert.deepEqual(store.skipped.map((s) => s.name), skipped);
  assert.deepEqual(dash.skipped, skipped);
  assert.deepEqual(json.skipped.map((s) => s.name), skipped);
  assert.deepEqual(
    json.skipped.map((s) => s.code),
    [ids.partial, ids.broken, ids.link].sort().map((n) => (n === ids.partial ? 'NOT_FOUND' : n === ids.broken ? 'PARSE' : 'INVALID_VALUE')),
  );

  // One projection: the dashboard's row is the store's row under its API names.
  for (const [i, r] of store.rows.entries()) {
    const d = dash.rows[i]!;
    assert.deepEqual(json.runs[i], JSON.parse(JSON.stringify(r)));
    assert.equal(d.energyJ, r.energy_j);
    assert.equal(d.meanW, r.mean_w);
    assert.equal(d.queryCount, r.query_count);
    assert.equal(d.scenario, r.scenario);
    assert.equal(d.deviceName, r.device);
    assert.equal(d.hardwareId, r.hardware_id);
    assert.equal(d.provenanceDetail, r.provenance_detail);
    assert.equal(d.impactScope, r.impact_scope);
    assert.ok(r.gwp_mg !== null && d.gwpG !== null && Math.abs(d.gwpG * 1000 - r.gwp_mg) <= 1e-12 * r.gwp_mg, `${r.id}: gwp`);
  }
  const byLabel = new Map(store.rows.map((r) => [r.label, r]));
  // The device name falls back to what the sensor reported (the dashboard's rule, now the store's too).
  assert.equal(byLabel.get('h100 by sensor')!.device, 'NVIDIA H100 80GB HBM3');
  assert.deepEqual(dash.rows.map((r) => r.device), ['A100', 'AGX-Orin', 'H100', 'A100']);
  // Only what the columns can hold: an MLPerf scenario, a positive whole query count.
  assert.equal(byLabel.get('odd import')!.scenario, null);
  assert.equal(byLabel.get('odd import')!.query_count, null);
});

test('a device matches by id, name or alias (the run\'s own name resolved too), else by part of a name, everywhere', async () => {
  const { runsDir, ids } = await makeRunsDir();
  const store = openStore(runsDir);
  const data = new RunsData(runsDir);
  const cases: [string, string[]][] = [
    ['A100', [ids.a100!, ids.odd!]],
    ['a100', [ids.a100!, ids.odd!]],
    ['NVIDIA A100-SXM4-40GB', [ids.a100!, ids.odd!]],
    // The run recorded only `orin`: it is the AGX-Orin for every name of it.
    ['AGX-Orin', [ids.orin!]],
    ['Jetson AGX Orin', [ids.orin!]],
    ['ORIN', [ids.orin!]],
    // The run recorded only the sensor's GPU name.
    ['H100', [ids.h100!]],
    // Not a name the database knows: part of a device name or hardware id, any case.
    ['nvidia', [ids.a100!, ids.h100!, ids.odd!]],
    ['sxm4', [ids.a100!, ids.odd!]],
    ['nothing-like-it', []],
  ];
  for (const [device, want] of cases) {
    assert.deepEqual((await store.list({ device })).rows.map((r) => r.id), want, `store --device ${device}`);
    assert.deepEqual((await dashboard(data, `&device=${encodeURIComponent(device)}`)).rows.map((r) => r.id), want, `dashboard ?device=${device}`);
    assert.deepEqual((await runsListJson(runsDir, '--device', device)).runs.map((r) => r.id), want, `runs list --device ${device}`);
  }
  // The dashboard takes several devices: any of them.
  assert.deepEqual((await dashboard(data, '&device=orin,H100')).rows.map((r) => r.id), [ids.orin, ids.h100]);
});

test('the dashboard takes a listed bundle on its name, and still drops one that is removed', async () => {
  const { runsDir, ids } = await makeRunsDir();
  const data = new RunsData(runsDir);
  const first = (await dashboard(data)).rows;
  rmSync(join(runsDir, ids.orin!), { recursive: true });
  // The directory changed: listed again (the listing trusts a fresh scan only 2 s after a change).
  await new Promise((r) => setTimeout(r, 600));
  const second = (await dashboard(data)).rows;
  assert.deepEqual(second.map((r) => r.id), first.map((r) => r.id).filter((id) => id !== ids.orin));
  // Rows of unchanged bundles are the same objects: nothing was read again.
  assert.equal(second[0], first[0]);
});

test('deviceMatcher: a run whose hardware is known is judged by it, not by its free-text name', () => {
  const orinById = { hardware_id: 'AGX-Orin', device: 'NVIDIA A100-SXM4-40GB' };
  const a100Pcie = { hardware_id: 'A100-PCIE-40GB', device: null };
  const orinByAlias = { hardware_id: null, device: 'orin' };
  const unknown = { hardware_id: null, device: 'Acme NPU 9000' };
  const cases: [string, boolean[]][] = [
    // [query, matches of orinById, a100Pcie, orinByAlias, unknown]
    ['A100', [false, true, false, false]],
    ['AGX-Orin', [true, false, true, false]],
    ['jetson agx orin', [true, false, true, false]],
    ['acme', [false, false, false, true]],
    ['NPU 9000', [false, false, false, true]],
    ['pcie', [false, true, false, false]],
  ];
  for (const [q, want] of cases) {
    const m = deviceMatcher(q);
    assert.deepEqual([orinById, a100Pcie, orinByAlias, unknown].map(m), want, q);
  }
});
