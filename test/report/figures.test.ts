import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../../src/report/data.js';
import { loadReportData } from '../../src/app/report-data.js';
import { reportFigures, tradeOffPoints, type FigureSpec } from '../../src/report/figures.js';
import { NEUTRAL, SERIES_PALETTE } from '../../src/report/palette.js';
import { dominates } from '../../src/report/pareto.js';
import { renderSvg } from '../../src/report/io/render.js';
import { TOOL_NAME, TOOL_VERSION } from '../../src/version.js';
import { skipWithoutThesis, THESIS_DIR } from '../helpers/fixtures.js';
import { contrastRatio, matchSnapshot, normaliseSvg, svgText } from './helpers.js';

/** The study's fixtures through the report, with its own arithmetic (`--method thesis`): stable to the last digit. */
let loaded: Promise<{ data: ReportData; figures: FigureSpec[] }> | undefined;
function study(): Promise<{ data: ReportData; figures: FigureSpec[] }> {
  loaded ??= loadReportData({ paths: [THESIS_DIR], method: 'thesis' }).then((data) => ({ data, figures: reportFigures(data) }));
  return loaded;
}

const values = (f: FigureSpec): Record<string, unknown>[] => (f.spec.data as { values: Record<string, unknown>[] }).values;

/** Each figure rendered once for the tests that read its SVG (rendering is the slow part). */
const svgs = new Map<string, Promise<string>>();
async function svgOf(id: string): Promise<string> {
  const { figures } = await study();
  const f = figures.find((x) => x.id === id);
  assert.ok(f, `figure ${id}`);
  if (!svgs.has(id)) svgs.set(id, renderSvg(f.spec));
  return svgs.get(id)!;
}

test('the study fixtures give all seven figures, in report order', { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  assert.deepEqual(
    figures.map((f) => f.id),
    ['power-profile', 'power-profile-compute', 'gwp-by-query-count', 'latency-by-query-count', 'embodied-by-hardware', 'gwp-per-query-vs-latency', 'operational-embodied-share'],
  );
  assert.deepEqual(
    data.series.map((s) => s.name),
    ['A100-PCIE-40GB v4.1', 'AGX-Orin v4.1', 'Tesla-T4 v1.1'],
  );
  // 3 devices × 5 query counts, whole runs and compute-phase runs.
  assert.equal(data.profiles.length, 30);
  for (const f of figures) {
    assert.ok(f.title.length > 0 && f.caption.length > 40, f.id);
    assert.equal(f.spec.$schema, 'https://vega.github.io/schema/vega-lite/v6.json');
  }
});

test('parameters and the methods text name devices as the series do (not by dataset tag)', { skip: skipWithoutThesis }, async () => {
  const { data } = await study();
  assert.deepEqual(
    data.parameters.map((p) => p.device),
    ['A100-PCIE-40GB v4.1', 'AGX-Orin v4.1', 'Tesla-T4 v1.1'],
  );
  const text = JSON.stringify(data.methods);
  assert.ok(!/\borin v4\.1\b/.test(text), 'no dataset-tag device name in the methods text');
});

test("figure 2 plots the study's Table 5.1 GWP and its range (expected.csv, 1e-5 relative)", { skip: skipWithoutThesis }, async () => {
  const { figures } = await study();
  const gwp = values(figures.find((f) => f.id === 'gwp-by-query-count')!);
  const [header, ...lines] = readFileSync(join(THESIS_DIR, 'expected.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const series: Record<string, string> = { T4: 'Tesla-T4 v1.1', A100: 'A100-PCIE-40GB v4.1', orin: 'AGX-Orin v4.1' };
  assert.equal(gwp.length, lines.length);
  for (const line of lines) {
    const row = Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v]));
    const p = gwp.find((v) => v.series === series[row.dataset_tag!] && v.qc === Number(row.qc));
    assert.ok(p, line);
    for (const [field, col] of [['gwp', 'gwp_mg'], ['min', 'gwp_min_mg'], ['max', 'gwp_max_mg']] as const) {
      const want = Number(row[col]);
      assert.ok(Math.abs((p[field] as number) - want) <= 1e-5 * want, `${line}: ${field} ${String(p[field])} vs ${want}`);
    }
  }
});

