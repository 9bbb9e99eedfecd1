import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { bench, planCampaign, type BenchOptions, type PlannedRun } from '../../src/app/bench.js';
import { syntheticBertQsl, syntheticBertSample } from '../../src/benchmark/qsl/synthetic-bert.js';
import { parseDetail, parseSummary } from '../../src/mlperf/index.js';
import { parseManifestText } from '../../src/runs/manifest.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { runCli } from '../../src/cli/main.js';
import { parseAccuracyLog } from '../../src/benchmark/loadgen/accuracy-log.js';
import { writeSquadFixtures } from './squad-fixtures.js';
import { serveModel } from '../../src/serve-model/kserve-server.js';
import { parseModelSpec, resolveModel } from '../../src/benchmark/bert/io/model-cache.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-'));
const cacheDir = join(dir, 'cache');
const trace = join(dir, gpuTraceName());
// 2 ms apart: even the shortest window of a tiny run (a few ms) holds samples, whatever the load.
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 500 }, (_, i) => `${(i * 0.002).toFixed(3)},${i < 250 ? 100 : 200}`).join('\n')}\n`);

async function options(runsDir: string, extra: Partial<BenchOptions> = {}): Promise<BenchOptions> {
  return {
    model: 'synthetic:bert-tiny',
    queryCounts: [4, 8],
    runs: 2,
    sensor: `replay:${trace}`,
    intervalS: 0.02,
    seed: 7,
    cooldownS: 0,
    hardware: 'H100-NVL',
    runsDir,
    cacheDir,
    cwd: dir,
    env: await defaultSensorEnv(),
    ...extra,
  };
}

test('the plan: every count × repetition once, shuffled reproducibly by the seed', () => {
  const a = planCampaign([16, 32, 64], 3, 1);
  assert.equal(a.length, 9);
  assert.equal(new Set(a.map((p) => p.key)).size, 9);
  assert.deepEqual(planCampaign([16, 32, 64], 3, 1), a);
  assert.notDeepEqual(planCampaign([16, 32, 64], 3, 2).map((p) => p.key), a.map((p) => p.key));
});

test('the QSL: deterministic samples, realistic shape, only loaded samples served', async () => {
  const s = syntheticBertSample(42);
  assert.deepEqual(syntheticBertSample(42), s);
  assert.equal(s.inputIds.length, 384);
  assert.equal(s.inputIds[0], 101n);
  const valid = s.inputMask.reduce((n, v) => n + Number(v), 0);
  assert.ok(valid >= 96 && valid <= 384);
  for (let i = 1; i < valid; i++) assert.ok(s.inputIds[i] === 102n || (s.inputIds[i]! >= 1000n && s.inputIds[i]! < 30522n));
  for (let i = valid; i < 384; i++) assert.equal(s.inputIds[i], 0n);
  const q = syntheticBertQsl();
  assert.equal(q.totalSampleCount, 10833);
  assert.throws(() => q.sample(3));
  await q.loadSamples(Int32Array.from([3]));
  assert.deepEqual(q.sample(3), syntheticBertSample(3));
});

test('a tiny campaign: 4 bundles with parseable MLPerf logs, windows, the reference sample order; resume does only the missing runs', async () => {
  const runsDir = join(dir, 'runs');
  const firstIssued = new Map<string, number[]>();
  const onIssue = (p: PlannedRun, ix: readonly number[]) => {
    const l = firstIssued.get(p.key) ?? [];
    l.push(...ix);
    firstIssued.set(p.key, l);
  };
  // Stop after 2 runs of 4, as a crash would.
  const partial = await bench(await options(runsDir, { stopAfter: 2, onIssue }));
  assert.equal(partial.campaign.planned.length, 4);
  assert.equal(partial.campaign.finished.length, 2);
  assert.equal(partial.remaining, 2);
  const resumed = await bench(await options(runsDir, { resume: partial.campaign.id, onIssue }));
  assert.equal(resumed.campaign.id, partial.campaign.id);
  assert.equal(resumed.campaign.finished.length, 4);
  assert.equal(resumed.remaining, 0);
  assert.equal(firstIssued.size, 4, 'each planned run ran exactly once');
  assert.deepEqual(new Set(resumed.campaign.finished.map((f) => f.key)), new Set(['q4-r0', 'q4-r1', 'q8-r0', 'q8-r1']));
  for (const ix of firstIssued.values()) assert.deepEqual(ix.slice(0, 4), [8143, 6390, 2157, 1292]);

  for (const f of resumed.campaign.finished) {
    const n = Number(/^q(\d+)/.exec(f.key)![1]);
    const b = join(runsDir, f.bundleId);
    const m = parseManifestText(readFileSync(join(b, 'manifest.json'), 'utf8'));
    assert.ok(m.workload.kind === 'bench');
    assert.equal(m.workload.queryCount, n);
    assert.equal(m.workload.model, 'synthetic:bert-tiny');
    assert.equal(m.workload.mlperfSettings?.minQueryCount, n);
    assert.equal(m.workload.campaignId, resumed.campaign.id);
    assert.equal(m.workload.repetition, Number(/-r(\d+)$/.exec(f.key)![1]));
    assert.deepEqual(m.files.map((x) => x.role).sort(), ['mlperf_log_detail', 'mlperf_log_summary', 'other']);
    const w = (name: string) => m.windows.find((x) => x.name === name)!;
    assert.ok(w('full').t0S <= w('load').t0S && w('load').t1S <= w('full').t1S, 'full ⊇ load');
    assert.ok(w('full').t0S <= w('compute').t0S && w('compute').t1S <= w('full').t1S, 'compute inside full');
    assert.ok(w('load').t1S <= w('compute').t0S);
    assert.ok(m.energy && m.energy.primary.energyJ > 0);
    assert.ok(m.energy.perWindow?.some((x) => x.window === 'compute' && x.energyJ > 0));

    const sum = parseSummary(readFileSync(join(b, 'mlperf_log_summary.txt'), 'utf8'));
    assert.equal(sum.scenario, 'SingleStream');
    assert.equal(sum.params.minQueryCount, n);
    assert.equal(sum.params.maxQueryCount, n);
    assert.ok(sum.stats.maxLatencyNs > 0);
    const det = parseDetail(readFileSync(join(b, 'mlperf_log_detail.txt'), 'utf8'), 'detail');
    assert.equal(det.loadedQslSet?.length, 10833);
    assert.ok(det.powerBeginMs !== undefined && det.powerEndMs !== undefined && det.powerEndMs >= det.powerBeginMs);
    const lat = readFileSync(join(b, 'latencies.csv'), 'utf8').trim().split('\n');
    assert.equal(lat[0], 'query,scheduled_ns,issued_ns,done_ns,latency_ns');
    assert.equal(lat.length, n + 1);
  }
  assert.deepEqual(resumed.rows.map((r) => [r.queryCount, r.runs]), [[4, 2], [8, 2]]);
  for (const r of resumed.rows) {
    assert.ok(r.meanEnergyJ > 0 && r.meanComputeEnergyJ > 0 && r.meanComputeEnergyJ <= r.meanEnergyJ);
    assert.ok(r.meanLatencyMs > 0 && r.p90LatencyMs > 0);
    assert.ok(r.gwpMgPerRun !== null && r.gwpMgPerRun > 0);
  }
});

test('the other scenarios: MultiStream, Server and Offline runs end after N queries with their mlperf.conf values', async () => {
  const cases = [
    { scenario: 'MultiStream', extra: { batchSize: 8 }, samplesPerQuery: 8, queries: 3 },
    { scenario: 'Server', extra: { targetQps: 200 }, samplesPerQuery: 1, queries: 6 },
    { scenario: 'Offline', extra: { batchSize: 4 }, samplesPerQuery: 6, queries: 1 },
  ] as const;
  for (const c of cases) {
    const runsDir = join(dir, `runs-${c.scenario}`);
    const issued: number[][] = [];
    const r = await bench(await options(runsDir, { queryCounts: [c.scenario === 'Offline' ? 6 : c.queries], runs: 1, scenario: c.scenario, ...c.extra, onIssue: (_p, ix) => issued.push([...ix]) }));
    assert.equal(r.remaining, 0, c.scenario);
    assert.equal(r.campaign.scenario, c.scenario);
    assert.equal(issued.length, c.queries, `${c.scenario}: queries issued`);
    assert.ok(issued.every((q) => q.length === c.samplesPerQuery), `${c.scenario}: samples per query`);
    const b = r.bundlePaths[0]!;
    const m = parseManifestText(readFileSync(join(b, 'manifest.json'), 'utf8'));
    assert.ok(m.workload.kind === 'bench');
    assert.equal(m.workload.scenario, c.scenario);
    assert.equal(m.workload.mlperfSettings?.samplesPerQuery, c.samplesPerQuery);
    const sum = parseSummary(readFileSync(join(b, 'mlperf_log_summary.txt'), 'utf8'));
    assert.equal(sum.scenario, c.scenario);
    const det = parseDetail(readFileSync(join(b, 'mlperf_log_detail.txt'), 'utf8'), 'detail');
    assert.ok(det.powerBeginMs !== undefined && det.powerEndMs !== undefined);
    const lat = readFileSync(join(b, 'latencies.csv'), 'utf8').trim().split('\n');
    assert.equal(lat.length, c.queries + 1);
    if (c.scenario === 'Server') {
      // Arrivals follow the schedule: issue times never precede the scheduled ones.
      for (const line of lat.slice(1)) {
        const [, sched, iss] = line.split(',').map(Number);
        assert.ok(iss! >= sched!, line);
      }
    }
  }
});

test('bench --mode accuracy: a measured accuracy run on a synthetic model goes through the whole SQuAD pipeline into one bundle', async () => {
  const files = writeSquadFixtures();
  const runsDir = join(dir, 'runs-accuracy');
  let out = '';
  let err = '';
  const code = await runCli(
    ['bench', '--mode', 'accuracy', '--model', 'synthetic:bert-tiny', '--dataset', files.squadPath, '--vocab', files.vocabPath, '--sensor', `replay:${trace}`, '--interval', '20ms', '--hardware', 'H100-NVL', '--runs-dir', runsDir, '--format', 'json'],
    { stdout: (x) => (out += x), stderr: (x) => (err += x), env: { INFERPRINT_CACHE_DIR: cacheDir } },
  );
  assert.equal(code, 0, err);
  const j = JSON.parse(out) as { questions: number; samples: number; f1: number; exact_match: number; passed: boolean; bundle: string };
  assert.ok(j.questions > 0 && j.samples >= j.questions);
  assert.ok(j.f1 >= 0 && j.f1 <= 100 && j.exact_match >= 0 && j.exact_match <= j.f1 + 1e-9);
  assert.equal(j.passed, false, 'random weights do not answer SQuAD');
  const m = parseManifestText(readFileSync(join(j.bundle, 'manifest.json'), 'utf8'));
  assert.ok(m.workload.kind === 'bench');
  assert.equal(m.workload.mlperfSettings?.mode, 'AccuracyOnly');
  assert.deepEqual(m.files.map((f) => f.name).sort(), ['accuracy.txt', 'mlperf_log_accuracy.json', 'mlperf_log_detail.txt', 'mlperf_log_summary.txt', 'predictions.json']);
  const entries = parseAccuracyLog(readFileSync(join(j.bundle, 'mlperf_log_accuracy.json'), 'utf8'), 'mlperf_log_accuracy.json');
  assert.equal(entries.length, j.samples, 'one logged response per feature');
  assert.ok(entries.every((e) => e.data.length === 384 * 2 * 4), 'float32 (384, 2) logits per response');
  assert.ok(m.windows.some((w) => w.name === 'compute') && m.energy && m.energy.primary.energyJ > 0);
  // Usage errors: no dataset, flags of performance campaigns.
  for (const argv of [['--mode', 'accuracy', '--vocab', files.vocabPath], ['--mode', 'accuracy', '--dataset', files.squadPath], ['--mode', 'accuracy', '--dataset', files.squadPath, '--vocab', files.vocabPath, '--queries', '16'], ['--mode', 'fast']]) {
    const c = await runCli(['bench', ...argv, '--runs-dir', runsDir], { stdout: () => undefined, stderr: () => undefined, env: { INFERPRINT_CACHE_DIR: cacheDir } });
    assert.equal(c, 2, argv.join(' '));
  }
});

test('bench --sut http: a campaign and an accuracy run against a KServe v2 server on loopback', async () => {
  const model = await resolveModel(parseModelSpec('synthetic:bert-tiny'), { cacheDir, cwd: dir, verify: 'size' });
  const server = await serveModel({ modelPath: model.path, port: 0, warmupRuns: 0, modelName: 'tiny' });
  try {
    const issued: number[][] = [];
    const r = await bench(await options(join(dir, 'runs-http'), { queryCounts: [4], runs: 1, http: { url: server.url, modelName: 'tiny' }, onIssue: (_p, ix) => issued.push([...ix]) }));
    assert.equal(r.remaining, 0);
    assert.deepEqual(issued.flat(), [8143, 6390, 2157, 1292], 'the official sample order, through HTTP');
    const sum = parseSummary(readFileSync(join(r.bundlePaths[0]!, 'mlperf_log_summary.txt'), 'utf8'));
    assert.match(sum.sutName, /kserve-v2 .* model tiny/);
    assert.ok(server.stats().inferRequests >= 4, 'the queries reached the server');

    const files = writeSquadFixtures();
    let out = '';
    let err = '';
    const code = await runCli(
      ['bench', '--mode', 'accuracy', '--sut', 'http', '--url', server.url, '--model-name', 'tiny', '--dataset', files.squadPath, '--vocab', files.vocabPath, '--sensor', `replay:${trace}`, '--runs-dir', join(dir, 'runs-http'), '--format', 'json'],
      { stdout: (x) => (out += x), stderr: (x) => (err += x), env: { INFERPRINT_CACHE_DIR: cacheDir } },
    );
    assert.equal(code, 0, err);
    const j = JSON.parse(out) as { samples: number; f1: number; bundle: string };
    const entries = parseAccuracyLog(readFileSync(join(j.bundle, 'mlperf_log_accuracy.json'), 'utf8'), 'mlperf_log_accuracy.json');
    assert.equal(entries.length, j.samples);
  } finally {
    await server.close();
  }
  for (const argv of [['--sut', 'http'], ['--sut', 'grpc'], ['--url', 'http://127.0.0.1:1'], ['--sut', 'http', '--url', 'http://127.0.0.1:1', '--model', 'synthetic:bert-tiny']]) {
    const c = await runCli(['bench', ...argv, '--runs-dir', join(dir, 'runs-http')], { stdout: () => undefined, stderr: () => undefined, env: { INFERPRINT_CACHE_DIR: cacheDir } });
    assert.equal(c, 2, argv.join(' '));
  }
});

test('bench CLI: bad flags are usage errors (exit 2)', async () => {
  const cases = [
    ['--scenario', 'Server'],
    ['--scenario', 'Server', '--target-qps', '0'],
    ['--scenario', 'Server', '--target-qps', 'fast'],
    ['--scenario', 'Offline', '--target-qps', '5'],
    ['--scenario', 'Batch'],
    ['--batch-size', '0'],
    ['--queries', '4,x'],
    ['--queries', '0'],
    ['--runs', '0'],
    ['--model', 'synthetic:bert-huge'],
    ['--interval', '5'],
    ['--cooldown', 'soon'],
    ['--bogus'],
  ];
  for (const argv of cases) {
    let err = '';
    const code = await runCli(['bench', ...argv, '--runs-dir', join(dir, 'cli-runs')], { stdout: () => undefined, stderr: (s) => (err += s), env: { INFERPRINT_CACHE_DIR: cacheDir } });
    assert.equal(code, 2, `${argv.join(' ')}: ${err}`);
  }
});

test('bench CLI: --resume with no campaign is a usage error', async () => {
  let err = '';
  const code = await runCli(['bench', '--resume', '--runs-dir', join(dir, 'empty-runs')], { stdout: () => undefined, stderr: (s) => (err += s), env: { INFERPRINT_CACHE_DIR: cacheDir } });
  assert.equal(code, 2, err);
  assert.match(err, /no campaign to resume/);
  // A flag that would change the plan is refused on resume, not ignored.
  err = '';
  const again = await runCli(['bench', '--resume', '--provider', 'cuda', '--runs-dir', join(dir, 'empty-runs')], { stdout: () => undefined, stderr: (s) => (err += s), env: { INFERPRINT_CACHE_DIR: cacheDir } });
  assert.equal(again, 2);
  assert.match(err, /--provider/);
});

test('resume: a bundle removed by hand is run again, an unreadable campaign file is passed over, settings come from the campaign', async () => {
  const runsDir = join(dir, 'runs-resume');
  const first = await bench(await options(runsDir, { queryCounts: [4], runs: 2, stopAfter: 2, label: 'keep' }));
  assert.equal(first.remaining, 0);
  rmSync(first.bundlePaths[0]!, { recursive: true });
  writeFileSync(join(runsDir, 'campaigns', '99999999T999999Z-zzzz.json'), '{ not json');
  const lines: string[] = [];
  const again = await bench(await options(runsDir, { resume: true, onStatus: (l) => lines.push(l) }));
  assert.equal(again.campaign.id, first.campaign.id, 'the newest readable campaign');
  assert.equal(again.campaign.finished.length, 2);
  assert.equal(again.remaining, 0);
  assert.ok(lines.some((l) => /unreadable campaign file/.test(l)));
  assert.ok(lines.some((l) => /no bundle any more/.test(l)));
  const labels = again.bundlePaths.map((p) => parseManifestText(readFileSync(join(p, 'manifest.json'), 'utf8')).label);
  assert.ok(labels.every((l) => l.startsWith('keep-')), 'the label the campaign was planned with');
});

test('the compute window is LoadGen power window: it matches power_begin → power_end of the detail log', async () => {
  const r = await bench(await options(join(dir, 'runs-window'), { queryCounts: [8], runs: 1 }));
  const b = r.bundlePaths[0]!;
  const m = parseManifestText(readFileSync(join(b, 'manifest.json'), 'utf8'));
  const w = m.windows.find((x) => x.name === 'compute')!;
  const det = parseDetail(readFileSync(join(b, 'mlperf_log_detail.txt'), 'utf8'), 'detail');
  const windowS = w.t1S - w.t0S;
  const powerS = (det.powerEndMs! - det.powerBeginMs!) / 1000;
  // The marks are taken next to LoadGen's clock readings (microseconds apart); 20 ms covers a GC pause.
  assert.ok(Math.abs(windowS - powerS) < 0.02, `window ${windowS} s vs power ${powerS} s`);
});

test('Ctrl-C during a campaign: the run in flight finishes and is saved, the rest is left for --resume', async () => {
  const runsDir = join(dir, 'runs-interrupted');
  const signals = new EventEmitter();
  let sent = false;
  const r = await bench(
    await options(runsDir, {
      signals,
      onIssue: () => {
        if (!sent) {
          sent = true;
          signals.emit('SIGINT');
        }
      },
    }),
  );
  assert.equal(r.interrupted, 'SIGINT');
  assert.equal(r.campaign.finished.length, 1, 'the run in flight was completed and recorded');
  assert.equal(r.remaining, 3);
  assert.equal(signals.listenerCount('SIGINT'), 0, 'handlers are removed afterwards');
});

test('analyze reads a campaign back from its bundles: one row per query count, compute phase and latency included', async () => {
  const runsDir = join(dir, 'runs-analyze');
  const r = await bench(await options(runsDir));
  assert.equal(r.remaining, 0);
  const a = analyze({ paths: [runsDir], method: 'trapezoid' });
  assert.deepEqual(a.rows.map((x) => x.queryCount).sort((p, q) => (p ?? 0) - (q ?? 0)), [4, 8]);
  for (const row of a.rows) {
    assert.equal(row.energy?.runs, 2);
    assert.equal(row.compute?.runs, 2);
    assert.ok(row.energy.energyJ > row.compute.energyJ, 'the whole run includes loading the model');
    assert.equal(row.latency?.runs, 2, 'latency from each bundle’s mlperf_log_summary.txt');
    assert.equal(row.device, 'H100-NVL');
    assert.ok(row.impact && row.impact.gwpG.mean > 0);
    assert.equal(row.version, 'v4.1');
  }
  // A single bundle folder works too.
  assert.equal(analyze({ paths: [r.bundlePaths[0]!], method: 'trapezoid' }).rows.length, 1);
});

test('a hand-edited campaign file with an unknown scenario or a Server plan without its rate is a PARSE error naming the field', async () => {
  const runsDir = join(dir, 'runs-bad-campaign');
  const first = await bench(await options(runsDir, { queryCounts: [4], runs: 1 }));
  const path = first.campaignPath;
  const good = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const [field, edit] of [
    ['scenario', { scenario: 'Batch' }],
    ['targetQps', { scenario: 'Server' }],
    ['batchSize', { batchSize: 0 }],
    ['http', { http: { url: 7 } }],
  ] as const) {
    writeFileSync(path, JSON.stringify({ ...good, ...edit }));
    await assert.rejects(bench(await options(runsDir, { resume: first.campaign.id })), (e: unknown) => e instanceof Error && e.message.includes(path) && e.message.includes(`'${field}'`) && /\[PARSE\]/.test(e.message), field);
  }
  // Every campaign file unreadable: resuming the latest says so.
  writeFileSync(path, '{');
  await assert.rejects(bench(await options(runsDir, { resume: true })), /no readable campaign to resume/);
});
