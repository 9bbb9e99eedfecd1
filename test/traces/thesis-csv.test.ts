import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeThesisCsv, parseThesisFileName } from '../../src/traces/parse-thesis-csv.js';
import { importThesisCsv } from '../../src/io/trace-files.js';
import { InferprintError } from '../../src/errors.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

test('bc-style timestamps with a leading dot and W power', () => {
  const s = [...decodeThesisCsv(['timestamp,gpu_power', '.001841175,37.45', '.107450552,37.45', '1.5,40'], { unit: 'W' })];
  assert.deepEqual(
    s.map((x) => [x.channel, x.tS, x.powerW, x.line]),
    [
      ['gpu', 0.001841175, 37.45, 2],
      ['gpu', 0.107450552, 37.45, 3],
      ['gpu', 1.5, 40, 4],
    ],
  );
});

test('Jetson files are mW: the caller says so and gets W', () => {
  const s = [...decodeThesisCsv(['timestamp,gpu_power', '.009,2793', '.016,30327'], { unit: 'mW' })];
  assert.deepEqual(s.map((x) => x.powerW), [2.793, 30.327]);
});

test('PUE files carry the board total in a total_power column', () => {
  const s = [...decodeThesisCsv(['timestamp,total_power', '0.5,11137'], { unit: 'mW' })];
  assert.equal(s[0]!.channel, 'total');
  assert.equal(s[0]!.powerW, 11.137);
});

test('a header-less legacy file is rejected unless its columns are declared', () => {
  const lines = ['13.125,32937', '13.2,32900'];
  assert.throws(() => [...decodeThesisCsv(lines, { file: 'old.csv', unit: 'mW' })], (e: unknown) => {
    assert.ok(e instanceof InferprintError);
    assert.equal(e.code, 'PARSE');
    assert.match(e.message, /^old\.csv:1: no header/);
    return true;
  });
  const s = [...decodeThesisCsv(lines, { file: 'old.csv', unit: 'mW', headerless: 'timestamp,power' })];
  assert.deepEqual(s.map((x) => [x.tS, x.powerW, x.line]), [
    [13.125, 32.937, 1],
    [13.2, 32.9, 2],
  ]);
});

// The common defects (empty, header only, NaN, negative, non-increasing, truncated) are in
// test/importers/bad-inputs.test.ts with the other importers; these are the study format's own.
const BAD: readonly { name: string; text: string; code: string; line: number }[] = [
  { name: 'wrong header', text: 'time,watts\n0,1\n', code: 'PARSE', line: 1 },
  { name: 'truncated mid-cell', text: 'timestamp,gpu_power\n0.1,2\n0.2', code: 'TRUNCATED', line: 3 },
  { name: 'extra cell', text: 'timestamp,gpu_power\n0.1,2,3\n', code: 'PARSE', line: 2 },
];

test('bad study CSVs give coded one-line errors naming file and line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-thesis-'));
  for (const c of BAD) {
    await t.test(c.name, () => {
      const file = join(dir, `${c.name.replace(/\W+/g, '_')}.csv`);
      writeFileSync(file, c.text);
      assert.throws(() => importThesisCsv(file, { unit: 'W' }), (e: unknown) => {
        assert.ok(e instanceof InferprintError, String(e));
        assert.equal(e.code, c.code, e.message);
        assert.ok(e.message.startsWith(`${file}:${c.line}`), e.message);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    });
  }
});

test('file names give tag, QC, run and phase; stray files are not runs', () => {
  assert.deepEqual(parseThesisFileName('consommation_energie_single_orin_QC_16_10.csv'), { tag: 'orin', qc: 16, run: 10, phase: 'full' });
  assert.deepEqual(parseThesisFileName('consommation_energie_single_A100_QC_256_3_ci.csv'), { tag: 'A100', qc: 256, run: 3, phase: 'ci' });
  assert.deepEqual(parseThesisFileName('consommation_energie_single_orin_QC_64_1_pue.csv'), { tag: 'orin', qc: 64, run: 1, phase: 'pue' });
  assert.equal(parseThesisFileName('consommation_energie_jetson.csv'), undefined);
});

test('real study files load with their unit', { skip: skipWithoutThesis }, () => {
  const orin = importThesisCsv(join(THESIS_DIR, 'Data/data_orin_v4.1/FULL/consommation_energie_single_orin_QC_16_1.csv'), { unit: 'mW' });
  const ch = orin.channels[0]!;
  assert.equal(ch.tS[0], 0.009);
  assert.equal(ch.powerW[0], 2.793);
  assert.equal(orin.source.unitInSource, 'mW');
  const t4 = importThesisCsv(join(THESIS_DIR, 'Data/data_T4_v1.1/FULL/consommation_energie_single_T4_QC_16_1.csv'), { unit: 'W' });
  assert.equal(t4.channels[0]!.powerW[0], 37.45);
});
