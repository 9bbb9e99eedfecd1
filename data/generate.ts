/**
 * `npm run data`: turn the hand-curated tables in data/sources/ (and Ember's yearly grid
 * averages, taken from the @tgwf/co2 devDependency) into typed modules under
 * src/impact/data/. Output is deterministic: same inputs, same bytes. The generated files
 * are committed, so the runtime never depends on @tgwf/co2 or on these CSVs.
 *
 * Every cell is validated here (type, unit, allowed values) and a bad cell stops the run
 * with the file, line and column at fault. `--check` writes nothing and exits 1 when a
 * generated file is out of date (for tests and CI).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { group } from '../src/defined.js';
import { errors, isInferprintError } from '../src/errors.js';
import { CPU_CLASSES, matchCpuPattern, normaliseCpuModel, type CpuClass } from '../src/impact/cpu-names.js';
import { hardwareKey, zoneKey } from '../src/impact/names.js';
import {
  HARDWARE_CATEGORIES,
  HARDWARE_FACTS,
  IDLE_STATUSES,
  NO_MEMORY,
  PRESET_IDS,
  REFERENCE_STATUSES,
  type ActMemoryFactor,
  type HardwareFact,
  type HostProfile,
  type IdlePowerRow,
  type IdleStatus,
  type Reference,
  type ReferenceStatus,
  type SourcedPower,
  type StudyHardwareValues,
  type GridDataset,
  type GridZoneRow,
  type CpuModelRow,
  type DieSpec,
  type HardwareCategory,
  type HardwareKind,
  type HardwareSpec,
  type IcFactor,
  type IcFactorCategory,
  type LifetimeRow,
  type MemoryFactor,
  type PresetId,
  type PueRow,
  type ServerSpec,
  type ThesisFgpuRow,
} from '../src/impact/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * `--sources DIR` reads the tables from another folder (a test's edited copy) while still
 * comparing against, or writing, src/impact/data.
 */
const sourcesFlag = process.argv.indexOf('--sources');
const SOURCES = sourcesFlag > 0 && process.argv[sourcesFlag + 1] ? resolve(process.argv[sourcesFlag + 1]!) : join(ROOT, 'data', 'sources');
const OUT = join(ROOT, 'src', 'impact', 'data');

// ---------------------------------------------------------------------------------------
// CSV reading: RFC 4180 (quoted cells may hold commas and doubled quotes; no multi-line cells)

interface CsvRow {
  readonly line: number;
  readonly file: string;
  readonly cells: ReadonlyMap<string, string>;
}

function splitCsvLine(text: string, file: string, line: number): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        if (i >= text.length) throw errors.parse({ file, line }, 'unterminated quoted cell');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += text.charAt(i);
        i++;
      }
      if (i < text.length && text[i] !== ',') throw errors.parse({ file, line }, 'text after a closing quote');
      cells.push(cell);
      i++;
    } else {
      const end = text.indexOf(',', i);
      const stop = end === -1 ? text.length : end;
      cells.push(text.slice(i, stop));
      i = stop + 1;
    }
  }
  return cells;
}

function readCsv(name: string, required: readonly string[]): CsvRow[] {
  const path = join(SOURCES, name);
  const file = join('data', 'sources', name);
  if (!existsSync(path)) throw errors.notFound(file, 'source table');
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', file, 1);
  for (const col of required) if (!header.includes(col)) throw errors.parse({ file, line: 1, field: col }, 'missing column');
  const rows: CsvRow[] = [];
  lines.forEach((text, idx) => {
    if (idx === 0 || text.trim() === '') return;
    const line = idx + 1;
    const cells = splitCsvLine(text, file, line);
    if (cells.length !== header.length) throw errors.parse({ file, line }, `expected ${header.length} cells, found ${cells.length}`);
    rows.push({ line, file, cells: new Map(header.map((h, i) => [h, cells[i]!.trim()])) });
  });
  if (rows.length === 0) throw errors.headerOnly(file);
  return rows;
}

