import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGenericCsv } from '../../src/io/trace-files.js';
import { decodeGenericCsv, parseGenericCsvSpec, type GenericCsvOptions, type GenericCsvSummary } from '../../src/traces/parse-generic-csv.js';
import type { PowerSample } from '../../src/traces/types.js';
import { drainGenerator, thrown } from '../helpers/decode.js';

function drain(lines: readonly string[], opts: GenericCsvOptions & { file?: string }): { samples: PowerSample[]; summary: GenericCsvSummary } {
  return drainGenerator(decodeGenericCsv(lines, opts));
}


const near = (a: number, b: number, tol = 1e-12) => { assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`); };

test('declared columns and units: mW → W (÷1000, exact), ms → s, semicolons', () => {
  const { samples, summary } = drain(['time_ms;board;gpu_power', '0;a;2532', '50;a;4940', '100;a;17415'], {
    timeColumn: 'time_ms',
    powerColumn: 'gpu_power',
    unit: 'mW',
    timeUnit: 'ms',
    delimiter: ';',
  });
  assert.deepEqual(
    samples.map((s) => [s.channel, s.powerW, s.line]),
    [
      ['gpu_power', 2.532, 2],
      ['gpu_power', 4.94, 3],
      ['gpu_power', 17.415, 4],
    ],
  );
  assert.equal(samples[2]!.powerW, 17415 / 1000);
  [0, 0.05, 0.1].forEach((t, i) => { near(samples[i]!.tS, t); });
  assert.equal(summary.unitInSource, 'mW');
  assert.equal(summary.originEpochMs, undefined);
});

test('times are kept as written (a log relative to the run start keeps its offset)', () => {
  const { samples } = drain(['t,p', '2.5,100', '3.0,110'], { timeColumn: 't', powerColumn: 'p', unit: 'W' });
  assert.deepEqual(samples.map((s) => s.tS), [2.5, 3]);
});

test('wide files: one channel per power column; kW converted', () => {
  const { samples } = drain(['t,gpu0,gpu1', '0,0.25,0.3', '1,0.26,0.31'], { timeColumn: 't', powerColumn: ['gpu0', 'gpu1'], unit: 'kW' });
  assert.deepEqual(
    samples.map((s) => [s.channel, s.tS, s.powerW]),
    [
      ['gpu0', 0, 250],
      ['gpu1', 0, 300],
      ['gpu0', 1, 260],
      ['gpu1', 1, 310],
    ],
  );
});

test('long files: the channel column names each row', () => {
  const { samples } = drain(['t\tdevice\twatts', '0\tcpu\t35.5', '0\tgpu\t120', '0.1\tcpu\t36'], {
    timeColumn: 't',
    powerColumn: 'watts',
    unit: 'W',
    channelColumn: 'device',
    delimiter: '\t',
  });
  assert.deepEqual(
    samples.map((s) => [s.channel, s.tS, s.powerW]),
    [
      ['cpu', 0, 35.5],
      ['gpu', 0, 120],
      ['cpu', 0.1, 36],
    ],
  );
});

test('epoch times: t = 0 at the first row, its instant returned', () => {
  const { samples, summary } = drain(['ts_us,p', '1715682682123456,10', '1715682682223456,11'], {
    timeColumn: 'ts_us',
    powerColumn: 'p',
    unit: 'W',
    timeUnit: 'us',
    epoch: true,
  });
  near(samples[0]!.tS, 0);
  near(samples[1]!.tS, 0.1, 1e-9);
  assert.equal(summary.originEpochMs, 1715682682123.456);
});

test('quoted cells and a BOM are read', () => {
  const { samples } = drain(['\uFEFF"time","gpu, watts"', '"0.5","12.5"'], { timeColumn: 'time', powerColumn: 'gpu, watts', unit: 'W' });
  assert.deepEqual(samples.map((s) => [s.channel, s.tS, s.powerW]), [['gpu, watts', 0.5, 12.5]]);
});

test('a declared column missing from the header is a PARSE error naming it', () => {
  const e = thrown(() => drain(['t,p', '0,1'], { file: 'g.csv', timeColumn: 't', powerColumn: 'power', unit: 'W' }));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /^g\.csv:1 field 'power': no column "power" in the header \(columns: t, p\)/);
});

test('an unknown unit or time unit is UNKNOWN_UNIT', () => {
  const unit = thrown(() => drain(['t,p', '0,1'], { file: 'g.csv', timeColumn: 't', powerColumn: 'p', unit: 'mA' as never }));
  assert.equal(unit.code, 'UNKNOWN_UNIT');
  const timeUnit = thrown(() => drain(['t,p', '0,1'], { timeColumn: 't', powerColumn: 'p', unit: 'W', timeUnit: 'min' as never }));
  assert.equal(timeUnit.code, 'UNKNOWN_UNIT');
});

test('empty power cells in the middle are errors, not missing samples', () => {
  const e = thrown(() => drain(['t,a,b', '0,1,', '1,2,3'], { file: 'w.csv', timeColumn: 't', powerColumn: ['a', 'b'], unit: 'W' }));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /^w\.csv:2 field 'b'/);
});

test('parseGenericCsvSpec: the --columns spec', () => {
  assert.deepEqual(parseGenericCsvSpec('t=timestamp,p=gpu_power,unit=mW'), { timeColumn: 'timestamp', powerColumn: 'gpu_power', unit: 'mW' });
  assert.deepEqual(parseGenericCsvSpec('t=ts,p=gpu0,p=gpu1,unit=W,timeUnit=ms,delim=;'), {
    timeColumn: 'ts',
    powerColumn: ['gpu0', 'gpu1'],
    unit: 'W',
    timeUnit: 'ms',
    delimiter: ';',
  });
  assert.deepEqual(parseGenericCsvSpec('t=ts,p=w,unit=W,delim=tab,channel=dev,epoch=true'), {
    timeColumn: 'ts',
    powerColumn: 'w',
    unit: 'W',
    delimiter: '\t',
    channelColumn: 'dev',
    epoch: true,
  });
  assert.equal(parseGenericCsvSpec('t=ts,p=w,unit=W,delim=,').delimiter, ',');
  assert.equal(parseGenericCsvSpec('t=ts,delim=,,p=w,unit=W').delimiter, ',');
});

test('parseGenericCsvSpec: malformed specs are USAGE errors naming --columns; a bad unit is UNKNOWN_UNIT', () => {
  for (const spec of ['', 't=ts,unit=W', 'p=w,unit=W', 't=ts,p=w', 't=ts,p=w,unit=W,color=red', 't=ts,p=w,unit=W,delim=|', 'ts,p=w,unit=W', 't=a,t=b,p=w,unit=W', 't=ts,p=a,p=b,unit=W,channel=c']) {
    const e = thrown(() => parseGenericCsvSpec(spec));
    assert.equal(e.code, 'USAGE', spec);
    assert.match(e.message, /flag --columns/, spec);
    assert.equal(e.exitCode, 2);
  }
  const unit = thrown(() => parseGenericCsvSpec('t=ts,p=w,unit=watts'));
  assert.equal(unit.code, 'UNKNOWN_UNIT');
  assert.match(unit.message, /flag --columns/);
  const timeUnit = thrown(() => parseGenericCsvSpec('t=ts,p=w,unit=W,timeUnit=h'));
  assert.equal(timeUnit.code, 'UNKNOWN_UNIT');
});

test('the file adapter: generic provenance, source unit recorded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-generic-'));
  try {
    const path = join(dir, 'power.csv');
    writeFileSync(path, 'timestamp,gpu_power\n0.0,2532\n0.05,4940\n');
    const trace = importGenericCsv(path, parseGenericCsvSpec('t=timestamp,p=gpu_power,unit=mW'));
    assert.deepEqual(trace.source, { format: 'generic-csv', path, unitInSource: 'mW' });
    assert.deepEqual(trace.provenance, { kind: 'measured', sensor: 'generic' });
    assert.deepEqual([...trace.channels[0]!.powerW], [2.532, 4.94]);
    const rapl = importGenericCsv(path, { timeColumn: 'timestamp', powerColumn: 'gpu_power', unit: 'mW', sensor: 'rapl' });
    assert.deepEqual(rapl.provenance, { kind: 'measured', sensor: 'rapl' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
