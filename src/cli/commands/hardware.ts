import { parseArgs } from 'node:util';
import { errors } from '../../errors.js';
import {
  EMBODIED_MODEL_IDS,
  HARDWARE,
  HARDWARE_CATEGORIES,
  estimateEmbodied,
  hasThesisConstants,
  isEmbodiedModelId,
  powerUnitOf,
  requireHardware,
  type EmbodiedCandidate,
  type EmbodiedModelId,
  type EmbodiedResult,
  type HardwareCategory,
  type HardwareSpec,
} from '../../impact/index.js';
import type { CliContext, Command, OutputFormat } from '../command.js';
import { parseFormat, renderCsv, renderJson, renderTable, type Column } from '../output.js';

const HELP = `Usage:
  inferprint hardware list [--category C] [--embodied-model M] [--format table|csv|json]
  inferprint hardware show NAME [--embodied-model M] [--format table|csv|json]

The hardware database: specs with their sources, and the embodied (manufacturing)
footprint of each device, candidate by candidate.

NAME is an id (A100, AGX-Orin, H100-NVL), or a name as nvidia-smi, tegrastats, the
study's dataset folders or MLPerf system folders write it ("NVIDIA H100 NVL", orin,
"GeForce RTX 2080 Tix1_TRT"). Case, spaces, '-' and '_' do not matter.

Options:
  --category C        list only: ${HARDWARE_CATEGORIES.join(', ')}
  --embodied-model M  ${EMBODIED_MODEL_IDS.join(', ')} (default die-area-v1)
  --format F          table (default), csv or json
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
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        format: { type: 'string' },
        category: { type: 'string' },
        'embodied-model': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    // node:util's messages name the flag in quotes; keep the first sentence, one line.
    const msg = e instanceof Error ? e.message : String(e);
    const flag = /'(-{1,2}[^'\s]+)'/.exec(msg)?.[1];
    throw errors.usage(msg.split('. ')[0]!.replace(/\.$/, ''), flag);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  const [sub, ...rest] = positionals;
  if (help) return { sub: 'list', name: undefined, format: 'table', category: undefined, model: 'die-area-v1', help };
  if (sub !== 'list' && sub !== 'show') {
    throw errors.usage(sub === undefined ? "expected a subcommand: 'list' or 'show NAME'" : `unknown subcommand '${sub}' (expected list or show)`);
  }
  if (sub === 'list' && rest.length > 0) throw errors.usage(`'list' takes no NAME (got '${rest.join(' ')}')`);
  if (sub === 'show' && rest.length === 0) throw errors.usage("'show' needs a NAME, e.g. inferprint hardware show A100");
  if (sub === 'show' && values.category !== undefined) throw errors.usage('--category applies to list only', '--category');

  const rawModel = values['embodied-model'] ?? 'die-area-v1';
  if (!isEmbodiedModelId(rawModel)) throw errors.usage(`unknown embodied model '${rawModel}' (expected ${EMBODIED_MODEL_IDS.join(', ')})`, '--embodied-model');

  let category: HardwareCategory | undefined;
  if (values.category !== undefined) {
    const wanted = values.category.toLowerCase();
    category = HARDWARE_CATEGORIES.find((c) => c.toLowerCase() === wanted);
    if (!category) throw errors.usage(`unknown category '${values.category}' (expected ${HARDWARE_CATEGORIES.join(', ')})`, '--category');
  }
  // Unquoted multi-word names (`show NVIDIA H100 NVL`) are joined back together.
  return { sub, name: sub === 'show' ? rest.join(' ') : undefined, format: parseFormat(values.format), category, model: rawModel, help };
}

// ---------------------------------------------------------------------------------------
// list

interface ListRow {
  readonly spec: HardwareSpec;
  readonly embodied: EmbodiedResult | undefined;
}

const LIST_COLUMNS: readonly Column<ListRow>[] = [
  { key: 'id', header: 'id', value: (r) => r.spec.id },
  { key: 'name', header: 'name', value: (r) => r.spec.name },
  { key: 'kind', header: 'kind', value: (r) => r.spec.kind },
  { key: 'category', header: 'category', value: (r) => r.spec.category },
  { key: 'die_area_mm2', header: 'die (mm²)', value: (r) => r.spec.dieAreaMm2, align: 'right' },
  { key: 'tech_node_nm', header: 'node (nm)', value: (r) => r.spec.techNodeNm, align: 'right' },
  { key: 'year', header: 'year', value: (r) => r.spec.year, align: 'right' },
  { key: 'foundry', header: 'foundry', value: (r) => r.spec.foundry },
  { key: 'memory_gb', header: 'mem (GB)', value: (r) => r.spec.memoryGb, align: 'right' },
  { key: 'memory_type', header: 'mem type', value: (r) => r.spec.memoryType },
  { key: 'tdp_w', header: 'TDP (W)', value: (r) => r.spec.tdpW, align: 'right' },
  { key: 'power_unit', header: 'log unit', value: (r) => powerUnitOf(r.spec) },
  { key: 'embodied_model', header: 'model', value: (r) => r.embodied?.model },
  { key: 'candidates', header: 'n', value: (r) => r.embodied?.candidates.length, align: 'right' },
  { key: 'embodied_min_kg', header: 'F min (kg)', value: (r) => r.embodied?.minKg, digits: 2 },
  { key: 'embodied_mean_kg', header: 'F mean (kg)', value: (r) => r.embodied?.meanKg, digits: 2 },
  { key: 'embodied_max_kg', header: 'F max (kg)', value: (r) => r.embodied?.maxKg, digits: 2 },
];

function embodiedOrNone(model: EmbodiedModelId, spec: HardwareSpec): EmbodiedResult | undefined {
  // The study's constants exist for its ten devices only: elsewhere the column is not applicable.
  if (model === 'thesis-2025-constants' && !hasThesisConstants(spec)) return undefined;
  return estimateEmbodied(model, spec);
}

function list(ctx: CliContext, flags: Flags): number {
  const specs = flags.category ? HARDWARE.filter((h) => h.category === flags.category) : HARDWARE;
  const rows = specs.map((spec) => ({ spec, embodied: embodiedOrNone(flags.model, spec) }));
  if (flags.format === 'json') {
    ctx.stdout(
      renderJson(
        rows.map((r) => ({
          ...r.spec,
          powerUnit: powerUnitOf(r.spec),
          embodied: r.embodied ? { model: r.embodied.model, candidatesKg: r.embodied.candidatesKg, minKg: r.embodied.minKg, meanKg: r.embodied.meanKg, maxKg: r.embodied.maxKg } : null,
        })),
      ),
    );
  } else if (flags.format === 'csv') {
    ctx.stdout(renderCsv(LIST_COLUMNS, rows));
  } else {
    ctx.stdout(renderTable(LIST_COLUMNS, rows));
    ctx.stdout(`\n${rows.length} device(s). Embodied footprint F in kgCO2e (${flags.model}); details: inferprint hardware show NAME\n`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// show

interface CandidateRow {
  readonly index: number;
  readonly c: EmbodiedCandidate;
}

const CANDIDATE_COLUMNS: readonly Column<CandidateRow>[] = [
  { key: 'candidate', header: '#', value: (r) => r.index, align: 'right' },
  { key: 'factor_id', header: 'IC factor', value: (r) => r.c.factor.id },
  { key: 'factor_category', header: 'category', value: (r) => r.c.factor.category },
  { key: 'factor_key', header: 'key', value: (r) => r.c.factor.matchKey },
  { key: 'factor_kgco2e_per_cm2', header: 'kgCO2e/cm²', value: (r) => r.c.factor.valueKgPerCm2, align: 'right' },
  { key: 'processor_kg', header: 'processor (kg)', value: (r) => r.c.processorKg, digits: 6 },
  { key: 'memory_kg', header: 'memory (kg)', value: (r) => r.c.memoryKg, digits: 6 },
  { key: 'total_kg', header: 'total (kg)', value: (r) => r.c.totalKg, digits: 6 },
];

function specLines(spec: HardwareSpec): string[] {
  const lines: [string, string][] = [
    ['kind', `${spec.kind} (power logged in ${powerUnitOf(spec)})`],
    ['category', spec.category],
    ['die area', `${spec.dieAreaMm2} mm² (${Number((spec.dieAreaMm2 / 100).toFixed(4))} cm²)`],
    ['node', `${spec.techNodeNm} nm${spec.process ? ` (${spec.process})` : ''}, ${spec.foundry}, ${spec.year}`],
    ['memory', `${spec.memoryGb} GB ${spec.memoryType}`],
    ['TDP', `${spec.tdpW} W`],
  ];
  if (spec.gflopsFp32 !== undefined) lines.push(['FP32', `${spec.gflopsFp32} GFLOPS`]);
  if (spec.computeCapability !== undefined) lines.push(['compute cap.', spec.computeCapability]);
  lines.push(['aliases', spec.aliases.length > 0 ? spec.aliases.join(', ') : '—']);
  lines.push(['source', `${spec.source} (${spec.sourceYear})`]);
  if (spec.note !== undefined) lines.push(['note', spec.note]);
  return lines.map(([k, v]) => `  ${k.padEnd(13)} ${v}`);
}

function show(ctx: CliContext, flags: Flags, name: string): number {
  const spec = requireHardware(name, { field: 'NAME' });
  const embodied = estimateEmbodied(flags.model, spec);
  const rows = embodied.candidates.map((c, i) => ({ index: i + 1, c }));
  if (flags.format === 'json') {
    ctx.stdout(renderJson({ hardware: { ...spec, powerUnit: powerUnitOf(spec) }, embodied }));
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
  ctx.stdout(
    [
      `${spec.id} — ${spec.name}`,
      ...specLines(spec),
      '',
      `Embodied footprint (${embodied.model}), kgCO2e`,
      `  ${embodied.formula}`,
      `  memory factor: ${embodied.memoryFactor.memoryType} ${embodied.memoryFactor.gCo2ePerGb} gCO2e/GB, ${embodied.memoryFactor.densityGbitPerMm2} Gbit/mm²${embodied.memoryFactor.proxyFor ? ` (proxy: ${embodied.memoryFactor.proxyFor}'s values)` : ''}`,
      '',
    ].join('\n'),
  );
  ctx.stdout(renderTable(CANDIDATE_COLUMNS, rows));
  ctx.stdout(
    [
      '',
      `  min ${f(embodied.minKg)}  mean ${f(embodied.meanKg)}  max ${f(embodied.maxKg)} kgCO2e over ${embodied.candidates.length} candidate(s)`,
      '',
      'Sources',
      ...embodied.sources.map((s) => `  - ${s}`),
      ...embodied.candidates.map((c) => `  - ${c.factor.id}: ${c.factor.status}${c.factor.note ? `; ${c.factor.note}` : ''}`),
      '',
    ].join('\n'),
  );
  return 0;
}

export const hardwareCommand: Command = {
  name: 'hardware',
  summary: 'hardware database with embodied footprint and sources',
  help: HELP,
  run(ctx) {
    const flags = parseFlags(ctx.argv);
    if (flags.help) {
      ctx.stdout(HELP);
      return Promise.resolve(0);
    }
    return Promise.resolve(flags.sub === 'list' ? list(ctx, flags) : show(ctx, flags, flags.name ?? ''));
  },
};
