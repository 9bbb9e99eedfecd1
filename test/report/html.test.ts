import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFigures } from '../../src/report/figures.js';
import { escapeHtml, headlines, inlineSvg, reportHtml } from '../../src/report/html.js';
import { renderSvg } from '../../src/report/io/render.js';
import { syntheticReportData } from './synthetic.js';

const EVIL = 'Evil <script>alert(1)</script> & "co"';

async function build(names?: string[]) {
  const data = syntheticReportData(names);
  const figures = reportFigures(data);
  const svgs = await Promise.all(figures.map((f) => renderSvg(f.spec)));
  return { data, figures, svgs, html: reportHtml(data, figures, svgs) };
}

test('the HTML is self-contained: no script, no stylesheet link, no URL to fetch, figures inline', async () => {
  const { html, figures } = await build();
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script\b/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /<(img|iframe|object|embed|video|audio|source)\b/i);
  assert.doesNotMatch(html, /\b(src|href|xlink:href)\s*=\s*["']?\s*(https?:)?\/\//i);
  assert.doesNotMatch(html, /@import|url\(\s*["']?(https?:)?\/\//i);
  // Even the SVG namespaces are gone: the page names no http(s) URL at all.
  assert.doesNotMatch(html, /https?:\/\//);
  assert.equal((html.match(/<svg\b/g) ?? []).length, figures.length);
  for (const [i, f] of figures.entries()) assert.ok(html.includes(`<b>Figure ${i + 1}. ${escapeHtml(f.title)}.</b>`), f.id);
  for (const id of ['summary', 'figures', 'results', 'hardware', 'parameters', 'methods', 'inputs']) assert.ok(html.includes(`<section id="${id}">`), id);
});

test('text from the data is escaped, never markup', async () => {
  const { html } = await build(['A100 v4.1', EVIL]);
  assert.doesNotMatch(html, /<script\b/i);
  assert.ok(html.includes('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;'));
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('ids inside inlined SVGs are prefixed by figure, so two figures never share one', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="2"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><text>clip1</text></g></svg>';
  const a = inlineSvg(svg, 'fig-a', 'A "title"');
  const b = inlineSvg(svg, 'fig-b', 'B');
  assert.equal(a, '<svg role="img" aria-label="A &quot;title&quot;" width="2"><defs><clipPath id="fig-a-clip1"><rect/></clipPath></defs><g clip-path="url(#fig-a-clip1)"><use href="#fig-a-clip1"/><text>clip1</text></g></svg>');
  assert.ok(b.includes('id="fig-b-clip1"'));
});

test('the summary names the spread of GWP between devices and the Pareto front', async () => {
  const { data, html } = await build();
  const h = headlines(data);
  // Series s (in the order given) uses (s + 1) × the energy of the first: H100-NVL (4th) vs Zeta-GPU (1st).
  assert.equal(h[0], 'At 16 queries per run, H100-NVL v4.1 emits 3.6× the GWP of Zeta-GPU v1 (9.58 vs 2.65 mg CO2e per run), with 90th-percentile latency 4 vs 1 ms.');
  assert.match(h[1]!, /^At 256 queries per run, H100-NVL v4\.1 emits [\d.]+× the GWP of Zeta-GPU v1 /);
  assert.match(h[h.length - 1]!, /^Pareto front of GWP per query against latency: /);
  for (const line of h) assert.ok(html.includes(escapeHtml(line)));
});

test('the methods section states the LCA formula, the energy method and each parameter with its source', async () => {
  const { html, data } = await build();
  assert.ok(html.includes(escapeHtml(data.methods.lca.formula)));
  assert.match(data.methods.lca.formula, /E_J \/ 3\.6e6 × EGM/);
  assert.ok(html.includes('trapezoidal integration of each run'));
  const grid = data.methods.lca.terms.find((t) => t.symbol === 'EGM')!;
  assert.deepEqual(grid.values, ['79.1 gCO2e/kWh (Zeta-GPU v1, A100 v4.1, AGX-Orin v4.1, H100-NVL v4.1)']);
  assert.deepEqual(grid.sources, ['ADEME Base Empreinte']);
  const life = data.methods.lca.terms.find((t) => t.symbol === 'lifetime')!;
  assert.equal(life.values[0], '61111.1 h (6.97615 y), range 26111.1 h (2.98072 y) – 61111.1 h (6.97615 y) (Zeta-GPU v1, A100 v4.1, AGX-Orin v4.1, H100-NVL v4.1)');
  assert.ok(data.methods.embodied.some((e) => e.model === 'die-area-v1' && e.formula.includes('IC_k')));
  assert.ok(html.includes('Simeu 2025 (2025)'));
});
