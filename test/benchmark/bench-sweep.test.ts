// `bench --scenario Server --target-qps 20,60`: a sweep of arrival rates, each rate a set of runs
// as query counts are. The plan's keys carry the rate, the campaign resumes and locks as any
// other, the table has a row per rate and query count, and `advise` then finds the capacity at
// its latency target in the runs (capacity_basis: measured) for the hardware the runs measured.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdviceResult } from '../../src/advise/advise.js';
import { tabulate } from '../../src/app/bench-aggregate.js';
import { estimateSeconds } from '../../src/app/bench-plan.js';
import { bench, planCampaign, type CampaignFile } from '../../src/app/bench.js';
import { runCli } from '../../src/cli/main.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-sweep-'));
const cacheDir = join(dir, 'cache');
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: { INFERPRINT_CACHE_DIR: cacheDir }, cwd: dir, isTTY: false });
  return { code, out, err };
}

test('the plan of a sweep: every rate × query count × repetition once, the rate in every key, shuffled by the seed', () => {
  const plan = planCampaign([8, 16], 2, 5, [20, 60, 100]);
  assert.equal(plan.length, 12);
  assert.equal(new Set(plan.map((p) => p.key)).size, 12);
  for (const p of plan) assert.equal(p.key, `qps${p.targetQps!}-q${p.queryCount}-r${p.repetition}`);
  for (const q of [20, 60, 100]) assert.equal(plan.filter((p) => p.targetQps === q).length, 4);
  assert.deepEqual(planCampaign([8, 16], 2, 5, [20, 60, 100]), plan);
  // Without rates, the plan is the one it always was.
  const plain = planCampaign([16, 32, 64], 3, 1);
  assert.ok(plain.every((p) => p.targetQps === undefined && /^q\d+-r\d+$/.test(p.key)));
});

test('the table: a row per rate and query count, runs at different rates never averaged together', () => {
  const run = (targetQps: number, ns: number) => ({ targetQps, queryCount: 8, energyJ: targetQps, latenciesNs: [ns, ns] });
  const t = tabulate([run(60, 3e6), run(20, 1e6), run(20, 1e6), run(60, 3e6)]);
  assert.deepEqual(
    t.rows.map((r) => [r.targetQps, r.queryCount, r.runs, r.meanEnergyJ, r.meanLatencyMs]),
    [
      [20, 8, 2, 20, 1],
      [60, 8, 2, 60, 3],
    ],
  );
});

test('the estimate: each run of a sweep bounded by its own arrival rate', () => {
  const t = { perSampleS: 0.001, perRunS: 0.5 };
  // 10 queries at 2 QPS: at least 5 s; at 5 QPS: at least 2 s; each run 0.5 s besides.
  const s = estimateSeconds({ scenario: 'Server', queryCounts: [10, 10], targetQpsOfRun: [2, 5], cooldownS: 0 }, t);
  assert.ok(Math.abs(s - 8) < 1e-9, String(s));
});

test('bench CLI: a rate twice, an empty rate, a sweep in accuracy mode are usage errors; the dry run shows the sweep', async () => {
  for (const argv of [
    ['--scenario', 'Server', '--target-qps', '50,50'],
    ['--scenario', 'Server', '--target-qps', '50,,100'],
    ['--scenario', 'Server', '--target-qps', '50,0'],
    ['--scenario', 'Offline', '--target-qps', '50,100'],
    ['--mode', 'accuracy', '--dataset', 'd.json', '--vocab', 'v.txt', '--scenario', 'Server', '--target-qps', '50,100'],
  ]) {
    const r = await cli(['bench', ...argv, '--model', 'synthetic:bert-tiny', '--runs-dir', join(dir, 'usage')]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, /--target-qps/);
  }
  const dry = await cli(['bench', '--dry-run', '--format', 'json', '--scenario', 'Server', '--target-qps', '20,60', '--queries', '8,16', '--runs', '2', '--model', 'synthetic:bert-tiny', '--sensor', 'estimate', '--runs-dir', join(dir, 'dry')]);
  assert.equal(dry.code, 0, dry.err);
  const plan = (JSON.parse(dry.out) as { plan: { runs: number; target_qps_sweep: number[]; target_qps?: number } }).plan;
  assert.deepEqual([plan.runs, plan.target_qps_sweep, plan.target_qps], [8, [20, 60], undefined]);
  const text = await cli(['bench', '--dry-run', '--scenario', 'Server', '--target-qps', '20,60', '--queries', '8', '--runs', '1', '--model', 'synthetic:bert-tiny', '--sensor', 'estimate', '--runs-dir', join(dir, 'dry')]);
  assert.match(text.out, /plan: 2 runs \(query counts 8 × 1 repetition × 2 arrival rates\), 16 queries, Server at 20, 60 QPS \(a sweep\)/);
});

