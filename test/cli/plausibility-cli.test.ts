/**
 * Physically impossible input, as a user meets it on the command line (issue 8 item 6):
 * each case of the issue is refused with one coded line naming the file, line or field and
 * the value seen, or flagged with a warning naming the likely cause — never a silent number.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'inferprint-plaus-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: ROOT });
  return { code, out, err };
}

/** A study-layout power CSV (`timestamp,gpu_power`) from rows. */
function powerCsv(name: string, rows: readonly (readonly [number, number])[]): string {
  const path = join(dir, name);
  writeFileSync(path, `timestamp,gpu_power\n${rows.map(([t, p]) => `${t},${p}`).join('\n')}\n`);
  return path;
}

/** One handled error: exit 1, one line on stderr, no stack. */
function oneLineError(r: { code: number; err: string }): string {
  assert.equal(r.code, 1, r.err);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.ok(!r.err.includes('    at '), 'no stack trace');
  return lines[0]!;
}

void test('1e300 W: refused naming file, line and the value', async () => {
  const f = powerCsv('w1e300.csv', [[0, 50], [0.1, 1e300], [0.2, 50]]);
  const line = oneLineError(await cli(['analyze', f, '--device', 'A100']));
  assert.match(line, /w1e300\.csv:3 field 'power': power 1e\+300 W is above 1000000 W, more than any one power channel can draw .*\[INVALID_VALUE\]$/);
});

