/**
 * A real Slurm: the one-node cluster of scripts/slurm-local.sh (Debian's slurm-wlm 22.05,
 * munged, slurmctld and slurmd for this host, partition `debug`). `.ci/run` starts it; here it
 * is started when its programs are installed and it is not running yet. Where it cannot start,
 * these tests say why and skip, except under CI=true, where they fail.
 *
 * Campaigns of bert-tiny runs of 16 and 32 queries, no cooldown, the `estimate` sensor: each
 * task is a real `sbatch` array task running `inferprint bench --campaign-file F --task I`
 * from this checkout's build (dist/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { readRunManifest } from '../../src/runs/io/bundle.js';
import { skipOrFail } from '../helpers/requirements.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/slurm-local.sh');
const SLURM_DIR = process.env.INFERPRINT_SLURM_DIR ?? '/tmp/inferprint-slurm';
const CONF = join(SLURM_DIR, 'slurm.conf');

/** Why a real Slurm is not here, or false when it answers (started now if need be). */
function slurmMissing(): string | false {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) return 'dist/ not built (the array tasks run bin/inferprint): run npm run build';
  const env = { ...process.env, INFERPRINT_SLURM_DIR: SLURM_DIR };
  if (spawnSync(SCRIPT, ['status'], { env, encoding: 'utf8' }).status === 0) return false;
  const installed = ['slurmctld', 'slurmd', 'sbatch', 'munged'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
  if (!installed && process.env.CI !== 'true') return 'Slurm is not installed: scripts/slurm-local.sh start installs slurm-wlm and munge from Debian (as root) and starts a one-node cluster';
  if (process.getuid?.() !== 0) return 'a local Slurm starts as root only (slurmd starts jobs as their owner): run scripts/slurm-local.sh start as root';
  const started = spawnSync(SCRIPT, ['start'], { env, encoding: 'utf8', timeout: 300_000 });
  if (started.status !== 0) return `scripts/slurm-local.sh start failed: ${(started.stderr || started.stdout || String(started.error)).trim().split('\n').at(-1)}`;
  return false;
}

const missing = slurmMissing();
const skip = skipOrFail(missing);
if (missing !== false) process.stderr.write(`slurm-real.test.ts: ${missing}\n`);

const ENV = { ...process.env, SLURM_CONF: CONF, NO_COLOR: '1' };
const CACHE = mkdtempSync(join(tmpdir(), 'inferprint-slurm-cache-'));

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: ENV });
  return { code, out, err };
}

interface StatusJson {
  counts: { pending: number; running: number; done: number; failed: number };
  runs: { task: number; key: string; state: string; detail: string; job: string | null; node: string | null; bundles: string[]; log: string | null; log_tail: string | null }[];
  targets: { jobs: { job_id: string }[] }[];
  energy_accounting: { available: boolean; reason?: string };
}