test('a sweep end to end: stopped and resumed, a table row per rate, then advise reads the capacity off the runs', async () => {
  const runsDir = join(dir, 'runs');
  // First run only, as a stopped campaign would leave it.
  const first = await bench({
    model: 'synthetic:bert-tiny',
    queryCounts: [8],
    runs: 1,
    sensor: 'estimate',
    intervalS: 0.05,
    seed: 3,
    cooldownS: 0,
    scenario: 'Server',
    targetQps: [20, 60],
    runsDir,
    cacheDir,
    cwd: dir,
    env: await defaultSensorEnv(),
    stopAfter: 1,
  });
  assert.equal(first.remaining, 1);
  const campaign = JSON.parse(readFileSync(first.campaignPath, 'utf8')) as CampaignFile;
  assert.deepEqual(campaign.targetQpsSweep, [20, 60]);
  assert.equal(campaign.targetQps, undefined);
  assert.deepEqual(campaign.planned.map((p) => p.key).sort(), ['qps20-q8-r0', 'qps60-q8-r0']);

  // Resumed from the command line: the other rate runs, the table has a row per rate.
  const resumed = await cli(['bench', '--resume', campaign.id, '--runs-dir', runsDir, '--format', 'json']);
  assert.equal(resumed.code, 0, resumed.err);
  const j = JSON.parse(resumed.out) as { finished: number; target_qps_sweep: number[]; per_query_count: { target_qps: number; query_count: number; runs: number }[] };
  assert.equal(j.finished, 2);
  assert.deepEqual(j.target_qps_sweep, [20, 60]);
  assert.deepEqual(j.per_query_count.map((r) => [r.target_qps, r.query_count]), [[20, 8], [60, 8]]);
  const bundles = readdirSync(runsDir).filter((n) => !n.startsWith('.') && n !== 'campaigns');
  assert.equal(bundles.length, 2);
  assert.ok(bundles.some((b) => b.includes('-qps20-q8-r0')) && bundles.some((b) => b.includes('-qps60-q8-r0')), bundles.join(', '));
  // The bundles' LoadGen settings carry their own rate.
  const rates = bundles.map((b) => (JSON.parse(readFileSync(join(runsDir, b, 'manifest.json'), 'utf8')) as { workload: { mlperfSettings: { targetQps: number } } }).workload.mlperfSettings.targetQps).sort((a, b) => a - b);
  assert.deepEqual(rates, [20, 60]);
  // The text table has the rate as its first column.
  const again = await cli(['bench', '--resume', campaign.id, '--runs-dir', runsDir]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^ *QPS +queries +runs /m);
  assert.match(again.out, /^ +20 +8 +1 /m);
  assert.match(again.out, /^ +60 +8 +1 /m);

  // The hardware these runs measured (the estimate sensor names this machine's CPU).
  const hardware = (JSON.parse(readFileSync(join(runsDir, bundles[0]!, 'manifest.json'), 'utf8')) as { device: { hardwareId?: string } }).device.hardwareId;
  assert.ok(hardware, 'the bundles name their hardware');
  writeFileSync(
    join(dir, 'sweep.yaml'),
    `users: 1000
queries_per_user_per_day: 50
slo: { percentile: 90, latency_ms: 100 }
days: 30
profiles_from: runs
deployments:
  - name: cpu-pool
    hardware: ${hardware}
    placement: pooled
    grid: 100
    pue: 1.0
    power: { idle_w: 20, busy_w: 60 }
    service_ms: 5
`,
  );
  const a = await cli(['advise', 'sweep.yaml', '--runs-dir', join(dir, 'no-store'), '--format', 'json', '--draws', '0']);
  assert.equal(a.code, 0, a.err);
  const d = (JSON.parse(a.out) as AdviceResult).deployments[0]!;
  // Whatever the latencies on this machine (met at both rates, at one, or at none), the capacity is the measured one.
  assert.equal(d.capacity_basis, 'measured');
  assert.match(d.capacity_source, /^measured: runs \(2 Server runs, 20–60 QPS, p90\.00 latency\)/);

  // A hand-edited sweep that contradicts itself is a PARSE error naming the field.
  const good = JSON.parse(readFileSync(first.campaignPath, 'utf8')) as Record<string, unknown> & { planned: Record<string, unknown>[] };
  for (const [field, edit] of [
    ['targetQpsSweep', { targetQps: 20 }],
    ['targetQpsSweep', { targetQpsSweep: [20] }],
    ['planned', { planned: good.planned.map((p) => ({ ...p, targetQps: undefined })) }],
  ] as const) {
    writeFileSync(first.campaignPath, JSON.stringify({ ...good, ...edit }));
    const r = await cli(['bench', '--resume', campaign.id, '--runs-dir', runsDir]);
    assert.equal(r.code, 1, field);
    assert.match(r.err, new RegExp(`field '${field}'.*\\[PARSE\\]`), field);
  }
});
