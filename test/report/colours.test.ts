import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReportData } from '../../src/report/data.js';
import { loadReportData } from '../../src/app/report-data.js';
import { reportFigures } from '../../src/report/figures.js';
import { SERIES_PALETTE, seriesColours, sortSeries } from '../../src/report/palette.js';
import { renderSvg } from '../../src/report/io/render.js';
import { skipWithoutThesis, THESIS_DIR } from '../helpers/fixtures.js';
import { syntheticReportData } from './synthetic.js';

/** Every `{ field: 'series', scale: { domain, range } }` in a spec, wherever it is nested. */
function seriesScales(node: unknown, out: { domain: unknown; range: unknown }[] = []): { domain: unknown; range: unknown }[] {
  if (Array.isArray(node)) for (const x of node) seriesScales(x, out);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const scale = o.scale as { domain?: unknown; range?: unknown } | undefined;
    if (o.field === 'series' && scale?.range !== undefined) out.push({ domain: scale.domain, range: scale.range });
    for (const v of Object.values(o)) seriesScales(v, out);
  }
  return out;
}

/** label → symbol colour of the device legend in a rendered figure. */
function legendColours(svg: string, names: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const entry = /role-legend-symbol[^>]*>\s*<path[^>]*\bfill="(#[0-9a-f]{6})"[\s\S]*?role-legend-label[^>]*>\s*<text[^>]*>([^<]*)<\/text>/g;
  for (const m of svg.matchAll(entry)) if (names.has(m[2]!)) out.set(m[2]!, m[1]!);
  return out;
}

async function checkColours(data: ReportData): Promise<void> {
  const names = sortSeries(data.series.map((s) => s.name));
  const expected = seriesColours(names);
  const want = names.map((n) => expected.get(n)!);
  let figuresWithLegend = 0;
  for (const f of reportFigures(data)) {
    // The spec: the same domain and the same colours, in every layer that colours by device.
    for (const s of seriesScales(f.spec)) {
      assert.deepEqual(s.domain, names, f.id);
      assert.deepEqual(s.range, want, f.id);
    }
    // The picture: the legend pairs each device with its colour.
    const svg = await renderSvg(f.spec);
    const legend = legendColours(svg, new Set(names));
    if (legend.size > 0) {
      figuresWithLegend++;
      assert.deepEqual(Object.fromEntries(legend), Object.fromEntries(expected), f.id);
    }
    // No device colour is drawn that belongs to a device absent from this figure's data.
    const present = new Set(((f.spec.data as { values: { series?: string }[] }).values).map((v) => v.series).filter((s) => s !== undefined));
    for (const [name, colour] of expected) {
      if (!present.has(name) && legend.size === 0) assert.ok(!svg.includes(`"${colour}"`), `${f.id}: colour of absent ${name}`);
      if (present.has(name) && seriesScales(f.spec).length > 0) assert.ok(svg.includes(`"${colour}"`), `${f.id}: ${name} drawn in ${colour}`);
    }
  }
  assert.ok(figuresWithLegend >= 4, `device legends found in ${figuresWithLegend} figures`);
}

test('colours are handed out in sorted series order from the fixed palette, whatever the input order', () => {
  const a = seriesColours(['b', 'a', 'c']);
  const b = seriesColours(['c', 'b', 'a', 'a']);
  assert.deepEqual([...a], [...b]);
  assert.deepEqual([...a], [['a', SERIES_PALETTE[0]], ['b', SERIES_PALETTE[1]], ['c', SERIES_PALETTE[2]]]);
  // Code-point order, not the locale's: upper case before lower case.
  assert.deepEqual(sortSeries(['b', 'B', 'a', 'A']), ['A', 'B', 'a', 'b']);
  assert.equal(new Set(SERIES_PALETTE).size, SERIES_PALETTE.length);
});

test('a device has the same colour in every figure (synthetic data, four devices)', async () => {
  await checkColours(syntheticReportData());
});

test('a device has the same colour in every figure (study fixtures)', { skip: skipWithoutThesis }, async () => {
  await checkColours(await loadReportData({ paths: [THESIS_DIR], method: 'thesis' }));
});
