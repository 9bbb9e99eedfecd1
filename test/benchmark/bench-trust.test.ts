// Issue 8 ("one honest number per question"), the bench parts: the GWP scope on every row and
// never averaged across scopes; one process per campaign (a lock); no campaign file left by a
// failed pre-check; the plan (runs, model source, estimate) before any run, and a default model
// that finishes in minutes on a machine with no accelerator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bench, planBench, tabulate, type BenchOptions } from '../../src/app/bench.js';
import type { RunValues } from '../../src/app/bench-aggregate.js';
import { acquireCampaignLock, lockPath, LOCK_SCHEMA } from '../../src/app/bench-lock.js';
import {
  defaultBenchModel,
  estimateSeconds,
  formatDuration,
  REFERENCE_TIMINGS,
  RUN_OVERHEAD_S,
  timingFromRuns,
} from '../../src/app/bench-plan.js';
import { ensureSyntheticModel, peekSyntheticModel } from '../../src/benchmark/bert/io/model-cache.js';
import { runCli } from '../../src/cli/main.js';
import { isInferprintError } from '../../src/errors.js';
import { parseManifestText } from '../../src/runs/manifest.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { CLI_NODE_ARGS } from '../helpers/cli-child.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-trust-'));
const cacheDir = join(dir, 'cache');
const trace = join(dir, gpuTraceName());
// 2 ms apart: even the shortest window of a tiny run holds samples, whatever the load.
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 500 }, (_, i) => `${(i * 0.002).toFixed(3)},${i < 250 ? 100 : 200}`).join('\n')}\n`);
// An environment with no NVIDIA GPU to find, whatever machine runs the tests.
const emptyPath = join(dir, 'empty-path');
mkdirSync(emptyPath);
const noGpuEnv = { INFERPRINT_CACHE_DIR: cacheDir, PATH: emptyPath, INFERPRINT_NVML_LIB: join(dir, 'no-libnvidia-ml.so.1') };

async function options(runsDir: string, extra: Partial<BenchOptions> = {}): Promise<BenchOptions> {
  return {
    model: 'synthetic:bert-tiny',
    queryCounts: [4, 8],
    runs: 2,
    sensor: `replay:${trace}`,
    intervalS: 0.02,
    seed: 7,
    cooldownS: 0,
    runsDir,
    cacheDir,
    cwd: dir,
    env: await defaultSensorEnv(),
    ...extra,
  };
}

async function cli(argv: readonly string[], env: Record<string, string> = noGpuEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), env, cwd: dir });
  return { code, out, err };
}

/** The CLI in a child process of its own (through tsx, as the tests run the sources). */
function child(argv: readonly string[]): { done: Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>; proc: ReturnType<typeof spawn>; stderrLines: (match: RegExp) => Promise<void> } {
  const proc = spawn(process.execPath, [...CLI_NODE_ARGS, ...argv], {
    cwd: REPO,
    env: { ...process.env, INFERPRINT_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const waiters: { re: RegExp; ok: () => void }[] = [];
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    err += s;
    for (const w of waiters.splice(0)) {
      if (w.re.test(err)) w.ok();
      else waiters.push(w);
    }
  });
  proc.stdout.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((ok) => proc.on('close', (code, signal) => { ok({ code, signal, err }); }));
  return {
    proc,
    done,
    stderrLines: (re) => new Promise<void>((ok, ko) => {
      if (re.test(err)) { ok(); return; }
      waiters.push({ re, ok });
      void done.then(() => { if (!re.test(err)) ko(new Error(`child ended before ${re}: ${err}`)); });
    }),
  };
}

/** Bundles in a runs directory that belong to a campaign, by their manifests. */
function bundlesOf(runsDir: string, campaignId: string): { key: string; dir: string }[] {
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(runsDir, d.name, 'manifest.json')))
    .flatMap((d) => {
      const m = parseManifestText(readFileSync(join(runsDir, d.name, 'manifest.json'), 'utf8'));
      return m.workload.kind === 'bench' && m.workload.campaignId === campaignId ? [{ key: `q${m.workload.queryCount}-r${m.workload.repetition}`, dir: d.name }] : [];
    });
}

const campaignFiles = (runsDir: string): string[] => (existsSync(join(runsDir, 'campaigns')) ? readdirSync(join(runsDir, 'campaigns')).filter((n) => n.endsWith('.json')) : []);

/** A pid that was a process of this host and is not any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// (1) The GWP scope

const used = (pue: number, lifetime?: number) => [
  { name: 'grid' as const, value: 79.1, unit: 'gCO2e/kWh', source: 'ADEME', year: 2024, origin: 'preset' as const, why: '' },
  { name: 'pue' as const, value: pue, unit: 'ratio', source: 'x', year: null, origin: 'preset' as const, why: '' },
  ...(lifetime !== undefined ? [{ name: 'lifetime' as const, value: lifetime, unit: 's', source: 'y', year: 2025, origin: 'preset' as const, why: '' }] : []),
];

test('tabulate: each row carries its GWP scope; a row of two scopes is mixed, with no mean, each scope apart', () => {
  const full = (g: number): NonNullable<RunValues['gwp']> => ({ scope: 'operational+embodied', gwpG: g, used: used(1.5, 220752000) });
  const op = (g: number): NonNullable<RunValues['gwp']> => ({ scope: 'operational only', gwpG: g, used: used(1) });
  const t = tabulate([
    { queryCount: 16, energyJ: 10, computeEnergyJ: 4, latenciesNs: [1e6, 3e6], gwp: full(0.002) },
    { queryCount: 16, energyJ: 20, computeEnergyJ: 6, latenciesNs: [2e6], gwp: full(0.004) },
    { queryCount: 32, energyJ: 30, latenciesNs: [5e6], gwp: op(0.001) },
    { queryCount: 64, energyJ: 40, latenciesNs: [1e6], gwp: full(0.010) },
    { queryCount: 64, energyJ: 50, latenciesNs: [1e6], gwp: op(0.002) },
    { queryCount: 64, energyJ: 60, latenciesNs: [1e6], gwp: op(0.004) },
    { queryCount: 128, energyJ: 70, latenciesNs: [1e6] },
  ]);
  const [q16, q32, q64, q128] = t.rows;
  assert.equal(q16!.gwpScope, 'operational+embodied');
  assert.ok(Math.abs(q16!.gwpMgPerRun! - 3) < 1e-9, 'mean of 2 and 4 mg');
  assert.equal(q16!.meanEnergyJ, 15);
  assert.equal(q16!.meanComputeEnergyJ, 5);
  assert.equal(q16!.meanLatencyMs, 2);
  assert.equal(q32!.gwpScope, 'operational only');
  assert.ok(Math.abs(q32!.gwpMgPerRun! - 1) < 1e-9);
  // Averaging 10, 2 and 4 mg would give 5.33 mg, a number that means nothing.
  assert.equal(q64!.gwpScope, 'mixed');
  assert.equal(q64!.gwpMgPerRun, null);
  assert.equal(q64!.runs, 3, 'energy and latency still count every run');
  assert.deepEqual(q64!.gwpByScope.map((g) => [g.scope, g.runs, Math.round(g.meanMgPerRun * 1e6) / 1e6]), [['operational+embodied', 1, 10], ['operational only', 2, 3]]);
  assert.equal(q128!.gwpScope, 'none');
  assert.equal(q128!.gwpMgPerRun, null);
  assert.deepEqual(t.parameterSets.map((p) => [p.scope, p.runs, p.used.map((u) => `${u.name}=${u.value}`).join(' ')]), [
    ['operational+embodied', 3, 'grid=79.1 pue=1.5 lifetime=220752000'],
    ['operational only', 3, 'grid=79.1 pue=1'],
  ]);
});

test('bench table: the scope on every row, the parameters under it, and a row mixing scopes shown apart (CLI, table and JSON)', async () => {
  const runsDir = join(dir, 'runs-scope');
  // First run with hardware the database does not know: operational only.
  const first = await bench(await options(runsDir, { queryCounts: [4], runs: 2, stopAfter: 1 }));
  assert.equal(first.rows[0]!.gwpScope, 'operational only');
  // The hardware becomes known before the campaign resumes (as when CPU hosts get an entry).
  const c = JSON.parse(readFileSync(first.campaignPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(first.campaignPath, JSON.stringify({ ...c, hardware: 'H100-NVL' }));
  const table = await cli(['bench', '--resume', first.campaign.id, '--runs-dir', runsDir]);
  assert.equal(table.code, 0, table.err);
  const lines = table.out.split('\n');
  const header = lines.find((l) => l.startsWith('queries'))!;
  assert.match(header, /GWP \(mg\/run\)\s+GWP scope/);
  const row = lines.find((l) => /^\s+4\s/.test(l))!;
  assert.match(row, /—\s+mixed$/, 'no GWP mean for a mixed row');
  assert.match(table.out, /Note: 4 queries mixes GWP scopes — 1 run operational\+embodied \(mean [\d.]+ mg\), 1 run operational only \(mean [\d.]+ mg\): not averaged together/);
  assert.match(table.out, /GWP scope: operational\+embodied = E × grid × PUE \+ \(duration \/ lifetime\) × F_embodied/);
  assert.match(table.out, /GWP scope: operational only = E × grid × PUE: the hardware is not in the database/);
  assert.match(table.out, /Parameters \(operational\+embodied, 1 run\):\n {2}grid .*\n {2}pue .*\n {2}lifetime .* h \([\d.]+ y\)/);
  assert.match(table.out, /Parameters \(operational only, 1 run\):\n {2}grid .*\n {2}pue {7}1 ratio — no facility overhead assumed: the hardware \(and so its category\) is unknown/);

  const json = await cli(['bench', '--resume', first.campaign.id, '--runs-dir', runsDir, '--format', 'json']);
  assert.equal(json.code, 0, json.err);
  const j = JSON.parse(json.out) as { per_query_count: { gwp_scope: string; gwp_mg_per_run: number | null; gwp_mg_per_run_by_scope: { scope: string; runs: number; mean_mg_per_run: number }[] }[]; impact_parameters: { scope: string; runs: number; parameters: { name: string }[] }[] };
  const r = j.per_query_count[0]!;
  assert.equal(r.gwp_scope, 'mixed');
  assert.equal(r.gwp_mg_per_run, null);
  assert.deepEqual(r.gwp_mg_per_run_by_scope.map((g) => [g.scope, g.runs]), [['operational+embodied', 1], ['operational only', 1]]);
  // The full LCA's GWP includes the embodied part; the operational-only one does not.
  assert.ok(r.gwp_mg_per_run_by_scope[0]!.mean_mg_per_run > 0 && r.gwp_mg_per_run_by_scope[1]!.mean_mg_per_run > 0);
  assert.deepEqual(j.impact_parameters.map((p) => [p.scope, p.runs, p.parameters.map((x) => x.name).join(',')]), [
    ['operational only', 1, 'grid,pue'],
    ['operational+embodied', 1, 'grid,pue,lifetime,embodied'],
  ]);

  // One scope: its mean, and the scope named on the row.
  const whole = await cli(['bench', '--model', 'synthetic:bert-tiny', '--queries', '4', '--runs', '1', '--sensor', `replay:${trace}`, '--hardware', 'H100-NVL', '--runs-dir', join(dir, 'runs-scope-full'), '--format', 'json']);
  assert.equal(whole.code, 0, whole.err);
  const w = (JSON.parse(whole.out) as { per_query_count: { gwp_scope: string; gwp_mg_per_run: number }[] }).per_query_count[0]!;
  assert.equal(w.gwp_scope, 'operational+embodied');
  assert.ok(w.gwp_mg_per_run > 0);
});

// ---------------------------------------------------------------------------------------------
// (9) One process per campaign

test('lock: a held lock refuses with its holder; a stale one (dead pid, this host) is taken over with a note; another host is refused', async () => {
  const cdir = join(dir, 'locks');
  const a = await acquireCampaignLock(cdir, 'c1');
  const holder = JSON.parse(readFileSync(lockPath(cdir, 'c1'), 'utf8')) as { pid: number; host: string; startedAt: string; schema: string };
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, hostname());
  assert.equal(holder.schema, LOCK_SCHEMA);
  await assert.rejects(acquireCampaignLock(cdir, 'c1', { env: { pid: process.pid + 1, host: hostname(), now: () => new Date(), isAlive: () => true } }), (e: unknown) => {
    assert.ok(isInferprintError(e) && e.code === 'LOCKED', String(e));
    assert.equal(e.message.split('\n').length, 1);
    assert.ok(e.message.includes(`pid ${process.pid} on ${hostname()}`), e.message);
    return true;
  });
  await a.release();
  assert.equal(existsSync(lockPath(cdir, 'c1')), false, 'released');
  await a.release(); // twice is harmless

  const dead = deadPid();
  writeFileSync(lockPath(cdir, 'c2'), JSON.stringify({ schema: LOCK_SCHEMA, campaignId: 'c2', pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  const notes: string[] = [];
  const b = await acquireCampaignLock(cdir, 'c2', { onNote: (l) => notes.push(l) });
  assert.equal((JSON.parse(readFileSync(lockPath(cdir, 'c2'), 'utf8')) as { pid: number }).pid, process.pid);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, new RegExp(`took over the stale lock of campaign c2 \\(pid ${dead} on `));
  b.releaseSync();
  assert.equal(existsSync(lockPath(cdir, 'c2')), false);
  assert.deepEqual(readdirSync(cdir), [], 'nothing left aside');

  writeFileSync(lockPath(cdir, 'c3'), JSON.stringify({ schema: LOCK_SCHEMA, campaignId: 'c3', pid: dead, host: 'other-host.example', startedAt: '2026-01-01T00:00:00.000Z' }));
  await assert.rejects(acquireCampaignLock(cdir, 'c3'), /pid \d+ on other-host\.example since 2026-01-01T00:00:00\.000Z; if that process is gone, remove the lock: rm .*c3\.lock \[LOCKED\]$/);
  // A lock released by a process must not remove a lock someone else wrote since.
  const c = await acquireCampaignLock(cdir, 'c4');
  writeFileSync(lockPath(cdir, 'c4'), 'someone else');
  await c.release();
  assert.equal(readFileSync(lockPath(cdir, 'c4'), 'utf8'), 'someone else');
});

test('two processes, one campaign: a second --resume refuses while the first holds the lock; run together, they never duplicate a run', async () => {
  const runsDir = join(dir, 'runs-lock');
  await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir, verify: 'size' });
  const first = await bench(await options(runsDir, { stopAfter: 1 }));
  const id = first.campaign.id;
  assert.equal(first.remaining, 3);
  assert.equal(existsSync(lockPath(join(runsDir, 'campaigns'), id)), false, 'released after the campaign call');

  // The test holds the lock (a live process of this host): the child refuses, runs nothing.
  const held = await acquireCampaignLock(join(runsDir, 'campaigns'), id);
  const refused = await child(['bench', '--resume', id, '--runs-dir', runsDir]).done;
  assert.equal(refused.code, 1, refused.err);
  const errLine = refused.err.trim().split('\n').at(-1)!;
  assert.match(errLine, new RegExp(`campaign ${id} is being run by pid ${process.pid} on .* since .*; wait for it or stop it \\(kill -INT ${process.pid}\\) \\[LOCKED\\]$`));
  assert.equal(bundlesOf(runsDir, id).length, 1, 'no run made by the refused process');
  await held.release();

  // Both at once: whatever the timing, each run of the plan is made exactly once.
  const [x, y] = await Promise.all([child(['bench', '--resume', id, '--runs-dir', runsDir]).done, child(['bench', '--resume', id, '--runs-dir', runsDir]).done]);
  for (const r of [x, y]) assert.ok(r.code === 0 || (r.code === 1 && /\[LOCKED\]/.test(r.err)), `${r.code}: ${r.err}`);
  assert.ok(x.code === 0 || y.code === 0);
  const keys = bundlesOf(runsDir, id).map((b) => b.key).sort();
  assert.deepEqual(keys, ['q4-r0', 'q4-r1', 'q8-r0', 'q8-r1'], 'four planned runs, four bundles');
  const c = JSON.parse(readFileSync(join(runsDir, 'campaigns', `${id}.json`), 'utf8')) as { finished: { key: string }[] };
  assert.equal(c.finished.length, 4);
  assert.equal(existsSync(lockPath(join(runsDir, 'campaigns'), id)), false);
});

test('a stale lock (its process died) is taken over by the next --resume, with a note', async () => {
  const runsDir = join(dir, 'runs-stale');
  const first = await bench(await options(runsDir, { queryCounts: [4], runs: 2, stopAfter: 1 }));
  const dead = deadPid();
  writeFileSync(lockPath(join(runsDir, 'campaigns'), first.campaign.id), JSON.stringify({ schema: LOCK_SCHEMA, campaignId: first.campaign.id, pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  const r = await child(['bench', '--resume', first.campaign.id, '--runs-dir', runsDir]).done;
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`took over the stale lock of campaign ${first.campaign.id} \\(pid ${dead} on .*is no longer running\\)`));
  assert.equal(bundlesOf(runsDir, first.campaign.id).length, 2);
  assert.equal(existsSync(lockPath(join(runsDir, 'campaigns'), first.campaign.id)), false);
});

test('the lock is released on every way out: an error, a first Ctrl-C, and a second Ctrl-C that ends the process', async () => {
  const runsDir = join(dir, 'runs-release');
  const locks = () => readdirSync(join(runsDir, 'campaigns')).filter((n) => n.endsWith('.lock'));
  // An error after the lock is taken: the model file of the campaign is gone.
  const own = join(dir, 'own-model.onnx');
  writeFileSync(own, readFileSync((await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir, verify: 'size' })).path));
  const first = await bench(await options(runsDir, { model: own, queryCounts: [4], runs: 2, stopAfter: 1 }));
  const { rmSync } = await import('node:fs');
  rmSync(own);
  await assert.rejects(bench(await options(runsDir, { resume: first.campaign.id })), /model file does not exist \[NOT_FOUND\]/);
  assert.deepEqual(locks(), []);

  // A first Ctrl-C (in process): the run in flight is saved, the lock released.
  const { EventEmitter } = await import('node:events');
  const signals = new EventEmitter();
  let sent = false;
  const r = await bench(await options(runsDir, { signals, onIssue: () => { if (!sent) { sent = true; signals.emit('SIGINT'); } } }));
  assert.equal(r.interrupted, 'SIGINT');
  assert.deepEqual(locks(), []);

  // Two Ctrl-C in a child, sent once it holds the lock (its sensor line comes after): whether it
  // was then mid-run or already done, it leaves no lock behind.
  const c = child(['bench', '--resume', r.campaign.id, '--runs-dir', runsDir]);
  await c.stderrLines(/inferprint bench: sensor /);
  c.proc.kill('SIGINT');
  c.proc.kill('SIGINT');
  const end = await c.done;
  assert.ok(end.signal === 'SIGINT' || end.code === 0 || end.code === 130, `${end.code} ${end.signal}: ${end.err}`);
  assert.deepEqual(locks(), []);
});

// ---------------------------------------------------------------------------------------------
// (12) Pre-checks before the campaign file

test('a failed pre-check leaves no campaign for --resume: server down (--sut http), missing model file, sensor unavailable', async () => {
  const runsDir = join(dir, 'runs-precheck');
  const port = await new Promise<number>((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => { ok(p); });
    });
  });
  const base = ['--queries', '4', '--runs', '1', '--runs-dir', runsDir];
  const down = await cli(['bench', '--sut', 'http', '--url', `http://127.0.0.1:${port}`, '--sensor', `replay:${trace}`, ...base]);
  assert.equal(down.code, 1, down.err);
  assert.match(down.err, /not ready|ECONNREFUSED|connect/i);
  const missing = await cli(['bench', '--model', join(dir, 'nope.onnx'), '--sensor', `replay:${trace}`, ...base]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.onnx: model file does not exist \[NOT_FOUND\]/);
  const noSensor = await cli(['bench', '--model', 'synthetic:bert-tiny', '--sensor', 'nvidia-smi', ...base]);
  assert.equal(noSensor.code, 1);
  assert.match(noSensor.err, /SENSOR_UNAVAILABLE/);
  assert.deepEqual(campaignFiles(runsDir), [], 'no campaign file written');
  const resume = await cli(['bench', '--resume', '--runs-dir', runsDir]);
  assert.equal(resume.code, 2);
  assert.match(resume.err, /no campaign to resume/);
});

