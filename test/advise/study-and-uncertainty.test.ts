// The study's per-run accounting beside the fleet, and the Monte Carlo / sensitivity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { advise, studyRows } from '../../src/advise/advise.js';
import { adviseWorkload } from '../../src/advise/io/load.js';
import { drawInput, figure, probabilityBelow, simulate, triangular } from '../../src/advise/montecarlo.js';
import type { UncertainInput } from '../../src/advise/resolve.js';
import { parseWorkload, parseWorkloadText, type Workload } from '../../src/advise/workload.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const STUDY_USERS = 122_500_000;

function studyWorkload(over: Record<string, unknown> = {}): Workload {
  return parseWorkload(
    {
      users: STUDY_USERS,
      queries_per_user_per_day: 16,
      slo: { percentile: 90, latency_ms: 130 },
      days: 1,
      deployments: [
        { name: 'h100-pool', hardware: 'H100', placement: 'pooled', power: { idle_w: 75, busy_w: 300 }, service_ms: 1.5 },
        { name: 'orin-per-user', hardware: 'AGX-Orin', placement: 'dedicated', power: { idle_w: 8, busy_w: 30 }, service_ms: 21 },
      ],
      study: { qc: 16, method: 'thesis', per_run_mg: { H100: 13.235 } },
      ...over,
    },
    'w.yaml',
  );
}

test("study rows: the study's H100 figure, 122.5 M × 13.235 mg = 1.62 t CO2e per day", () => {
  const rows = studyRows(studyWorkload(), []);
  assert.equal(rows.length, 1);
  const h = rows[0]!;
  assert.equal(h.hardware, 'H100');
  assert.ok(Math.abs(h.total_kg - 1621.2875) < 1e-9, String(h.total_kg));
  assert.ok(Math.abs(h.total_kg - 1600) / 1600 < 0.02, "the study's ≈ 1.6 t");
  assert.ok(Math.abs(h.mg_per_query - 13.235 / 16) < 1e-12);
  // Over a year: × 365; two runs a day (32 queries at QC 16): × 2.
  assert.ok(Math.abs(studyRows(studyWorkload({ days: 365 }), [])[0]!.total_kg - 1621.2875 * 365) < 1e-6);
  assert.ok(Math.abs(studyRows(studyWorkload({ queries_per_user_per_day: 32 }), [])[0]!.total_kg - 1621.2875 * 2) < 1e-9);
});

test('property: the study row equals users × per-run GWP (one run of qc queries per user per day, one day)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.integer({ min: 1, max: 512 }), (users, perRunG, qc) => {
      const w = parseWorkload(
        { users, queries_per_user_per_day: qc, slo: { percentile: 90, latency_ms: 130 }, days: 1, deployments: [{ name: 'a', hardware: 'A100', placement: 'pooled', power: { idle_w: 1 }, service_ms: 1 }], study: { qc, per_run_mg: { A100: 1 } } },
        'w',
      );
      const fromSource = { hardwareId: 'A100', perRunG, source: 's' };
      const row = studyRows({ ...w, study: { ...w.study!, perRunMg: new Map() } }, [fromSource])[0]!;
      assert.ok(Math.abs(row.total_kg - (users * perRunG) / 1000) <= 1e-12 * row.total_kg);
    }),
  );
});

test("study rows from the study's data: AGX Orin QC 16, 122.5 M users ≈ 160 kg CO2e (within 1 %)", { skip: skipWithoutThesis }, async () => {
  const w = studyWorkload({ study: { source: THESIS_DIR, qc: 16, method: 'thesis', per_run_mg: { H100: 13.235 } } });
  const r = await adviseWorkload(w, { draws: 0 });
  const orin = r.study.find((s) => s.hardware === 'AGX-Orin')!;
  assert.ok(orin, JSON.stringify(r.study));
  // Table 5.1: 1.311 mg per run (fixtures' expected.csv: 1.3112952776955276 mg).
  assert.ok(Math.abs(orin.per_run_mg - 1.3112952776955276) < 1e-9, String(orin.per_run_mg));
  assert.ok(Math.abs(orin.total_kg - 160) / 160 < 0.01, String(orin.total_kg));
  assert.match(orin.source, /analyze --method thesis .*orin v4\.1 QC 16, 10 runs/);
  assert.equal(r.study.find((s) => s.hardware === 'H100')!.source, 'file: study.per_run_mg.H100');
  assert.deepEqual(r.notes, []);
});

