/**
 * Fuzzing the power-log decoders (thesis CSV, nvidia-smi, tegrastats of every L4T format,
 * generic CSV) through what a real import does: decode → TraceBuilder (monotonic times,
 * plausible samples) → at least two samples → trapezoidal energy per channel. For every input:
 * - the outcome is a trace or a coded error, never a crash or an `[INTERNAL]` error;
 * - a trace has finite times and powers and finite, non-negative energies;
 * - a non-finite cell (NaN, inf, 1e400, 400 digits) where a time or a power belongs never
 *   yields a trace: the import fails (`nonFinite` properties).
 * Inputs: real lines damaged by byte flips, cut lines and files, duplicated and missing
 * cells, huge numbers, unicode and control characters; and lines made from scratch.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceBuilder } from '../../src/traces/builder.js';
import { trapezoidJ } from '../../src/traces/energy.js';
import { decodeGenericCsv, type GenericCsvOptions } from '../../src/traces/parse-generic-csv.js';
import { decodeNvidiaSmiCsv, type NvidiaSmiOptions } from '../../src/traces/parse-nvidia-smi.js';
import { decodeTegrastats } from '../../src/traces/parse-tegrastats.js';
import { decodeThesisCsv } from '../../src/traces/parse-thesis-csv.js';
import { checkSampleCount } from '../../src/traces/plausibility.js';
import type { PowerSample, PowerTrace } from '../../src/traces/types.js';
import { assertNoInventedNonFinite, fromScratch, fuzz, FUZZ_TIMEOUT_MS, mutated, NON_FINITE, outcome, reportTotal, withCell } from './harness.js';
import { GENERIC_LONG, GENERIC_WIDE, NVIDIA_SMI_H200, NVIDIA_SMI_SHORT, TEGRASTATS_LINES, THESIS_A100, THESIS_ORIN } from './seeds.js';

const FILE = 'fuzz.log';

/** What an import does with a decoder's samples: the trace and each channel's energy. */
function importTrace(samples: Generator<PowerSample, unknown>): { trace: PowerTrace; energiesJ: number[] } {
  const builder = new TraceBuilder(FILE);
  for (;;) {
    const r = samples.next();
    if (r.done === true) break;
    builder.add(r.value);
  }
  const trace = builder.build({ format: 'fuzz', unitInSource: 'W' }, { kind: 'measured', sensor: 'generic' });
  checkSampleCount(Math.max(...trace.channels.map((c) => c.tS.length)), { file: FILE });
  return { trace, energiesJ: trace.channels.map((c) => trapezoidJ(c.tS, c.powerW, { file: FILE })) };
}

/** The property every input must satisfy: a coded error, or a finite trace with finite, non-negative energies. */
function checkImport(decode: (lines: string[]) => Generator<PowerSample, unknown>, lines: string[]): boolean {
  const r = outcome(() => importTrace(decode(lines)));
  if (!r.ok) return false;
  for (const c of r.value.trace.channels) {
    for (let i = 0; i < c.tS.length; i++) {
      assert.ok(Number.isFinite(c.tS[i]) && Number.isFinite(c.powerW[i]) && c.powerW[i]! >= 0, `channel ${c.name} sample ${i}: t ${c.tS[i]}, P ${c.powerW[i]}`);
    }
  }
  for (const e of r.value.energiesJ) assert.ok(Number.isFinite(e) && e >= 0, `energy ${e}`);
  assertNoInventedNonFinite(r.value.energiesJ, lines.join('\n'));
  return true;
}

/** A non-finite token in a time or power cell: the import must fail. */
function checkRefused(decode: (lines: string[]) => Generator<PowerSample, unknown>, lines: string[]): void {
  const r = outcome(() => importTrace(decode(lines)));
  assert.equal(r.ok, false, `a trace was made from ${JSON.stringify(lines.slice(0, 6)).slice(0, 400)}`);
}