// ---------------------------------------------------------------------------------------------
// (13) The plan and the default model

test('the default model: the study\'s with an accelerator, one that finishes in minutes without', () => {
  const none = defaultBenchModel('cpu', { found: false, detail: 'nvml: no' });
  assert.equal(none.model, 'synthetic:bert-tiny');
  assert.match(none.studyHint!, /--model synthetic:bert-large .*--model PATH\/model\.onnx/);
  assert.equal(defaultBenchModel('cpu', { found: true, detail: 'nvml: 1 GPU' }).model, 'synthetic:bert-large');
  assert.equal(defaultBenchModel('cuda', undefined).model, 'synthetic:bert-large');
  assert.equal(defaultBenchModel('cuda', undefined).studyHint, undefined);
  // Minutes: the default campaign (16..256 × 10 runs) by the reference timings.
  const work = { scenario: 'SingleStream' as const, queryCounts: [16, 32, 64, 128, 256].flatMap((q) => Array<number>(10).fill(q)), cooldownS: 0 };
  const timing = (p: keyof typeof REFERENCE_TIMINGS) => ({ perSampleS: REFERENCE_TIMINGS[p].perSampleS, perRunS: REFERENCE_TIMINGS[p].sessionLoadS + RUN_OVERHEAD_S });
  assert.ok(estimateSeconds(work, timing('bert-tiny')) < 60, 'bert-tiny: under a minute on the reference VM');
  assert.ok(estimateSeconds(work, timing('bert-large')) > 3600, 'bert-large: over an hour on the reference VM');
});

