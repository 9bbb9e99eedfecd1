/**
 * What a crash leaves behind, and what a killed `measure` must not leave running:
 * - writers' temporaries and live files of dead processes are removed by the next writing
 *   command (never a live process's);
 * - a process that exits with a live writer open removes its file;
 * - a `kill -9` of `measure` takes the command and its children with it (the guard, ADR 0009);
 * - repeated Ctrl-C escalates SIGINT → SIGTERM → SIGKILL for a command that ignores them.
 * No assertion depends on timing: waits are polls bounded by the tests' own timeouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanLeftovers } from '../../src/app/leftovers.js';
import { measure, type MeasureOptions } from '../../src/app/measure.js';
import { cleanStaleTemps } from '../../src/runs/io/runs-dir.js';
import { cleanStaleLiveFiles, LIVE_DIR } from '../../src/measure/io/live-writer.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { CLI_NODE_ARGS } from '../helpers/cli-child.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'inferprint-leftovers-'));
const trace = join(dir, gpuTraceName());
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 50 }, (_, i) => `${(i * 0.02).toFixed(2)},100`).join('\n')}\n`);
const HOUR_MS = 3600_000;

/** A pid that was a process a moment ago and is not any more. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

/** Gone, or a zombie nobody reaps (orphans here go to a pid 1 that may not reap them). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  // Bounded by the test's timeout, not by a guess at how long the machine takes.
  while (!ok()) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ok(), what);
}

function tempBundle(runsDir: string, pid: number, ageMs: number): string {
  const path = join(runsDir, `.2026-11-26T11-42-03.123Z-run-${pid}.tmp-${pid}`);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'trace.parquet'), 'partial');
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(join(path, 'trace.parquet'), t, t);
  utimesSync(path, t, t);
  return path;
}

function liveFile(runsDir: string, pid: number, host = hostname()): string {
  mkdirSync(join(runsDir, LIVE_DIR), { recursive: true });
  const path = join(runsDir, LIVE_DIR, `${pid}.jsonl`);
  const header = { type: 'header', version: 1, session: `s${pid}`, pid, host, startedAt: '2026-11-26T11:00:00.000Z', sensor: 'replay', channels: [{ name: 'gpu0' }] };
  writeFileSync(path, `${JSON.stringify(header)}\n{"t":0.1,"channel":"gpu0","watts":100}\n`);
  return path;
}

test("temporaries: a dead writer's old one goes; a live pid's, this process's, or a recently touched one stays", async () => {
  const runsDir = join(dir, 'temps');
  const dead = deadPid();
  const sleeper = spawn('sleep', ['60']);
  try {
    const stale = tempBundle(runsDir, dead, 2 * HOUR_MS);
    const live = tempBundle(runsDir, sleeper.pid!, 2 * HOUR_MS);
    const own = tempBundle(runsDir, process.pid, 2 * HOUR_MS);
    const fresh = tempBundle(runsDir, dead + 1_000_000, 60_000);
    // A writer on another machine still appending: the folder is old, its file is not.
    const busy = tempBundle(runsDir, dead + 2_000_000, 2 * HOUR_MS);
    writeFileSync(join(busy, 'trace.parquet'), 'more');
    assert.deepEqual(await cleanStaleTemps(runsDir, { isAlive: (pid) => pid === sleeper.pid }), [stale]);
    for (const kept of [live, own, fresh, busy]) assert.ok(existsSync(kept), kept);
    // The grace period is what protects other hosts' writers: 15 minutes by default.
    assert.deepEqual(await cleanStaleTemps(runsDir, { isAlive: (pid) => pid === sleeper.pid, nowMs: Date.now() + 20 * 60_000 }), [busy, fresh].sort());
    assert.ok(existsSync(live) && existsSync(own));
  } finally {
    sleeper.kill();
  }
});

test("live files: a dead writer's on this host goes; a live pid's, another host's, a headerless one stays", async () => {
  const runsDir = join(dir, 'live');
  const dead = deadPid();
  const stale = liveFile(runsDir, dead);
  const live = liveFile(runsDir, process.pid + 0, hostname());
  const otherHost = liveFile(runsDir, dead + 1_000_000, 'another-machine');
  const headerless = join(runsDir, LIVE_DIR, `${dead + 2_000_000}.jsonl`);
  writeFileSync(headerless, '{"t":0.1');
  assert.deepEqual(await cleanStaleLiveFiles(runsDir, { isAlive: () => false }), [{ path: stale, pid: dead }]);
  for (const kept of [live, otherHost, headerless]) assert.ok(existsSync(kept), kept);
  assert.deepEqual(await cleanStaleLiveFiles(join(dir, 'absent')), []);
});

test('measure cleans the runs directory of dead writers before it starts, and says what it removed', async () => {
  const runsDir = join(dir, 'measure-cleans');
  const dead = deadPid();
  const temp = tempBundle(runsDir, dead, 2 * HOUR_MS);
  const live = liveFile(runsDir, dead);
  const lines: string[] = [];
  const env = await defaultSensorEnv();
  const opts: MeasureOptions = { command: ['true'], sensor: `replay:${trace}`, intervalS: 0.02, cwd: dir, env, signals: new EventEmitter(), runsDir, onStatus: (l) => lines.push(l), hardware: 'H100-NVL' };
  await measure(opts);
  assert.equal(existsSync(temp), false, 'the killed writer\'s temporary is gone');
  assert.equal(existsSync(live), false, 'the dead writer\'s live file is gone');
  const note = lines.find((l) => l.includes('leftover'));
  assert.ok(note !== undefined, lines.join('\n'));
  assert.match(note, /removed 2 leftover\(s\) of crashed runs/);
  assert.ok(note.includes(`tmp-${dead} (unfinished bundle, writer pid ${dead} gone)`), note);
  assert.ok(note.includes(`.live/${dead}.jsonl (live file, writer pid ${dead} gone)`), note);
  // Nothing to clean: no note.
  const quiet: string[] = [];
  assert.deepEqual(await cleanLeftovers(runsDir, (l) => quiet.push(l)), []);
  assert.deepEqual(quiet, []);
});

test('a process that exits with a live writer open removes its file', () => {
  const runsDir = join(dir, 'exit-hook');
  const script = `import { openLiveWriter } from './src/measure/io/live-writer.ts';
const w = openLiveWriter(${JSON.stringify(runsDir)}, { sensor: 'replay', channels: [{ name: 'gpu0' }] });
w.sample('gpu0', 0.1, 100);
w.flush();
console.log(w.path);
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const path = r.stdout.trim();
  assert.ok(path.endsWith('.jsonl'), r.stdout);
  assert.equal(existsSync(path), false, `${path} outlived its writer`);
  assert.deepEqual(readdirSync(join(runsDir, LIVE_DIR)), []);
});

test('kill -9 of measure: the command and its child are gone within a bounded wait', { timeout: 120_000 }, async () => {
  const runsDir = join(dir, 'killed');
  const pidFile = join(dir, 'grandchild.pid');
  // The command (sh) starts a grandchild (sleep) and waits for it: both must die with measure.
  const command = ['sh', '-c', `sleep 300 & echo "$$ $!" > ${pidFile}; wait`];
  const m = spawn(process.execPath, [...CLI_NODE_ARGS, 'measure', '--sensor', `replay:${trace}`, '--interval', '20ms', '--runs-dir', runsDir, '--', ...command], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  m.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await until('the command started', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().split(' ').length === 2);
  const [shPid, sleepPid] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
  assert.ok(!gone(shPid) && !gone(sleepPid), 'both run before the kill');
  const exited = new Promise((r) => m.once('exit', r));
  process.kill(m.pid!, 'SIGKILL');
  await exited;
  await until(`sh ${shPid} and sleep ${sleepPid} end after measure was killed (stderr: ${err})`, () => gone(shPid) && gone(sleepPid));
});

test('a normal end stands the guard down: what the command left in the background keeps running', { timeout: 60_000, skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const pidFile = join(dir, 'background.pid');
  const env = await defaultSensorEnv();
  const result = await measure({ command: ['sh', '-c', `sleep 60 & echo $! > ${pidFile}`], sensor: `replay:${trace}`, intervalS: 0.02, cwd: dir, env, signals: new EventEmitter(), hardware: 'H100-NVL', stdinIsTTY: false });
  assert.equal(result.exitCode, 0);
  const bg = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    // The guard (`sh -c … inferprint-guard -PGID`) exits on "done" without signalling anyone.
    const guards = (): number[] =>
      readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
          try {
            const argv = readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0');
            return argv.includes('inferprint-guard') && argv.includes(`-${result.commandPid}`);
          } catch {
            return false;
          }
        })
        .map(Number)
        .filter((pid) => !gone(pid));
    await until('the guard exits', () => guards().length === 0);
    assert.equal(gone(bg), false, 'the background process was not killed');
  } finally {
    try {
      process.kill(bg, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

async function interruptible(script: string, signals: readonly NodeJS.Signals[]) {
  const ready = join(dir, `ready-${signals.length}`);
  const emitter = new EventEmitter();
  const lines: string[] = [];
  const env = await defaultSensorEnv();
  const run = measure({ command: ['sh', '-c', script.replace('READY', ready)], sensor: `replay:${trace}`, intervalS: 0.02, cwd: dir, env, signals: emitter, hardware: 'H100-NVL', onStatus: (l) => lines.push(l), stdinIsTTY: false });
  await until('the command is ready', () => existsSync(ready));
  for (const s of signals) emitter.emit(s);
  const result = await run;
  return { result, lines: lines.filter((l) => /forwarded|again/.test(l)) };
}

test('a second Ctrl-C sends SIGTERM to a command that ignores SIGINT, and says so', { timeout: 60_000 }, async () => {
  const { result, lines } = await interruptible(`trap "" INT; echo > READY; sleep 30`, ['SIGINT', 'SIGINT']);
  assert.deepEqual(result.status, { kind: 'interrupted', signal: 'SIGINT' });
  assert.equal(result.commandExit.signal, 'SIGTERM');
  assert.deepEqual(lines, ['inferprint: SIGINT: forwarded to the command (again: SIGTERM)', 'inferprint: SIGINT again: sent SIGTERM to the command (again: SIGKILL)']);
});

test('a third sends SIGKILL to a command that ignores SIGINT and SIGTERM', { timeout: 60_000 }, async () => {
  const { result, lines } = await interruptible(`trap "" INT TERM; echo > READY; while :; do sleep 1; done`, ['SIGINT', 'SIGINT', 'SIGINT']);
  assert.equal(result.commandExit.signal, 'SIGKILL');
  assert.equal(result.exitCode, 137);
  assert.deepEqual(lines, ['inferprint: SIGINT: forwarded to the command (again: SIGTERM)', 'inferprint: SIGINT again: sent SIGTERM to the command (again: SIGKILL)', 'inferprint: SIGINT again: sent SIGKILL to the command']);
});
