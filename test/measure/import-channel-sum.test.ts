import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';

/**
 * `import nvidia-smi FILE --channel sum` records the sum of the GPUs as the run's headline
 * energy (a channel `sum`, its primary), so `runs list`, `runs show` and `analyze RUNSDIR`
 * give what `analyze FILE --channel sum` gives. Before, the import kept the first GPU only
 * (197 J of 492 J in the reviewer's log).
 */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-import-sum-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: dir });
  return { code, out, err };
}

/** nvidia-smi's clock stamp of `ms` after 2024/05/14 10:31:22.000 (local time, read as UTC). */
const stamp = (ms: number): string => {
  const d = new Date(Date.UTC(2024, 4, 14, 10, 31, 22) + ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
};

interface Gpu {
  readonly tMs: number[];
  readonly w: number[];
}

/**
 * Two H100 NVL: gpu0 about 100 W, gpu1 about 150 W, 40 samples each every 50 ms. nvidia-smi
 * queries the GPUs one after the other, so gpu1's stamp is `offsetMs` later in each cycle.
 */
function twoGpuLog(name: string, offsetMs: number): { path: string; gpus: Gpu[] } {
  const gpus: Gpu[] = [
    { tMs: [], w: [] },
    { tMs: [], w: [] },
  ];
  const lines = ['timestamp, index, name, power.draw [W]'];
  for (let i = 0; i < 40; i++) {
    for (const g of [0, 1]) {
      const tMs = 50 * i + g * offsetMs;
      const w = (g === 0 ? 100 : 150) + (i % 5) * 1.5 + g * 0.25;
      gpus[g]!.tMs.push(tMs);
      gpus[g]!.w.push(w);
      lines.push(`${stamp(tMs)}, ${g}, NVIDIA H100 NVL, ${w.toFixed(2)} W`);
    }
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, gpus };
}

/** The trapezoid of one GPU over its own samples, by hand. */
function trapezoid(g: Gpu): number {
  let e = 0;
  for (let i = 1; i < g.tMs.length; i++) e += ((g.w[i]! + g.w[i - 1]!) / 2) * ((g.tMs[i]! - g.tMs[i - 1]!) / 1000);
  return e;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

interface ListedRun {
  id: string;
  energy_j: number;
  energy_channel: string;
  energy_window_s: number;
  gwp_mg: number;
  operational_mg: number;
  embodied_mg: number;
  impact_scope: string;
  hardware_id: string;
}
interface AnalyzedRow {
  energy: { energyJ: number; durationS: number };
  impact: { gwpG: { mean: number }; operationalG: { mean: number }; embodiedG: { mean: number } };
}

for (const [label, offsetMs] of [
  ['GPUs stamped 1 ms apart in each cycle (as nvidia-smi writes them)', 1],
  ['GPUs stamped at the same instants', 0],
] as const) {
  test(`import nvidia-smi --channel sum: the run's energy and GWP are both GPUs', as analyze FILE --channel sum gives them — ${label}`, async () => {
    const { path, gpus } = twoGpuLog(`smi-${offsetMs}.csv`, offsetMs);
    const runsDir = join(dir, `runs-${offsetMs}`);

    const refused = await cli(['import', 'nvidia-smi', path, '--runs-dir', runsDir]);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /has 2 channels \(gpu0, gpu1\): choose one with --channel NAME, or --channel sum/);

    const imported = await cli(['import', 'nvidia-smi', path, '--channel', 'sum', '--runs-dir', runsDir]);
    assert.equal(imported.code, 0, imported.err);

    const expectedJ = trapezoid(gpus[0]!) + trapezoid(gpus[1]!);
    // About 197 J + 295 J: the first GPU alone is not the answer.
    assert.ok(expectedJ > 480 && expectedJ < 500, `${expectedJ}`);

    const list = await cli(['runs', 'list', '--runs-dir', runsDir, '--format', 'json']);
    assert.equal(list.code, 0, list.err);
    const [run] = (JSON.parse(list.out) as { runs: ListedRun[] }).runs;
    assert.ok(run);
    assert.equal(run.energy_channel, 'sum');
    assert.equal(run.hardware_id, 'H100-NVL');
    assert.equal(run.impact_scope, 'operational+embodied');
    assert.ok(rel(run.energy_j, expectedJ) < 1e-9, `runs list ${run.energy_j} J, expected ${expectedJ} J`);

    const show = await cli(['runs', 'show', run.id, '--runs-dir', runsDir]);
    assert.equal(show.code, 0, show.err);
    assert.ok(show.out.includes(`${Number(run.energy_j.toPrecision(6))} J on sum`), show.out);

    const file = await cli(['analyze', path, '--device', 'H100-NVL', '--channel', 'sum', '--format', 'json']);
    assert.equal(file.code, 0, file.err);
    const [f] = (JSON.parse(file.out) as { rows: AnalyzedRow[] }).rows;
    assert.ok(f);
    assert.ok(rel(f.energy.energyJ, expectedJ) < 1e-9, `analyze FILE ${f.energy.energyJ} J`);
    // The run spans the first sample of any GPU to the last of any, by both routes.
    assert.ok(rel(f.energy.durationS, (39 * 50 + offsetMs) / 1000) < 1e-12, `${f.energy.durationS} s`);
    assert.ok(rel(run.energy_window_s, f.energy.durationS) < 1e-9);
    assert.ok(rel(run.gwp_mg, f.impact.gwpG.mean * 1000) < 1e-9, `runs list ${run.gwp_mg} mg, analyze FILE ${f.impact.gwpG.mean * 1000} mg`);
    assert.ok(rel(run.operational_mg, f.impact.operationalG.mean * 1000) < 1e-9);
    assert.ok(rel(run.embodied_mg, f.impact.embodiedG.mean * 1000) < 1e-9);

    const store = await cli(['analyze', runsDir, '--format', 'json']);
    assert.equal(store.code, 0, store.err);
    const [s] = (JSON.parse(store.out) as { rows: AnalyzedRow[] }).rows;
    assert.ok(s);
    assert.ok(rel(s.energy.energyJ, expectedJ) < 1e-9);
    assert.ok(rel(s.impact.gwpG.mean, f.impact.gwpG.mean) < 1e-9);

    // The bundle keeps each GPU and their sum, named as the primary channel.
    const b = await readRunBundle(join(runsDir, run.id));
    assert.equal(b.manifest.sensor.primaryChannel, 'sum');
    assert.deepEqual(
      b.manifest.sensor.channels.map((c) => [c.name, c.kind, c.device ?? null]),
      [
        ['gpu0', 'gpu', 'NVIDIA H100 NVL'],
        ['gpu1', 'gpu', 'NVIDIA H100 NVL'],
        ['sum', 'gpu', null],
      ],
    );
    const per = (c: string) => b.manifest.energy!.perChannel.find((x) => x.channel === c)!.energyJ;
    assert.ok(rel(per('gpu0'), trapezoid(gpus[0]!)) < 1e-9);
    assert.ok(rel(per('gpu1'), trapezoid(gpus[1]!)) < 1e-9);
    assert.ok(rel(per('sum'), expectedJ) < 1e-9);
    // The sum's samples: both GPUs added up where both have samples (interpolated between a GPU's own).
    const sum = b.trace.channels.find((c) => c.name === 'sum')!;
    const at = (g: Gpu, tS: number) => {
      const ms = tS * 1000;
      const j = g.tMs.findIndex((t, i) => t <= ms + 1e-9 && (g.tMs[i + 1] ?? Infinity) > ms + 1e-9);
      const next = g.tMs[j + 1];
      if (next === undefined || Math.abs(g.tMs[j]! - ms) < 1e-9) return g.w[j]!;
      return g.w[j]! + ((g.w[j + 1]! - g.w[j]!) * (ms - g.tMs[j]!)) / (next - g.tMs[j]!);
    };
    assert.equal(sum.tS.length, offsetMs === 0 ? 40 : 78);
    for (let i = 0; i < sum.tS.length; i++) assert.ok(Math.abs(sum.powerW[i]! - (at(gpus[0]!, sum.tS[i]!) + at(gpus[1]!, sum.tS[i]!))) < 1e-9, `sum at ${sum.tS[i]} s`);
  });
}