test('figure 5 marks exactly the non-dominated configurations: A100 and AGX-Orin at 256 queries', { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  const t = tradeOffPoints(data);
  assert.equal(t.rows.length, 15);
  assert.ok(t.p90);
  const brute = t.points.flatMap((p, i) => (t.points.some((q) => dominates(q, p)) ? [] : [i]));
  assert.deepEqual([...t.front].sort((a, b) => a - b), brute);
  assert.deepEqual(
    t.front.map((i) => `${t.rows[i]!.series} ${t.rows[i]!.queryCount!}`),
    ['A100-PCIE-40GB v4.1 256', 'AGX-Orin v4.1 256'],
  );
  const marked = values(figures.find((f) => f.id === 'gwp-per-query-vs-latency')!).filter((v) => v.kind === 'point' && v.front === true);
  assert.deepEqual(
    marked.map((v) => `${String(v.series)} ${String(v.qc)}`),
    ['A100-PCIE-40GB v4.1 256', 'AGX-Orin v4.1 256'],
  );
});

test('each figure renders to the stored SVG snapshot (study fixtures; INFERPRINT_UPDATE_SNAPSHOTS=1 rewrites them)', { skip: skipWithoutThesis }, async (t) => {
  const { figures } = await study();
  for (const f of figures) {
    await t.test(f.id, async () => {
      const svg = await svgOf(f.id);
      assert.match(svg, /^<svg\b/);
      // The one pinned family, nothing the machine happens to have.
      const families = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
      assert.deepEqual([...families], ['DejaVu Sans']);
      matchSnapshot(`${f.id}.svg`, normaliseSvg(svg));
    });
  }
});

test('rendering is deterministic: the same spec twice, in any order, gives the same SVG', { skip: skipWithoutThesis }, async () => {
  const { figures } = await study();
  const a = await renderSvg(figures[2]!.spec);
  await renderSvg(figures[0]!.spec);
  const b = await renderSvg(figures[2]!.spec);
  assert.equal(a, b);
});

test('every figure carries, inside its SVG, its title, grid, PUE, lifetime, energy method and tool version', { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  // The values come from what the analysis says it used for each device.
  const used = (device: string, name: string): number => data.parameters.find((p) => p.device === device)!.used.find((u) => u.name === name)!.value as number;
  assert.equal(used('A100-PCIE-40GB v4.1', 'grid'), 79.1);
  assert.equal(used('A100-PCIE-40GB v4.1', 'pue'), 1.5);
  assert.equal(used('AGX-Orin v4.1', 'pue'), 1);
  assert.equal(used('Tesla-T4 v1.1', 'pue'), 1);
  assert.equal(used('A100-PCIE-40GB v4.1', 'lifetime'), 7 * 8760 * 3600);
  for (const f of figures) {
    const text = svgText(await svgOf(f.id));
    for (const want of [
      f.title,
      'grid FR-ADEME 79.1 gCO2e/kWh',
      // The data-centre GPU at 1.5, the desktop T4 and the edge Orin at 1.0.
      'PUE 1.5 datacenter, 1.0 desktop/edge',
      'lifetime 7 y',
      'energy method thesis',
      `${TOOL_NAME} ${TOOL_VERSION}`,
    ]) {
      assert.ok(text.includes(want), `${f.id}: '${want}' not in the SVG's text:\n${text.slice(0, 400)}`);
    }
  }
});

