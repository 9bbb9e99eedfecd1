import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError, type ErrorCode } from '../../src/errors.js';
import { importCodeCarbonCsv, importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv } from '../../src/io/trace-files.js';

/**
 * One table of bad files per importer. Every importer answers the same defects with the
 * same error code, and every message names the file and (when there is one) the line.
 * To add an importer, add an entry: a name, how to import a path, and its cases; mark a
 * defect its format cannot have with `{ skip: 'why' }`.
 */

type Defect = 'empty file' | 'header only' | 'non-numeric cell' | 'NaN cell' | 'negative power' | 'non-increasing timestamps' | 'unknown unit' | 'truncated last line';

interface BadCase {
  readonly content: string;
  readonly code: ErrorCode;
  /** Line the message must name; undefined when the defect is the whole file (empty). */
  readonly line: number | undefined;
  /** Field the message must name, when the defect is in one cell. */
  readonly field?: string;
  /** Import differently for this case (e.g. with a bad declared unit). */
  readonly run?: (path: string) => unknown;
}

interface ImporterCases {
  readonly name: string;
  readonly ext: string;
  readonly run: (path: string) => unknown;
  readonly cases: Record<Defect, BadCase | { readonly skip: string } | readonly BadCase[]>;
}

const SMI_HEADER = 'timestamp, index, power.draw [W]';
const smi = (t: string, w: string) => `2024/05/14 10:31:${t}, 0, ${w}`;

const ORIN = (rails: string, stamp = '') =>
  `${stamp}RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201] GR3D_FREQ 0% cpu@42C gpu@37.75C ${rails}`;
const ORIN_OK = 'VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/988mW VIN_SYS_5V0 4442mW/4442mW';

const CC_HEADER = 'timestamp,project_name,run_id,duration,emissions,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_iso_code';
const cc = (run: string, duration: string, gpuPower: string, energy: string) =>
  `2025-10-09T11:25:18,p,${run},${duration},0.0001,42.5,${gpuPower},20.0,0.0001,0.0002,0.00005,${energy},FRA`;

const GENERIC = { timeColumn: 't', powerColumn: 'gpu_power', unit: 'mW' } as const;

