/**
 * `node --import tsx data/generate-cpu-tdp.ts [--check]`: turn data/sources/cpu-tdp.csv and
 * data/sources/memory-power.csv into src/sensors/data/cpu-tdp.generated.ts, the tables of
 * the `estimate` sensor (see data/sources/cpu-tdp.md). The same cpu-tdp.csv rows, with their
 * `class` and `die_config`, make the CPU entries of the hardware database (data/generate.ts):
 * one table, so a CPU's TDP and its hardware entry never disagree. Deterministic (row order from the
 * CSV, no timestamps); every cell is validated and a bad one stops the run with the file,
 * line and column at fault. `--check` writes nothing and exits 1 when the module is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors, isInferprintError } from '../src/errors.js';
import { CPU_CLASSES } from '../src/impact/cpu-names.js';
import { matchCpuTdp, normaliseCpuModel, type CpuTdpDefault, type CpuTdpRow, type MemoryPowerFactor } from '../src/sensors/cpu-power-model.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = join(ROOT, 'data', 'sources');
const OUT = join(ROOT, 'src', 'sensors', 'data', 'cpu-tdp.generated.ts');
/** The `model` cell of the declared default row. */
const DEFAULT_MODEL = '*';

interface Row {
  readonly file: string;
  readonly line: number;
  readonly cells: ReadonlyMap<string, string>;
}

/** One CSV line, RFC 4180 quoting (doubled quotes inside quoted cells; no multi-line cells). */
function splitCsvLine(text: string, file: string, line: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw errors.parse({ file, line }, 'unterminated quoted cell');
        const c = text.charAt(i);
        if (c === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          cell += c;
          i++;
        }
      }
      if (i < text.length && text[i] !== ',') throw errors.parse({ file, line }, 'text after a closing quote');
    } else {
      const end = text.indexOf(',', i);
      cell = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    cells.push(cell.trim());
    if (i >= text.length) return cells;
    i++; // the comma
  }
}

function readCsv(name: string, columns: readonly string[]): Row[] {
  const path = join(SOURCES, name);
  const file = relative(ROOT, path);
  if (!existsSync(path)) throw errors.notFound(file, 'source table');
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', file, 1);
  if (header.join(',') !== columns.join(',')) throw errors.parse({ file, line: 1 }, `header must be ${columns.join(',')}`);
  const rows: Row[] = [];
  lines.forEach((text, idx) => {
    if (idx === 0 || text.trim() === '') return;
    const cells = splitCsvLine(text, file, idx + 1);
    if (cells.length !== header.length) throw errors.parse({ file, line: idx + 1 }, `expected ${header.length} cells, found ${cells.length}`);
    rows.push({ file, line: idx + 1, cells: new Map(header.map((h, k) => [h, cells[k]!])) });
  });
  if (rows.length === 0) throw errors.headerOnly(file);
  return rows;
}

function text(row: Row, col: string): string {
  const v = row.cells.get(col) ?? '';
  if (v === '') throw errors.invalidValue({ file: row.file, line: row.line, field: col }, 'empty cell');
  return v;
}

function optText(row: Row, col: string): string | undefined {
  const v = row.cells.get(col) ?? '';
  return v === '' ? undefined : v;
}

function positive(row: Row, col: string, integer = false): number {
  const raw = text(row, col);
  const where = { file: row.file, line: row.line, field: col };
  if (!/^(?:\d+\.?\d*|\.\d+)$/.test(raw)) throw errors.notANumber(where, raw);
  const v = Number(raw);
  if (!(v > 0)) throw errors.invalidValue(where, `${raw} must be > 0`);
  if (integer && !Number.isInteger(v)) throw errors.invalidValue(where, `expected an integer, got ${raw}`);
  return v;
}

function year(row: Row): number {
  const v = positive(row, 'year', true);
  if (v < 1970 || v > 2100) throw errors.invalidValue({ file: row.file, line: row.line, field: 'year' }, `${v} is not a plausible year`);
  return v;
}

function withNote<T extends object>(o: T, note: string | undefined): T & { note?: string } {
  return note === undefined ? o : { ...o, note };
}

/** Classes of cpu-tdp.csv's `class` column (src/impact/cpu-names.ts); the hardware generator (data/generate.ts) reads it and `die_config`. */
const CLASSES: readonly string[] = CPU_CLASSES;

