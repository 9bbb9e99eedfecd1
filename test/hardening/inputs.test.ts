// Issue 11, items 5 and 8 (input files): a very long line, a device or a FIFO as input, numbers
// beyond a double, negative energies in a manifest: each is a coded error naming the file (and
// line, field), never a hang, quadratic work or an error that does not say where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInferprintError, type InferprintError } from '../../src/errors.js';
import { readLinesSync } from '../../src/io/lines.js';
import { parseDecimal, parsePower } from '../../src/traces/parse-number.js';
import { sniffFormat } from '../../src/io/trace-files.js';
import { readRegularFileSync } from '../../src/io/regular-file.js';
import { cliInChild, mkfifo, tempDir, writeBundle } from './helpers.js';

function coded(fn: () => unknown): InferprintError {
  try {
    fn();
  } catch (e) {
    if (isInferprintError(e)) return e;
    throw e;
  }
  assert.fail('expected a coded error');
}

test('a 5 MB line is a PARSE error naming the file and line', () => {
  const root = tempDir();
  const file = join(root, 'H100_v4.1_QC16_run1.csv');
  writeFileSync(file, `timestamp,gpu_power\n0,100\n${'1'.repeat(5_000_000)}\n2,100\n`);
  const e = coded(() => [...readLinesSync(file)]);
  assert.equal(e.code, 'PARSE');
  assert.equal(e.where.file, file);
  assert.equal(e.where.line, 3);
  assert.match(e.message, /line longer than 1048576 characters/);
  // The same through the CLI, both methods (streamed and whole-file reads).
  const [trap, thesis] = cliInChild([
    ['analyze', '--device', 'H100-NVL', '--input-format', 'thesis-csv', file],
    ['analyze', '--device', 'H100-NVL', '--input-format', 'thesis-csv', '--method', 'thesis', file],
  ]);
  for (const r of [trap!, thesis!]) {
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`${file}:3: line longer than 1048576 characters.*\\[PARSE\\]`));
  }
  rmSync(root, { recursive: true, force: true });
});

test('a last line without a newline is capped too; lines at the cap pass', () => {
  const root = tempDir();
  const file = join(root, 'x.txt');
  writeFileSync(file, `a\n${'b'.repeat(40)}`);
  assert.equal(coded(() => [...readLinesSync(file, 16, 32)]).where.line, 2);
  writeFileSync(file, `a\r\n${'b'.repeat(32)}\r\n${'c'.repeat(32)}`);
  assert.deepEqual([...readLinesSync(file, 16, 32)], ['a', 'b'.repeat(32), 'c'.repeat(32)]);
  rmSync(root, { recursive: true, force: true });
});

test('/dev/zero, and a link to it, are refused as input: a character device, not read', { skip: !existsSync('/dev/zero') }, () => {
  const root = tempDir();
  const e = coded(() => [...readLinesSync('/dev/zero')]);
  assert.equal(e.code, 'INVALID_VALUE');
  assert.match(e.message, /^\/dev\/zero: file is a character device, not a regular file/);
  assert.match(coded(() => sniffFormat('/dev/zero')).message, /character device/);
  const link = join(root, 'power.csv');
  symlinkSync('/dev/zero', link);
  const [cli, imp, linked] = cliInChild([
    ['analyze', '--device', 'H100-NVL', '--input-format', 'nvidia-smi', '/dev/zero'],
    ['import', 'tegrastats', '--device', 'AGX-Orin', '--runs-dir', join(root, 'runs'), '/dev/zero'],
    ['analyze', '--device', 'H100-NVL', link],
  ]);
  for (const r of [cli!, imp!, linked!]) {
    assert.equal(r.code, 1);
    assert.match(r.err, /(\/dev\/zero|power\.csv): file is a character device, not a regular file.*\[INVALID_VALUE\]/);
  }
  rmSync(root, { recursive: true, force: true });
});

test('a FIFO given as input is refused, not waited on', { timeout: 120_000 }, (t) => {
  const root = tempDir();
  const fifo = join(root, 'power.csv');
  if (!mkfifo(fifo)) {
    t.skip('mkfifo is not available here');
    return;
  }
  assert.match(coded(() => sniffFormat(fifo)).message, /FIFO \(named pipe\), not a regular file/);
  const [r] = cliInChild([['analyze', '--device', 'H100-NVL', fifo]]);
  assert.equal(r!.code, 1);
  assert.match(r!.err, /power\.csv: file is a FIFO/);
  rmSync(root, { recursive: true, force: true });
});

