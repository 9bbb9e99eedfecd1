import { errors } from '../../errors.js';
import {
  ALL_HARDWARE,
  EMBODIED_MODEL_IDS,
  HARDWARE_CATEGORIES,
  SERVERS,
  candidateKey,
  estimateEmbodied,
  hasThesisConstants,
  matchHardware,
  powerUnitOf,
  requireHardware,
  resolveServer,
  type EmbodiedCandidate,
  type EmbodiedModelId,
  type EmbodiedResult,
  type HardwareCategory,
  type HardwareMatch,
  type HardwareSpec,
  type ServerSpec,
  NO_MEMORY,
  factProvenance,
  hostShareOf,
  idlePowerOf,
  studyDifferences,
  type HardwareFact,
  type IdleParam,
  type StudyDifference,
} from '../../impact/index.js';
import type { CliContext, Command, OutputFormat } from '../command.js';
import { helpText } from '../summaries.js';
import { parseEmbodiedFlag } from '../flags.js';
import { parseFormat, renderCsv, renderJson, renderTable, type Column } from '../output.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, requireApplicable } from '../spec.js';

export const HARDWARE_FLAGS = defineFlags({
  category: { type: 'string', value: 'C', for: ['list'], parse: (raw) => parseCategory(raw), help: `list only: ${HARDWARE_CATEGORIES.join(', ')}` },
  'embodied-model': { type: 'string', value: 'M', default: 'die-area-v1', parse: parseEmbodiedFlag, help: EMBODIED_MODEL_IDS.join(', ') },
  format: { type: 'string', value: 'F', default: 'table', showDefault: false, parse: (raw) => parseFormat(raw), help: 'table (default), csv or json' },
  // Handled by main; kept so that the command answers it when run on its own.
  help: { type: 'boolean', short: 'h', hidden: true, help: '' },
});

const SPEC = defineCommand({
  flags: HARDWARE_FLAGS,
  subcommands: ['list', 'show'],
  refuse: (flag) => `--${flag} applies to list only`,
  args: { list: [0, 0], show: [1] },
});

function parseCategory(raw: string): HardwareCategory {
  const wanted = raw.toLowerCase();
  const category = HARDWARE_CATEGORIES.find((c) => c.toLowerCase() === wanted);
  if (!category) throw errors.usage(`unknown category '${raw}' (expected ${HARDWARE_CATEGORIES.join(', ')})`, '--category');
  return category;
}


const HELP = `Usage:
  inferprint hardware list [--category C] [--embodied-model M] [--format table|csv|json]
  inferprint hardware show NAME [--embodied-model M] [--format table|csv|json]

The hardware database: specs with their sources, and the embodied (manufacturing)
footprint of each device, candidate by candidate. 'show' cites a reference for every fact,
marks what no source was found for (UNTRACED) and where the study used another value, and
gives the device's idle power and host share where known. Accelerators, host CPUs (chiplet parts
die by die; one class entry per CPU class stands for any CPU the table does not name),
and whole servers with a published footprint (kind server).

NAME is an id (A100, AGX-Orin, H100-NVL, EPYC-7763, PowerEdge-R740), or a name as
nvidia-smi, tegrastats, /proc/cpuinfo, the study's dataset folders or MLPerf system
folders write it ("NVIDIA H100 NVL", orin, "AMD EPYC 7763 64-Core Processor",
"GeForce RTX 2080 Tix1_TRT"). Case, spaces, '-' and '_' do not matter. A CPU the table
does not name resolves to its class entry (server, desktop or laptop), which says so.

Options:
${optionLines(HARDWARE_FLAGS, { width: 22 })}
`;

interface Flags {
  readonly sub: 'list' | 'show';
  readonly name: string | undefined;
  readonly format: OutputFormat;
  readonly category: HardwareCategory | undefined;
  readonly model: EmbodiedModelId;
  readonly help: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  const f = parseCommandFlags(argv, HARDWARE_FLAGS);
  const { values, positionals } = f;
  const help = values.help === true;
  const [sub, ...rest] = positionals;
  if (help) return { sub: 'list', name: undefined, format: 'table', category: undefined, model: 'die-area-v1', help };
  if (sub !== 'list' && sub !== 'show') {
    throw errors.usage(sub === undefined ? "expected a subcommand: 'list' or 'show NAME'" : `unknown subcommand '${sub}' (expected list or show)`);
  }
  if (sub === 'list' && rest.length > 0) throw errors.usage(`'list' takes no NAME (got '${rest.join(' ')}')`);
  if (sub === 'show' && rest.length === 0) throw errors.usage("'show' needs a NAME, e.g. inferprint hardware show A100");
  requireApplicable(SPEC, values, sub);
  // Unquoted multi-word names (`show NVIDIA H100 NVL`) are joined back together.
  return { sub, name: sub === 'show' ? rest.join(' ') : undefined, format: f.get('format'), category: f.get('category'), model: f.get('embodied-model'), help };
}