const IMPORTERS: readonly ImporterCases[] = [
  {
    name: "study csv (the study's FULL/CI/PUE files)",
    ext: 'csv',
    run: (p) => importThesisCsv(p, { unit: 'W' }),
    cases: {
      'empty file': { content: '', code: 'EMPTY_INPUT', line: undefined },
      'header only': { content: 'timestamp,gpu_power\n', code: 'EMPTY_INPUT', line: 1 },
      'non-numeric cell': { content: 'timestamp,gpu_power\n.1,37.45\n.2,abc\n', code: 'PARSE', line: 3, field: 'gpu_power' },
      'NaN cell': { content: 'timestamp,gpu_power\n.1,NaN\n', code: 'PARSE', line: 2, field: 'gpu_power' },
      'negative power': { content: 'timestamp,total_power\n.1,-3\n', code: 'INVALID_VALUE', line: 2, field: 'total_power' },
      'non-increasing timestamps': { content: 'timestamp,gpu_power\n.2,1\n.2,1\n', code: 'NON_MONOTONIC', line: 3, field: 'timestamp' },
      'unknown unit': { skip: 'the study CSVs carry no unit: it comes from the device (W for GPUs, mW for Jetsons)' },
      'truncated last line': { content: 'timestamp,gpu_power\n.1,2\n.2,', code: 'TRUNCATED', line: 3, field: 'gpu_power' },
    },
  },
  {
    name: 'nvidia-smi csv',
    ext: 'csv',
    run: (p) => importNvidiaSmiCsv(p),
    cases: {
      'empty file': { content: '', code: 'EMPTY_INPUT', line: undefined },
      'header only': { content: `${SMI_HEADER}\n`, code: 'EMPTY_INPUT', line: 1 },
      'non-numeric cell': {
        content: [SMI_HEADER, smi('22.123', '55.00 W'), smi('22.223', 'abc W'), smi('22.323', '56.00 W')].join('\n'),
        code: 'PARSE',
        line: 3,
        field: 'power.draw',
      },
      'NaN cell': {
        content: [SMI_HEADER, smi('22.123', '55.00 W'), smi('22.223', 'NaN W'), smi('22.323', '56.00 W')].join('\n'),
        code: 'PARSE',
        line: 3,
        field: 'power.draw',
      },
      'negative power': {
        content: [SMI_HEADER, smi('22.123', '55.00 W'), smi('22.223', '-5.00 W'), smi('22.323', '56.00 W')].join('\n'),
        code: 'INVALID_VALUE',
        line: 3,
        field: 'power.draw',
      },
      'non-increasing timestamps': {
        content: [SMI_HEADER, smi('22.123', '55.00 W'), smi('22.223', '56.00 W'), smi('22.223', '57.00 W'), smi('22.423', '58.00 W')].join('\n'),
        code: 'NON_MONOTONIC',
        line: 4,
        field: 'timestamp',
      },
      'unknown unit': [
        {
          content: [SMI_HEADER, smi('22.123', '55.00 W'), smi('22.223', '56.00 V'), smi('22.323', '56.00 W')].join('\n'),
          code: 'UNKNOWN_UNIT',
          line: 3,
          field: 'power.draw',
        },
        { content: ['timestamp, power.draw [MHz]', '2024/05/14 10:31:22.123, 1980'].join('\n'), code: 'UNKNOWN_UNIT', line: 1, field: 'power.draw' },
      ],
      'truncated last line': [
        { content: [SMI_HEADER, smi('22.123', '55.00 W'), '2024/05/14 10:31:22.223, 0,'].join('\n'), code: 'TRUNCATED', line: 3, field: 'power.draw' },
        { content: [SMI_HEADER, smi('22.123', '55.00 W'), '2024/05/14 10:31:22.223, 0, 5'].join('\n'), code: 'TRUNCATED', line: 3, field: 'power.draw' },
        { content: [SMI_HEADER, smi('22.123', '55.00 W'), '2024/05/14 10:31:2'].join('\n') + '\n\n', code: 'TRUNCATED', line: 3 },
      ],
    },
  },
  {
    name: 'tegrastats log',
    ext: 'log',
    run: (p) => importTegrastatsLog(p, { intervalS: 0.05 }),
    cases: {
      'empty file': { content: '\n\n', code: 'EMPTY_INPUT', line: undefined },
      'header only': { skip: 'tegrastats logs have no header line' },
      'non-numeric cell': {
        content: [ORIN(ORIN_OK), ORIN(ORIN_OK.replace('988mW/988mW', 'abcmW/988mW')), ORIN(ORIN_OK)].join('\n'),
        code: 'PARSE',
        line: 2,
        field: 'VDD_CPU_CV',
      },
      'NaN cell': {
        content: [ORIN(ORIN_OK), ORIN(ORIN_OK.replace('988mW/988mW', 'NaN/988')), ORIN(ORIN_OK)].join('\n'),
        code: 'PARSE',
        line: 2,
        field: 'VDD_CPU_CV',
      },
      'negative power': {
        content: [ORIN(ORIN_OK), ORIN(ORIN_OK.replace('988mW/988mW', '-988mW/988mW')), ORIN(ORIN_OK)].join('\n'),
        code: 'INVALID_VALUE',
        line: 2,
        field: 'VDD_CPU_CV',
      },
      'non-increasing timestamps': {
        content: [ORIN(ORIN_OK, '07-25-2026 09:08:28 '), ORIN(ORIN_OK, '07-25-2026 09:08:29 '), ORIN(ORIN_OK, '07-25-2026 09:08:27 ')].join('\n'),
        code: 'NON_MONOTONIC',
        line: 3,
        field: 'timestamp',
      },
      'unknown unit': {
        content: [ORIN(ORIN_OK), ORIN(ORIN_OK.replace('988mW/988mW', '988mA/988mA')), ORIN(ORIN_OK)].join('\n'),
        code: 'UNKNOWN_UNIT',
        line: 2,
        field: 'VDD_CPU_CV',
      },
      'truncated last line': [
        { content: [ORIN(ORIN_OK), ORIN('VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/988mW VIN_SYS_5V0 4442mW/44')].join('\n'), code: 'TRUNCATED', line: 2, field: 'VIN_SYS_5V0' },
        { content: [ORIN(ORIN_OK), ORIN('VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 98')].join('\n') + '\n', code: 'TRUNCATED', line: 2 },
        { content: ORIN('VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/'), code: 'TRUNCATED', line: 1, field: 'VDD_CPU_CV' },
        { content: [ORIN(ORIN_OK), 'RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31'].join('\n'), code: 'TRUNCATED', line: 2 },
        { content: [ORIN(ORIN_OK, '07-25-2026 09:08:28 '), '07-25-2026 09:0'].join('\n'), code: 'TRUNCATED', line: 2 },
      ],
    },
  },
  {
    name: 'generic csv',
    ext: 'csv',
    run: (p) => importGenericCsv(p, GENERIC),
    cases: {
      'empty file': { content: '', code: 'EMPTY_INPUT', line: undefined },
      'header only': { content: 't,gpu_power\n', code: 'EMPTY_INPUT', line: 1 },
      'non-numeric cell': { content: 't,gpu_power\n0,2532\n0.05,2.5k\n0.1,2600\n', code: 'PARSE', line: 3, field: 'gpu_power' },
      'NaN cell': { content: 't,gpu_power\n0,2532\n0.05,NaN\n0.1,2600\n', code: 'PARSE', line: 3, field: 'gpu_power' },
      'negative power': { content: 't,gpu_power\n0,2532\n0.05,-1\n0.1,2600\n', code: 'INVALID_VALUE', line: 3, field: 'gpu_power' },
      'non-increasing timestamps': { content: 't,gpu_power\n0,2532\n0.05,2540\n0.04,2600\n', code: 'NON_MONOTONIC', line: 4, field: 'timestamp' },
      'unknown unit': {
        content: 't,gpu_power\n0,2532\n',
        code: 'UNKNOWN_UNIT',
        line: 1,
        field: 'gpu_power',
        run: (p) => importGenericCsv(p, { ...GENERIC, unit: 'mA' as never }),
      },
      'truncated last line': [
        { content: 't,gpu_power\n0,2532\n12.3,', code: 'TRUNCATED', line: 3, field: 'gpu_power' },
        { content: 't,gpu_power\n0,2532\n12.3\n', code: 'TRUNCATED', line: 3 },
      ],
    },
  },
  {
    name: 'codecarbon csv',
    ext: 'csv',
    run: (p) => importCodeCarbonCsv(p),
    cases: {
      'empty file': { content: '', code: 'EMPTY_INPUT', line: undefined },
      'header only': { content: `${CC_HEADER}\n`, code: 'EMPTY_INPUT', line: 1 },
      'non-numeric cell': { content: [CC_HEADER, cc('a', '10', '250', 'abc'), cc('b', '10', '250', '0.001')].join('\n'), code: 'PARSE', line: 2, field: 'energy_consumed' },
      'NaN cell': { content: [CC_HEADER, cc('a', 'NaN', '250', '0.001'), cc('b', '10', '250', '0.001')].join('\n'), code: 'PARSE', line: 2, field: 'duration' },
      'negative power': { content: [CC_HEADER, cc('a', '10', '-250', '0.001'), cc('b', '10', '250', '0.001')].join('\n'), code: 'INVALID_VALUE', line: 2, field: 'gpu_power' },
      // Rows of one run are cumulative snapshots: a later row with a shorter duration is out of order.
      'non-increasing timestamps': {
        content: [CC_HEADER, cc('a', '10', '250', '0.001'), cc('a', '8', '250', '0.002'), cc('b', '10', '250', '0.001')].join('\n'),
        code: 'NON_MONOTONIC',
        line: 3,
        field: 'duration',
      },
      'unknown unit': { skip: 'CodeCarbon fixes its units (kWh, W, kg, s); no unit is written in the file' },
      'truncated last line': { content: [CC_HEADER, cc('a', '10', '250', '0.001'), '2025-10-09T11:25:18,p,b,10,0.0001,42.5'].join('\n'), code: 'TRUNCATED', line: 3 },
    },
  },
];