test('the estimate: runs × (fixed + samples × per-sample), Server bounded by its arrival rate, cooldowns between runs; timing measured from runs', () => {
  const t = { perSampleS: 0.01, perRunS: 0.5 };
  // 2 runs of 16 and 32 queries: 2 × 0.5 + 48 × 0.01 + 1 cooldown of 3 s + 1 s setup.
  assert.ok(Math.abs(estimateSeconds({ scenario: 'SingleStream', queryCounts: [16, 32], cooldownS: 3, setupS: 1 }, t) - 5.48) < 1e-9);
  // MultiStream issues 8 samples per query.
  assert.ok(Math.abs(estimateSeconds({ scenario: 'MultiStream', queryCounts: [10], cooldownS: 0 }, t) - (0.5 + 0.8)) < 1e-9);
  // Server at 2 QPS: 10 queries take at least 5 s, whatever the model's speed.
  assert.ok(Math.abs(estimateSeconds({ scenario: 'Server', targetQps: 2, queryCounts: [10], cooldownS: 0 }, t) - 5.5) < 1e-9);
  const m = timingFromRuns([{ wallS: 2, computeS: 1, samples: 100 }, { wallS: 4, computeS: 3, samples: 300 }])!;
  assert.ok(Math.abs(m.perSampleS - 0.01) < 1e-12);
  assert.ok(Math.abs(m.perRunS - 1) < 1e-12);
  assert.equal(timingFromRuns([]), undefined);
  assert.deepEqual([0.4, 35.2, 89, 240, 3733].map(formatDuration), ['under 1 s', 'about 35 s', 'about 89 s', 'about 4 min', 'about 1 h 02 min']);
});