// ---------------------------------------------------------------------------------------
// list

/** A chip (accelerator or CPU) with its estimate under the chosen model, or a server with its declared footprint. */
type ListRow = { readonly kind: 'chip'; readonly spec: HardwareSpec; readonly embodied: EmbodiedResult | undefined } | { readonly kind: 'server'; readonly server: ServerSpec };

const chip = <T,>(f: (spec: HardwareSpec, e: EmbodiedResult | undefined) => T) => (r: ListRow): T | undefined => (r.kind === 'chip' ? f(r.spec, r.embodied) : undefined);
const both = <T,>(c: (spec: HardwareSpec, e: EmbodiedResult | undefined) => T, s: (server: ServerSpec) => T) => (r: ListRow): T => (r.kind === 'chip' ? c(r.spec, r.embodied) : s(r.server));

/** The model that gave a server's footprint: the source's own number. */
const DECLARED = 'declared';

const LIST_COLUMNS: readonly Column<ListRow>[] = [
  { key: 'id', header: 'id', value: both((h) => h.id, (s) => s.id) },
  { key: 'name', header: 'name', value: both((h) => h.name, (s) => s.name) },
  { key: 'kind', header: 'kind', value: both((h) => h.kind, (s) => s.kind) },
  { key: 'category', header: 'category', value: both((h) => h.category, (s) => s.category) },
  { key: 'die_area_mm2', header: 'die (mm²)', value: chip((h) => h.dieAreaMm2), align: 'right' },
  { key: 'tech_node_nm', header: 'node (nm)', value: chip((h) => h.techNodeNm), align: 'right' },
  { key: 'year', header: 'year', value: both((h) => h.year, (s) => s.sourceYear), align: 'right' },
  { key: 'foundry', header: 'foundry', value: chip((h) => h.foundry) },
  { key: 'memory_gb', header: 'mem (GB)', value: both((h) => h.memoryGb, (s) => s.memoryGb), align: 'right' },
  { key: 'memory_type', header: 'mem type', value: chip((h) => h.memoryType) },
  { key: 'tdp_w', header: 'TDP (W)', value: chip((h) => h.tdpW), align: 'right' },
  { key: 'power_unit', header: 'log unit', value: chip((h) => powerUnitOf(h)) },
  { key: 'embodied_model', header: 'model', value: both((_h, e) => e?.model, () => DECLARED) },
  { key: 'candidates', header: 'n', value: chip((_h, e) => e?.candidates.length), align: 'right' },
  { key: 'embodied_min_kg', header: 'F min (kg)', value: both((_h, e) => e?.minKg, (s) => s.embodiedMinKg), digits: 2 },
  { key: 'embodied_mean_kg', header: 'F mean (kg)', value: both((_h, e) => e?.meanKg, (s) => s.embodiedKg), digits: 2 },
  { key: 'embodied_max_kg', header: 'F max (kg)', value: both((_h, e) => e?.maxKg, (s) => s.embodiedMaxKg), digits: 2 },
  { key: 'generic', header: 'class entry', value: both((h) => (h.generic !== undefined ? 'yes' : ''), (s) => (s.generic === true ? 'yes' : '')) },
];

function embodiedOrNone(model: EmbodiedModelId, spec: HardwareSpec): EmbodiedResult | undefined {
  // The study's constants exist for its ten devices only: elsewhere the column is not applicable.
  if (model === 'thesis-2025-constants' && !hasThesisConstants(spec)) return undefined;
  return estimateEmbodied(model, spec);
}