test("power profiles: each panel's time axis spans its own data, padded by 2 % (no empty stretch)", { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  for (const phase of ['full', 'compute'] as const) {
    const f = figures.find((x) => x.id === (phase === 'full' ? 'power-profile' : 'power-profile-compute'))!;
    const profiles = data.profiles.filter((p) => p.phase === phase);
    // What vega will draw: every x scale of the compiled spec, with the domain it was given.
    const scales = (compile(f.spec as unknown as TopLevelSpec).spec.scales ?? []) as { name: string; domain?: unknown; nice?: unknown; zero?: unknown }[];
    const xs = scales.filter((sc) => /(^|_)x$/.test(sc.name));
    assert.equal(xs.length, profiles.length, `one time axis per panel: ${xs.map((x) => x.name).join(', ')}`);
    const extents = profiles.map((p) => [Math.min(...p.tS), Math.max(...p.tS)] as const);
    for (const sc of xs) {
      assert.ok(Array.isArray(sc.domain) && sc.domain.length === 2, `${sc.name}: an explicit domain`);
      assert.equal(sc.nice, false, `${sc.name}: not rounded out`);
      const [d0, d1] = sc.domain as [number, number];
      // The panel whose data this domain fits: it covers the data, with at most 2 % on each side (6 digits kept).
      const fit = extents.filter(([t0, t1]) => d0 <= t0 && d1 >= t1 && t0 - d0 <= 0.0201 * (t1 - t0) && d1 - t1 <= 0.0201 * (t1 - t0));
      assert.equal(fit.length >= 1, true, `${sc.name}: [${d0}, ${d1}] fits no panel's data`);
    }
    // And every panel has such an axis (the pairing is one-to-one).
    const domains = xs.map((sc) => sc.domain as [number, number]);
    for (const [t0, t1] of extents) assert.ok(domains.some(([d0, d1]) => d0 <= t0 && d1 >= t1 && d1 - d0 <= 1.0402 * (t1 - t0)), `a panel spanning ${t0}–${t1} s`);
  }
  // The A100's whole runs last about 5 s: its axis no longer runs to 10 s as the Tesla-T4's did.
  const a100 = data.profiles.filter((p) => p.phase === 'full' && p.series === 'A100-PCIE-40GB v4.1');
  assert.ok(a100.every((p) => Math.max(...p.tS) < 6));
});

test('embodied whiskers: a black line on a white halo, so they show on the dark processor bars, the light memory bars and every series colour', { skip: skipWithoutThesis }, async () => {
  const { data } = await study();
  const svg = await svgOf('embodied-by-hardware');
  const ranged = data.hardware.filter((h) => h.candidates > 1 && h.totalKg.max > h.totalKg.min);
  const rules = [...svg.matchAll(/<line [^>]*aria-roledescription="rule mark"[^>]*>/g)].map((m) => m[0]);
  const stroke = (l: string): { colour: string; width: number } => ({ colour: /stroke="([^"]+)"/.exec(l)![1]!, width: Number(/stroke-width="([^"]+)"/.exec(l)![1]) });
  const lines = rules.map(stroke).filter((r) => r.colour === NEUTRAL.whisker);
  const halos = rules.map(stroke).filter((r) => r.colour === NEUTRAL.whiskerHalo);
  assert.equal(lines.length, ranged.length, 'one whisker per device with a range');
  assert.equal(halos.length, ranged.length, 'each on a halo');
  assert.ok(halos.every((h) => h.width >= lines[0]!.width + 1.5), 'the halo shows on both sides of the line');
  const caps = [...svg.matchAll(/<path [^>]*aria-roledescription="tick"[^>]*fill="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(caps.filter((c) => c === NEUTRAL.whisker).length, 2 * ranged.length, 'end caps');
  // Whatever the whisker crosses, the line or its halo stands out from it (WCAG 2.1, 1.4.11: 3:1 for graphics).
  for (const under of [NEUTRAL.processor, NEUTRAL.memory, '#ffffff', ...SERIES_PALETTE]) {
    const best = Math.max(contrastRatio(NEUTRAL.whisker, under), contrastRatio(NEUTRAL.whiskerHalo, under));
    assert.ok(best >= 3, `whisker on ${under}: contrast ${best.toFixed(2)}`);
  }
});

test('devices with a single embodied candidate are marked † and the figure says why they have no whisker', { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  const svg = await svgOf('embodied-by-hardware');
  const single = data.hardware.filter((h) => !(h.candidates > 1 && h.totalKg.max > h.totalKg.min));
  assert.ok(single.some((h) => h.id === 'H100'), 'the database has single-candidate devices (H100)');
  assert.equal([...svg.matchAll(/>†<\/text>/g)].length, single.length, 'one † per single-candidate device');
  assert.ok(svgText(svg).includes('† one embodied candidate: no range'));
  assert.match(figures.find((f) => f.id === 'embodied-by-hardware')!.caption, /†: one embodied candidate: no range/);
  // The study's three devices all have several candidates: no such note on its GWP figure.
  assert.ok(!svgText(await svgOf('gwp-by-query-count')).includes('one embodied candidate'));
});