async function status(id: string, runs: string): Promise<StatusJson> {
  const r = await cli(['campaign', 'status', id, '--runs-dir', runs, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as StatusJson;
}

/** Ask again every second until `done` holds; a generous bound (a busy 2-core CI machine). */
async function until(id: string, runs: string, done: (s: StatusJson) => boolean, boundS = 300): Promise<StatusJson> {
  const deadline = Date.now() + boundS * 1000;
  for (;;) {
    const s = await status(id, runs);
    if (done(s)) return s;
    if (Date.now() > deadline) assert.fail(`campaign ${id} still ${JSON.stringify(s.counts)} after ${boundS} s: ${s.runs.map((r) => `${r.key} ${r.state} ${r.detail}`).join('; ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const settled = (s: StatusJson) => s.counts.pending + s.counts.running === 0;

function planFile(dir: string, body: string): string {
  const p = join(dir, 'plan.yaml');
  writeFileSync(p, `${body}cache_dir: ${CACHE}\n`);
  return p;
}

async function submit(plan: string, runs: string): Promise<string> {
  const r = await cli(['campaign', 'submit', plan, '--runs-dir', runs]);
  assert.equal(r.code, 0, r.err);
  const id = /^campaign (\S+)$/m.exec(r.out)?.[1];
  assert.ok(id, r.out);
  return id;
}

const bundleDirs = (runs: string) => readdirSync(runs, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'campaigns').map((d) => d.name);

test('2 query counts × 2 repetitions submitted through sbatch, waited for, analysed', { skip, timeout: 600_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-slurm-runs-'));
  const plan = planFile(runs, `name: study-mini
targets:
  - { name: cpu, executor: slurm, partition: debug, exclusive: true }
runs:
  model: synthetic:bert-tiny
  scenario: SingleStream
  queries: [16, 32]
  repetitions: 2
  sensor: estimate
`);
  const id = await submit(plan, runs);
  const s = await until(id, runs, settled);
  assert.deepEqual(s.counts, { pending: 0, running: 0, done: 4, failed: 0 }, JSON.stringify(s.runs));
  const arrayJob = s.targets[0]!.jobs[0]!.job_id;
  const node = hostname().split('.')[0];
  for (const r of s.runs) {
    assert.equal(r.job, `${arrayJob}_${r.task}`);
    assert.equal(r.node, node);
    assert.equal(r.bundles.length, 1);
    assert.ok(r.log !== null && readFileSync(r.log, 'utf8').includes(`task ${r.task} (${r.key}): completed`), r.log ?? 'no log');
    const sched = (await readRunManifest(join(runs, r.bundles[0]!))).host.scheduler;
    assert.ok(sched !== undefined);
    assert.equal(sched.kind, 'slurm');
    assert.equal(sched.arrayJobId, arrayJob);
    assert.equal(sched.arrayTaskId, String(r.task));
    assert.equal(sched.stepId, 'batch');
    assert.equal(sched.partition, 'debug');
  }
  // No slurmdbd and no energy plugin in the local Slurm: said, not guessed.
  assert.equal(s.energy_accounting.available, false);
  assert.match(s.energy_accounting.reason!, /AcctGatherEnergyType = acct_gather_energy\/none/);

  const a = await cli(['analyze', runs, '--format', 'json']);
  assert.equal(a.code, 0, a.err);
  const rows = (JSON.parse(a.out) as { rows: { queryCount: number; energy: { runs: number } }[] }).rows;
  assert.deepEqual(rows.map((x) => [x.queryCount, x.energy.runs]), [[16, 2], [32, 2]]);
  const l = await cli(['runs', 'list', '--runs-dir', runs, '--job', arrayJob, '--partition', 'debug', '--format', 'json']);
  assert.equal((JSON.parse(l.out) as { runs: unknown[] }).runs.length, 4);
});

test('a campaign cancelled half-way, then resumed to completion: no duplicate, no lost run', { skip, timeout: 600_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-slurm-runs-'));
  const plan = planFile(runs, `name: cancel-me
targets:
  - { name: cpu, partition: debug, max_parallel: 1 }
runs:
  model: synthetic:bert-tiny
  queries: [16, 32]
  repetitions: 2
  sensor: estimate
`);
  const id = await submit(plan, runs);
  await until(id, runs, (s) => s.counts.done >= 1);
  const c = await cli(['campaign', 'cancel', id, '--runs-dir', runs]);
  assert.equal(c.code, 0, c.err);
  const cancelled = await until(id, runs, settled);
  assert.ok(cancelled.counts.done >= 1 && cancelled.counts.failed >= 1, `half-way: ${JSON.stringify(cancelled.counts)}`);
  assert.ok(cancelled.runs.filter((r) => r.state === 'failed').every((r) => /^cancelled/.test(r.detail)), JSON.stringify(cancelled.runs));
  const doneBefore = new Map(cancelled.runs.filter((r) => r.state === 'done').map((r) => [r.key, r.bundles[0]]));

  const res = await cli(['campaign', 'resume', id, '--runs-dir', runs, '--format', 'json']);
  assert.equal(res.code, 0, res.err);
  const resumed = JSON.parse(res.out) as { targets: { indices: number[] }[] };
  assert.equal(resumed.targets[0]!.indices.length, 4 - doneBefore.size, 'only the runs without a bundle are submitted again');

  const s = await until(id, runs, settled);
  assert.deepEqual(s.counts, { pending: 0, running: 0, done: 4, failed: 0 }, JSON.stringify(s.runs));
  assert.deepEqual(s.runs.map((r) => r.key).sort(), ['q16-r0', 'q16-r1', 'q32-r0', 'q32-r1']);
  for (const r of s.runs) {
    assert.equal(r.bundles.length, 1, `${r.key}: exactly one bundle`);
    if (doneBefore.has(r.key)) assert.equal(r.bundles[0], doneBefore.get(r.key), `${r.key} was not run again`);
  }
  assert.equal(bundleDirs(runs).length, 4, 'the runs directory holds 4 bundles, no more');
});

test('a failing task is reported failed, with its log', { skip, timeout: 600_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-slurm-runs-'));
  const plan = planFile(runs, `name: fails
targets:
  - { name: cpu, partition: debug }
runs:
  model: synthetic:bert-tiny
  queries: [16]
  repetitions: 1
  sensor: replay:/nonexistent/trace.csv
`);
  const id = await submit(plan, runs);
  const s = await until(id, runs, settled);
  assert.deepEqual(s.counts, { pending: 0, running: 0, done: 0, failed: 1 });
  const r = s.runs[0]!;
  assert.match(r.detail, /^failed, exit 1:0; no bundle$/);
  assert.ok(r.log !== null && existsSync(r.log), 'the log is there');
  assert.match(readFileSync(r.log, 'utf8'), /replay file \/nonexistent\/trace\.csv does not exist \[SENSOR_UNAVAILABLE\]/);
  assert.match(r.log_tail!, /SENSOR_UNAVAILABLE/);
  const text = await cli(['campaign', 'status', id, '--runs-dir', runs]);
  assert.match(text.out, /cpu task 0 \(q16-r0\) failed; its log ends: .*SENSOR_UNAVAILABLE/);
  assert.match(text.out, /to run what is missing: inferprint campaign resume /);
  assert.equal(bundleDirs(runs).length, 0);
});

test('submit refuses a partition this Slurm does not have, before anything is written', { skip }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-slurm-runs-'));
  const plan = planFile(runs, 'name: nope\ntargets:\n  - { name: gpu, partition: gpu-a100 }\nruns:\n  model: synthetic:bert-tiny\n  queries: [16]\n  repetitions: 1\n');
  const r = await cli(['campaign', 'submit', plan, '--runs-dir', runs]);
  assert.equal(r.code, 1);
  assert.match(r.err, /plan\.yaml field 'targets\[0\]\.partition': no partition 'gpu-a100' on this cluster \(sinfo lists debug\) \[INVALID_VALUE\]\n$/);
  assert.equal(existsSync(join(runs, 'campaigns')), false);
});
