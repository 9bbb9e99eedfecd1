import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBuilder } from '../../src/traces/builder.js';
import { importTegrastatsLog } from '../../src/io/trace-files.js';
import {
  boardTotalPower,
  boardTotalRailName,
  decodeTegrastats,
  gpuRailName,
  listRails,
  type TegrastatsOptions,
  type TegrastatsSummary,
} from '../../src/traces/parse-tegrastats.js';
import type { PowerSample, PowerTrace } from '../../src/traces/types.js';
import { drainGenerator, thrown } from '../helpers/decode.js';

// Verbatim tegrastats lines from reference/tegrastats_samples.txt (sections A and B):
// A1-A8 are datadog-agent's Jetson test constants, B1 is jetson_stats' "real tegrastats line" (AGX Orin, JetPack 7.2).
const TX1 =
  'RAM 1179/3983MB (lfb 120x4MB) IRAM 0/252kB(lfb 252kB) CPU [1%@102,4%@102,0%@102,0%@102] EMC_FREQ 7%@408 GR3D_FREQ 0%@76 APE 25 AO@42.5C CPU@37.5C GPU@39C PLL@37C Tdiode@42.75C PMIC@100C Tboard@42C thermal@38.5C VDD_IN 2532/2698 VDD_CPU 76/178 VDD_GPU 19/19';
const TX2 =
  'RAM 2344/7852MB (lfb 1154x4MB) SWAP 0/3926MB (cached 0MB) CPU [1%@345,off,off,1%@345,0%@345,2%@345] EMC_FREQ 4%@1600 GR3D_FREQ 0%@624 APE 150 PLL@37.5C MCPU@37.5C PMIC@100C Tboard@32C GPU@35C BCPU@37.5C thermal@36.5C Tdiode@34.25C VDD_SYS_GPU 152/152 VDD_SYS_SOC 687/687 VDD_4V0_WIFI 0/0 VDD_IN 3056/3056 VDD_SYS_CPU 152/152 VDD_SYS_DDR 883/883';
const NANO =
  'RAM 534/3964MB (lfb 98x4MB) SWAP 5/1982MB (cached 1MB) IRAM 0/252kB(lfb 252kB) CPU [16%@204,9%@204,0%@204,0%@204] EMC_FREQ 0%@204 GR3D_FREQ 0%@76 APE 25 PLL@34C CPU@36.5C PMIC@100C GPU@36C AO@39.5C thermal@36.25C POM_5V_IN 1022/1022 POM_5V_GPU 0/0 POM_5V_CPU 204/204';
const AGX_XAVIER =
  'RAM 721/31927MB (lfb 7291x4MB) SWAP 0/15963MB (cached 0MB) CPU [2%@1190,0%@1190,0%@1190,0%@1190,off,off,off,off] EMC_FREQ 0%@665 GR3D_FREQ 0%@318 APE 150 MTS fg 0% bg 0% AO@37.5C GPU@37.5C Tdiode@40C PMIC@100C AUX@36C CPU@37.5C thermal@36.9C Tboard@37C GPU 0/0 CPU 311/311 SOC 932/932 CV 0/0 VDDRQ 621/621 SYS5V 1482/1482';
const XAVIER_NX =
  'RAM 4412/7772MB (lfb 237x4MB) SWAP 139/3886MB (cached 2MB) CPU [9%@1190,6%@1190,6%@1190,5%@1190,4%@1190,8%@1267] EMC_FREQ 10%@1600 GR3D_FREQ 62%@306 APE 150 MTS fg 0% bg 0% AO@41.5C GPU@43C PMIC@100C AUX@41.5C CPU@43.5C thermal@42.55C VDD_IN 4067/4067 VDD_CPU_GPU_CV 738/738 VDD_SOC 1353/1353';
const VOLTAGE_UNIT =
  'RAM 6334/15388MB (lfb 1770x4MB) SWAP 491/7694MB (cached 0MB) CPU [6%@729,9%@729,5%@729,16%@729,off,off,off,off] EMC_FREQ 0%@2133 GR3D_FREQ 0%@611 VIC_FREQ 729 APE 174 CV0@45.812C CPU@47.937C SOC2@46.093C SOC0@46.968C CV1@46.406C GPU@45.875C tj@48.875C SOC1@48.875C CV2@45.75C VDD_IN 5299mW/5299mW VDD_CPU_GPU_CV 773mW/773mW VDD_SOC 1424mW/1424mW';