const nonFinite = fc.constantFrom(...NON_FINITE);
const thesis = (unit: 'W' | 'mW') => (lines: string[]) => decodeThesisCsv(lines, { file: FILE, unit });
const nvidiaSmi = (opts: NvidiaSmiOptions = {}) => (lines: string[]) => decodeNvidiaSmiCsv(lines, { file: FILE, ...opts });
const tegrastats = (lines: string[]) => decodeTegrastats(lines, { file: FILE, intervalS: 0.5 });
const generic = (opts: GenericCsvOptions) => (lines: string[]) => decodeGenericCsv(lines, { file: FILE, ...opts });
/**
 * Three records of one board (a trace needs two samples per rail); a line with the JetPack 7
 * clock prefix (`07-25-2026 09:08:28`) gets one second more per record, as tegrastats would print.
 */
function tegrastatsLog(line: string): string[] {
  return [0, 1, 2].map((k) => line.replace(/^(\d\d-\d\d-\d{4} \d\d:\d\d:)(\d\d)/, (_, head: string, sec: string) => `${head}${String(Number(sec) + k).padStart(2, '0')}`));
}
const WIDE: GenericCsvOptions = { timeColumn: 't', powerColumn: ['gpu0', 'gpu1'], unit: 'W' };
const LONG: GenericCsvOptions = { timeColumn: 't', powerColumn: 'watts', channelColumn: 'device', unit: 'W' };

test('every seed imports as it is (the mutations start from valid input)', () => {
  const seeds: [string, (lines: string[]) => Generator<PowerSample, unknown>, readonly string[]][] = [
    ['thesis A100', thesis('W'), THESIS_A100],
    ['thesis Orin', thesis('mW'), THESIS_ORIN],
    ['nvidia-smi short', nvidiaSmi(), NVIDIA_SMI_SHORT],
    ['nvidia-smi H200', nvidiaSmi(), NVIDIA_SMI_H200],
    ['generic wide', generic(WIDE), GENERIC_WIDE],
    ['generic long', generic(LONG), GENERIC_LONG],
    ...Object.entries(TEGRASTATS_LINES).map(([name, line]): [string, (lines: string[]) => Generator<PowerSample, unknown>, readonly string[]] => [`tegrastats ${name}`, tegrastats, tegrastatsLog(line)]),
  ];
  for (const [name, decode, lines] of seeds) assert.equal(checkImport(decode, [...lines]), true, name);
});

describe('fuzz: the study\'s CSVs', { timeout: FUZZ_TIMEOUT_MS }, () => {
  test('damaged A100 (W) and AGX Orin (mW) traces', (t) => {
    fuzz(t, 'thesis CSV, mutated', fc.oneof(mutated(THESIS_A100), mutated(THESIS_ORIN)), (lines) => void checkImport(thesis('W'), lines));
  });
  test('from scratch', (t) => {
    fuzz(t, 'thesis CSV, from scratch', fromScratch(['timestamp', 'gpu_power', 'total_power', ',', '.001370686', '65.44', '\n']), (lines) => void checkImport(thesis('mW'), lines));
  });
  test('a non-finite time or power cell is refused', (t) => {
    const arb = fc.tuple(fc.constantFrom(THESIS_A100, THESIS_ORIN), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1 }), nonFinite);
    fuzz(t, 'thesis CSV, non-finite cell', arb, ([seed, line, cell, tok]) => {
      checkRefused(thesis('W'), withCell(seed, line, ',', cell, tok));
    });
  });
});

describe('fuzz: nvidia-smi CSV', { timeout: FUZZ_TIMEOUT_MS }, () => {
  test('damaged short logs and the 212-column H200 capture', (t) => {
    fuzz(t, 'nvidia-smi, mutated', fc.oneof(mutated(NVIDIA_SMI_SHORT), mutated(NVIDIA_SMI_H200)), (lines) => void checkImport(nvidiaSmi(), lines));
  });
  test('from scratch', (t) => {
    fuzz(t, 'nvidia-smi, from scratch', fromScratch(['timestamp', ', ', 'index', 'power.draw [W]', 'power.draw.instant [W]', ' W', '2026/07/03 22:10:46.109', '[N/A]', '77.71']), (lines) => void checkImport(nvidiaSmi(), lines));
  });
  test('a non-finite power or time cell is refused (error and skip modes)', (t) => {
    const h200Power = NVIDIA_SMI_H200[0].split(', ').indexOf('power.draw.instant [W]');
    assert.ok(h200Power > 0);
    const arb = fc.oneof(
      fc.tuple(fc.constant(NVIDIA_SMI_SHORT as readonly string[]), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 2), nonFinite),
      fc.tuple(fc.constant(NVIDIA_SMI_H200 as readonly string[]), fc.integer({ min: 1, max: 2 }), fc.constantFrom(0, h200Power), nonFinite),
    );
    fuzz(t, 'nvidia-smi, non-finite cell', fc.tuple(arb, fc.constantFrom<'error' | 'skip'>('error', 'skip'), fc.boolean()), ([[seed, line, cell, tok], unavailable, unit]) => {
      checkRefused(nvidiaSmi({ unavailable }), withCell(seed, line, ', ', cell, cell === 0 || !unit ? tok : `${tok} W`));
    });
  });
});

