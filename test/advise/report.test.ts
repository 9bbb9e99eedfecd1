// `inferprint advise --report DIR`: the figures (normalised SVG snapshots, their title and context
// inside the image, their data against the advisor's answer), the PNGs, the self-contained page,
// the tables, the folder written atomically and never over someone else's files, the methods'
// formulas word for word in docs/methodology.md, and the purity of the modules a browser loads.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adviseResolved } from '../../src/advise/advise.js';
import { breakEven } from '../../src/advise/break-even.js';
import { ADVISOR_METHOD } from '../../src/advise/method.js';
import { resolveDeployment } from '../../src/advise/resolve.js';
import { parseWorkloadText } from '../../src/advise/workload.js';
import { runCli } from '../../src/cli/main.js';
import { adviseContext, adviseFigures, FOOTPRINT_PARTS, OWN_SCALE_SPREAD, totalsSpread } from '../../src/report/advise-figures.js';
import { adviceHtml } from '../../src/report/advise-html.js';
import { adviseTables } from '../../src/report/advise-tables.js';
import { renderPng, renderSvg } from '../../src/report/io/render.js';
import { TOOL_NAME, TOOL_VERSION } from '../../src/version.js';
import { normaliseSvg, pngSize, svgSize, svgText } from '../report/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SNAPSHOTS = join(import.meta.dirname, '__snapshots__');
const UPDATE = process.env.INFERPRINT_UPDATE_SNAPSHOTS === '1';
const root = mkdtempSync(join(tmpdir(), 'inferprint-advise-report-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A workload whose every input is in the file: the same answer on every machine. */
const WORKLOAD = `name: report test
users: 20000
queries_per_user_per_day: 12
hourly_profile: [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0]
slo: { percentile: 90, latency_ms: 200 }
days: 365
deployments:
  - name: gpu-pool
    hardware: A100
    placement: pooled
    grid: FR
    pue: { value: 1.5, min: 1.2, max: 1.8 }
    power: { idle_w: { value: 60, min: 50, max: 70 }, busy_w: 250, host_w: 100 }
    service_ms: { value: 4, min: 3, max: 6 }
    lifetime: 5y
    embodied: { kg: { value: 150, min: 100, max: 200 }, host_kg: 500 }
  - name: board-per-team
    hardware: AGX-Orin
    placement: dedicated
    users_per_device: 50
    grid: FR
    pue: 1.0
    power: { idle_w: { value: 8, min: 6, max: 10 }, busy_w: 30 }
    service_ms: 20
    on_hours_per_day: 12
    lifetime: { value: 5y, min: 3y, max: 7y }
    embodied: { kg: { value: 30, min: 25, max: 36 } }
  - name: cloud-slice
    hardware: A100
    placement: shared
    grid: 350
    pue: auto
    power: { idle_w: 60, busy_w: 250, host_w: 100 }
    service_ms: 4
    embodied: { kg: 150, host_kg: 500 }
`;

function prepared() {
  const w = parseWorkloadText(WORKLOAD, 'report-test.yaml');
  const resolved = w.deployments.map((d) => resolveDeployment(w, d, []));
  const result = adviseResolved(w, resolved, [], { draws: 2000, seed: 7 });
  return { workload: w, resolved, study: [], result, be: breakEven(w, resolved) };
}

function matchSnapshot(name: string, actual: string): void {
  const file = join(SNAPSHOTS, name);
  if (UPDATE || !existsSync(file)) {
    assert.ok(UPDATE, `no snapshot ${file}: run with INFERPRINT_UPDATE_SNAPSHOTS=1 to create it, then review it`);
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((l, k) => l !== e[k]);
  assert.fail(`${name} differs from its snapshot at line ${i + 1}\n  expected: ${e[i] ?? '<end>'}\n  actual:   ${a[i] ?? '<end>'}\nIf intended, rerun with INFERPRINT_UPDATE_SNAPSHOTS=1 and review the diff.`);
}

const svgCache = new Map<string, Promise<string>>();
function svgOf(id: string): Promise<string> {
  const { result, be } = prepared();
  const f = adviseFigures(result, be).find((x) => x.id === id);
  assert.ok(f, id);
  if (!svgCache.has(id)) svgCache.set(id, renderSvg(f.spec));
  return svgCache.get(id)!;
}

const IDS = ['advise-footprint', 'advise-break-even', 'advise-sensitivity'];

for (const id of IDS) {
  test(`figure ${id}: normalised SVG snapshot, title and context inside the image`, async () => {
    const svg = await svgOf(id);
    matchSnapshot(`${id}.svg`, normaliseSvg(svg));
    const text = svgText(svg);
    const { result } = prepared();
    const f = adviseFigures(result, prepared().be).find((x) => x.id === id)!;
    assert.ok(text.includes(f.title), `${id}: title in the image`);
    for (const line of adviseContext(result)) assert.ok(text.includes(line), `${id}: context line '${line}' in the image`);
    assert.ok(text.includes(`${TOOL_NAME} ${TOOL_VERSION}`));
    const png = renderPng(svg);
    const size = pngSize(png);
    const s = svgSize(svg);
    assert.equal(size.width, Math.round(s.width * 2));
    assert.equal(size.height, Math.round(s.height * 2));
  });
}

test('the context names the grid, PUE and lifetime per deployment, the workload, the Monte Carlo and the tool', () => {
  const lines = adviseContext(prepared().result);
  assert.deepEqual(lines, [
    'grid FRA 44.18 gCO2e/kWh (gpu-pool, board-per-team), 350 gCO2e/kWh (file) (cloud-slice)',
    // Lines longer than 110 characters are broken between their parts.
    'PUE 1.5 (1.2–1.8) (gpu-pool), 1.0 (board-per-team), 1.56 (1.09–1.8) (cloud-slice)',
    'lifetime 5 y (gpu-pool), 5 (3–7) y (board-per-team), 7 (3–7) y (cloud-slice)',
    `20,000 users × 12 queries/day, p90 ≤ 200 ms, 365 days · fleet model · 2,000 draws, seed 7 · ${TOOL_NAME} ${TOOL_VERSION}`,
  ]);
  for (const l of lines) assert.ok(l.length <= 110, l);
});

test('stacked bars: the five parts of each deployment add up to its total; the whisker is its P5–P95', () => {
  const { result, be } = prepared();
  const f = adviseFigures(result, be).find((x) => x.id === 'advise-footprint')!;
  const values = (f.spec.data as { values: Record<string, unknown>[] }).values;
  for (const d of result.deployments) {
    const parts = values.filter((v) => v.deployment === d.name && v.kind === 'part');
    assert.deepEqual(parts.map((p) => p.part), FOOTPRINT_PARTS.map((p) => p.label));
    const sum = parts.reduce((a, p) => a + (p.kg as number), 0);
    assert.ok(Math.abs(sum - d.total_kg.value) <= 1e-5 * d.total_kg.value, `${d.name}: ${sum} vs ${d.total_kg.value}`);
    const w = values.find((v) => v.deployment === d.name && v.kind === 'range');
    assert.ok(w, `${d.name}: a whisker`);
    assert.ok(Math.abs((w.lo as number) - d.total_kg.p5) <= 1e-5 * d.total_kg.p5 && Math.abs((w.hi as number) - d.total_kg.p95) <= 1e-5 * d.total_kg.p95);
  }
  // Totals 100× apart: each deployment gets a scale of its own, and the figure says so.
  assert.ok(totalsSpread(result) > OWN_SCALE_SPREAD);
  assert.deepEqual((f.spec as { resolve?: unknown }).resolve, { scale: { x: 'independent' } });
  assert.match(JSON.stringify(f.spec.title), /each deployment on its own scale/);
});

test('tornado: each deployment its ranged inputs by swing, both ends, around its total', () => {
  const { result, be } = prepared();
  const f = adviseFigures(result, be).find((x) => x.id === 'advise-sensitivity')!;
  const values = (f.spec.data as { values: Record<string, unknown>[] }).values;
  const gpu = result.deployments[0]!;
  const bars = values.filter((v) => v.deployment === 'gpu-pool' && v.kind === 'bar' && v.end === 'input at its high end');
  assert.deepEqual(bars.map((b) => String(b.input).split(' ')[0]), gpu.sensitivity.map((s) => s.input));
  for (const [k, s] of gpu.sensitivity.entries()) assert.ok(Math.abs((bars[k]!.to as number) - s.total_kg_at_high) <= 1e-5 * s.total_kg_at_high);
  // The slice has no ranged input of its own but the PUE's (auto) and the lifetime's: shown too.
  assert.ok(values.some((v) => v.deployment === 'cloud-slice' && v.kind === 'bar'));
});

test('break-even figure: a curve per deployment on each axis, the rings at the crossings', () => {
  const { result, be } = prepared();
  const f = adviseFigures(result, be).find((x) => x.id === 'advise-break-even')!;
  const values = (f.spec.data as { values: Record<string, unknown>[] }).values;
  assert.equal((f.spec as { hconcat?: unknown[] }).hconcat?.length, 2, 'queries and users per device');
  for (const panel of [0, 1]) assert.deepEqual([...new Set(values.filter((v) => v.panel === panel && v.kind === 'curve').map((v) => v.deployment))], result.deployments.map((d) => d.name));
  const rings = values.filter((v) => v.kind === 'crossing');
  assert.equal(rings.length, be.queries.crossings.length + (be.usersPerDevice?.crossings.length ?? 0));
  assert.ok(rings.length > 0, 'this workload has a flip: boards shared by more users beat the pool');
});

test('HTML: self-contained (no script, no URL fetched), every section, the tables, escaped text', () => {
  const { result, be } = prepared();
  const figures = adviseFigures(result, be);
  const html = adviceHtml(result, be, figures, figures.map(() => '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect id="a"/></svg>'), '2026-12-06T00:00:00.000Z');
  assert.ok(!/<script|<link|https?:\/\//i.test(html), 'nothing to fetch, no script');
  for (const id of ['summary', 'figures', 'results', 'break-even', 'inputs', 'methods']) assert.match(html, new RegExp(`<section id="${id}">`));
  for (const t of adviseTables(result, be)) assert.match(html, new RegExp(`id="table-${t.id}"`));
  assert.match(html, /<td class="num">[\d.]+<\/td>/);
  for (const s of ADVISOR_METHOD) for (const f of s.formulas) assert.ok(html.includes(f.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')), f);
  // Ids inside inlined SVGs are prefixed per figure (document-wide ids).
  assert.match(html, /id="advise-footprint-a"/);
  const evil = adviceHtml({ ...result, workload: { ...result.workload, name: '<img src=x onerror=alert(1)>' } }, be, [], [], 'now');
  assert.ok(!evil.includes('<img'), 'names are escaped');
});

test("every formula of the methods section is docs/methodology.md §5's, word for word", () => {
  const doc = readFileSync(join(ROOT, 'docs/methodology.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 5. Advisor'), doc.indexOf('\n## ', doc.indexOf('## 5. Advisor') + 5));
  const flat = (s: string) => s.replace(/`/g, '').replace(/\s+/g, ' ');
  const text = flat(section);
  for (const s of ADVISOR_METHOD) for (const f of s.formulas) assert.ok(text.includes(flat(f)), `methodology §5 lacks: ${f}`);
});

test('the modules a browser loads import nothing from Node (the dashboard can draw the same figures)', () => {
  const pure = ['src/report/advise-figures.ts', 'src/report/advise-tables.ts', 'src/report/advise-html.ts', 'src/advise/break-even.ts', 'src/advise/format.ts', 'src/advise/method.ts'];
  for (const f of pure) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)) {
      assert.ok(m[1] !== undefined || m[2]!.startsWith('.'), `${f} imports ${m[2]!}`);
      assert.ok(!/^(node:|fs$|path$|os$)/.test(m[2]!), `${f} imports ${m[2]!}`);
      assert.ok(m[1] !== undefined || !/(load|measured-io|report-io|render|advise-write)\.js$/.test(m[2]!), `${f} imports ${m[2]!} at run time`);
    }
  }
});

async function cli(args: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd, isTTY: false });
  return { code, out, err };
}

test('advise --report DIR: the folder, its files, the table on stdout; an earlier report replaced, any other folder refused', async () => {
  const file = join(root, 'w.yaml');
  writeFileSync(file, WORKLOAD);
  const runsDir = join(root, 'runs');
  const r = await cli(['advise', file, '--runs-dir', runsDir, '--draws', '200', '--report', 'out']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^gpu-pool +A100 pooled /m);
  assert.match(r.err, /report written to .*out \(index\.html, 3 figures\)/);
  const out = join(root, 'out');
  assert.deepEqual(readdirSync(out).sort(), ['advice.json', 'figures', 'index.html', 'tables']);
  const figures = readdirSync(join(out, 'figures')).sort();
  for (const id of IDS) for (const ext of ['svg', 'png', 'vl.json']) assert.ok(figures.includes(`${id}.${ext}`), `${id}.${ext}`);
  const tables = readdirSync(join(out, 'tables')).sort();
  for (const t of ['deployments.csv', 'footprint-split.csv', 'comparisons.csv', 'break-even.csv', 'inputs.csv']) assert.ok(tables.includes(t), t);
  const csv = readFileSync(join(out, 'tables', 'deployments.csv'), 'utf8').split('\n');
  assert.match(csv[0]!, /^deployment,hardware,placement,devices,/);
  assert.equal(csv.filter((l) => l !== '').length, 4);
  const json = JSON.parse(readFileSync(join(out, 'advice.json'), 'utf8')) as { schema: string; advice: { deployments: unknown[] }; breakEven: { queries: unknown } };
  assert.equal(json.schema, 'inferprint-advice-report/1');
  assert.equal(json.advice.deployments.length, 3);
  assert.ok(json.breakEven.queries);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<svg role="img" aria-label="Footprint of each deployment, by cause"/);

  // Again into the same folder: replaced (no leftover temporaries beside it).
  const again = await cli(['advise', file, '--runs-dir', runsDir, '--draws', '0', '--report', 'out']);
  assert.equal(again.code, 0, again.err);
  assert.equal((JSON.parse(readFileSync(join(out, 'advice.json'), 'utf8')) as { advice: { montecarlo: { draws: number } } }).advice.montecarlo.draws, 0);
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), []);

  // A folder holding something else: refused, untouched, exit 2.
  const other = join(root, 'project');
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'mine');
  const refused = await cli(['advise', file, '--runs-dir', runsDir, '--report', 'project']);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--report: .*project is not empty and holds no earlier advice report/);
  assert.deepEqual(readdirSync(other), ['notes.txt']);

  // A file where the folder should be: refused, untouched, exit 2.
  writeFileSync(join(root, 'a-file'), 'mine');
  const onFile = await cli(['advise', file, '--runs-dir', runsDir, '--draws', '0', '--report', 'a-file']);
  assert.equal(onFile.code, 2);
  assert.match(onFile.err, /--report: .*a-file exists and is not a folder/);
  assert.equal(readFileSync(join(root, 'a-file'), 'utf8'), 'mine');
});
