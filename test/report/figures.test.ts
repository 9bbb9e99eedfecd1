import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '../../src/report/data.js';
import { loadReportData } from '../../src/report/load.js';
import { reportFigures, tradeOffPoints, type FigureSpec } from '../../src/report/figures.js';
import { dominates } from '../../src/report/pareto.js';
import { renderSvg } from '../../src/report/render.js';
import { skipWithoutThesis, THESIS_DIR } from '../helpers/fixtures.js';
import { matchSnapshot, normaliseSvg } from './helpers.js';

/** The study's fixtures through the report, with its own arithmetic (`--method thesis`): stable to the last digit. */
let loaded: Promise<{ data: ReportData; figures: FigureSpec[] }> | undefined;
function study(): Promise<{ data: ReportData; figures: FigureSpec[] }> {
  loaded ??= loadReportData({ paths: [THESIS_DIR], method: 'thesis' }).then((data) => ({ data, figures: reportFigures(data) }));
  return loaded;
}

const values = (f: FigureSpec): Record<string, unknown>[] => (f.spec.data as { values: Record<string, unknown>[] }).values;

test('the study fixtures give all seven figures, in report order', { skip: skipWithoutThesis }, async () => {
  const { data, figures } = await study();
  assert.deepEqual(
    figures.map((f) => f.id),
    ['power-profile', 'power-profile-compute', 'gwp-by-query-count', 'latency-by-query-count', 'embodied-by-hardware', 'gwp-per-query-vs-latency', 'operational-embodied-share'],
  );
  assert.deepEqual(
    data.series.map((s) => s.name),
    ['A100 v4.1', 'AGX-Orin v4.1', 'Tesla-T4 v1.1'],
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
    ['A100 v4.1', 'AGX-Orin v4.1', 'Tesla-T4 v1.1'],
  );
  const text = JSON.stringify(data.methods);
  assert.ok(!/\borin v4\.1\b/.test(text), 'no dataset-tag device name in the methods text');
});

test("figure 2 plots the study's Table 5.1 GWP and its range (expected.csv, 1e-5 relative)", { skip: skipWithoutThesis }, async () => {
  const { figures } = await study();
  const gwp = values(figures.find((f) => f.id === 'gwp-by-query-count')!);
  const [header, ...lines] = readFileSync(join(THESIS_DIR, 'expected.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const series: Record<string, string> = { T4: 'Tesla-T4 v1.1', A100: 'A100 v4.1', orin: 'AGX-Orin v4.1' };
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
    ['A100 v4.1 256', 'AGX-Orin v4.1 256'],
  );
  const marked = values(figures.find((f) => f.id === 'gwp-per-query-vs-latency')!).filter((v) => v.kind === 'point' && v.front === true);
  assert.deepEqual(
    marked.map((v) => `${String(v.series)} ${String(v.qc)}`),
    ['A100 v4.1 256', 'AGX-Orin v4.1 256'],
  );
});

test('each figure renders to the stored SVG snapshot (study fixtures; INFERPRINT_UPDATE_SNAPSHOTS=1 rewrites them)', { skip: skipWithoutThesis }, async (t) => {
  const { figures } = await study();
  for (const f of figures) {
    await t.test(f.id, async () => {
      const svg = await renderSvg(f.spec);
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