const R36 =
  'RAM 29114/30697MB (lfb 3x4MB)    SWAP 4915/15348MB (cached 1MB) CPU [3%@729,4%@729,0%@729,1%@729,0%@2201,100%@2201,1%@2201,0%@2201,100%@2201,0%@2201,0%@2201,0%@2201] EMC_FREQ 1%@2133 GR3D_FREQ 0%@[305,305] NVENC      off  NVDEC    off NVJPG off NVJPG1    off         VIC        off          OFA           off          NVDLA0    off       NVDLA1     off          PVA0_FREQ off         APE           174        cpu@53.062C soc2@48.25C soc0@48.843C  gpu@47.812C tj@53.062C soc1@48.968C    VDD_GPU_SOC 3205mW/3205mW VDD_CPU_CV 4405mW/4405mW VIN_SYS_5V0 4767mW/4767mW';
const AGX_ORIN =
  'RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201] GR3D_FREQ 0% cpu@42C soc2@37.843C soc0@39.187C gpu@37.75C tj@42C soc1@37.937C VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/988mW VIN_SYS_5V0 4442mW/4442mW';
const ORIN_JP7 =
  '07-25-2026 09:08:28 RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201,10%@2201,4%@2201,14%@2201,30%@2201,18%@2201,10%@2201,10%@2201,33%@2201,7%@2201,5%@2201,27%@2201] EMC_FREQ 3%@3199 GR3D_FREQ 12%@[1300,1300] NVENC0 off NVDEC0 off NVJPG0 off NVJPG1 off VIC off OFA off NVDLA0 off NVDLA1 off PVA0_FREQ off APE 174 cpu@52.968C/52.968C soc2@48.406C/48.406C soc0@49.531C/49.531C gpu@47.625C/47.625C VDD_GPU_SOC 5139mW/5139mW/5139mW VDD_CPU_CV 3268mW/3268mW/3268mW VIN_SYS_5V0 5500mW/5500mW/5500mW';

function drain(lines: readonly string[], opts: TegrastatsOptions = {}): { samples: PowerSample[]; summary: TegrastatsSummary } {
  return drainGenerator(decodeTegrastats(lines, opts));
}


function toTrace(samples: readonly PowerSample[]): PowerTrace {
  return new TraceBuilder().addAll(samples).build({ format: 'tegrastats', unitInSource: 'mW' }, { kind: 'measured', sensor: 'tegrastats' });
}