const dir = mkdtempSync(join(tmpdir(), 'inferprint-bad-'));
after(() => { rmSync(dir, { recursive: true, force: true }); });

let fileNo = 0;
function check(importer: ImporterCases, c: BadCase): void {
  const path = join(dir, `bad-${++fileNo}.${importer.ext}`);
  writeFileSync(path, c.content);
  let error: unknown;
  try {
    (c.run ?? importer.run)(path);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InferprintError, `expected an InferprintError, got ${String(error)}`);
  assert.equal(error.code, c.code, error.message);
  if (c.line === undefined) assert.ok(error.message.startsWith(`${path}:`) || error.message.startsWith(`${path} `), error.message);
  else assert.ok(error.message.startsWith(`${path}:${c.line}`), `message should name ${path}:${c.line}: ${error.message}`);
  if (c.field !== undefined) assert.ok(error.message.includes(`field '${c.field}'`), `message should name field ${c.field}: ${error.message}`);
  assert.ok(!error.message.includes('\n'), 'one-line message');
}

for (const importer of IMPORTERS) {
  describe(`bad inputs: ${importer.name}`, () => {
    for (const [defect, spec] of Object.entries(importer.cases) as [Defect, ImporterCases['cases'][Defect]][]) {
      if ('skip' in spec) {
        test(defect, { skip: spec.skip }, () => undefined);
        continue;
      }
      const cases: readonly BadCase[] = Array.isArray(spec) ? spec : [spec as BadCase];
      test(defect, () => {
        for (const c of cases) check(importer, c);
      });
    }
  });
}