test('a file listed as regular is read without a look first, and still refused when a FIFO took its name', { timeout: 120_000 }, (t) => {
  // The log-tree walk opens a summary its folder listing showed as a regular file without a
  // stat first (issue 12, part 6): the descriptor's own check must still refuse a FIFO, never wait.
  const root = tempDir();
  const file = join(root, 'mlperf_log_summary.txt');
  writeFileSync(file, 'abc\n');
  const rules = { links: 'follow', what: 'MLPerf summary', maxBytes: 16, listedRegular: true } as const;
  assert.equal(readRegularFileSync(file, rules), 'abc\n');
  writeFileSync(file, 'x'.repeat(17));
  assert.equal(coded(() => readRegularFileSync(file, rules)).code, 'INVALID_VALUE');
  if (!mkfifo(file)) {
    t.skip('mkfifo is not available here');
    return;
  }
  assert.match(coded(() => readRegularFileSync(file, rules)).message, /FIFO \(named pipe\), not a regular file/);
  rmSync(root, { recursive: true, force: true });
});

test('numbers beyond a double (1e400, 400 digits) are errors naming where, with the cell as written', () => {
  const where = { file: 'p.csv', line: 7, field: 'power' };
  for (const raw of ['1e400', '-1e400', '9'.repeat(400), `0.${'0'.repeat(10)}1e400`]) {
    const e = coded(() => parseDecimal(raw, where));
    assert.equal(e.code, 'INVALID_VALUE', raw);
    assert.match(e.message, /^p\.csv:7 field 'power': number ".*" is beyond the range of a double/);
    assert.equal(coded(() => parsePower(raw, where)).where.line, 7);
  }
  // Tiny numbers underflow to 0, which is a value, not an error.
  assert.equal(parseDecimal('1e-400', where), 0);
});

test('a CodeCarbon power of 1e400 was imported as Infinity; it is now refused naming file, line and field', () => {
  const root = tempDir();
  const file = join(root, 'emissions.csv');
  const header = 'timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue';
  writeFileSync(file, `${header}\n2025-10-09T11:25:18,b,bc722d50-3edb-4c40-90e8-c00219f885a1,5b,116.1,0.000276,2.38e-06,42.5,1e400,20.0,0.001,0.002,0.0005,0.0035,France,FRA,,,,L,3,2,32,AMD,1,1 x NVIDIA A100-SXM4-40GB,2.35,48.85,256.0,machine,N,1.0\n`);
  const [an, imp] = cliInChild([
    ['analyze', '--device', 'A100', file],
    ['import', 'codecarbon', '--runs-dir', join(root, 'runs'), file],
  ]);
  for (const r of [an!, imp!]) {
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, new RegExp(`${file}:2 field 'gpu_power': number "1e400" is beyond the range of a double.*\\[INVALID_VALUE\\]`));
  }
  assert.ok(!existsSync(join(root, 'runs')), 'nothing imported');
  rmSync(root, { recursive: true, force: true });
});

test('a negative energy in a manifest: every reader names the file and the field', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const b = await writeBundle(runsDir);
  const path = join(b.path, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as { energy: { primary: { energyJ: number } } };
  m.energy.primary.energyJ = -5;
  writeFileSync(path, JSON.stringify(m));
  const where = new RegExp(`${path} field 'energy\\.primary\\.energyJ': negative energy -5 J`);
  const [list, show, analyze, imp] = cliInChild([
    ['runs', 'list', '--runs-dir', runsDir],
    ['runs', 'show', b.id, '--runs-dir', runsDir],
    ['analyze', runsDir],
    ['import', 'bundle', b.path, '--runs-dir', join(root, 'other')],
  ]);
  assert.match(list!.err, where);
  for (const r of [show!, analyze!, imp!]) {
    assert.equal(r.code, 1);
    assert.match(r.err, where);
  }
  rmSync(root, { recursive: true, force: true });
});