function text(row: CsvRow, col: string): string {
  const v = row.cells.get(col) ?? '';
  if (v === '') throw errors.invalidValue({ file: row.file, line: row.line, field: col }, 'empty cell');
  return v;
}
function optText(row: CsvRow, col: string): string | undefined {
  const v = row.cells.get(col) ?? '';
  return v === '' ? undefined : v;
}
function num(row: CsvRow, col: string, opts: { min?: number; integer?: boolean } = {}): number {
  const raw = text(row, col);
  const where = { file: row.file, line: row.line, field: col };
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw)) throw errors.notANumber(where, raw);
  const v = Number(raw);
  if (opts.integer && !Number.isInteger(v)) throw errors.invalidValue(where, `expected an integer, got ${raw}`);
  if (opts.min !== undefined && v < opts.min) throw errors.invalidValue(where, `${raw} is below ${opts.min}`);
  return v;
}
function optNum(row: CsvRow, col: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  return (row.cells.get(col) ?? '') === '' ? undefined : num(row, col, opts);
}
function oneOf<T extends string>(row: CsvRow, col: string, allowed: readonly T[]): T {
  const v = text(row, col);
  if (!(allowed as readonly string[]).includes(v)) {
    throw errors.invalidValue({ file: row.file, line: row.line, field: col }, `'${v}' is not one of ${allowed.join(', ')}`);
  }
  return v as T;
}
function list(row: CsvRow, col: string): string[] {
  const v = optText(row, col);
  return v === undefined ? [] : v.split('|').map((s) => s.trim()).filter((s) => s !== '');
}
/** A `T` whose optional fields may also be given as undefined (an empty cell). */
type Loose<T> = { [K in keyof T]: object extends Pick<T, K> ? T[K] | undefined : T[K] };
/** Drop undefined fields so the emitted literals hold only what the source says. */
function compact<T extends object>(o: Loose<T>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Every numeric fact needs a source: when any of `facts` holds a value, `sourceCol` must not
 * be empty. Checked before anything else reads the row, so a missing source is reported as
 * that (and `npm run data -- --check` fails on it), not as a generic empty cell.
 */
function requireSource(row: CsvRow, facts: readonly string[], sourceCol: string): void {
  const given = facts.filter((c) => (row.cells.get(c) ?? '') !== '');
  if (given.length > 0 && (row.cells.get(sourceCol) ?? '') === '') {
    throw errors.invalidValue({ file: row.file, line: row.line, field: sourceCol }, `no source for the numeric fact(s) ${given.map((c) => `${c}=${row.cells.get(c)}`).join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------
// References: the documents the hardware table cites, one key each

function referenceTable(): Reference[] {
  const rows = readCsv('references.csv', ['key', 'citation', 'year', 'status', 'checked', 'note']);
  const seen = new Set<string>();
  return rows.map((r) => {
    requireSource(r, ['year'], 'citation');
    const ref = compact<Reference>({
      key: text(r, 'key'),
      citation: text(r, 'citation'),
      year: num(r, 'year', { min: 1990, integer: true }),
      status: oneOf<ReferenceStatus>(r, 'status', REFERENCE_STATUSES),
      checked: text(r, 'checked'),
      note: optText(r, 'note'),
    });
    if (seen.has(ref.key)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'key' }, `'${ref.key}' appears twice`);
    seen.add(ref.key);
    if (ref.status === 'untraced' && ref.note === undefined) throw errors.invalidValue({ file: r.file, line: r.line, field: 'note' }, 'an untraced reference must say what is known');
    return ref;
  });
}

/** A citation's title: the text before its first ': ' that is not inside double quotes. */
function citationTitle(citation: string): string {
  let quoted = false;
  for (let i = 0; i < citation.length - 1; i++) {
    if (citation[i] === '"') quoted = !quoted;
    else if (!quoted && citation[i] === ':' && citation[i + 1] === ' ') return citation.slice(0, i);
  }
  return citation;
}

/**
 * `sources` of a hardware row: `field=key` pairs separated by `;`, with `*=key` as the
 * default for every fact not named. Each fact the row states must end up with a key that
 * exists in references.csv.
 */
function factSources(r: CsvRow, refs: ReadonlyMap<string, Reference>): Partial<Record<HardwareFact, string>> {
  const where = { file: r.file, line: r.line, field: 'sources' };
  const map = new Map<string, string>();
  for (const part of (r.cells.get('sources') ?? '').split(';').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^([*a-z_0-9]+)=([A-Za-z0-9-]+)$/.exec(part);
    if (!m) throw errors.invalidValue(where, `'${part}' is not field=reference`);
    const field = group(m, 1);
    const key = group(m, 2);
    if (field !== '*' && !(HARDWARE_FACTS as readonly string[]).includes(field)) throw errors.invalidValue(where, `'${field}' is not one of *, ${HARDWARE_FACTS.join(', ')}`);
    if (!refs.has(key)) throw errors.invalidValue(where, `reference '${key}' is not in references.csv`);
    if (map.has(field)) throw errors.invalidValue(where, `'${field}' is given twice`);
    map.set(field, key);
  }
  const out: Partial<Record<HardwareFact, string>> = {};
  const missing: string[] = [];
  for (const fact of HARDWARE_FACTS) {
    if ((r.cells.get(fact) ?? '') === '') continue;
    const key = map.get(fact) ?? map.get('*');
    if (key === undefined) missing.push(`${fact}=${r.cells.get(fact)}`);
    else out[fact] = key;
  }
  if (missing.length > 0) throw errors.invalidValue(where, `no source for the numeric fact(s) ${missing.join(', ')}`);
  return out;
}

// ---------------------------------------------------------------------------------------
// Tables

/** Accelerators (GPUs, Jetsons): one row each in hardware.csv. CPUs come from the CPU tables below. */
function hardwareTable(memoryTypes: ReadonlySet<string>, refs: ReadonlyMap<string, Reference>): HardwareSpec[] {
  const rows = readCsv('hardware.csv', [
    'id', 'name', 'kind', 'category', 'die_area_mm2', 'die_area_min_mm2', 'die_area_max_mm2', 'tech_node_nm', 'year', 'foundry', 'memory_gb', 'memory_type', 'tdp_w',
    'aliases', 'sources', 'thesis_die_area_mm2', 'thesis_year', 'thesis_memory_type', 'thesis_tdp_w', 'thesis_compute_capability',
  ]);
  const specs = rows.map((r): HardwareSpec => {
    const sources = factSources(r, refs);
    const keys = [...new Set(Object.values(sources))];
    const cited = keys.map((k) => refs.get(k)!);
    const dieMin = optNum(r, 'die_area_min_mm2', { min: 1 });
    const dieMax = optNum(r, 'die_area_max_mm2', { min: 1 });
    const die = num(r, 'die_area_mm2', { min: 1 });
    if ((dieMin === undefined) !== (dieMax === undefined)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'die_area_min_mm2' }, 'give both ends of the die-area range or neither');
    if (dieMin !== undefined && !(dieMin <= die && die <= dieMax!)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'die_area_mm2' }, 'must lie in [die_area_min_mm2, die_area_max_mm2]');
    if (dieMin !== undefined && refs.get(sources.die_area_mm2!)?.status !== 'untraced') {
      throw errors.invalidValue({ file: r.file, line: r.line, field: 'die_area_min_mm2' }, 'a die-area range is for an untraced die area: cite an untraced reference, or give the published value alone');
    }
    // The study's own values (thesis_*): their source is the study's table by definition.
    const study = compact<StudyHardwareValues>({
      dieAreaMm2: optNum(r, 'thesis_die_area_mm2', { min: 1 }),
      year: optNum(r, 'thesis_year', { min: 1990, integer: true }),
      memoryType: optText(r, 'thesis_memory_type'),
      tdpW: optNum(r, 'thesis_tdp_w', { min: 0 }),
      computeCapability: optText(r, 'thesis_compute_capability'),
    });
    const spec = compact<HardwareSpec>({
      id: text(r, 'id'),
      name: text(r, 'name'),
      kind: oneOf<HardwareKind>(r, 'kind', ['gpu', 'jetson']),
      category: oneOf<HardwareCategory>(r, 'category', HARDWARE_CATEGORIES),
      dieAreaMm2: die,
      dieAreaRangeMm2: dieMin !== undefined ? { min: dieMin, max: dieMax! } : undefined,
      techNodeNm: num(r, 'tech_node_nm', { min: 1 }),
      process: optText(r, 'process'),
      year: num(r, 'year', { min: 1990, integer: true }),
      foundry: text(r, 'foundry'),
      memoryGb: num(r, 'memory_gb', { min: 0 }),
      memoryType: text(r, 'memory_type'),
      tdpW: num(r, 'tdp_w', { min: 0 }),
      gflopsFp32: optNum(r, 'gflops_fp32', { min: 0 }),
      computeCapability: optText(r, 'compute_capability'),
      aliases: list(r, 'aliases'),
      // The documents' titles (a citation up to its first ': ' outside quotes); the full citations are in REFERENCES.
      source: cited.map((c) => `${citationTitle(c.citation)}${c.status === 'untraced' ? ' (untraced)' : ''}`).join('; '),
      sourceYear: Math.max(...cited.map((c) => c.year)),
      factSources: sources,
      study: Object.keys(study).length > 0 ? study : undefined,
      note: optText(r, 'note'),
    });
    for (const t of [spec.memoryType, study.memoryType]) {
      if (t !== undefined && !memoryTypes.has(t)) {
        throw errors.invalidValue({ file: r.file, line: r.line, field: 'memory_type' }, `no memory factor for '${t}' in memory-factors.csv`);
      }
    }
    // A thesis_* value equal to the corrected one is noise: the column is for differences.
    const same: [keyof StudyHardwareValues, string, unknown][] = [
      ['dieAreaMm2', 'thesis_die_area_mm2', spec.dieAreaMm2],
      ['year', 'thesis_year', spec.year],
      ['memoryType', 'thesis_memory_type', spec.memoryType],
      ['tdpW', 'thesis_tdp_w', spec.tdpW],
      ['computeCapability', 'thesis_compute_capability', spec.computeCapability],
    ];
    for (const [k, col, v] of same) if (study[k] !== undefined && study[k] === v) throw errors.invalidValue({ file: r.file, line: r.line, field: col }, 'equals the corrected value: leave it empty');
    return spec;
  });
  return specs;
}

/**
 * Every name must lead to one device (accelerator, CPU or server): a collision would make
 * resolution depend on row order.
 */
function checkNames(entries: readonly { id: string; name: string; aliases: readonly string[]; where: string }[]): void {
  const owner = new Map<string, string>();
  for (const e of entries) {
    for (const name of [e.id, e.name, ...e.aliases]) {
      const key = hardwareKey(name);
      const prev = owner.get(key);
      if (prev !== undefined && prev !== e.id) throw errors.invalidValue({ file: e.where, field: 'aliases' }, `'${name}' (${e.id}) also names ${prev}`);
      owner.set(key, e.id);
    }
  }
}

// ---------------------------------------------------------------------------------------
// CPUs: models (cpu-tdp.csv, shared with the estimate sensor), die configurations
// (cpu-dies.csv) and class entries (cpu-classes.csv)

/** The vendor a model name's family belongs to, for the display name (`EPYC 7763` → `AMD EPYC 7763`). */
const CPU_VENDORS: readonly (readonly [RegExp, string])[] = [
  [/^(Xeon|Core)\b/, 'Intel'],
  [/^(EPYC|Ryzen)\b/, 'AMD'],
];

/** `CCD;8;74;7;TSMC;N7|IOD;1;416;16;GlobalFoundries;14 nm`: role; count; mm² each; node key; foundry; process. */
function parseDies(r: CsvRow): DieSpec[] {
  const where = { file: r.file, line: r.line, field: 'dies' };
  return text(r, 'dies')
    .split('|')
    .map((part) => {
      const f = part.split(';').map((x) => x.trim());
      if (f.length !== 6 || f.some((x) => x === '')) throw errors.invalidValue(where, `'${part}' is not role;count;area_mm2;node_nm;foundry;process`);
      const [role, count, area, node, foundry, process] = f as [string, string, string, string, string, string];
      const n = (raw: string, what: string, integer: boolean): number => {
        if (!/^\d+(?:\.\d+)?$/.test(raw)) throw errors.notANumber({ ...where, field: `dies ${what}` }, raw);
        const v = Number(raw);
        if (!(v > 0) || (integer && !Number.isInteger(v))) throw errors.invalidValue({ ...where, field: `dies ${what}` }, `${raw} must be a positive ${integer ? 'integer' : 'number'}`);
        return v;
      };
      return { role, count: n(count, 'count', true), areaMm2: n(area, 'area', false), techNodeNm: n(node, 'node', false), foundry, process };
    });
}

interface CpuTables {
  readonly specs: HardwareSpec[];
  readonly models: CpuModelRow[];
}

function cpuTables(): CpuTables {
  const classRows = readCsv('cpu-classes.csv', ['class', 'id', 'name', 'category', 'note']);
  type ClassRow = { id: string; name: string; category: HardwareCategory; note?: string; line: CsvRow };
  const classes = new Map<CpuClass, ClassRow>();
  for (const r of classRows) {
    const c = oneOf<CpuClass>(r, 'class', CPU_CLASSES);
    if (classes.has(c)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'class' }, `a second row for class ${c}`);
    classes.set(c, compact<ClassRow>({ id: text(r, 'id'), name: text(r, 'name'), category: oneOf<HardwareCategory>(r, 'category', HARDWARE_CATEGORIES), note: optText(r, 'note'), line: r }));
  }
  for (const c of CPU_CLASSES) if (!classes.has(c)) throw errors.invalidValue({ file: 'data/sources/cpu-classes.csv', field: 'class' }, `no row for class ${c}`);

  const dieRows = new Map(readCsv('cpu-dies.csv', ['id', 'name', 'dies', 'source', 'source_year', 'note']).map((r) => [text(r, 'id'), r]));
  const used = new Set<string>();
  const specs: HardwareSpec[] = [];
  const models: CpuModelRow[] = [];
  const modelRows = readCsv('cpu-tdp.csv', ['model', 'class', 'tdp_w', 'cores', 'source', 'year', 'die_config', 'note']).filter((r) => text(r, 'model') !== '*');
  for (const r of modelRows) {
    requireSource(r, ['tdp_w', 'cores', 'year'], 'source');
    const model = text(r, 'model');
    const cpuClass = oneOf<CpuClass>(r, 'class', CPU_CLASSES);
    const cls = classes.get(cpuClass)!;
    const dieId = optText(r, 'die_config');
    if (dieId === undefined) {
      models.push({ model, pattern: normaliseCpuModel(model), cpuClass, hardwareId: cls.id });
      continue;
    }
    const d = dieRows.get(dieId);
    if (!d) throw errors.invalidValue({ file: r.file, line: r.line, field: 'die_config' }, `'${dieId}' is not in cpu-dies.csv`);
    requireSource(d, ['dies', 'source_year'], 'source');
    used.add(dieId);
    const vendor = CPU_VENDORS.find(([re]) => re.test(model))?.[1];
    if (vendor === undefined) throw errors.invalidValue({ file: r.file, line: r.line, field: 'model' }, `no vendor known for '${model}': extend CPU_VENDORS in data/generate.ts`);
    const dies = parseDies(d);
    const first = dies[0]!;
    const totalMm2 = Math.round(dies.reduce((a, x) => a + x.count * x.areaMm2, 0) * 1000) / 1000;
    const multi = dies.length > 1 || first.count > 1;
    const notes = [optText(r, 'note'), optText(d, 'note')].filter((x) => x !== undefined);
    const id = model.replace(/\s+/g, '-');
    specs.push(
      compact<HardwareSpec>({
        id,
        name: `${vendor} ${model}`,
        kind: 'cpu',
        category: cls.category,
        dieAreaMm2: totalMm2,
        techNodeNm: first.techNodeNm,
        process: first.process.startsWith(first.foundry) ? first.process : `${first.foundry} ${first.process}`,
        year: num(r, 'year', { min: 1990, integer: true }),
        foundry: first.foundry,
        memoryGb: 0,
        memoryType: NO_MEMORY,
        tdpW: num(r, 'tdp_w', { min: 0 }),
        aliases: [],
        source: `TDP: ${text(r, 'source')}; dies (${text(d, 'name')}): ${text(d, 'source')}`,
        sourceYear: num(d, 'source_year', { integer: true }),
        note: notes.length > 0 ? notes.join(' ') : undefined,
        cores: num(r, 'cores', { min: 1, integer: true }),
        cpuClass,
        dies: multi ? dies : undefined,
      }),
    );
    models.push({ model, pattern: normaliseCpuModel(model), cpuClass, hardwareId: id });
  }
  for (const [id, d] of dieRows) if (!used.has(id)) throw errors.invalidValue({ file: d.file, line: d.line, field: 'id' }, `die configuration '${id}' is used by no CPU in cpu-tdp.csv`);
  // Every model must be found by its own name, as /proc/cpuinfo would write it.
  for (const m of models) {
    const found = matchCpuPattern(m.model, models);
    if (found?.model !== m.model) throw errors.invalidValue({ file: 'data/sources/cpu-tdp.csv', field: 'model' }, `'${m.model}' resolves to ${found ? `'${found.model}'` : 'nothing'}, not to itself`);
  }

  // Class entries: the median part of the class by total die area stands for the class.
  const generic = CPU_CLASSES.map((c): HardwareSpec => {
    const cls = classes.get(c)!;
    const members = specs.filter((s) => s.cpuClass === c);
    if (members.length === 0) throw errors.invalidValue({ file: cls.line.file, line: cls.line.line, field: 'class' }, `no ${c} CPU in cpu-tdp.csv has a die configuration: the class entry needs one`);
    // Stable sort keeps table order among equal areas; the lower middle of an even count.
    const sorted = [...members].sort((a, b) => a.dieAreaMm2 - b.dieAreaMm2);
    const rep = sorted[(sorted.length - 1) >> 1]!;
    const lo = sorted[0]!.dieAreaMm2;
    const hi = sorted[sorted.length - 1]!.dieAreaMm2;
    return compact<HardwareSpec>({
      ...rep,
      id: cls.id,
      name: cls.name,
      category: cls.category,
      aliases: [],
      source: `class entry (data/sources/cpu-classes.csv); silicon, TDP and cores of ${rep.name}: ${rep.source}`,
      note: `${cls.note ?? ''} Modelled on ${rep.id}, the median by total die area of the ${members.length} ${c} CPUs with known dies (${lo}-${hi} mm²): its embodied range covers the IC factors, not the spread across parts.`.trim(),
      generic: { modelledOn: rep.id, members: members.length },
    });
  });
  return { specs: [...specs, ...generic], models };
}

// ---------------------------------------------------------------------------------------
// Servers: declared footprints

function serverTable(): ServerSpec[] {
  const rows = readCsv('servers.csv', ['id', 'name', 'manufacturer', 'cpus', 'memory_gb', 'storage', 'total_kg', 'manufacturing_share', 'embodied_kg', 'embodied_min_kg', 'embodied_max_kg', 'generic', 'aliases', 'source', 'source_year', 'note']);
  return rows.map((r) => {
    requireSource(r, ['cpus', 'memory_gb', 'total_kg', 'manufacturing_share', 'embodied_kg', 'embodied_min_kg', 'embodied_max_kg', 'source_year'], 'source');
    const where = { file: r.file, line: r.line, field: 'embodied_kg' };
    const total = optNum(r, 'total_kg', { min: 0 });
    const share = optNum(r, 'manufacturing_share', { min: 0 });
    const declared = optNum(r, 'embodied_kg', { min: 0 });
    let embodiedKg: number;
    let derivation: string;
    if (declared !== undefined) {
      if (total !== undefined || share !== undefined) throw errors.invalidValue(where, 'give embodied_kg or total_kg × manufacturing_share, not both');
      embodiedKg = declared;
      derivation = 'as published';
    } else {
      if (total === undefined || share === undefined) throw errors.invalidValue(where, 'needs embodied_kg, or total_kg and manufacturing_share');
      if (share > 1) throw errors.invalidValue({ ...where, field: 'manufacturing_share' }, `${share} is above 1`);
      embodiedKg = Math.round(total * share * 100) / 100;
      derivation = `life-cycle total ${total} kgCO2e × manufacturing share ${share}`;
    }
    const min = optNum(r, 'embodied_min_kg', { min: 0 }) ?? embodiedKg;
    const max = optNum(r, 'embodied_max_kg', { min: 0 }) ?? embodiedKg;
    if (!(min <= embodiedKg && embodiedKg <= max)) throw errors.invalidValue(where, 'must lie in [embodied_min_kg, embodied_max_kg]');
    const generic = optText(r, 'generic');
    if (generic !== undefined && generic !== 'yes') throw errors.invalidValue({ file: r.file, line: r.line, field: 'generic' }, `'${generic}' is not 'yes' or empty`);
    return compact<ServerSpec>({
      id: text(r, 'id'),
      name: text(r, 'name'),
      kind: 'server',
      category: 'Large-scale',
      manufacturer: text(r, 'manufacturer'),
      cpus: optNum(r, 'cpus', { min: 1, integer: true }),
      memoryGb: optNum(r, 'memory_gb', { min: 0 }),
      storage: optText(r, 'storage'),
      embodiedKg,
      embodiedMinKg: min,
      embodiedMaxKg: max,
      derivation,
      aliases: list(r, 'aliases'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
      note: optText(r, 'note'),
      generic: generic === 'yes' ? true : undefined,
    });
  });
}

const IC_CATEGORIES: readonly IcFactorCategory[] = ['Literature', 'Database', 'Literature/Database', 'Industry', 'Roadmapping'];

function icFactorTable(): IcFactor[] {
  const rows = readCsv('ic-factors.csv', ['id', 'value_kgco2e_per_cm2', 'category', 'tech_node_nm', 'year', 'foundry', 'match_key', 'status', 'source', 'source_year', 'untraced']);
  return rows.map((r) => {
    requireSource(r, ['value_kgco2e_per_cm2', 'tech_node_nm', 'year', 'source_year'], 'source');
    const f = compact<IcFactor>({
      id: text(r, 'id'),
      valueKgPerCm2: num(r, 'value_kgco2e_per_cm2', { min: 0 }),
      category: oneOf(r, 'category', IC_CATEGORIES),
      techNodeNm: optNum(r, 'tech_node_nm', { min: 1 }),
      year: optNum(r, 'year', { integer: true }),
      foundry: optText(r, 'foundry'),
      matchKey: text(r, 'match_key'),
      status: text(r, 'status'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
      untraced: optText(r, 'untraced'),
      note: optText(r, 'note'),
    });
    // A row the selection rule could never match is a data error, not a silent no-op.
    const where = { file: r.file, line: r.line, field: 'category' };
    if ((f.category === 'Industry' || f.category === 'Roadmapping') && f.year === undefined) throw errors.invalidValue(where, `${f.category} rows need a year`);
    if (f.category === 'Industry' && f.foundry === undefined) throw errors.invalidValue(where, 'Industry rows need a foundry');
    if (f.category !== 'Industry' && f.category !== 'Roadmapping' && f.techNodeNm === undefined) throw errors.invalidValue(where, `${f.category} rows need a tech node`);
    return f;
  });
}

function thesisFgpuTable(hardware: readonly HardwareSpec[], ic: readonly IcFactor[]): ThesisFgpuRow[] {
  const rows = readCsv('thesis-fgpu.csv', ['hardware_id', 'candidate', 'f_gpu_kg', 'ic_factor_id', 'source', 'source_year']);
  const ids = new Set(hardware.map((h) => h.id));
  const factors = new Set(ic.map((f) => f.id));
  const out = rows.map((r) => {
    requireSource(r, ['f_gpu_kg', 'source_year'], 'source');
    const row: ThesisFgpuRow = {
      hardwareId: text(r, 'hardware_id'),
      candidate: num(r, 'candidate', { min: 1, integer: true }),
      fGpuKg: num(r, 'f_gpu_kg', { min: 0 }),
      icFactorId: text(r, 'ic_factor_id'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
    };
    if (!ids.has(row.hardwareId)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'hardware_id' }, `'${row.hardwareId}' is not in hardware.csv`);
    if (!factors.has(row.icFactorId)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'ic_factor_id' }, `'${row.icFactorId}' is not in ic-factors.csv`);
    return row;
  });
  // Candidates of one device must be numbered 1..n in order: the list order is the study's.
  for (const id of ids) {
    const mine = out.filter((f) => f.hardwareId === id);
    if (mine.some((f, i) => f.candidate !== i + 1)) throw errors.invalidValue({ file: 'data/sources/thesis-fgpu.csv', field: 'candidate' }, `${id}: candidates must be numbered 1..${mine.length} in order`);
  }
  return out;
}

function memoryFactorTable(): MemoryFactor[] {
  const rows = readCsv('memory-factors.csv', ['memory_type', 'g_co2e_per_gb', 'density_gbit_per_mm2', 'density_alt_gbit_per_mm2', 'density_arch', 'proxy_for', 'source', 'source_year', 'untraced']);
  return rows.map((r) => {
    requireSource(r, ['g_co2e_per_gb', 'density_gbit_per_mm2', 'density_alt_gbit_per_mm2', 'source_year'], 'source');
    return compact<MemoryFactor>({
      memoryType: text(r, 'memory_type'),
      gCo2ePerGb: num(r, 'g_co2e_per_gb', { min: 0 }),
      densityGbitPerMm2: num(r, 'density_gbit_per_mm2', { min: 1e-6 }),
      densityAltGbitPerMm2: optNum(r, 'density_alt_gbit_per_mm2', { min: 1e-6 }),
      densityArch: text(r, 'density_arch'),
      proxyFor: optText(r, 'proxy_for'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
      untraced: optText(r, 'untraced'),
      note: optText(r, 'note'),
    });
  });
}

/** ACT's per-GB factors, one per memory type of memory-factors.csv (the second memory-factor set). */
function actMemoryFactorTable(memoryTypes: readonly string[]): ActMemoryFactor[] {
  const rows = readCsv('memory-factors-act.csv', ['memory_type', 'g_co2e_per_gb', 'act_entry', 'source', 'source_year', 'note']);
  const out = rows.map((r) => {
    requireSource(r, ['g_co2e_per_gb', 'source_year'], 'source');
    return compact<ActMemoryFactor>({
      memoryType: oneOf(r, 'memory_type', memoryTypes),
      gCo2ePerGb: num(r, 'g_co2e_per_gb', { min: 0 }),
      actEntry: text(r, 'act_entry'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
      note: optText(r, 'note'),
    });
  });
  for (const t of memoryTypes) {
    const n = out.filter((f) => f.memoryType === t).length;
    if (n !== 1) throw errors.invalidValue({ file: 'data/sources/memory-factors-act.csv', field: 'memory_type' }, `${n} rows for ${t}; expected exactly 1 (every memory type of memory-factors.csv needs an ACT factor)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Idle power and host shares

function hostProfileTable(): HostProfile[] {
  const rows = readCsv('host-profiles.csv', ['id', 'name', 'gpus', 'power_w', 'power_min_w', 'power_max_w', 'embodied_kg', 'embodied_min_kg', 'embodied_max_kg', 'source', 'source_year', 'note']);
  return rows.map((r) => {
    requireSource(r, ['gpus', 'power_w', 'power_min_w', 'power_max_w', 'embodied_kg', 'embodied_min_kg', 'embodied_max_kg', 'source_year'], 'source');
    const range = (col: string): { value: number; min: number; max: number } => {
      const v = { value: num(r, col, { min: 0 }), min: num(r, col.replace(/_(w|kg)$/, '_min_$1'), { min: 0 }), max: num(r, col.replace(/_(w|kg)$/, '_max_$1'), { min: 0 }) };
      if (!(v.min <= v.value && v.value <= v.max)) throw errors.invalidValue({ file: r.file, line: r.line, field: col }, 'value must lie in [min, max]');
      return v;
    };
    return compact<HostProfile>({
      id: text(r, 'id'),
      name: text(r, 'name'),
      gpus: num(r, 'gpus', { min: 1, integer: true }),
      powerW: range('power_w'),
      embodiedKg: range('embodied_kg'),
      source: text(r, 'source'),
      sourceYear: num(r, 'source_year', { integer: true }),
      note: optText(r, 'note'),
    });
  });
}

function idlePowerTable(hardware: readonly HardwareSpec[], hosts: readonly HostProfile[]): IdlePowerRow[] {
  const rows = readCsv('idle-power.csv', [
    'hardware_id', 'idle_w', 'idle_min_w', 'idle_max_w', 'idle_status', 'idle_source', 'idle_year', 'idle_note',
    'loaded_w', 'loaded_min_w', 'loaded_max_w', 'loaded_status', 'loaded_source', 'loaded_year', 'loaded_note', 'host_profile',
  ]);
  const ids = new Set(hardware.map((h) => h.id));
  const hostIds = hosts.map((h) => h.id);
  const seen = new Set<string>();
  const power = (r: CsvRow, p: 'idle' | 'loaded'): SourcedPower => {
    const v = compact<SourcedPower>({
      value: num(r, `${p}_w`, { min: 0 }),
      min: num(r, `${p}_min_w`, { min: 0 }),
      max: num(r, `${p}_max_w`, { min: 0 }),
      status: oneOf<IdleStatus>(r, `${p}_status`, IDLE_STATUSES),
      source: text(r, `${p}_source`),
      year: optNum(r, `${p}_year`, { integer: true }) ?? null,
      note: optText(r, `${p}_note`),
    });
    if (!(v.min <= v.value && v.value <= v.max)) throw errors.invalidValue({ file: r.file, line: r.line, field: `${p}_w` }, 'value must lie in [min, max]');
    return v;
  };
  return rows.map((r) => {
    requireSource(r, ['idle_w', 'idle_min_w', 'idle_max_w', 'idle_year'], 'idle_source');
    requireSource(r, ['loaded_w', 'loaded_min_w', 'loaded_max_w', 'loaded_year'], 'loaded_source');
    const id = text(r, 'hardware_id');
    if (!ids.has(id)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'hardware_id' }, `'${id}' is not in hardware.csv`);
    if (seen.has(id)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'hardware_id' }, `a second row for ${id}`);
    seen.add(id);
    return compact<IdlePowerRow>({
      hardwareId: id,
      idleW: power(r, 'idle'),
      loadedW: optText(r, 'loaded_w') !== undefined ? power(r, 'loaded') : undefined,
      hostProfile: oneOf(r, 'host_profile', hostIds),
    });
  });
}

function pueTable(): PueRow[] {
  const rows = readCsv('pue.csv', ['preset', 'category', 'value', 'min', 'max', 'source', 'year']);
  const out = rows.map((r) => {
    requireSource(r, ['value', 'min', 'max', 'year'], 'source');
    const row = compact<PueRow>({
      preset: oneOf<PresetId>(r, 'preset', PRESET_IDS),
      category: oneOf<HardwareCategory>(r, 'category', HARDWARE_CATEGORIES),
      value: num(r, 'value', { min: 1 }),
      min: num(r, 'min', { min: 1 }),
      max: num(r, 'max', { min: 1 }),
      source: text(r, 'source'),
      year: optNum(r, 'year', { integer: true }) ?? null,
      note: optText(r, 'note'),
    });
    if (!(row.min <= row.value && row.value <= row.max)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'value' }, 'value must lie in [min, max]');
    return row;
  });
  for (const preset of PRESET_IDS) {
    for (const category of HARDWARE_CATEGORIES) {
      const n = out.filter((p) => p.preset === preset && p.category === category).length;
      if (n !== 1) throw errors.invalidValue({ file: 'data/sources/pue.csv' }, `${n} rows for ${preset} × ${category}; expected exactly 1`);
    }
  }
  return out;
}

function lifetimeTable(): LifetimeRow[] {
  const rows = readCsv('lifetime.csv', ['preset', 'value_h', 'min_h', 'max_h', 'source', 'year']);
  const out = rows.map((r) => {
    requireSource(r, ['value_h', 'min_h', 'max_h', 'year'], 'source');
    const row = compact<LifetimeRow>({
      preset: oneOf<PresetId>(r, 'preset', PRESET_IDS),
      valueH: num(r, 'value_h', { min: 1 }),
      minH: num(r, 'min_h', { min: 1 }),
      maxH: num(r, 'max_h', { min: 1 }),
      source: text(r, 'source'),
      year: optNum(r, 'year', { integer: true }) ?? null,
      note: optText(r, 'note'),
    });
    if (!(row.minH <= row.valueH && row.valueH <= row.maxH)) throw errors.invalidValue({ file: r.file, line: r.line, field: 'value_h' }, 'value must lie in [min, max]');
    return row;
  });
  for (const preset of PRESET_IDS) {
    if (out.filter((l) => l.preset === preset).length !== 1) throw errors.invalidValue({ file: 'data/sources/lifetime.csv' }, `expected exactly one row for ${preset}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Grid: the study's factor + Ember yearly averages (via @tgwf/co2), keyed by ISO-3

const EMBER_PACKAGE = '@tgwf/co2';

/** The Ember table and the package version, read through the package's own `./data` export. */
async function emberAverages(): Promise<{ data: Record<string, number>; version: string }> {
  // A variable specifier: the package ships no types, and its shape is checked below instead.
  const spec = `${EMBER_PACKAGE}/data`;
  const mod = (await import(spec)) as { averageIntensity?: { data?: unknown; type?: unknown } };
  const data = mod.averageIntensity?.data;
  if (mod.averageIntensity?.type !== 'average' || typeof data !== 'object' || data === null) {
    throw errors.unknownFormat(spec, 'averageIntensity.data not found: has the package layout changed?');
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw errors.invalidValue({ file: spec, field: k }, `not an intensity: ${String(v)}`);
    out[k] = v;
  }
  // The package exports no ./package.json; walk up from its entry point to find it.
  let dir = dirname(fileURLToPath(import.meta.resolve(EMBER_PACKAGE)));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const meta = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (meta.name === EMBER_PACKAGE && meta.version) return { data: out, version: meta.version };
    }
    const up = dirname(dir);
    if (up === dir) throw errors.notFound(`${EMBER_PACKAGE}/package.json`);
    dir = up;
  }
}

function titleCase(key: string): string {
  const keep = new Set(['EU', 'G7', 'G20', 'OECD', 'ASEAN']);
  return key
    .split(' ')
    .map((w) => (keep.has(w) ? w : w === 'AND' ? 'and' : w.charAt(0) + w.slice(1).toLowerCase()))
    .join(' ');
}

async function gridTables(): Promise<{ datasets: GridDataset[]; zones: GridZoneRow[] }> {
  const ember = await emberAverages();
  const datasets: GridDataset[] = [
    {
      id: 'study',
      source: 'Simeu 2025, "Estimating the Environmental Impact of AI Inference Deployment: Large Scale vs Edge Devices" (LIG Grenoble)',
      licence: 'single figure quoted from the study',
    },
    {
      id: 'ember',
      source: `Ember yearly electricity data (average carbon intensity of generation, latest year per zone), via the npm package ${EMBER_PACKAGE} (The Green Web Foundation, CO2.js)`,
      licence: 'CC BY-SA 4.0 (Ember data as republished by CO2.js)',
      url: 'https://ember-climate.org/data/data-explorer/',
      version: `${EMBER_PACKAGE}@${ember.version}`,
      note: `year is null where the package does not record it: the value is the latest year Ember had for that zone when ${EMBER_PACKAGE}@${ember.version} was built (2024 for most large economies)`,
    },
  ];

  const iso = readCsv('iso3166-1.csv', ['alpha2', 'alpha3', 'name', 'common_name']);
  const byAlpha3 = new Map(iso.map((r) => [text(r, 'alpha3'), r]));
  const extras = new Map(readCsv('ember-zones.csv', ['zone', 'year', 'aliases', 'source', 'note']).map((r) => [text(r, 'zone'), r]));
  for (const [zone, r] of extras) {
    requireSource(r, ['year'], 'source');
    if (ember.data[zone] === undefined) throw errors.invalidValue({ file: r.file, line: r.line, field: 'zone' }, `${zone} is not in ${EMBER_PACKAGE}'s averageIntensity`);
  }

  const study = readCsv('grid.csv', ['zone', 'name', 'g_co2e_per_kwh', 'year', 'aliases', 'source', 'licence', 'untraced']).map((r) => {
    requireSource(r, ['g_co2e_per_kwh', 'year'], 'source');
    return compact<GridZoneRow>({
      zone: text(r, 'zone'),
      name: text(r, 'name'),
      gPerKwh: num(r, 'g_co2e_per_kwh', { min: 0 }),
      year: optNum(r, 'year', { integer: true }) ?? null,
      aliases: list(r, 'aliases'),
      dataset: 'study',
      source: text(r, 'source'),
      untraced: optText(r, 'untraced'),
      note: optText(r, 'note'),
    });
  });

  const emberRows = Object.keys(ember.data)
    .sort()
    .map((zone): GridZoneRow => {
      const isoRow = byAlpha3.get(zone);
      const extra = extras.get(zone);
      const aliases = isoRow ? [text(isoRow, 'alpha2'), text(isoRow, 'name'), ...(optText(isoRow, 'common_name') ? [text(isoRow, 'common_name')] : [])] : [];
      if (extra) aliases.push(...list(extra, 'aliases'));
      const year = extra ? optNum(extra, 'year', { integer: true }) : undefined;
      return compact<GridZoneRow>({
        zone,
        name: isoRow ? (optText(isoRow, 'common_name') ?? text(isoRow, 'name')) : titleCase(zone),
        gPerKwh: ember.data[zone]!,
        year: year ?? null,
        aliases,
        dataset: 'ember',
        source: year !== undefined ? `year: ${text(extra!, 'source')}` : undefined,
        note: extra ? optText(extra, 'note') : undefined,
      });
    });

  const zones = [...study, ...emberRows];
  const owner = new Map<string, string>();
  for (const z of zones) {
    for (const name of [z.zone, ...z.aliases]) {
      const key = zoneKey(name);
      const prev = owner.get(key);
      if (prev !== undefined && prev !== z.zone) throw errors.invalidValue({ file: 'grid tables', field: z.zone }, `'${name}' also names ${prev}`);
      owner.set(key, z.zone);
    }
  }
  return { datasets, zones };
}

// ---------------------------------------------------------------------------------------
// Emitting

const HEADER = '// generated by data/generate.ts — do not edit. Run `npm run data` after changing data/sources/.\n';

function rowsLiteral(rows: readonly object[]): string {
  return `[\n${rows.map((r) => `  ${JSON.stringify(r)},`).join('\n')}\n]`;
}

function moduleText(sources: readonly string[], typeNames: readonly string[], body: string, licence?: string): string {
  return `${HEADER}// Sources: ${sources.join(', ')}\n${licence ? `// Licence: ${licence}\n` : ''}import type { ${[...typeNames].sort().join(', ')} } from '../types.js';\n\n${body}`;
}

/** `--check`: write nothing, exit 1 when a generated file differs from what the sources give. */
const CHECK = process.argv.includes('--check');
let stale = 0;

function write(name: string, content: string): void {
  const path = join(OUT, name);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === content) {
    console.log(`unchanged ${relative(ROOT, path)}`);
    return;
  }
  if (CHECK) {
    stale++;
    console.log(`stale     ${relative(ROOT, path)}`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote     ${relative(ROOT, path)}`);
}

async function main(): Promise<void> {
  const references = referenceTable();
  const memory = memoryFactorTable();
  const memoryAct = actMemoryFactorTable(memory.map((m) => m.memoryType));
  const accelerators = hardwareTable(new Set(memory.map((m) => m.memoryType)), new Map(references.map((r) => [r.key, r])));
  const cpus = cpuTables();
  const hardware = [...accelerators, ...cpus.specs];
  const servers = serverTable();
  checkNames([
    ...accelerators.map((h) => ({ ...h, where: 'data/sources/hardware.csv' })),
    ...cpus.specs.map((h) => ({ ...h, where: 'data/sources/cpu-tdp.csv' })),
    ...servers.map((h) => ({ ...h, where: 'data/sources/servers.csv' })),
  ]);
  const ic = icFactorTable();
  const thesisFgpu = thesisFgpuTable(hardware, ic);
  const pue = pueTable();
  const lifetime = lifetimeTable();
  const grid = await gridTables();
  const hosts = hostProfileTable();
  const idle = idlePowerTable(accelerators, hosts);

  write(
    'hardware.generated.ts',
    moduleText(
      ['data/sources/hardware.csv', 'data/sources/cpu-tdp.csv', 'data/sources/cpu-dies.csv', 'data/sources/cpu-classes.csv'],
      ['HardwareSpec'],
      `/** Accelerators first (hardware.csv, the study's rows first), then CPUs with known dies, then the CPU class entries. */\nexport const HARDWARE_TABLE = ${rowsLiteral(hardware)} as const satisfies readonly HardwareSpec[];\n`,
    ),
  );
  write(
    'cpus.generated.ts',
    moduleText(
      ['data/sources/cpu-tdp.csv'],
      ['CpuModelRow'],
      `/** Every CPU model of the table, with the hardware entry its name resolves to (its own, or its class's). */\nexport const CPU_MODELS = ${rowsLiteral(cpus.models)} as const satisfies readonly CpuModelRow[];\n`,
    ),
  );
  write(
    'servers.generated.ts',
    moduleText(['data/sources/servers.csv'], ['ServerSpec'], `export const SERVERS = ${rowsLiteral(servers)} as const satisfies readonly ServerSpec[];\n`),
  );
  write(
    'ic-factors.generated.ts',
    moduleText(
      ['data/sources/ic-factors.csv'],
      ['IcFactor'],
      `/** Row order matters: candidate lists come out in this order, as in the study's perf_show.py. */\nexport const IC_FACTORS = ${rowsLiteral(ic)} as const satisfies readonly IcFactor[];\n`,
    ),
  );
  write(
    'thesis-fgpu.generated.ts',
    moduleText(['data/sources/thesis-fgpu.csv'], ['ThesisFgpuRow'], `export const THESIS_FGPU = ${rowsLiteral(thesisFgpu)} as const satisfies readonly ThesisFgpuRow[];\n`),
  );
  write(
    'memory-factors.generated.ts',
    moduleText(
      ['data/sources/memory-factors.csv', 'data/sources/memory-factors-act.csv'],
      ['ActMemoryFactor', 'MemoryFactor'],
      `/** The study's memory factors (Simeu 2025, mem_density.csv): untraced upstream. */\nexport const MEMORY_FACTORS = ${rowsLiteral(memory)} as const satisfies readonly MemoryFactor[];\n\n/** ACT's per-GB factors (Gupta et al. 2022), one per memory type: the second memory-factor set. */\nexport const MEMORY_FACTORS_ACT = ${rowsLiteral(memoryAct)} as const satisfies readonly ActMemoryFactor[];\n`,
    ),
  );
  write(
    'references.generated.ts',
    moduleText(['data/sources/references.csv'], ['Reference'], `/** The documents the hardware table cites, by key (HardwareSpec.factSources). */\nexport const REFERENCES = ${rowsLiteral(references)} as const satisfies readonly Reference[];\n`),
  );
  write(
    'idle-power.generated.ts',
    moduleText(
      ['data/sources/idle-power.csv', 'data/sources/host-profiles.csv'],
      ['HostProfile', 'IdlePowerRow'],
      `/** Power at idle per device (bare, and with a model loaded where known). */\nexport const IDLE_POWER = ${rowsLiteral(idle)} as const satisfies readonly IdlePowerRow[];\n\n/** The host around a device, shared by its GPUs. */\nexport const HOST_PROFILES = ${rowsLiteral(hosts)} as const satisfies readonly HostProfile[];\n`,
    ),
  );
  write(
    'grid.generated.ts',
    moduleText(
      ['data/sources/grid.csv', 'data/sources/ember-zones.csv', 'data/sources/iso3166-1.csv', grid.datasets.find((d) => d.id === 'ember')?.version ?? EMBER_PACKAGE],
      ['GridDataset', 'GridZoneRow'],
      `export const GRID_DATASETS = ${rowsLiteral(grid.datasets)} as const satisfies readonly GridDataset[];\n\nexport const GRID_ZONES = ${rowsLiteral(grid.zones)} as const satisfies readonly GridZoneRow[];\n`,
      'the Ember rows are Ember data (CC BY-SA 4.0) as republished by CO2.js; this table is shared under CC BY-SA 4.0 with that attribution (see data/README.md).',
    ),
  );
  write(
    'defaults.generated.ts',
    moduleText(
      ['data/sources/pue.csv', 'data/sources/lifetime.csv'],
      ['LifetimeRow', 'PueRow'],
      `export const PUE_DEFAULTS = ${rowsLiteral(pue)} as const satisfies readonly PueRow[];\n\nexport const LIFETIME_DEFAULTS = ${rowsLiteral(lifetime)} as const satisfies readonly LifetimeRow[];\n`,
    ),
  );
}

try {
  await main();
} catch (e) {
  // A bad cell is a one-line coded error naming file:line and field; anything else is a bug.
  if (!isInferprintError(e)) throw e;
  console.error(e.message);
  process.exit(1);
}
if (stale > 0) {
  console.error(`${stale} generated file(s) out of date: run npm run data`);
  process.exitCode = 1;
}
// The CPU power table has its own generator (it also feeds the estimate sensor); run it with
// the same flags, so `npm run data -- --check` checks both and writes nothing.
await import('./generate-cpu-tdp.js');