test('the reference timings are those docs/benchmarks.md reports', () => {
  const doc = readFileSync(join(REPO, 'docs', 'benchmarks.md'), 'utf8');
  for (const [preset, t] of Object.entries(REFERENCE_TIMINGS)) {
    const line = doc.split('\n').find((l) => l.startsWith(`| ort-latency ${preset} |`));
    assert.ok(line, preset);
    const load = Number(/sessionLoadS=([\d.]+)/.exec(line)![1]);
    const latencyMs = Number(/meanLatencyMs=([\d.]+)/.exec(line)![1]);
    assert.ok(Math.abs(t.sessionLoadS - load) / load < 0.01, `${preset} session load ${t.sessionLoadS} vs ${load}`);
    assert.ok(Math.abs(t.perSampleS * 1000 - latencyMs) / latencyMs < 0.01, `${preset} per sample ${t.perSampleS} vs ${latencyMs} ms`);
  }
});

test('--dry-run with no --model on a machine with no GPU: the plan of a bert-tiny campaign and how to run the study\'s; nothing written', async () => {
  const runsDir = join(dir, 'runs-dry');
  const cache = join(dir, 'cache-dry');
  const env = { ...noGpuEnv, INFERPRINT_CACHE_DIR: cache };
  const r = await cli(['bench', '--dry-run', '--format', 'json', '--sensor', `replay:${trace}`, '--runs-dir', runsDir], env);
  assert.equal(r.code, 0, r.err);
  const p = (JSON.parse(r.out) as { plan: Record<string, unknown> & { model_source: Record<string, unknown>; estimate: { seconds: number; kind: string; basis: string }; default_model: { why: string; study_hint: string }; study_model: { model: string; bytes: number; estimate: { seconds: number } } } }).plan;
  assert.equal(p.model, 'synthetic:bert-tiny');
  assert.equal(p.runs, 50);
  assert.equal(p.queries, 10 * (16 + 32 + 64 + 128 + 256));
  assert.equal(p.scenario, 'SingleStream');
  assert.deepEqual(p.model_source, { kind: 'synthetic', preset: 'bert-tiny', cached: false, path: join(cache, 'synthetic-bert-tiny-seed42-mlperf-g1', 'model.onnx'), bytes: 17491012, generated_locally: true, generation_s: 17491012 / 2e8 });
  assert.equal(p.downloaded_bytes, 0);
  assert.match(p.default_model.why, /no accelerator here/);
  assert.match(p.default_model.study_hint, /--model synthetic:bert-large/);
  assert.equal(p.estimate.kind, 'reference');
  assert.match(p.estimate.basis, /^rough: bert-tiny timings measured on a 2-core AMD EPYC VM/);
  assert.ok(p.estimate.seconds > 1 && p.estimate.seconds < 120, String(p.estimate.seconds));
  assert.equal(p.study_model.bytes, 1336497725);
  assert.ok(p.study_model.estimate.seconds > 3600);
  assert.equal(existsSync(runsDir), false, 'no runs directory');
  assert.equal(existsSync(cache), false, 'no model generated');

  const text = await cli(['bench', '--dry-run', '--sensor', `replay:${trace}`, '--runs-dir', runsDir], env);
  assert.equal(text.code, 0);
  assert.match(text.out, /^inferprint bench: plan: 50 runs \(query counts 16,32,64,128,256 × 10 repetitions\), 4960 queries, SingleStream, LoadGen v4\.1$/m);
  assert.match(text.out, /model synthetic:bert-tiny: generated locally into .* \(17\.5 MB, under 1 s; cached for later runs\); nothing is downloaded/);
  assert.match(text.out, /estimated duration: about \d+ s \(rough: /);
  assert.match(text.out, /for the study's model: --model synthetic:bert-large \(the MLPerf BERT-Large shape; 1\.34 GB generated locally, about 1 h \d\d min for these runs by the same reference\) or --model PATH\/model\.onnx/);
});

test('--dry-run with an NVIDIA GPU found (the fake nvidia-smi) or --model synthetic:bert-large: the study\'s campaign, unchanged', async () => {
  const fakeBin = join(REPO, 'test', 'fakes', 'bin');
  const gpu = await cli(['bench', '--dry-run', '--format', 'json', '--sensor', `replay:${trace}`, '--runs-dir', join(dir, 'runs-dry-gpu')], { ...noGpuEnv, PATH: `${fakeBin}:${process.env.PATH ?? ''}` });
  assert.equal(gpu.code, 0, gpu.err);
  const g = (JSON.parse(gpu.out) as { plan: { model: string; default_model?: { why: string; study_hint?: string } } }).plan;
  assert.equal(g.model, 'synthetic:bert-large');
  assert.match(g.default_model!.why, /NVIDIA GPU found: nvidia-smi/);
  assert.equal(g.default_model!.study_hint, undefined);

  const study = await cli(['bench', '--dry-run', '--format', 'json', '--model', 'synthetic:bert-large', '--sensor', `replay:${trace}`, '--runs-dir', join(dir, 'runs-dry-study')]);
  assert.equal(study.code, 0, study.err);
  const s = (JSON.parse(study.out) as { plan: { model: string; runs: number; query_counts: number[]; repetitions: number; scenario: string; default_model?: unknown; model_source: { bytes: number } } }).plan;
  assert.deepEqual([s.model, s.runs, s.query_counts, s.repetitions, s.scenario, s.default_model], ['synthetic:bert-large', 50, [16, 32, 64, 128, 256], 10, 'SingleStream', undefined]);
  assert.equal(s.model_source.bytes, 1336497725);
});

test('a campaign prints its plan before its first run (and the JSON result carries it); a resumed one plans what is left', async () => {
  const runsDir = join(dir, 'runs-plan');
  const events: string[] = [];
  const r = await bench(await options(runsDir, { onStatus: (l) => events.push(l), onIssue: () => { if (events.at(-1) !== 'issue') events.push('issue'); } , stopAfter: 2 }));
  const firstIssue = events.indexOf('issue');
  const planAt = events.findIndex((l) => l.startsWith('inferprint bench: plan: 4 runs (query counts 4,8 × 2 repetitions), 24 queries, SingleStream'));
  assert.ok(planAt >= 0 && planAt < firstIssue, events.join('\n'));
  assert.ok(events.findIndex((l) => /model synthetic:bert-tiny: cached at .* \(17\.5 MB\); nothing is downloaded/.test(l)) < firstIssue);
  assert.ok(events.findIndex((l) => /estimated duration: /.test(l)) < firstIssue);
  assert.ok(events.some((l) => /measured on the first run: [\d.]+ ms per sample \+ [\d.]+ s per run → .* for the 3 run\(s\) left/.test(l)), events.join('\n'));
  assert.equal(r.plan.runs, 4);

  const resumed = await planBench(await options(runsDir, { resume: r.campaign.id }));
  assert.equal(resumed.campaignId, r.campaign.id);
  assert.equal(resumed.runs, 2);
  assert.equal(resumed.plannedRuns, 4);
  const j = await cli(['bench', '--resume', r.campaign.id, '--runs-dir', runsDir, '--format', 'json']);
  assert.equal(j.code, 0, j.err);
  const out = JSON.parse(j.out) as { plan: { campaign_id: string; runs: number; planned_runs: number } };
  assert.deepEqual([out.plan.campaign_id, out.plan.runs, out.plan.planned_runs], [r.campaign.id, 2, 4]);
  assert.match(j.err, new RegExp(`inferprint bench: plan: resuming campaign ${r.campaign.id}: 2 of 4 runs left`));
});

test('peekSyntheticModel: cached or not, its exact size, and it never deletes an entry', async () => {
  const cache = join(dir, 'cache-peek');
  const before = await peekSyntheticModel({ preset: 'bert-tiny' }, cache);
  assert.equal(before.cached, false);
  assert.equal(before.bytes, 17491012);
  const made = await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir: cache, verify: 'size' });
  const after = await peekSyntheticModel({ preset: 'bert-tiny' }, cache);
  assert.deepEqual([after.cached, after.path, after.bytes], [true, made.path, made.manifest.bytes]);
  writeFileSync(join(cache, after.key, 'manifest.json'), '{ broken');
  assert.equal((await peekSyntheticModel({ preset: 'bert-tiny' }, cache)).cached, false);
  assert.ok(existsSync(join(cache, after.key, 'model.onnx')), 'left for ensureSyntheticModel to judge');
});