describe('fuzz: tegrastats, every L4T format', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const formats = Object.entries(TEGRASTATS_LINES);
  const logOf = tegrastatsLog;
  test('damaged logs of each format', (t) => {
    for (const [name, line] of formats) fuzz(t, `tegrastats ${name}, mutated`, mutated(logOf(line)), (lines) => void checkImport(tegrastats, lines));
  });
  test('from scratch', (t) => {
    fuzz(t, 'tegrastats, from scratch', fromScratch(['RAM 1179/3983MB ', 'CPU [1%@102,off] ', 'VDD_IN ', 'VDD_GPU_SOC ', '2532/2698 ', '5299mW/5299mW ', '5139mW/5139mW/5139mW ', 'GPU@39C ', '07-25-2026 09:08:28 ', ' ']), (lines) => void checkImport(tegrastats, lines));
  });
  test('a non-finite rail reading is refused', (t) => {
    // `NAME cur/avg[/max]`, in mW with or without the unit (not `RAM 1179/3983MB`, not `SWAP 0/3926MB`).
    const rail = /\b([A-Z][A-Z0-9_]*) (\d+)(?:mW)?\/\d+(?:mW)?(?:\/\d+(?:mW)?)?(?=\s|$)/g;
    const cases = formats.flatMap(([name, line]) => [...line.matchAll(rail)].map((m) => ({ name, line, at: m.index + m[1]!.length + 1, len: m[2]!.length })));
    assert.ok(cases.length > 20, `${cases.length} rail readings in the seeds`);
    fuzz(t, 'tegrastats, non-finite rail', fc.tuple(fc.constantFrom(...cases), fc.integer({ min: 0, max: 2 }), nonFinite), ([c, which, tok]) => {
      const damaged = c.line.slice(0, c.at) + tok + c.line.slice(c.at + c.len);
      const lines = logOf(c.line);
      lines[which] = damaged;
      checkRefused(tegrastats, lines);
    });
  });
});

describe('fuzz: generic CSV', { timeout: FUZZ_TIMEOUT_MS }, () => {
  test('damaged wide and long files', (t) => {
    fuzz(t, 'generic CSV wide, mutated', mutated(GENERIC_WIDE), (lines) => void checkImport(generic(WIDE), lines));
    fuzz(t, 'generic CSV long, mutated', mutated(GENERIC_LONG), (lines) => void checkImport(generic(LONG), lines));
    fuzz(t, 'generic CSV epoch ms, mutated', mutated(['t,gpu0,gpu1', '1764157323000,71.5,70.1', '1764157323100,72.5,70.3', '1764157323200,301,299']), (lines) => void checkImport(generic({ ...WIDE, timeUnit: 'ms', epoch: true }), lines));
  });
  test('from scratch', (t) => {
    fuzz(t, 'generic CSV, from scratch', fromScratch(['t', 'gpu0', 'gpu1', 'device', 'watts', ',', '0.1', '71.5', '"', '\n']), (lines) => void checkImport(generic(WIDE), lines));
  });
  test('a non-finite time or power cell is refused', (t) => {
    const arb = fc.oneof(
      fc.tuple(fc.constant({ seed: GENERIC_WIDE, opts: WIDE }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 1, 2), nonFinite),
      fc.tuple(fc.constant({ seed: GENERIC_LONG, opts: LONG }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 2), nonFinite),
    );
    fuzz(t, 'generic CSV, non-finite cell', arb, ([{ seed, opts }, line, cell, tok]) => {
      checkRefused(generic(opts), withCell(seed, line, ',', cell, tok));
    });
  });
});

test('inputs tried', (t) => {
  reportTotal(t);
});
