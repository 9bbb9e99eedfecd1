import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { linesOfBytes, readLinesSync } from '../../src/io/lines.js';
import { InferprintError } from '../../src/errors.js';
import { importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv, type TraceInput } from '../../src/io/trace-files.js';
import { parseGenericCsvSpec } from '../../src/traces/parse-generic-csv.js';

// `inferprint import` hashes a file and decodes the same bytes (one read, and the run it stores
// is the content it identified). These tests hold the bytes route to the file route: same
// lines, same traces, same errors.

const dir = mkdtempSync(join(tmpdir(), 'inferprint-bytes-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fileOf = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

test('linesOfBytes yields what readLinesSync reads from the same bytes (LF, CRLF, lone CR, BOM, no final newline, multi-byte)', () => {
  const piece = fc.constantFrom('a', 'é', '✓', ',', ' ', '0.5', '\r', '\n', '\r\n', '\uFEFF', '😀');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), fc.boolean(), (parts, bom) => {
      const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(parts.join(''), 'utf8')]);
      const path = fileOf('prop.txt', bytes);
      // Small chunks too: the stream reader splits multi-byte characters across reads.
      for (const chunk of [1, 3, 1 << 20]) assert.deepEqual([...linesOfBytes(bytes, path)], [...readLinesSync(path, chunk)], `chunk ${chunk}`);
    }),
    { numRuns: 300 },
  );
});

test('linesOfBytes refuses a line over the cap with the file and line, like readLinesSync', () => {
  const bytes = Buffer.from(`ok\n${'x'.repeat(50)}\nok\n`);
  const path = fileOf('long.txt', bytes);
  const fromFile = (() => {
    try {
      Array.from(readLinesSync(path, 1 << 20, 10));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(fromFile instanceof InferprintError);
  assert.throws(
    () => [...linesOfBytes(bytes, path, 10)],
    (e: unknown) => e instanceof InferprintError && e.code === fromFile.code && e.message === fromFile.message && /long\.txt:2/.test(e.message),
  );
});

const both = (path: string): [TraceInput, TraceInput] => [path, { path, bytes: readFileSync(path) }];

test('each importer decodes bytes in memory exactly as it reads the file', () => {
  const thesis = fileOf('consommation_energie_single_T4_QC_16_run_1.csv', 'timestamp,gpu_power\n.002911134,65.36\n.053425732,65.44\r\n.104,70.25\n');
  const smi = fileOf(
    'smi.csv',
    'timestamp, index, power.draw [W]\n2026/07/03 22:10:46.109, 0, 77.71 W\n2026/07/03 22:10:46.209, 0, 627.40 W\n2026/07/03 22:10:46.309, 0, 600.00 W\n',
  );
  const tegra = fileOf(
    'tegra.log',
    [
      '07-25-2026 09:08:28 RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201] GR3D_FREQ 12%@[1300,1300] VDD_GPU_SOC 5139mW/5139mW VDD_CPU_CV 3268mW/3268mW VIN_SYS_5V0 5500mW/5500mW',
      '07-25-2026 09:08:29 RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201] GR3D_FREQ 12%@[1300,1300] VDD_GPU_SOC 6139mW/5639mW VDD_CPU_CV 3268mW/3268mW VIN_SYS_5V0 7500mW/6500mW',
      '',
    ].join('\n'),
  );
  const generic = fileOf('generic.csv', 'time,watts\n0,10\n0.5,12\n1,11\n');

  for (const [a, b] of [both(thesis)]) assert.deepEqual(importThesisCsv(b, { unit: 'W' }), importThesisCsv(a, { unit: 'W' }));
  // The header-less study layout goes through the line decoder, not the one-pass one.
  const headerless = fileOf('headerless.csv', '.002911134,65.36\n.053425732,65.44\n');
  const [ha, hb] = both(headerless);
  assert.deepEqual(importThesisCsv(hb, { unit: 'W', headerless: 'timestamp,power' }), importThesisCsv(ha, { unit: 'W', headerless: 'timestamp,power' }));
  const [sa, sb] = both(smi);
  assert.deepEqual(importNvidiaSmiCsv(sb), importNvidiaSmiCsv(sa));
  const [ta, tb] = both(tegra);
  assert.deepEqual(importTegrastatsLog(tb), importTegrastatsLog(ta));
  const [ga, gb] = both(generic);
  const spec = parseGenericCsvSpec('t=time,p=watts,unit=W');
  assert.deepEqual(importGenericCsv(gb, spec), importGenericCsv(ga, spec));
  // The trace names the file it came from either way.
  assert.equal(importNvidiaSmiCsv(sb).source.path, smi);
});

test('a bad line in bytes is the same one-line error, naming the file and line, as in the file', () => {
  const bad = fileOf('bad.csv', 'timestamp, index, power.draw [W]\n2026/07/03 22:10:46.109, 0, 77.71 W\n2026/07/03 22:10:46.209, 0, lots W\n');
  const [a, b] = both(bad);
  let expected: unknown;
  try {
    importNvidiaSmiCsv(a);
  } catch (e) {
    expected = e;
  }
  assert.ok(expected instanceof InferprintError && /bad\.csv:3/.test(expected.message), String(expected));
  assert.throws(() => importNvidiaSmiCsv(b), (e: unknown) => e instanceof InferprintError && e.message === expected.message);
});