const near = (a: number, b: number, tol = 1e-9) => { assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`); };

/** Rails of one line as [name, W] pairs. */
const rails = (line: string) => drain([line], { intervalS: 0.5 }).samples.map((s) => [s.channel, s.powerW]);

test('every board format: rails keep their printed names, mW become W (first value = current reading)', () => {
  // Old unitless `cur/avg`, mW implied: TX1 `VDD_IN 2532/2698` is 2532 mW = 2.532 W (the 2698 average is not used).
  assert.deepEqual(rails(TX1), [
    ['VDD_IN', 2.532],
    ['VDD_CPU', 0.076],
    ['VDD_GPU', 0.019],
  ]);
  assert.deepEqual(rails(TX2), [
    ['VDD_SYS_GPU', 0.152],
    ['VDD_SYS_SOC', 0.687],
    ['VDD_4V0_WIFI', 0],
    ['VDD_IN', 3.056],
    ['VDD_SYS_CPU', 0.152],
    ['VDD_SYS_DDR', 0.883],
  ]);
  assert.deepEqual(rails(NANO), [
    ['POM_5V_IN', 1.022],
    ['POM_5V_GPU', 0],
    ['POM_5V_CPU', 0.204],
  ]);
  assert.deepEqual(rails(AGX_XAVIER), [
    ['GPU', 0],
    ['CPU', 0.311],
    ['SOC', 0.932],
    ['CV', 0],
    ['VDDRQ', 0.621],
    ['SYS5V', 1.482],
  ]);
  assert.deepEqual(rails(XAVIER_NX), [
    ['VDD_IN', 4.067],
    ['VDD_CPU_GPU_CV', 0.738],
    ['VDD_SOC', 1.353],
  ]);
  // `cur mW/avg mW` form.
  assert.deepEqual(rails(VOLTAGE_UNIT), [
    ['VDD_IN', 5.299],
    ['VDD_CPU_GPU_CV', 0.773],
    ['VDD_SOC', 1.424],
  ]);
  // Irregular multi-space padding, engines printed as `off`.
  assert.deepEqual(rails(R36), [
    ['VDD_GPU_SOC', 3.205],
    ['VDD_CPU_CV', 4.405],
    ['VIN_SYS_5V0', 4.767],
  ]);
  assert.deepEqual(rails(AGX_ORIN), [
    ['VDD_GPU_SOC', 4.94],
    ['VDD_CPU_CV', 0.988],
    ['VIN_SYS_5V0', 4.442],
  ]);
  // JetPack 7: date prefix, three values per rail, thermals as name@X/YC.
  assert.deepEqual(rails(ORIN_JP7), [
    ['VDD_GPU_SOC', 5.139],
    ['VDD_CPU_CV', 3.268],
    ['VIN_SYS_5V0', 5.5],
  ]);
});

test('mW to W is a division by 1000, asserted on exact doubles', () => {
  const [[, w]] = rails(TX1) as [[string, number]];
  assert.equal(w, 2532 / 1000);
  assert.equal(rails(AGX_ORIN)[0]![1], 4940 / 1000);
});

test('no timestamps: sample n is at n × interval (tegrastats --interval 50 → 0.05 s)', () => {
  const { samples, summary } = drain([AGX_ORIN, AGX_ORIN, AGX_ORIN], { intervalS: 0.05 });
  const gpu = samples.filter((s) => s.channel === 'VDD_GPU_SOC');
  assert.deepEqual(gpu.map((s) => s.line), [1, 2, 3]);
  gpu.forEach((s, i) => { near(s.tS, i * 0.05); });
  assert.equal(summary.timing, 'interval');
  assert.deepEqual(summary.rails, ['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0']);
  assert.equal(summary.originEpochMs, undefined);
});

test('no timestamps and no interval: a usage error naming the file and line', () => {
  const e = thrown(() => drain([TX1], { file: 'tx1.log' }));
  assert.equal(e.code, 'USAGE');
  assert.match(e.message, /tx1\.log:1/);
  assert.match(e.message, /--interval/);
});

const stamped = (time: string) => ORIN_JP7.replace('07-25-2026 09:08:28', `07-25-2026 ${time}`);

test('timestamps only: samples of one printed second are spread evenly over it', () => {
  const { samples, summary } = drain([stamped('09:08:28'), stamped('09:08:28'), stamped('09:08:28'), stamped('09:08:29'), stamped('09:08:29')]);
  const t = samples.filter((s) => s.channel === 'VIN_SYS_5V0').map((s) => s.tS);
  [0, 1 / 3, 2 / 3, 1, 1.5].forEach((want, i) => { near(t[i]!, want); });
  assert.equal(summary.timing, 'timestamps-even');
  assert.equal(summary.originEpochMs, Date.UTC(2026, 6, 25, 9, 8, 28));
});

test('timestamps and interval: second + k × interval; more samples than fit is an error', () => {
  const { samples, summary } = drain([stamped('09:08:28'), stamped('09:08:28'), stamped('09:08:30')], { intervalS: 0.25 });
  const t = samples.filter((s) => s.channel === 'VDD_CPU_CV').map((s) => s.tS);
  [0, 0.25, 2].forEach((want, i) => { near(t[i]!, want); });
  assert.equal(summary.timing, 'timestamps+interval');
  const e = thrown(() => drain([stamped('09:08:28'), stamped('09:08:28'), stamped('09:08:28')], { intervalS: 0.5, file: 'o.log' }));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.match(e.message, /^o\.log:3 field 'timestamp'/);
});

test('board clock in a declared zone', () => {
  const { summary } = drain([ORIN_JP7], { timeZone: 'America/New_York' });
  assert.equal(summary.originEpochMs, Date.UTC(2026, 6, 25, 13, 8, 28)); // EDT = UTC-4
});

test('NC (not connected) rails are left out; other rails kept', () => {
  const line =
    '01-03-2023 16:07:54 RAM 2257/30536MB (lfb 5392x4MB) SWAP 0/15268MB (cached 0MB) CPU [3%@729,4%@729] EMC_FREQ 0%@204 GR3D_FREQ 0%@0 APE 233 CPU@41.437C VDD_GPU_SOC 2390mW/2390mW VDD_CPU_CV 796mW/796mW VIN_SYS_5V0 3522mW/3522mW NC 0mW/0mW VDDQ_VDD2_1V8AO 301mW/301mW NC 0mW/0mW';
  assert.deepEqual(rails(line), [
    ['VDD_GPU_SOC', 2.39],
    ['VDD_CPU_CV', 0.796],
    ['VIN_SYS_5V0', 3.522],
    ['VDDQ_VDD2_1V8AO', 0.301],
  ]);
});

test('lines that are not tegrastats output, or carry no rails, are rejected', () => {
  const notTegra = thrown(() => drain(['Tue May 14 10:31:22 2024 power 12 W'], { intervalS: 1, file: 'x.log' }));
  assert.equal(notTegra.code, 'PARSE');
  assert.match(notTegra.message, /^x\.log:1: not a tegrastats line/);
  const noRails = thrown(() => drain(['RAM 4722/7844MB (lfb 1x512kB) EMC_FREQ 2%@1866 GR3D_FREQ 10%@1300 APE 150'], { intervalS: 1 }));
  assert.equal(noRails.code, 'PARSE');
  assert.match(noRails.message, /no power rails/);
  const changed = thrown(() => drain([TX1, XAVIER_NX, TX1], { intervalS: 1, file: 'mix.log' }));
  assert.equal(changed.code, 'PARSE');
  assert.match(changed.message, /^mix\.log:2 field 'VDD_CPU': rails differ from line 1/);
});

test('gpuRailName picks the GPU rail by known names on every board', () => {
  const railsOf = (line: string) => listRails(toTrace(drain([line], { intervalS: 1 }).samples));
  assert.equal(gpuRailName(railsOf(TX1)), 'VDD_GPU');
  assert.equal(gpuRailName(railsOf(TX2)), 'VDD_SYS_GPU');
  assert.equal(gpuRailName(railsOf(NANO)), 'POM_5V_GPU');
  assert.equal(gpuRailName(railsOf(AGX_XAVIER)), 'GPU');
  assert.equal(gpuRailName(railsOf(XAVIER_NX)), 'VDD_CPU_GPU_CV');
  assert.equal(gpuRailName(railsOf(AGX_ORIN)), 'VDD_GPU_SOC');
  assert.equal(gpuRailName(['VDD_IN', 'VDD_SOC']), undefined);
});

test('board total: the input rail when there is one, else the sum of rails', () => {
  assert.equal(boardTotalRailName(['VDD_IN', 'VDD_CPU', 'VDD_GPU']), 'VDD_IN');
  assert.equal(boardTotalRailName(['POM_5V_IN', 'POM_5V_GPU']), 'POM_5V_IN');
  assert.equal(boardTotalRailName(['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0']), undefined);

  const tx1 = boardTotalPower(toTrace(drain([TX1, TX1], { intervalS: 0.5 }).samples));
  assert.equal(tx1.method, 'input-rail');
  assert.equal(tx1.channel.name, 'VDD_IN');
  assert.deepEqual([...tx1.channel.powerW], [2.532, 2.532]);

  const orin = boardTotalPower(toTrace(drain([AGX_ORIN, ORIN_JP7.replace(/^\S+ \S+ /, '')], { intervalS: 0.5 }).samples));
  assert.equal(orin.method, 'sum-of-rails');
  assert.deepEqual(orin.rails, ['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0']);
  assert.equal(orin.channel.name, 'TOTAL');
  near(orin.channel.powerW[0]!, 4.94 + 0.988 + 4.442);
  near(orin.channel.powerW[1]!, 5.139 + 3.268 + 5.5);
  assert.deepEqual([...orin.channel.tS], [0, 0.5]);
});

test('the file adapter: one channel per rail in W, source unit mW', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-tegra-'));
  try {
    const path = join(dir, 'tegrastats.log');
    writeFileSync(path, `${stamped('09:08:28')}\n${stamped('09:08:28')}\n${stamped('09:08:29')}\n`);
    const trace = importTegrastatsLog(path, { intervalS: 0.5 });
    assert.equal(trace.source.format, 'tegrastats');
    assert.equal(trace.source.unitInSource, 'mW');
    assert.deepEqual(trace.provenance, { kind: 'measured', sensor: 'tegrastats' });
    assert.equal(trace.originEpochMs, Date.UTC(2026, 6, 25, 9, 8, 28));
    assert.deepEqual(listRails(trace), ['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0']);
    const gpu = trace.channels.find((c) => c.name === gpuRailName(listRails(trace)))!;
    assert.deepEqual([...gpu.tS], [0, 0.5, 1]);
    assert.deepEqual([...gpu.powerW], [5.139, 5.139, 5.139]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
