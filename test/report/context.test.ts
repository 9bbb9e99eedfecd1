// The context line each figure carries in its own image (grid, PUE, lifetime, energy method,
// tool version), read from the parameters the analysis used: under the default preset, with a
// grid given as a zone or a number, for runs without power, and the note on devices with one
// embodied candidate.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findGridZone, requireHardware, resolveImpactParams } from '../../src/impact/index.js';
import { figureContext, gridZoneOf } from '../../src/report/context.js';
import type { ReportData } from '../../src/report/data.js';
import { reportFigures } from '../../src/report/figures.js';
import { loadReportData } from '../../src/app/report-data.js';
import { renderSvg } from '../../src/report/io/render.js';
import { TOOL_NAME, TOOL_VERSION } from '../../src/version.js';
import { svgText, writePowerless, writeSmallStore } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-report-context-'));
const TOOL = `${TOOL_NAME} ${TOOL_VERSION}`;
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** H100-NVL and AGX-Orin bench bundles, written once. */
let store: Promise<string> | undefined;
function smallStore(): Promise<string> {
  store ??= (async () => {
    const dir = join(root, 'small');
    await writeSmallStore(dir);
    return dir;
  })();
  return store;
}

const gridOf = (preset: 'default' | 'thesis-2025', grid?: string) =>
  resolveImpactParams({ preset, hardware: requireHardware('A100'), ...(grid !== undefined ? { grid } : {}) }).used.find((u) => u.name === 'grid')!;

test('gridZoneOf reads the zone a grid parameter came from, and none for a number given by the user', () => {
  assert.equal(gridZoneOf(gridOf('thesis-2025')), 'FR-ADEME');
  assert.equal(gridZoneOf(gridOf('default')), 'WORLD');
  assert.equal(gridZoneOf(gridOf('default', 'DE')), 'DEU');
  assert.equal(gridZoneOf(gridOf('default', 'France')), 'FRA');
  assert.equal(gridZoneOf(gridOf('default', '56')), undefined);
  // A measurement records its grid as `zone X` in the reason (app/measure.ts).
  assert.equal(gridZoneOf({ name: 'grid', value: 42, unit: 'gCO2e/kWh', source: 'Ember', year: 2024, origin: 'preset', why: 'zone SWE' }), 'SWE');
});

test('default preset: the world grid, the data-centre PUE with its range beside the edge 1.0, the lifetime range', async () => {
  const data = await loadReportData({ paths: [await smallStore()] });
  const world = findGridZone('WORLD')!.gPerKwh;
  const pue = data.parameters.find((p) => p.device === 'H100-NVL v4.1')!.used.find((u) => u.name === 'pue')!;
  assert.ok(pue.min !== undefined && pue.max !== undefined && pue.min < (pue.value as number));
  const n = (x: number): string => String(Number(x.toPrecision(4)));
  assert.deepEqual(figureContext(data).lines, [
    `grid WORLD ${n(world)} gCO2e/kWh · PUE ${n(pue.value as number)} (${n(pue.min)}–${n(pue.max)}) datacenter, 1.0 edge · lifetime 7 (3–7) y`,
    `energy method trapezoid · ${TOOL}`,
  ]);

  // H100-NVL has one embodied candidate: the GWP figure says so, in its image.
  const gwp = reportFigures(data).find((f) => f.id === 'gwp-by-query-count')!;
  const text = svgText(await renderSvg(gwp.spec));
  assert.ok(text.includes('H100-NVL v4.1: one embodied candidate: no range from the embodied part'), text);
  assert.ok(!text.includes('AGX-Orin v4.1: one embodied candidate'));
  assert.match(gwp.caption, /H100-NVL v4\.1: one embodied candidate: no range/);
});

test('a grid given as a number or a zone is the one on the figures', async () => {
  const dir = await smallStore();
  const user = await loadReportData({ paths: [dir], grid: '56' });
  assert.match(figureContext(user).lines[0]!, /^grid 56 gCO2e\/kWh \(user value\) · PUE /);
  const de = await loadReportData({ paths: [dir], grid: 'DE' });
  assert.match(figureContext(de).lines[0]!, new RegExp(`^grid DEU ${String(Number(findGridZone('DEU')!.gPerKwh.toPrecision(4)))} gCO2e/kWh · `));
});

test('runs without power: the figures say so instead of naming parameters nothing used; beside powered runs they do not count', async () => {
  const alone = join(root, 'powerless');
  for (const qc of [16, 32]) await writePowerless(alone, qc, 0, 10);
  const data = await loadReportData({ paths: [alone] });
  assert.ok(data.parameters.length > 0, 'the T4 is known, so analyze lists its parameters');
  assert.deepEqual(figureContext(data).lines, ['no power measured (latency only): no energy, no GWP', TOOL]);
  const latency = reportFigures(data).find((f) => f.id === 'latency-by-query-count')!;
  assert.ok(svgText(await renderSvg(latency.spec)).includes('no power measured (latency only)'));

  // The desktop T4 has no GWP beside the bench devices: its PUE is not on the figures.
  const mixed = join(root, 'mixed');
  await writeSmallStore(mixed);
  await writePowerless(mixed, 16, 0, 12);
  const m = await loadReportData({ paths: [mixed] });
  assert.ok(m.series.some((s) => s.name === 'Tesla-T4 v1.1'));
  assert.match(figureContext(m).lines[0]!, /PUE .* datacenter, 1\.0 edge · /);
  assert.ok(!figureContext(m).lines[0]!.includes('desktop'));
});

test('energy without known hardware: no GWP, and the line says why', () => {
  const data = {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    method: 'trapezoid',
    series: [],
    rows: [{ series: 'unknown device', energy: {} }],
    parameters: [],
  } as unknown as ReportData;
  assert.deepEqual(figureContext(data).lines, ['no GWP: no device of these runs is in the hardware database', `energy method trapezoid · ${TOOL}`]);
});
