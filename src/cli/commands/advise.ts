import { DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, type AdviceResult, type DeploymentAdvice, type Figure, type InputUsed, type StudyRow } from '../../advise/advise.js';
import { adviseFile, prepareAdviceFile } from '../../advise/io/load.js';
import { errors } from '../../errors.js';
import { num, pct, range, sloCell } from '../../advise/format.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { resolve } from 'node:path';
import { progressReporter } from '../progress.js';
import { debugLine, type Command } from '../command.js';
import { integerParser, parseIntegerFlag } from '../flags.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';
import { parameterLines } from '../impact-parameters.js';
import { parseFormat, renderCsv, renderJson, renderTable, type Column } from '../output.js';

/** `--draws`: a whole number up to the advisor's most (a larger one would run for hours and fill memory). */
function drawsFlag(raw: string, flag: string): number {
  const n = parseIntegerFlag(raw, flag, 'a whole number of draws (0 for none)');
  if (n > MAX_DRAWS) throw errors.usage(`at most ${MAX_DRAWS} draws, got ${n}: the P5–P95 does not move in the digits shown past that, and memory grows with every draw`, flag);
  return n;
}

export const ADVISE_FLAGS = defineFlags({
  format: { type: 'string', value: 'table|csv|json', default: 'table', parse: (raw) => parseFormat(raw), help: 'output format' },
  'runs-dir': {
    type: 'string',
    value: 'DIR',
    help: ['runs directory to read measured profiles from (default', '$INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs)'],
  },
  draws: { type: 'string', value: 'N', default: String(DEFAULT_DRAWS), parse: drawsFlag, help: `Monte Carlo draws, at most ${MAX_DRAWS} (default {default}; 0: inputs as given only)` },
  seed: { type: 'string', value: 'S', default: String(DEFAULT_SEED), parse: integerParser('a whole number'), help: 'Monte Carlo seed' },
  report: {
    type: 'string',
    value: 'DIR',
    parse: (raw) => parseReportDir(raw),
    help: [
      'also write a report folder: index.html (self-contained), the',
      'figures (footprint by cause, break-even, sensitivity) as SVG and',
      'PNG, the tables as CSV, advice.json; an earlier advice report',
      'there is replaced, any other non-empty folder refused',
    ],
  },
});

const SPEC = defineCommand({ flags: ADVISE_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [1, 1] } });

function parseReportDir(raw: string): string {
  if (raw.trim() === '') throw errors.usage('give a folder', '--report');
  return raw;
}

const HELP = `Usage: inferprint advise WORKLOAD.yaml [options]

Deployment advisor: for users × queries a day at a latency target, how many devices each
deployment needs (a pool sized to the busiest hour, or one device per N users), how busy
they are, what they draw idle and at work, and the operational and embodied footprint
over the horizon, with P5–P95 from a Monte Carlo over every ranged input, the input that
swings each total most, and the study's per-run accounting beside it.

WORKLOAD.yaml (YAML or JSON; examples/ holds three):
  users, queries_per_user_per_day, hourly_profile (flat | 24 weights),
  slo { percentile, latency_ms }, days (horizon, default 365),
  deployments: - { name, hardware, placement pooled|dedicated|shared, max_utilisation
                   (pooled, shared: 0.7), autoscale, users_per_device (dedicated, 1), grid (zone |
                   g/kWh | 24 hourly values), pue (auto | X), power { idle_w, busy_w, host_w },
                   service_ms, capacity_qps, on_hours_per_day (24), lifetime (7y),
                   embodied { model | kg, host_kg } }
  study { source, qc, method thesis|trapezoid, per_run_mg { HARDWARE: MG } }, profiles_from
  A number may be a range { value, min, max }. Paths are relative to the current directory.

Device profiles (idle, busy and host power, service time, capacity) come from the file;
else from measured runs of that hardware: the folders named by profiles_from and
study.source, then the runs directory; else from the hardware database (busy = TDP,
estimated). Every value says where it came from.

Options:
${optionLines(ADVISE_FLAGS, { width: 27 })}
${debugLine(27)}
`;