void test('a mW file read as W on an A100: the number is shown, with a warning naming the likely cause', async () => {
  // An A100 at 45–50 W written in mW, declared as a W file.
  const f = powerCsv('a100-mw.csv', [[0, 45_000], [0.1, 50_000], [0.2, 47_500], [0.3, 46_000]]);
  const warning = `peak 50000 W on A100 (TDP 400 W) in ${f}: power written in mW read as W?`;
  const table = await cli(['analyze', f, '--device', 'A100']);
  assert.equal(table.code, 0, table.err);
  assert.ok(table.out.includes(`Note: ${warning}`), table.out);
  const csv = await cli(['analyze', f, '--device', 'A100', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.err);
  assert.equal(csv.err, `inferprint: warning: ${warning}\n`);
  const json = await cli(['analyze', f, '--device', 'A100', '--format', 'json']);
  assert.deepEqual((JSON.parse(json.out) as { warnings: string[] }).warnings, [warning]);
  // The study's method loads whole runs: it checks them too.
  const thesis = await cli(['analyze', f, '--device', 'A100', '--method', 'thesis']);
  assert.ok(thesis.out.includes(`Note: ${warning}`), thesis.out);
});

void test('a 10-year jump between samples: refused, naming the line and the interval', async () => {
  const f = powerCsv('jump.csv', [[0, 50], [0.1, 50], [0.1 + 315_576_000, 50]]);
  const line = oneLineError(await cli(['analyze', f, '--device', 'A100']));
  assert.match(line, /jump\.csv:4 field 'timestamp': 315576000 s \(10\.0 years\) since the previous sample at t = 0\.1 s: .*\[INVALID_VALUE\]$/);
});

void test('a single-sample trace: refused, never 0.000 J', async () => {
  const f = powerCsv('one.csv', [[0, 50]]);
  const line = oneLineError(await cli(['analyze', f, '--device', 'A100']));
  assert.match(line, /one\.csv(:2)?: 1 power sample: energy needs at least 2 .*not 0 J \[EMPTY_INPUT\]$/);
  const thesis = oneLineError(await cli(['analyze', f, '--device', 'A100', '--method', 'thesis']));
  assert.match(thesis, /one\.csv: 1 power sample.*\[EMPTY_INPUT\]$/);
});

void test('a zero-energy trace is flagged, not printed as a plain result', async () => {
  const f = powerCsv('zero.csv', [[0, 0], [1, 0], [2, 0]]);
  const r = await cli(['analyze', f, '--device', 'A100', '--format', 'csv']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^inferprint: warning: energy is 0 J: .*zero\.csv \(every sample over 2 s reads 0 W\) — not a measurement of a working device/m);
  // The table marks the row itself, beside the note.
  const t = await cli(['analyze', f, '--device', 'A100']);
  assert.match(t.out, /^A100 +0 J: see notes +/m);
  assert.match(t.out, /^Note: energy is 0 J: /m);
});

void test('3 samples with a hole: 1 gap reported; a hole over a day is refused', async () => {
  const hour = powerCsv('hole-hour.csv', [[0, 50], [1, 50], [3601, 50]]);
  const r = await cli(['analyze', hour, '--device', 'A100', '--format', 'csv']);
  assert.equal(r.code, 0, r.err);
  const [header, row] = r.out.trim().split('\n');
  const cols = header!.split(',');
  assert.equal(row!.split(',')[cols.indexOf('gaps')], '1');
  const day = powerCsv('hole-100000.csv', [[0, 50], [1, 50], [100_001, 50]]);
  const line = oneLineError(await cli(['analyze', day, '--device', 'A100']));
  assert.match(line, /hole-100000\.csv:4 field 'timestamp': 100000 s \(1\.2 days\) since the previous sample/);
});

/** A run bundle holding only a manifest whose primary energy is `energyJ`. */
function bundle(runs: string, id: string, energyJ: number): void {
  const b = join(runs, id);
  mkdirSync(b, { recursive: true });
  const m = {
    schemaVersion: 1,
    id,
    label: 'bert',
    createdAt: '2026-11-26T11:42:10.000Z',
    startedAt: '2026-11-26T11:42:03.123Z',
    endedAt: '2026-11-26T11:43:03.123Z',
    status: { kind: 'completed' },
    host: { os: 'linux' },
    tool: { name: 'inferprint', version: '0.1.0' },
    sensor: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      requestedIntervalS: 0.05,
      measuredIntervalS: 0.05,
      channels: [{ name: 'gpu0', kind: 'gpu', unit: 'W' }],
      primaryChannel: 'gpu0',
      notes: [],
    },
    workload: { kind: 'command', argv: ['python', 'infer.py'], cwd: '/home/u', exitCode: 0 },
    device: { hardwareId: 'A100' },
    windows: [{ name: 'full', t0S: 0, t1S: 60 }],
    gaps: [],
    energy: {
      method: 'trapezoid',
      perChannel: [{ channel: 'gpu0', energyJ: 6000, meanW: 100, maxW: 210, minW: 40, samples: 1200 }],
      primary: { channel: 'gpu0', energyJ, durationS: 60 },
    },
    files: [],
  };
  writeFileSync(join(b, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
}

void test('manifests with a negative or a 1e308 J energy: refused naming the field', async () => {
  for (const [name, energyJ, message] of [
    ['neg', -5, /negative energy -5 J/],
    ['huge', 1e308, /energy 1e\+308 J over 60 s is a mean of 1\.66667e\+306 W/],
  ] as const) {
    const runs = join(dir, `runs-${name}`);
    bundle(runs, `2026-11-26T11-42-03.123Z-bert-${name}`, energyJ);
    const line = oneLineError(await cli(['analyze', runs]));
    assert.match(line, /\[NO_DATA\]$/);
    assert.match(line, /manifest\.json field 'energy\.primary\.energyJ': /);
    assert.match(line, message);
    // Beside a good bundle, the bad one is skipped with the same reason.
    bundle(runs, '2026-11-26T11-42-03.123Z-bert-good', 6000);
    const r = await cli(['analyze', runs, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { rows: unknown[]; skipped: { detail?: string }[] };
    assert.equal(j.rows.length, 1);
    assert.match(j.skipped[0]?.detail ?? '', message);
  }
});

void test('an MLPerf summary with min latency above max: the run is skipped with a coded error naming file and fields', async () => {
  const tree = join(dir, 'logs');
  const good = join(tree, 'run1');
  const bad = join(tree, 'run2');
  mkdirSync(good, { recursive: true });
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(good, 'mlperf_log_summary.txt'), V41_SUMMARY_16Q);
  const corrupt = V41_SUMMARY_16Q.replace(/^Min latency \(ns\)(\s+): 1132681$/m, 'Min latency (ns)$1: 9132681');
  assert.notEqual(corrupt, V41_SUMMARY_16Q);
  writeFileSync(join(bad, 'mlperf_log_summary.txt'), corrupt);
  const r = await cli(['analyze', tree, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { skipped: { path: string; detail?: string }[] };
  const s = j.skipped.find((x) => x.path.startsWith(bad));
  assert.ok(s, JSON.stringify(j.skipped));
  assert.match(
    s.detail ?? '',
    /run2\/mlperf_log_summary\.txt:24 field 'Min latency \(ns\)': Min latency \(ns\) 9132681 is above Max latency \(ns\) 1467785 \(line 25\).*\[INVALID_VALUE\]/,
  );
});
