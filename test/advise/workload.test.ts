// The workload file: what it accepts, and one-line coded errors naming the file, line and key
// path. Its content is input, not the command line: a mistake in it exits 1 (PARSE for text that
// is not YAML/JSON or the wrong shape, INVALID_VALUE for a value not allowed, EMPTY_INPUT for an
// empty file), as a campaign plan's does; exit 2 is for the command line only (DESIGN §4.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { advise } from '../../src/advise/advise.js';
import { parseWorkloadText } from '../../src/advise/workload.js';
import { runCli } from '../../src/cli/main.js';
import { isInferprintError, type ErrorCode, type InferprintError } from '../../src/errors.js';
import { MINIMAL_WORKLOAD } from '../helpers/user-files.js';

const GOOD = MINIMAL_WORKLOAD;

const FILE_CODES: readonly ErrorCode[] = ['PARSE', 'INVALID_VALUE', 'EMPTY_INPUT'];

function fails(text: string, re: RegExp, line?: number): InferprintError {
  try {
    parseWorkloadText(text, 'w.yaml');
  } catch (e) {
    assert.ok(isInferprintError(e), String(e));
    assert.ok(FILE_CODES.includes(e.code), e.message);
    assert.equal(e.exitCode, 1, e.message);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, re);
    if (line !== undefined) assert.match(e.message, new RegExp(`^w\\.yaml:${line} `));
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

test('a minimal workload parses, with the defaults', () => {
  const w = parseWorkloadText(GOOD, 'w.yaml');
  assert.equal(w.users, 1000);
  assert.equal(w.days, 365);
  assert.equal(w.hourlyProfile, 'flat');
  assert.equal(w.hourlyWeights.length, 24);
  const d = w.deployments[0]!;
  assert.equal(d.hardware.id, 'A100');
  assert.equal(d.maxUtilisation, 0.7);
  assert.equal(d.onHoursPerDay, 24);
  assert.equal(d.pue, 'auto');
  assert.deepEqual(d.serviceMs, { value: 2, min: 2, max: 2 });
});

test('JSON is read too, and 24 weights are normalised', () => {
  const w = parseWorkloadText(
    JSON.stringify({ users: 5, queries_per_user_per_day: 1, hourly_profile: Array.from({ length: 24 }, (_, h) => (h < 12 ? 3 : 1)), slo: { percentile: 99, latency_ms: 50 }, deployments: [{ name: 'a', hardware: 'orin', placement: 'dedicated', power: { idle_w: 3 }, service_ms: 5 }] }),
    'w.json',
  );
  assert.ok(Math.abs(w.hourlyWeights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(w.hourlyWeights[0], 3 / 48);
  assert.equal(w.deployments[0]!.hardware.id, 'AGX-Orin');
});

test('ranges, lifetimes, grids and embodied forms', () => {
  const w = parseWorkloadText(
    `${GOOD}    grid: [${Array.from({ length: 24 }, () => 50).join(', ')}]
    pue: { value: 1.3, min: 1.1, max: 1.6 }
    lifetime: { value: 5y, min: 3y, max: 7y }
    embodied: { kg: { value: 40, min: 30, max: 60 }, host_kg: 700 }
`,
    'w.yaml',
  );
  const d = w.deployments[0]!;
  assert.equal(d.grid?.kind, 'hourly');
  assert.deepEqual(d.pue, { value: 1.3, min: 1.1, max: 1.6 });
  assert.equal(d.lifetimeS!.min, 3 * 8760 * 3600);
  assert.deepEqual(d.embodied, { kind: 'kg', kg: { value: 40, min: 30, max: 60 } });
  assert.deepEqual(d.hostKg, { value: 700, min: 700, max: 700 });
});

test('an unknown key: its path, its line and the closest known key', () => {
  fails(GOOD.replace('placement: pooled', 'placement: pooled\n    max_utilization: 0.8'), /w\.yaml:8 field 'deployments\[0\]\.max_utilization': unknown key; did you mean 'max_utilisation'\?/);
  fails(`${GOOD}usres: 3\n`, /field 'usres': unknown key; did you mean 'users'\?/, 10);
});

test('negative users, percentiles outside (0, 100), bad placement, bad numbers', () => {
  fails(GOOD.replace('users: 1000', 'users: -5'), /field 'users': expected a positive whole number, got -5 \[INVALID_VALUE\]/, 1);
  fails(GOOD.replace('users: 1000', 'users: 2.5'), /field 'users': expected a positive whole number/);
  for (const p of [0, 100, 120, -1]) fails(GOOD.replace('percentile: 90', `percentile: ${p}`), /field 'slo\.percentile': expected a percentile strictly between 0 and 100/, 3);
  fails(GOOD.replace('placement: pooled', 'placement: shard'), /field 'deployments\[0\]\.placement': expected pooled .*, dedicated .* or shared .*, got "shard"/);
  fails(GOOD.replace('service_ms: 2', 'service_ms: fast'), /field 'deployments\[0\]\.service_ms': expected a positive number \(or \{ value, min, max \}\), got "fast"/);
  fails(GOOD.replace('service_ms: 2', 'service_ms: { value: 2, min: 3, max: 4 }'), /expected min ≤ value ≤ max/);
  fails(GOOD.replace('idle_w: 60', 'idle_w: 600'), /idle_w 600 W is above busy_w 250 W/);
  fails(`${GOOD}    lifetime: 7\n`, /field 'deployments\[0\]\.lifetime': expected a positive duration with its unit/);
  fails(`${GOOD}    pue: 0.9\n`, /field 'deployments\[0\]\.pue': expected 'auto' or a ratio ≥ 1/);
  fails(`${GOOD}    users_per_device: 4\n`, /users_per_device': applies to dedicated deployments only/);
  fails(`${GOOD}    grid: Atlantis\n`, /field 'deployments\[0\]\.grid': no grid factor for zone "Atlantis"/);
  fails(GOOD.replace('slo: { percentile: 90, latency_ms: 130 }\n', ''), /field 'slo': missing/);
  fails(`${GOOD}  - name: pool\n    hardware: T4\n    placement: pooled\n`, /field 'deployments\[1\]\.name': name "pool" is already used by deployments\[0\]/, 10);
  fails('users: [1, 2\n', /not valid YAML or JSON/);
  fails('', /the workload file is empty/);
});

test('each kind of mistake has the campaign plan reader\'s code: PARSE for the shape, INVALID_VALUE for a value, EMPTY_INPUT for nothing', () => {
  const cases: readonly [string, ErrorCode, RegExp][] = [
    ['users: [1, 2\n', 'PARSE', /not valid YAML or JSON/],
    [`${GOOD}usres: 3\n`, 'PARSE', /field 'usres': unknown key/],
    [GOOD.replace('users: 1000', 'users: many'), 'PARSE', /field 'users': expected a positive whole number, got "many"/],
    [GOOD.replace('slo: { percentile: 90, latency_ms: 130 }\n', ''), 'PARSE', /field 'slo': missing/],
    [GOOD.replace('service_ms: 2', 'service_ms: { value: 2, min: 1 }'), 'PARSE', /field 'deployments\[0\]\.service_ms\.max': missing/],
    [`${GOOD}    lifetime: 7\n`, 'PARSE', /field 'deployments\[0\]\.lifetime': expected a positive duration/],
    [GOOD.replace('users: 1000', 'users: -5'), 'INVALID_VALUE', /field 'users': expected a positive whole number, got -5/],
    [GOOD.replace('placement: pooled', 'placement: shard'), 'INVALID_VALUE', /field 'deployments\[0\]\.placement'/],
    [GOOD.replace('hardware: A100', 'hardware: H1OO'), 'INVALID_VALUE', /no hardware matches "H1OO"/],
    [`${GOOD}    grid: Atlantis\n`, 'INVALID_VALUE', /no grid factor for zone "Atlantis"/],
    [GOOD.replace('service_ms: 2', 'service_ms: { value: 2, min: 3, max: 4 }'), 'INVALID_VALUE', /expected min ≤ value ≤ max/],
    [GOOD.replace(/deployments:[\s\S]*/, 'deployments: []\n'), 'INVALID_VALUE', /field 'deployments': expected a list of one or more deployments, got an empty list/],
    ['', 'EMPTY_INPUT', /the workload file is empty/],
  ];
  for (const [text, code, re] of cases) {
    const e = fails(text, re);
    assert.equal(e.code, code, e.message);
  }
});

test('unknown hardware, with suggestions', () => {
  fails(GOOD.replace('hardware: A100', 'hardware: H1OO'), /w\.yaml:6 field 'deployments\[0\]\.hardware': no hardware matches "H1OO"; did you mean H100\? \(see: inferprint hardware list\) \[INVALID_VALUE\]/);
  fails(GOOD.replace('hardware: A100', 'hardware: Orinn'), /did you mean AGX-Orin/);
});

test('no service time anywhere: the error names the key to set', () => {
  const w = parseWorkloadText(GOOD.replace('    service_ms: 2\n', ''), 'w.yaml');
  assert.throws(() => advise(w, [], [], { draws: 0 }), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE' && e.exitCode === 1 && /^w\.yaml:5 field 'deployments\[0\]\.service_ms': no service time for A100: set it/.test(e.message));
  // The database has idle power for the A100; a CPU class entry has none.
  const v = parseWorkloadText(GOOD.replace('idle_w: 60, ', '').replace('hardware: A100', 'hardware: generic-server-cpu'), 'w.yaml');
  assert.throws(() => advise(v, [], [], { draws: 0 }), /field 'deployments\[0\]\.power\.idle_w': no idle power for generic-server-cpu/);
});

test('a value the impact layer refuses is named by its key in the file', () => {
  const w = parseWorkloadText(GOOD.replace('hardware: A100', 'hardware: L4').replace('service_ms: 2', 'service_ms: 2\n    embodied: { model: thesis-2025-constants }'), 'w.yaml');
  assert.throws(() => advise(w, [], [], { draws: 0 }), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE' && e.exitCode === 1 && /^w\.yaml:5 field 'deployments\[0\]\.embodied\.model': L4: the study gives no F_GPU constants for L4/.test(e.message));
});

test('the CLI: a mistake in the file exits 1 with one line naming file:line and key, as a missing file does; a bad flag exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-advise-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, GOOD.replace('users: 1000', 'users: -1'));
  let err = '';
  const code = await runCli(['advise', bad, '--runs-dir', join(dir, 'runs')], { stdout: () => {}, stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
  assert.equal(code, 1);
  assert.equal(err.trim().split('\n').length, 1);
  assert.match(err, /^inferprint advise: .*bad\.yaml:1 field 'users': expected a positive whole number, got -1 \[INVALID_VALUE\]$/m);
  // The wrong shape (a misspelt key) is PARSE, exit 1 too.
  writeFileSync(bad, `${GOOD}usres: 3\n`);
  err = '';
  assert.equal(await runCli(['advise', bad, '--runs-dir', join(dir, 'runs')], { stdout: () => {}, stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false }), 1);
  assert.match(err, /^inferprint advise: .*bad\.yaml:10 field 'usres': unknown key; did you mean 'users'\? .*\[PARSE\]$/m);
  err = '';
  const missing = await runCli(['advise', join(dir, 'none.yaml')], { stdout: () => {}, stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
  assert.equal(missing, 1);
  assert.match(err, /\[NOT_FOUND\]/);
  const usage = await runCli(['advise', bad, '--draws', 'many'], { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, isTTY: false });
  assert.equal(usage, 2);
});

test('the CLI: table, csv and json of a workload with every value in the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-advise-'));
  const file = join(dir, 'w.yaml');
  writeFileSync(file, `${GOOD}  - name: desk\n    hardware: AGX-Orin\n    placement: dedicated\n    users_per_device: 10\n    power: { idle_w: 8, busy_w: 30 }\n    service_ms: 6\n`);
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(['advise', file, '--runs-dir', join(dir, 'runs'), '--draws', '200', ...args], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
    assert.equal(code, 0, err);
    return out;
  };
  const table = await run();
  assert.match(table, /^pool +A100 pooled +1 /m);
  assert.match(table, /^desk +AGX-Orin dedicated +100 /m);
  assert.match(table, /P\(pool emits less than desk\) = /);
  const csv = (await run('--format', 'csv')).trim().split('\n');
  const header = csv[0]!.split(',');
  for (const k of ['kind', 'name', 'devices', 'energy_kwh', 'operational_kg', 'embodied_kg', 'total_kg', 'total_kg_p5', 'total_kg_p95', 'mg_per_query']) assert.ok(header.includes(k), k);
  assert.equal(csv.length, 3);
  const j = JSON.parse(await run('--format', 'json')) as { deployments: { name: string; devices: { value: number }; energy_kwh: { value: number }; total_kg: { value: number; p5: number; p95: number } }[]; comparisons: unknown[] };
  assert.deepEqual(j.deployments.map((d) => [d.name, d.devices.value]), [['pool', 1], ['desk', 100]]);
  for (const d of j.deployments) assert.ok(d.total_kg.p5 <= d.total_kg.p95);
  assert.equal(j.comparisons.length, 1);
});