export const adviseCommand: Command = {
  name: 'advise',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, ADVISE_FLAGS);
    const { values, positionals } = f;
    const format = f.get('format');
    if (positionals.length !== 1) throw errors.usage(positionals.length === 0 ? 'give the workload file (see examples/)' : `give one workload file, got ${positionals.length}`, 'WORKLOAD.yaml');
    const draws = f.get('draws');
    const seed = f.get('seed');
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    f.get('report');
    const opts = { cwd: ctx.cwd, runsDir, draws, seed };
    let result: AdviceResult;
    if (values.report === undefined) result = await adviseFile(positionals[0]!, opts);
    else {
      // The report layer (vega, resvg) loads only when a report is asked for.
      const { writeAdviceReport } = await import('../../advise/io/report-io.js');
      const prepared = await prepareAdviceFile(positionals[0]!, opts);
      result = prepared.result;
      const progress = progressReporter(ctx, 'advise');
      const written = await writeAdviceReport(prepared, { outDir: resolve(ctx.cwd, values.report), onProgress: (d, t, what) => { progress.update(d, t, what); } });
      progress.done();
      ctx.stderr(`inferprint advise: report written to ${written.outDir} (index.html, ${written.files.filter((f) => f.endsWith('.svg')).length} figures)\n`);
    }
    ctx.stdout(render(result, format));
    if (format !== 'table') for (const n of allNotes(result)) ctx.stderr(`inferprint: note: ${n}\n`);
    return 0;
  },
};

function tableColumns(r: AdviceResult): Column<DeploymentAdvice>[] {
  return [
    { key: 'name', header: 'deployment', value: (d) => d.name },
    { key: 'hardware', header: 'hardware', value: (d) => `${d.hardware} ${d.placement}` },
    { key: 'devices', header: 'devices', value: (d) => num(d.devices.value), align: 'right' },
    { key: 'util', header: 'util. mean/peak', value: (d) => `${pct(d.utilisation.mean)} / ${pct(d.utilisation.peak)}`, align: 'right' },
    { key: 'latency', header: `p${r.workload.slo.percentile} ms, met (≤ ${r.workload.slo.latency_ms})`, value: sloCell, align: 'right' },
    { key: 'kwh_year', header: 'kWh/year', value: (d) => num(d.kwh_per_year.value), align: 'right' },
    { key: 'operational', header: 'operational kg', value: (d) => num(d.operational_kg.value), align: 'right' },
    { key: 'embodied', header: 'embodied kg', value: (d) => num(d.embodied_kg.value), align: 'right' },
    { key: 'total', header: 'total kg', value: (d) => num(d.total_kg.value), align: 'right' },
    { key: 'total_range', header: 'P5–P95 kg', value: (d) => range(d.total_kg), align: 'right' },
    { key: 'mg_query', header: 'mg/query', value: (d) => num(d.mg_per_query.value), align: 'right' },
    { key: 'g_user_year', header: 'g/user/year', value: (d) => num(d.g_per_user_per_year.value), align: 'right' },
  ];
}

const STUDY_COLUMNS: Column<StudyRow>[] = [
  { key: 'name', header: 'study accounting', value: (s) => s.name },
  { key: 'hardware', header: 'hardware', value: (s) => s.hardware },
  { key: 'qc', header: 'QC', value: (s) => s.qc, align: 'right' },
  { key: 'per_run', header: 'per-run mg', value: (s) => num(s.per_run_mg), align: 'right' },
  { key: 'runs', header: 'runs/user/day', value: (s) => num(s.runs_per_user_per_day), align: 'right' },
  { key: 'total', header: 'total kg', value: (s) => num(s.total_kg), align: 'right' },
  { key: 'mg_query', header: 'mg/query', value: (s) => num(s.mg_per_query), align: 'right' },
  { key: 'source', header: 'per-run GWP from', value: (s) => s.source },
];

