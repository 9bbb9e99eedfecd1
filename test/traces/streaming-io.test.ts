import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLinesSync } from '../../src/io/lines.js';
import { InferprintError } from '../../src/errors.js';
import { chooseChannels } from '../../src/traces/channels.js';
import { integrateStream } from '../../src/traces/stream-energy.js';
import { trapezoidJ } from '../../src/traces/energy.js';
import { sniffFormat } from '../../src/io/trace-files.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-io-'));

test('readLinesSync: lines, CRLF and multi-byte characters split across chunk boundaries', () => {
  const lines = ['timestamp,gpu_power', 'é,ü', '0.1,20', 'ünïcödé ✓ line', '', 'last without newline'];
  const file = join(dir, 'lines.txt');
  writeFileSync(file, `${lines.slice(0, -1).join('\r\n')}\r\n${lines.at(-1)!}`);
  for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) {
    assert.deepEqual([...readLinesSync(file, chunk)], lines, `chunk ${chunk}`);
  }
  writeFileSync(file, '');
  assert.deepEqual([...readLinesSync(file)], []);
  assert.throws(() => [...readLinesSync(join(dir, 'missing'))], (e: unknown) => e instanceof InferprintError && e.code === 'NOT_FOUND');
});

const s = (channel: string, tS: number, powerW: number, line: number) => ({ channel, tS, powerW, line });

test('integrateStream: per-channel integration equals trapezoid; sum is the sum of channels', () => {
  const samples = [s('a', 0, 10, 2), s('b', 0, 1, 3), s('a', 1, 20, 4), s('b', 2, 3, 5), s('a', 2, 10, 6)];
  assert.equal(integrateStream(samples, 'a').energyJ, trapezoidJ([0, 1, 2], [10, 20, 10]));
  assert.equal(integrateStream(samples, 'sum').energyJ, 30 + 4);
  assert.throws(() => integrateStream(samples, undefined, 'x.csv'), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && /2 channels/.test(e.message));
});

test('integrateStream: non-increasing time names file and line; an empty stream is an error', () => {
  assert.throws(
    () => integrateStream([s('a', 0, 1, 2), s('a', 0, 1, 3)], undefined, 'f.csv'),
    (e: unknown) => e instanceof InferprintError && e.code === 'NON_MONOTONIC' && e.message.startsWith('f.csv:3'),
  );
  assert.throws(() => integrateStream([], undefined, 'f.csv'), (e: unknown) => e instanceof InferprintError && e.code === 'EMPTY_INPUT');
});

test('chooseChannels: the only channel, the GPU rail, the board total, a name; several GPUs must be chosen', () => {
  assert.deepEqual(chooseChannels(['gpu'], undefined), ['gpu']);
  assert.deepEqual(chooseChannels(['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0'], undefined), ['VDD_GPU_SOC']);
  assert.deepEqual(chooseChannels(['VDD_IN', 'VDD_CPU_GPU_CV', 'VDD_SOC'], 'total'), ['VDD_IN']);
  assert.deepEqual(chooseChannels(['gpu0', 'gpu1'], 'gpu1'), ['gpu1']);
  assert.throws(() => chooseChannels(['gpu0', 'gpu1'], undefined), /--channel/);
  assert.throws(() => chooseChannels(['gpu0'], 'gpu7'), /no channel 'gpu7'/);
});

test('sniffFormat recognises each format by its first line, even a wide nvidia-smi header', () => {
  const cases: [string, string][] = [
    ['timestamp,gpu_power\n.1,2\n', 'thesis-csv'],
    ['13.125,32937\n', 'thesis-csv'],
    [`${Array.from({ length: 400 }, (_, i) => `field.number${i}`).join(', ')}, power.draw [W]\n`, 'nvidia-smi'],
    ['timestamp,project_name,run_id,duration,emissions,energy_consumed\n', 'codecarbon'],
    ['RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB VDD_GPU_SOC 4940mW/4940mW\n', 'tegrastats'],
  ];
  for (const [text, format] of cases) {
    const f = join(dir, `sniff-${format}.txt`);
    writeFileSync(f, text);
    assert.equal(sniffFormat(f), format);
  }
  const f = join(dir, 'unknown.txt');
  writeFileSync(f, 'hello world\n');
  assert.throws(() => sniffFormat(f), (e: unknown) => e instanceof InferprintError && e.code === 'UNKNOWN_FORMAT' && /--input-format/.test(e.message));
});