function cpuTables(): { rows: CpuTdpRow[]; fallback: CpuTdpDefault } {
  const csv = readCsv('cpu-tdp.csv', ['model', 'class', 'tdp_w', 'cores', 'source', 'year', 'die_config', 'note']);
  const rows: CpuTdpRow[] = [];
  let fallback: CpuTdpDefault | undefined;
  const seen = new Map<string, number>();
  for (const r of csv) {
    const model = text(r, 'model');
    const where = { file: r.file, line: r.line, field: 'model' };
    const tdpW = positive(r, 'tdp_w');
    const cores = positive(r, 'cores', true);
    const base = { source: text(r, 'source'), year: year(r) };
    const cls = optText(r, 'class');
    if (model === DEFAULT_MODEL) {
      if (cls !== undefined || optText(r, 'die_config') !== undefined) throw errors.invalidValue({ ...where, field: 'class' }, 'the default row has no class and no die configuration');
      if (fallback !== undefined) throw errors.invalidValue(where, 'a second default row (model *)');
      if (cores !== 1) throw errors.invalidValue({ ...where, field: 'cores' }, 'the default row gives W per core: cores must be 1');
      fallback = withNote({ wPerCore: tdpW, ...base }, optText(r, 'note'));
      continue;
    }
    if (cls === undefined || !CLASSES.includes(cls)) throw errors.invalidValue({ ...where, field: 'class' }, `'${cls ?? ''}' is not one of ${CLASSES.join(', ')}`);
    const pattern = normaliseCpuModel(model);
    if (pattern === '') throw errors.invalidValue(where, `'${model}' is empty once normalised`);
    const dup = seen.get(pattern);
    if (dup !== undefined) throw errors.invalidValue(where, `'${model}' repeats the model of line ${dup}`);
    seen.set(pattern, r.line);
    rows.push(withNote({ model, pattern, tdpW, cores, ...base }, optText(r, 'note')));
  }
  if (fallback === undefined) throw errors.invalidValue({ file: csv[0]!.file }, 'no default row (model *)');
  // Every row must be found by its own name, as /proc/cpuinfo would write it.
  csv.forEach((r) => {
    const model = r.cells.get('model')!;
    if (model === DEFAULT_MODEL) return;
    const found = matchCpuTdp(model, rows);
    if (found?.model !== model) {
      throw errors.invalidValue({ file: r.file, line: r.line, field: 'model' }, `'${model}' resolves to ${found ? `'${found.model}'` : 'nothing'}, not to itself`);
    }
  });
  return { rows, fallback };
}

function memoryFactor(): MemoryPowerFactor {
  const csv = readCsv('memory-power.csv', ['id', 'w_per_gib', 'source', 'year', 'note']);
  if (csv.length !== 1) throw errors.invalidValue({ file: csv[1]!.file, line: csv[1]!.line }, 'exactly one memory power factor is used; keep alternatives in the note');
  const r = csv[0]!;
  text(r, 'id');
  return withNote({ wPerGiB: positive(r, 'w_per_gib'), source: text(r, 'source'), year: year(r) }, optText(r, 'note'));
}

function moduleText(rows: readonly CpuTdpRow[], fallback: CpuTdpDefault, memory: MemoryPowerFactor): string {
  const lines = [
    '// generated by data/generate-cpu-tdp.ts — do not edit. Run `node --import tsx data/generate-cpu-tdp.ts` after changing data/sources/.',
    '// Sources: data/sources/cpu-tdp.csv, data/sources/memory-power.csv',
    "import type { CpuTdpDefault, CpuTdpRow, MemoryPowerFactor } from '../cpu-power-model.js';",
    '',
    '/** CPU TDP by model; `pattern` is matched as whole words in the normalised /proc/cpuinfo model name. */',
    'export const CPU_TDP = [',
    ...rows.map((r) => `  ${JSON.stringify(r)},`),
    '] as const satisfies readonly CpuTdpRow[];',
    '',
    '/** The declared default for CPUs the table does not name. */',
    `export const CPU_TDP_DEFAULT = ${JSON.stringify(fallback)} as const satisfies CpuTdpDefault;`,
    '',
    '/** Memory power per GiB of installed memory. */',
    `export const MEMORY_POWER = ${JSON.stringify(memory)} as const satisfies MemoryPowerFactor;`,
    '',
  ];
  return lines.join('\n');
}

function main(): void {
  const { rows, fallback } = cpuTables();
  const content = moduleText(rows, fallback, memoryFactor());
  const old = existsSync(OUT) ? readFileSync(OUT, 'utf8') : undefined;
  const name = relative(ROOT, OUT);
  if (old === content) {
    console.log(`unchanged ${name}`);
  } else if (process.argv.includes('--check')) {
    console.log(`stale     ${name}`);
    process.exitCode = 1;
  } else {
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, content);
    console.log(`wrote     ${name} (${rows.length} CPUs + default)`);
  }
}

try {
  main();
} catch (e) {
  console.error(isInferprintError(e) ? e.message : e);
  process.exitCode = 1;
}