function fig(name: string, f: (d: DeploymentAdvice) => Figure): Column<DeploymentAdvice>[] {
  return [
    { key: name, header: name, value: (d) => f(d).value },
    { key: `${name}_p5`, header: `${name}_p5`, value: (d) => f(d).p5 },
    { key: `${name}_p50`, header: `${name}_p50`, value: (d) => f(d).p50 },
    { key: `${name}_p95`, header: `${name}_p95`, value: (d) => f(d).p95 },
  ];
}

/** One CSV for both tables: `kind` says which a row is; study rows fill the columns they have. */
type CsvRow = { readonly kind: 'deployment'; readonly d: DeploymentAdvice } | { readonly kind: 'study'; readonly s: StudyRow };

const dep = (c: Column<DeploymentAdvice>): Column<CsvRow> => ({ ...c, value: (r) => (r.kind === 'deployment' ? c.value(r.d) : undefined) });

const CSV_COLUMNS: Column<CsvRow>[] = [
  { key: 'kind', header: 'kind', value: (r) => r.kind },
  { key: 'name', header: 'name', value: (r) => (r.kind === 'deployment' ? r.d.name : r.s.name) },
  { key: 'hardware', header: 'hardware', value: (r) => (r.kind === 'deployment' ? r.d.hardware : r.s.hardware) },
  dep({ key: 'placement', header: 'placement', value: (d) => d.placement }),
  ...fig('devices', (d) => d.devices).map(dep),
  dep({ key: 'capacity_qps', header: 'capacity_qps', value: (d) => d.capacity_qps }),
  dep({ key: 'capacity_basis', header: 'capacity_basis', value: (d) => d.capacity_basis }),
  dep({ key: 'utilisation_mean', header: 'utilisation_mean', value: (d) => d.utilisation.mean }),
  dep({ key: 'utilisation_peak', header: 'utilisation_peak', value: (d) => d.utilisation.peak }),
  dep({ key: 'latency_ms', header: 'latency_ms', value: (d) => d.latency_ms }),
  dep({ key: 'latency_basis', header: 'latency_basis', value: (d) => d.latency_basis }),
  dep({ key: 'slo_met', header: 'slo_met', value: (d) => d.slo_met }),
  ...fig('energy_kwh', (d) => d.energy_kwh).map(dep),
  dep({ key: 'kwh_per_year', header: 'kwh_per_year', value: (d) => d.kwh_per_year.value }),
  ...fig('operational_kg', (d) => d.operational_kg).map(dep),
  ...fig('embodied_kg', (d) => d.embodied_kg).map(dep),
  { key: 'total_kg', header: 'total_kg', value: (r) => (r.kind === 'deployment' ? r.d.total_kg.value : r.s.total_kg) },
  ...fig('total_kg', (d) => d.total_kg).slice(1).map(dep),
  { key: 'mg_per_query', header: 'mg_per_query', value: (r) => (r.kind === 'deployment' ? r.d.mg_per_query.value : r.s.mg_per_query) },
  ...fig('mg_per_query', (d) => d.mg_per_query).slice(1).map(dep),
  dep({ key: 'g_per_user_per_year', header: 'g_per_user_per_year', value: (d) => d.g_per_user_per_year.value }),
  { key: 'per_run_mg', header: 'per_run_mg', value: (r) => (r.kind === 'study' ? r.s.per_run_mg : undefined) },
  { key: 'source', header: 'source', value: (r) => (r.kind === 'study' ? r.s.source : r.d.capacity_source) },
];

