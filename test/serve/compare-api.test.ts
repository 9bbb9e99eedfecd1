// The compare page's data (/api/figures) over runs that measured no power: imported MLPerf logs
// give latency figures and a plain "no power" message, never an empty answer; beside powered
// runs they are named; with power everywhere there is no such message.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import type { NoPower } from '../../src/serve/figures.js';
import { startDashboard } from '../../src/serve/server.js';
import { skipWithoutThesis, THESIS_DIR } from '../helpers/fixtures.js';
import { writePowerless, writeSmallStore } from '../report/helpers.js';
import { getJson } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-compare-api-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Figures {
  figures: { id: string; title: string; caption: string; spec: { data?: { values?: Record<string, unknown>[] } } }[];
  notes: string[];
  noPower?: NoPower;
}

async function figuresOf(runsDir: string, query = ''): Promise<Figures> {
  const d = await startDashboard({ runsDir, log: () => undefined });
  try {
    const r = await getJson<Figures>(d.url, `/api/figures${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  } finally {
    await d.close();
  }
}

/** The figures that need energy: none may appear for runs without power. */
const ENERGY_FIGURES = ['power-profile', 'power-profile-compute', 'gwp-by-query-count', 'gwp-per-query-vs-latency', 'operational-embodied-share'];

test('a store of MLPerf imports without power: the latency figure with its points, and a message that the runs carry no power', async () => {
  const runsDir = join(root, 'powerless');
  const written: string[] = [];
  for (const qc of [16, 32, 64]) for (let r = 0; r < 2; r++) written.push(await writePowerless(runsDir, qc, r, 10 + qc / 16));
  const body = await figuresOf(runsDir);
  const ids = body.figures.map((f) => f.id);
  assert.ok(ids.includes('latency-by-query-count'), ids.join(', '));
  for (const id of ENERGY_FIGURES) assert.ok(!ids.includes(id), `${id} drawn without power`);
  const latency = body.figures.find((f) => f.id === 'latency-by-query-count')!;
  const points = latency.spec.data?.values ?? [];
  assert.deepEqual([...new Set(points.map((v) => v.qc))].sort((a, b) => Number(a) - Number(b)), [16, 32, 64]);
  assert.ok(points.every((v) => v.series === 'Tesla-T4 v1.1'));
  assert.deepEqual(
    { groups: body.noPower?.groups, of: body.noPower?.of, series: body.noPower?.series },
    { groups: 3, of: 3, series: ['Tesla-T4 v1.1'] },
  );
  assert.match(body.noPower!.message, /carry no power measurement/);
  assert.match(body.noPower!.message, /no energy, power-profile or GWP figure/);

  // Runs picked on the runs page: the same answer for them.
  const one = await figuresOf(runsDir, `?runs=${written[0]!}`);
  assert.ok(one.figures.some((f) => f.id === 'latency-by-query-count'));
  assert.deepEqual({ groups: one.noPower?.groups, of: one.noPower?.of }, { groups: 1, of: 1 });
});

test('powerless runs beside powered ones are named; the energy figures are drawn for the others', async () => {
  const runsDir = join(root, 'mixed');
  await writeSmallStore(runsDir);
  await writePowerless(runsDir, 16, 0, 12);
  const body = await figuresOf(runsDir);
  const ids = body.figures.map((f) => f.id);
  for (const id of ['power-profile', 'gwp-by-query-count', 'latency-by-query-count']) assert.ok(ids.includes(id), ids.join(', '));
  assert.deepEqual({ groups: body.noPower?.groups, of: body.noPower?.of, series: body.noPower?.series }, { groups: 1, of: 5, series: ['Tesla-T4 v1.1'] });
  assert.match(body.noPower!.message, /^1 of 5 device × query-count groups carry no power measurement \(Tesla-T4 v1\.1\): they appear in the latency figures only/);

  const powered = join(root, 'powered');
  await writeSmallStore(powered);
  assert.equal((await figuresOf(powered)).noPower, undefined);
});

test("the study's T4 MLPerf logs, imported: latency at its five query counts, no power", { skip: skipWithoutThesis }, async () => {
  const runsDir = join(root, 'imported');
  let err = '';
  const code = await runCli(['import', 'mlperf', join(THESIS_DIR, 'Logs', 'T4_v1.1_logs'), '--runs-dir', runsDir], { stdout: () => undefined, stderr: (s) => (err += s), isTTY: false, env: {} });
  assert.equal(code, 0, err);
  const body = await figuresOf(runsDir);
  const ids = body.figures.map((f) => f.id);
  assert.ok(ids.includes('latency-by-query-count'), ids.join(', '));
  for (const id of ENERGY_FIGURES) assert.ok(!ids.includes(id), `${id} drawn without power`);
  const qcs = new Set((body.figures.find((f) => f.id === 'latency-by-query-count')!.spec.data?.values ?? []).map((v) => v.qc));
  for (const qc of [16, 32, 64, 128, 256]) assert.ok(qcs.has(qc), `QC ${qc}`);
  assert.equal(body.noPower?.groups, body.noPower?.of);
  assert.match(body.noPower!.message, /no power measurement/);
});
