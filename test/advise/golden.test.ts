// Golden outputs of the examples: `inferprint advise examples/X.yaml --format json`, projected
// onto the figures and where each input came from, numbers rounded to 5 significant digits.
// Regenerate after a deliberate change: UPDATE_GOLDEN=1 node --import tsx --test test/advise/golden.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AdviceResult } from '../../src/advise/advise.js';
import { adviseWorkload, readWorkloadFile } from '../../src/advise/io/load.js';
import { runCli } from '../../src/cli/main.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLDEN = join(import.meta.dirname, 'golden');
/** The examples name the study's data as a path from the repository root. */
const EXAMPLE_DATA = '../shared/fixtures/thesis';
const EXAMPLES = ['study-122m-users', 'classroom-30-students', 'office-assistant'];

function round(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(5)) : v;
  if (Array.isArray(v)) return v.map(round);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]));
  return v;
}

/** What the golden files pin: every figure, and where each input came from (not the data tables' citation texts). */
function project(r: AdviceResult): unknown {
  return round({
    workload: r.workload,
    deployments: r.deployments.map((d) => ({
      ...d,
      inputs: d.inputs.map((i) => ({ ...i, source: i.origin === 'file' || i.origin === 'measured' ? i.source : i.origin })),
      parameters: undefined,
    })),
    study: r.study,
    comparisons: r.comparisons,
    montecarlo: { draws: r.montecarlo.draws, seed: r.montecarlo.seed },
    notes: r.notes,
  });
}

for (const name of EXAMPLES) {
  test(`golden: examples/${name}.yaml`, { skip: skipWithoutThesis }, async () => {
    const file = `examples/${name}.yaml`;
    const w = readWorkloadFile(file, ROOT);
    // The fixtures may live elsewhere (INFERPRINT_FIXTURES): point the example there, and show it as written.
    const at = (p: string) => (p === EXAMPLE_DATA ? THESIS_DIR : p);
    const moved = { ...w, profilesFrom: w.profilesFrom.map(at), ...(w.study ? { study: { ...w.study, ...(w.study.source !== undefined ? { source: at(w.study.source) } : {}) } } : {}) };
    const runsDir = join(mkdtempSync(join(tmpdir(), 'inferprint-golden-')), 'runs');
    const r = await adviseWorkload(moved, { cwd: ROOT, runsDir });
    const got = JSON.parse(JSON.stringify(project(r)).split(THESIS_DIR).join(EXAMPLE_DATA)) as unknown;
    const path = join(GOLDEN, `${name}.json`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, `${JSON.stringify(got, null, 2)}\n`);
    assert.deepEqual(got, JSON.parse(readFileSync(path, 'utf8')));
  });
}

test('the study example through the CLI: the fleet, the study rows (≈ 160 kg and 1.6 t a day), every value sourced', { skip: skipWithoutThesis || (resolve(ROOT, EXAMPLE_DATA) !== THESIS_DIR ? 'fixtures are not at ../shared/fixtures (the path the example names)' : false) }, async () => {
  let out = '';
  let err = '';
  const runsDir = join(mkdtempSync(join(tmpdir(), 'inferprint-golden-')), 'runs');
  const code = await runCli(['advise', 'examples/study-122m-users.yaml', '--runs-dir', runsDir, '--draws', '1000'], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: ROOT, isTTY: false });
  assert.equal(code, 0, err);
  assert.match(out, /^h100-pool +H100 pooled +40 /m);
  assert.match(out, /^orin-per-user +AGX-Orin dedicated +122,500,000 /m);
  assert.match(out, /^h100-pool +H100 +16 +13\.2\d +1 +1,621 /m);
  assert.match(out, /^orin-per-user +AGX-Orin +16 +1\.311 +1 +160\.6 /m);
  assert.match(out, /idle_w +2\.794 W .*— measured: \.\.\/shared\/fixtures\/thesis \(50 runs; level each FULL trace starts at/);
  assert.match(out, /grid +79\.1 gCO2e\/kWh — France, ADEME/);
});

test("the guide's table of the study's case shows the golden figures", () => {
  const guide = readFileSync(join(ROOT, 'docs/guide.md'), 'utf8');
  const g = JSON.parse(readFileSync(join(GOLDEN, 'study-122m-users.json'), 'utf8')) as { deployments: { name: string; devices: { value: number }; total_kg: { value: number; p5: number; p95: number } }[]; study: { name: string; total_kg: number }[]; comparisons: { a: string; b: string; p_a_less: number }[] };
  const d = (n: string) => g.deployments.find((x) => x.name === n)!;
  const row = (label: string) => guide.split('\n').find((l) => l.startsWith(`| ${label} |`)) ?? '';
  assert.match(row('H100 pool'), new RegExp(`^\\| H100 pool \\| ${d('h100-pool').devices.value} .*\\*\\*${d('h100-pool').total_kg.value.toFixed(1)} kg\\*\\* \\(${d('h100-pool').total_kg.p5.toFixed(1)}–${d('h100-pool').total_kg.p95.toFixed(1)}\\)`));
  const tonnes = Number(/\*\*([\d ]+) t\*\*/.exec(row('one AGX Orin per user'))?.[1]?.replace(/ /g, ''));
  assert.ok(Math.abs(tonnes - d('orin-per-user').total_kg.value / 1000) < 1, `${tonnes} t`);
  assert.match(row('AGX Orin pool (same data centre)'), new RegExp(`^\\| AGX Orin pool \\(same data centre\\) \\| ${d('orin-pool').devices.value} .*\\*\\*${d('orin-pool').total_kg.value.toFixed(1)} kg\\*\\*`));
  assert.match(guide, new RegExp(`\\*${g.study.find((s) => s.name === 'h100-pool')!.total_kg.toFixed(0).replace(/^(\d)(\d{3})$/, '$1 $2')} kg\\*`));
  assert.match(guide, new RegExp(`\\*${g.study.find((s) => s.name === 'orin-per-user')!.total_kg.toFixed(1)} kg\\*`));
  const p = g.comparisons.find((c) => c.a === 'h100-pool' && c.b === 'orin-pool')!.p_a_less;
  assert.match(guide, new RegExp(`below the Orin pool in ${Math.round(p * 100)} %`));
});