export function render(r: AdviceResult, format: 'table' | 'csv' | 'json'): string {
  if (format === 'json') return renderJson(r);
  if (format === 'csv') return renderCsv(CSV_COLUMNS, [...r.deployments.map((d): CsvRow => ({ kind: 'deployment', d })), ...r.study.map((s): CsvRow => ({ kind: 'study', s }))]);
  const w = r.workload;
  const out: string[] = [];
  out.push(
    `${w.name !== undefined ? `${w.name}: ` : ''}${num(w.users)} users × ${num(w.queries_per_user_per_day)} queries/day = ${num(w.queries_per_day)} queries/day, busiest hour ${num(w.peak_qps)} queries/s (${w.hourly_profile === 'flat' ? 'flat profile' : 'hourly profile'}); target p${w.slo.percentile} ≤ ${w.slo.latency_ms} ms; horizon ${num(w.days)} day${w.days === 1 ? '' : 's'} (totals are over it).`,
  );
  out.push('');
  out.push(renderTable(tableColumns(r), r.deployments).trimEnd());
  if (r.study.length > 0) {
    out.push('');
    out.push(renderTable(STUDY_COLUMNS, r.study).trimEnd());
    out.push("The study's accounting: each user a device of their own, one QC-query run per user per day; users × runs/user/day × days × per-run GWP.");
  }
  out.push('');
  if (r.montecarlo.draws > 0) {
    out.push(`P5–P95: ${num(r.montecarlo.draws)} Monte Carlo draws (seed ${r.montecarlo.seed}) over every ranged input; ${r.montecarlo.distribution}.`);
    for (const c of r.comparisons) out.push(`P(${c.a} emits less than ${c.b}) = ${c.p_a_less.toFixed(3)}`);
  } else out.push('No Monte Carlo (--draws 0): the figures are the inputs as given.');
  for (const d of r.deployments) {
    out.push('');
    out.push(`${d.name} — ${d.hardware} (${d.category}), ${d.placement}: ${num(d.devices.value)} device(s)${d.devices.p5 !== d.devices.p95 ? ` (P5–P95 ${range(d.devices)})` : ''}; ${capacityLine(d)}`);
    out.push(
      `  energy ${num(d.energy_kwh.value)} kWh over the horizon: idle ${num(d.energy_split_kwh.idle)}, active ${num(d.energy_split_kwh.active)}, host ${num(d.energy_split_kwh.host)}; embodied ${num(d.embodied_kg.value)} kg (device ${num(d.embodied_split_kg.device)}, host ${num(d.embodied_split_kg.host)})`,
    );
    if (d.sensitivity.length > 0) {
      out.push('  what swings the total most (each input from its low to its high end, the others at their values):');
      for (const s of d.sensitivity.slice(0, 5)) out.push(`    ${s.input.padEnd(10)} ${num(s.low)}–${num(s.high)} ${s.unit}: total ${num(s.total_kg_at_low)}–${num(s.total_kg_at_high)} kg (swing ${num(s.swing_kg)} kg)`);
    }
    out.push('  inputs:');
    out.push(...inputLines(d.inputs.filter((i) => !['grid', 'pue', 'lifetime', 'embodied'].includes(i.name)), '    '));
    out.push(...parameterLines(d.parameters, '    '));
  }
  const notes = allNotes(r);
  if (notes.length > 0) out.push('');
  for (const n of notes) out.push(`Note: ${n}`);
  return `${out.join('\n')}\n`;
}

function capacityLine(d: DeploymentAdvice): string {
  if (d.placement === 'dedicated') return `busiest device ${num(d.peak_qps_per_device)} queries/s against a service rate of ${num(d.capacity_qps)}/s`;
  const bound = d.capacity_bound === null ? '' : `, ${d.capacity_bound} bound`;
  return `capacity ${num(d.capacity_qps)} queries/s per device (${d.capacity_basis}${bound}; ${d.capacity_source})`;
}

/** Profile values, as `parameterLines` shows the impact parameters. */
function inputLines(inputs: readonly InputUsed[], indent: string): string[] {
  return inputs.map((i) => {
    const r = i.min !== i.max ? ` [range ${num(i.min)} – ${num(i.max)} ${i.unit}]` : '';
    return `${indent}${i.name.padEnd(9)} ${num(i.value)} ${i.unit}${r} — ${i.source}`;
  });
}

function allNotes(r: AdviceResult): string[] {
  return [...r.deployments.flatMap((d) => d.notes), ...r.notes];
}