test('triangular: inverse CDF hits min, mode and max, and its mean is (a + b + c) / 3', () => {
  assert.equal(triangular(1, 2, 4, 0), 1);
  assert.equal(triangular(1, 2, 4, 1), 4);
  assert.ok(Math.abs(triangular(1, 2, 4, 1 / 3) - 2) < 1e-12);
  assert.equal(triangular(5, 5, 5, 0.3), 5);
  let s = 0;
  const n = 100000;
  for (let i = 0; i < n; i++) s += triangular(1, 2, 4, (i + 0.5) / n);
  assert.ok(Math.abs(s / n - 7 / 3) < 1e-3);
});

const input = (over: Partial<UncertainInput>): UncertainInput => ({ name: 'idle_w', unit: 'W', value: 1, min: 1, max: 1, origin: 'file', source: 'x', key: 'k', ...over });

test('draws: candidates equally likely; a fixed input never moves; the same key, the same draw', () => {
  const c = input({ candidates: [10, 20, 30] });
  assert.deepEqual([0, 0.34, 0.99].map((u) => drawInput(c, u)), [10, 20, 30]);
  const a = input({ value: 5, min: 1, max: 9, key: 'shared' });
  const b = input({ value: 5, min: 1, max: 9, key: 'shared' });
  const fixedOne = input({ value: 3, key: 'f' });
  const out = simulate([[a], [b, fixedOne]], ['x'] as const, (_d, v) => ({ x: v[0]! }), 1000, 7);
  assert.deepEqual(Array.from(out[0]!.x), Array.from(out[1]!.x), 'common random numbers');
  const again = simulate([[a], [b, fixedOne]], ['x'] as const, (_d, v) => ({ x: v[0]! }), 1000, 7);
  assert.deepEqual(Array.from(again[0]!.x), Array.from(out[0]!.x), 'seeded: the same draws');
  const other = simulate([[a]], ['x'] as const, (_d, v) => ({ x: v[0]! }), 1000, 8);
  assert.notDeepEqual(Array.from(other[0]!.x), Array.from(out[0]!.x));
  const fixedOut = simulate([[fixedOne]], ['x'] as const, (_d, v) => ({ x: v[0]! }), 10, 7);
  assert.ok(fixedOut[0]!.x.every((x) => x === 3));
  assert.equal(probabilityBelow(out[0]!.x, out[1]!.x), 0.5, 'ties count half');
  assert.equal(probabilityBelow(Float64Array.from([1, 2]), Float64Array.from([3, 4])), 1);
  const f = figure(5, Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
  assert.deepEqual([f.value, f.p5, f.p50, f.p95], [5, 1.5, 6, 10.5]);
});

test('Monte Carlo over the fleet: seeded, P5 ≤ P50 ≤ P95, comparisons, and the tornado ranks the inputs', () => {
  const w = parseWorkloadText(
    `users: 100000
queries_per_user_per_day: 20
slo: { percentile: 90, latency_ms: 200 }
days: 365
deployments:
  - name: pool
    hardware: A100
    placement: pooled
    grid: { value: 300, min: 100, max: 500 }
    power: { idle_w: { value: 60, min: 50, max: 70 }, busy_w: 250 }
    service_ms: 2
    embodied: { kg: 30 }
  - name: desks
    hardware: AGX-Orin
    placement: dedicated
    users_per_device: 50
    grid: { value: 300, min: 100, max: 500 }
    power: { idle_w: 8, busy_w: 30 }
    service_ms: 20
`,
    'w.yaml',
  );
  const r1 = advise(w, [], [], { draws: 2000, seed: 3 });
  const r2 = advise(w, [], [], { draws: 2000, seed: 3 });
  assert.deepEqual(r1, r2);
  for (const d of r1.deployments) {
    for (const f of [d.total_kg, d.energy_kwh, d.operational_kg, d.embodied_kg, d.mg_per_query]) assert.ok(f.p5 <= f.p50 && f.p50 <= f.p95, JSON.stringify(f));
  }
  const pool = r1.deployments[0]!;
  // The grid swings the pool most (100–500 g/kWh), then the data-centre PUE range (auto: 1.09–1.8),
  // idle power, and the default lifetime range (3–7 y); the embodied is fixed (kg given).
  // The A100's host share (power and manufacturing) comes from the database, with its range.
  assert.deepEqual(pool.sensitivity.map((s) => s.input), ['grid', 'pue', 'lifetime', 'host_w', 'idle_w', 'host_kg']);
  assert.ok(pool.sensitivity[0]!.total_kg_at_low < pool.total_kg.value && pool.total_kg.value < pool.sensitivity[0]!.total_kg_at_high);
  // Operational is linear in the grid: at 100 and 500 g/kWh, 1/3 and 5/3 of the operational part.
  const op = pool.operational_kg.value;
  const emb = pool.embodied_kg.value;
  assert.ok(Math.abs(pool.sensitivity[0]!.total_kg_at_low - (op / 3 + emb)) < 1e-9 * op);
  assert.equal(r1.comparisons.length, 1);
  assert.ok(r1.comparisons[0]!.p_a_less >= 0 && r1.comparisons[0]!.p_a_less <= 1);
  // --draws 0: the inputs as given, no comparisons.
  const r0 = advise(w, [], [], { draws: 0 });
  assert.equal(r0.deployments[0]!.total_kg.p5, r0.deployments[0]!.total_kg.value);
  assert.deepEqual(r0.comparisons, []);
  assert.equal(r0.deployments[0]!.total_kg.value, pool.total_kg.value);
});

test('a latency target no device can meet at any load is said in the output', () => {
  const w = parseWorkloadText(
    `users: 1000
queries_per_user_per_day: 10
slo: { percentile: 90, latency_ms: 130 }
deployments:
  - { name: slow, hardware: T4, placement: pooled, power: { idle_w: 30, busy_w: 70 }, service_ms: 60 }
  - { name: slow-desk, hardware: T4, placement: dedicated, power: { idle_w: 30, busy_w: 70 }, service_ms: 60 }
`,
    'w.yaml',
  );
  const r = advise(w, [], [], { draws: 0 });
  for (const d of r.deployments) {
    assert.equal(d.slo_reachable, false);
    assert.equal(d.slo_met, false);
    assert.ok(d.notes.some((n) => n.startsWith(`${d.name}: the latency target cannot be met at any load: the service time alone (60 ms) gives a p90 latency of 138.2 ms > 130 ms`)), d.notes.join('\n'));
  }
  assert.match(r.deployments[0]!.notes.join('\n'), /sized by max_utilisation alone/);
});

test('draws: more than MAX_DRAWS is refused by the advisor (INVALID_VALUE) and by the CLI flag (exit 2), before any work', async () => {
  const { MAX_DRAWS } = await import('../../src/advise/advise.js');
  const { runCli } = await import('../../src/cli/main.js');
  await assert.rejects(adviseWorkload(studyWorkload(), { draws: MAX_DRAWS + 1 }), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'INVALID_VALUE' && /from 0 to 1000000/.test(e.message));
  let err = '';
  const code = await runCli(['advise', 'examples/study-122m-users.yaml', '--draws', '100000000'], { stdout: () => undefined, stderr: (s) => (err += s), env: {}, cwd: process.cwd(), isTTY: false });
  assert.equal(code, 2, err);
  assert.equal(err, 'inferprint advise: flag --draws: at most 1000000 draws, got 100000000: the P5–P95 does not move in the digits shown past that, and memory grows with every draw [USAGE]\n');
});