function list(ctx: CliContext, flags: Flags): number {
  const inCategory = <T extends { category: HardwareCategory }>(xs: readonly T[]): readonly T[] => (flags.category ? xs.filter((h) => h.category === flags.category) : xs);
  const rows: ListRow[] = [
    ...inCategory(ALL_HARDWARE).map((spec): ListRow => ({ kind: 'chip', spec, embodied: embodiedOrNone(flags.model, spec) })),
    ...inCategory(SERVERS).map((server): ListRow => ({ kind: 'server', server })),
  ];
  if (flags.format === 'json') {
    ctx.stdout(
      renderJson(
        rows.map((r) =>
          r.kind === 'chip'
            ? {
                ...r.spec,
                powerUnit: powerUnitOf(r.spec),
                embodied: r.embodied ? { model: r.embodied.model, candidatesKg: r.embodied.candidatesKg, minKg: r.embodied.minKg, meanKg: r.embodied.meanKg, maxKg: r.embodied.maxKg } : null,
              }
            : { ...r.server, embodied: { model: DECLARED, candidatesKg: [r.server.embodiedKg], minKg: r.server.embodiedMinKg, meanKg: r.server.embodiedKg, maxKg: r.server.embodiedMaxKg } },
        ),
      ),
    );
  } else if (flags.format === 'csv') {
    ctx.stdout(renderCsv(LIST_COLUMNS, rows));
  } else {
    ctx.stdout(renderTable(LIST_COLUMNS, rows));
    const servers = rows.filter((r) => r.kind === 'server').length;
    ctx.stdout(
      `\n${rows.length - servers} device(s) and ${servers} server(s). Embodied footprint F in kgCO2e (${flags.model}; servers: the source's declared value); class entries stand for parts the table does not name; details: inferprint hardware show NAME\n`,
    );
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// show

interface CandidateRow {
  readonly index: number;
  readonly c: EmbodiedCandidate;
}

/** A multi-die candidate shows one factor per die type, joined by ' + ' in die order. */
const perDie = (c: EmbodiedCandidate, f: (x: { factor: EmbodiedCandidate['factor'] }) => string | number): string | number =>
  c.dies === undefined ? f(c) : c.dies.map((d) => String(f(d))).join(' + ');

const CANDIDATE_COLUMNS: readonly Column<CandidateRow>[] = [
  { key: 'candidate', header: '#', value: (r) => r.index, align: 'right' },
  { key: 'factor_id', header: 'IC factor', value: (r) => perDie(r.c, (x) => x.factor.id) },
  { key: 'factor_category', header: 'category', value: (r) => perDie(r.c, (x) => x.factor.category) },
  { key: 'factor_key', header: 'key', value: (r) => candidateKey(r.c) },
  { key: 'factor_kgco2e_per_cm2', header: 'kgCO2e/cm²', value: (r) => perDie(r.c, (x) => x.factor.valueKgPerCm2), align: 'right' },
  { key: 'processor_kg', header: 'processor (kg)', value: (r) => r.c.processorKg, digits: 6 },
  { key: 'memory_kg', header: 'memory (kg)', value: (r) => r.c.memoryKg, digits: 6 },
  { key: 'total_kg', header: 'total (kg)', value: (r) => r.c.totalKg, digits: 6 },
];

/** ` (the study used 300 W)` where the study's table differs from the corrected fact. */
function studySays(diffs: readonly StudyDifference[], field: StudyDifference['field'], unit = ''): string {
  const d = diffs.find((x) => x.field === field);
  return d === undefined ? '' : ` (the study used ${d.studyValue}${unit}: kept in the thesis-2025 preset)`;
}

/** ` (untraced: ...)` / ` (unchecked: ...)` after a fact whose reference is not a checked source. */
function factMark(spec: HardwareSpec, fact: HardwareFact): string {
  const p = factProvenance(spec).find((f) => f.fact === fact);
  if (p === undefined) return '';
  if (p.reference.status === 'untraced') return ' [UNTRACED: no source found, see Sources]';
  if (p.reference.status === 'study') return " [unchecked: as the study's table gives it]";
  return '';
}

function specLines(spec: HardwareSpec): string[] {
  const diffs = studyDifferences(spec);
  const lines: [string, string][] = [];
  if (spec.generic !== undefined) {
    lines.push([
      'CLASS ENTRY',
      `not a specific part: stands for any ${spec.cpuClass ?? ''} CPU whose dies the table does not give; silicon, TDP and cores are those of ${spec.generic.modelledOn}, the median by die area of ${spec.generic.members} parts`,
    ]);
  }
  lines.push(
    ['kind', `${spec.kind}${spec.cpuClass ? ` (${spec.cpuClass})` : ''} (power logged in ${powerUnitOf(spec)})`],
    ['category', spec.category],
    [
      'die area',
      `${spec.dieAreaMm2} mm² (${Number((spec.dieAreaMm2 / 100).toFixed(4))} cm²)${spec.dies ? ' in total' : ''}${spec.dieAreaRangeMm2 ? `, range ${spec.dieAreaRangeMm2.min}–${spec.dieAreaRangeMm2.max} mm²` : ''}${studySays(diffs, 'dieAreaMm2', ' mm²')}${factMark(spec, 'die_area_mm2')}`,
    ],
  );
  if (spec.dies) {
    for (const d of spec.dies) lines.push(['  die', `${d.count} × ${d.role} ${d.areaMm2} mm², ${d.foundry} ${d.process} (IC factors keyed to ${d.techNodeNm} nm)`]);
  }
  lines.push(['node', `${spec.techNodeNm} nm${spec.process ? ` (${spec.process})` : ''}, ${spec.foundry}${spec.dies ? ' (first die)' : ''}${factMark(spec, 'tech_node_nm')}`]);
  lines.push(['year', `${spec.year}${studySays(diffs, 'year')}${factMark(spec, 'year')}`]);
  lines.push([
    'memory',
    spec.memoryType === NO_MEMORY
      ? 'none of its own (a CPU entry: host DRAM is a separate component, not counted here)'
      : `${spec.memoryGb} GB ${spec.memoryType}${studySays(diffs, 'memoryType')}${factMark(spec, 'memory_gb')}`,
  ]);
  lines.push(['TDP', `${spec.tdpW} W${studySays(diffs, 'tdpW', ' W')}${factMark(spec, 'tdp_w')}`]);
  if (spec.cores !== undefined) lines.push(['cores', String(spec.cores)]);
  if (spec.gflopsFp32 !== undefined) lines.push(['FP32', `${spec.gflopsFp32} GFLOPS${factMark(spec, 'gflops_fp32')}`]);
  if (spec.computeCapability !== undefined) lines.push(['compute cap.', `${spec.computeCapability}${studySays(diffs, 'computeCapability')}${factMark(spec, 'compute_capability')}`]);
  lines.push(['aliases', spec.aliases.length > 0 ? spec.aliases.join(', ') : '—']);
  if (spec.factSources === undefined) lines.push(['source', `${spec.source} (${spec.sourceYear})`]);
  if (spec.note !== undefined) lines.push(['note', spec.note]);
  return [...lines.map(([k, v]) => `  ${k.padEnd(13)} ${v}`), ...idleLines(spec), ...sourceLines(spec)];
}

/** Each fact with its reference: citation, status and what this audit saw of it. */
function sourceLines(spec: HardwareSpec): string[] {
  const facts = factProvenance(spec);
  if (facts.length === 0) return [];
  const byRef = new Map<string, { facts: string[]; ref: (typeof facts)[number]['reference'] }>();
  for (const f of facts) {
    const e = byRef.get(f.reference.key) ?? { facts: [], ref: f.reference };
    e.facts.push(f.fact);
    byRef.set(f.reference.key, e);
  }
  const status = (s: string): string => (s === 'untraced' ? 'UNTRACED' : s === 'study' ? "unchecked (the study's table)" : s);
  return [
    '',
    'Sources (each fact → its reference)',
    ...[...byRef.values()].flatMap(({ facts: fs, ref }) => [
      `  - ${fs.join(', ')}: ${ref.citation} (${ref.year}) [${status(ref.status)}]`,
      `      checked: ${ref.checked}${ref.note ? `; ${ref.note}` : ''}`,
    ]),
  ];
}

function idleText(p: IdleParam): string {
  const range = p.min !== p.max ? ` (${p.min}–${p.max} W)` : '';
  const how = p.status === 'measured' ? 'measured' : p.status === 'published' ? 'a published table value, not a measurement' : p.status === 'proxy' ? "PROXY: another device's measurement" : 'DERIVED: an estimate from a rule, no measurement';
  return `${p.value} W${range} — ${how}; ${p.source}${p.year !== undefined ? ` (${p.year})` : ''}${p.note ? `. ${p.note}` : ''}`;
}

/** Idle power (bare, loaded) and the host share, where the table has them. */
function idleLines(spec: HardwareSpec): string[] {
  const idle = idlePowerOf(spec);
  const host = hostShareOf(spec);
  if (idle === undefined) return [];
  const out = ['', 'Idle power and host share (for the deployment advisor)', `  ${'idle, bare'.padEnd(13)} ${idleText(idle.bareW)}`];
  out.push(`  ${'idle, loaded'.padEnd(13)} ${idle.loadedW ? idleText(idle.loadedW) : 'unknown (no measurement with a model loaded found)'}`);
  if (host !== undefined) {
    const r = (p: { value: number; min: number; max: number }, digits: number): string => `${Number(p.value.toFixed(digits))}${p.min !== p.max ? ` (${Number(p.min.toFixed(digits))}–${Number(p.max.toFixed(digits))})` : ''}`;
    out.push(
      host.powerW.value === 0 && host.embodiedKg.value === 0
        ? `  ${'host share'.padEnd(13)} none: ${host.profileName}; ${host.powerW.source}`
        : `  ${'host share'.padEnd(13)} ${r(host.powerW, 1)} W and ${r(host.embodiedKg, 1)} kgCO2e per device: ${host.profileName}, ÷ ${host.gpusPerHost}; ${host.powerW.source}`,
    );
  }
  return out;
}

function show(ctx: CliContext, flags: Flags, name: string): number {
  const match = matchHardware(name);
  if (!match) {
    const server = resolveServer(name);
    if (server) return showServer(ctx, flags, server);
    requireHardware(name, { field: 'NAME' }); // throws UNKNOWN_HARDWARE with suggestions
  }
  const spec = match?.spec ?? requireHardware(name, { field: 'NAME' });
  const embodied = estimateEmbodied(flags.model, spec);
  const rows = embodied.candidates.map((c, i) => ({ index: i + 1, c }));
  if (flags.format === 'json') {
    const idle = idlePowerOf(spec);
    const host = hostShareOf(spec);
    ctx.stdout(
      renderJson({
        hardware: { ...spec, powerUnit: powerUnitOf(spec) },
        ...(match && match.kind !== 'exact' ? { resolvedFrom: { name, how: match.kind } } : {}),
        provenance: factProvenance(spec).map((f) => ({ fact: f.fact, value: f.value, reference: f.reference })),
        studyDifferences: studyDifferences(spec),
        idle: idle ?? null,
        hostShare: host ?? null,
        embodied,
      }),
    );
    return 0;
  }
  if (flags.format === 'csv') {
    const cols: Column<CandidateRow>[] = [
      { key: 'hardware_id', header: 'hardware', value: () => spec.id },
      { key: 'model', header: 'model', value: () => embodied.model },
      ...CANDIDATE_COLUMNS,
    ];
    ctx.stdout(renderCsv(cols, rows));
    return 0;
  }
  const f = (v: number): string => v.toFixed(6);
  const mf = embodied.memoryFactor;
  ctx.stdout(
    [
      `${spec.id} — ${spec.name}`,
      ...(match ? resolvedLine(name, match) : []),
      ...specLines(spec),
      '',
      `Embodied footprint (${embodied.model}), kgCO2e`,
      `  ${embodied.formula}${spec.dies ? '; summed over the die types, each matched on its own node (one factor per die type in each candidate)' : ''}`,
      embodied.actMemoryFactor
        ? `  memory factor (ACT): ${embodied.actMemoryFactor.memoryType} ${embodied.actMemoryFactor.gCo2ePerGb} gCO2e/GB (ACT entry ${embodied.actMemoryFactor.actEntry})`
        : mf
          ? `  memory factor: ${mf.memoryType} ${mf.gCo2ePerGb} gCO2e/GB, ${mf.densityGbitPerMm2} Gbit/mm²${mf.densityAltGbitPerMm2 !== undefined ? ` (other end ${mf.densityAltGbitPerMm2})` : ''}${mf.proxyFor ? ` (proxy: ${mf.proxyFor}'s values)` : ''}${mf.untraced !== undefined ? ' [UNTRACED]' : ''}`
          : '  memory: none (host DRAM is not part of a CPU entry)',
      '',
    ].join('\n'),
  );
  ctx.stdout(renderTable(CANDIDATE_COLUMNS, rows));
  ctx.stdout(
    [
      '',
      `  min ${f(embodied.minKg)}  mean ${f(embodied.meanKg)}  max ${f(embodied.maxKg)} kgCO2e; the mean over ${embodied.candidates.length} candidate(s), min–max over ${embodied.spans.join(', ')}`,
      ...(embodied.untraced.length > 0 ? ['', 'UNTRACED inputs of this estimate (no source found; what is known)', ...embodied.untraced.map((u) => `  - ${u}`)] : []),
      '',
      'Sources of the estimate',
      ...embodied.sources.map((s) => `  - ${s}`),
      ...usedFactors(embodied).map((f) => `  - ${f.id}: ${f.status}${f.note ? `; ${f.note}` : ''}`),
      '',
    ].join('\n'),
  );
  return 0;
}

/** The IC factor rows the candidates used, each once, in first-use order. */
function usedFactors(e: EmbodiedResult): EmbodiedCandidate['factor'][] {
  const seen = new Map<string, EmbodiedCandidate['factor']>();
  for (const c of e.candidates) for (const f of c.dies ? c.dies.map((d) => d.factor) : [c.factor]) if (!seen.has(f.id)) seen.set(f.id, f);
  return [...seen.values()];
}

/** How a name that is not an id or alias became this entry. */
function resolvedLine(name: string, m: HardwareMatch): string[] {
  if (m.kind === 'exact') return [];
  const how =
    m.kind === 'cpu-model'
      ? m.spec.generic !== undefined
        ? `CPU model '${m.model}' of the CPU table, whose dies are not known: its class entry`
        : `CPU model '${m.model}' of the CPU table`
      : `not in the CPU table: a ${m.cpuClass} CPU by its family name, so its class entry`;
  return [`  ${'resolved'.padEnd(13)} '${name}' → ${m.spec.id} (${how})`];
}

// ---------------------------------------------------------------------------------------
// show, for a server

function showServer(ctx: CliContext, flags: Flags, s: ServerSpec): number {
  if (flags.format === 'json') {
    ctx.stdout(renderJson({ server: s }));
    return 0;
  }
  const cols: Column<ServerSpec>[] = [
    { key: 'id', header: 'id', value: (r) => r.id },
    { key: 'name', header: 'name', value: (r) => r.name },
    { key: 'embodied_kg', header: 'F (kg)', value: (r) => r.embodiedKg },
    { key: 'embodied_min_kg', header: 'F min (kg)', value: (r) => r.embodiedMinKg },
    { key: 'embodied_max_kg', header: 'F max (kg)', value: (r) => r.embodiedMaxKg },
    { key: 'derivation', header: 'derivation', value: (r) => r.derivation },
    { key: 'source', header: 'source', value: (r) => r.source },
  ];
  if (flags.format === 'csv') {
    ctx.stdout(renderCsv(cols, [s]));
    return 0;
  }
  const config = [s.cpus !== undefined ? `${s.cpus} CPU(s)` : undefined, s.memoryGb !== undefined ? `${s.memoryGb} GB memory` : undefined, s.storage].filter((x) => x !== undefined);
  const lines: [string, string][] = [];
  if (s.generic === true) lines.push(['CLASS ENTRY', 'not a specific model: stands for a class of servers']);
  lines.push(
    ['kind', `${s.kind} (a declared footprint: no die model)`],
    ['category', s.category],
    ['manufacturer', s.manufacturer],
    ['configuration', config.length > 0 ? config.join(', ') : '—'],
    ['aliases', s.aliases.length > 0 ? s.aliases.join(', ') : '—'],
    ['source', `${s.source} (${s.sourceYear})`],
  );
  if (s.note !== undefined) lines.push(['note', s.note]);
  const range = s.embodiedMinKg === s.embodiedMaxKg ? 'no range given by the source' : `min ${s.embodiedMinKg}, max ${s.embodiedMaxKg}`;
  ctx.stdout(
    [
      `${s.id} — ${s.name}`,
      ...lines.map(([k, v]) => `  ${k.padEnd(13)} ${v}`),
      '',
      'Embodied footprint (declared), kgCO2e',
      `  ${s.embodiedKg} kgCO2e (${range}): ${s.derivation}`,
      '',
    ].join('\n'),
  );
  return 0;
}

export const hardwareCommand: Command = {
  name: 'hardware',
  help: HELP,
  spec: SPEC,
  run(ctx) {
    const flags = parseFlags(ctx.argv);
    if (flags.help) {
      ctx.stdout(helpText('hardware', HELP));
      return Promise.resolve(0);
    }
    return Promise.resolve(flags.sub === 'list' ? list(ctx, flags) : show(ctx, flags, flags.name ?? ''));
  },
};
