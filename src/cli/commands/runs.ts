import { lstat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { describeProvenance } from '../../traces/provenance.js';
import { errors, escapeControl } from '../../errors.js';
import { deviceDisplayName } from '../../impact/hardware.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { MANIFEST_SCHEMA_VERSION } from '../../runs/manifest.js';
import { EXPORT_FORMATS, runRowsCsv, runRowsJson, type ExportFormat } from '../../store/export.js';
import { parseTimeBound, RUN_STATUSES, type RunFilter } from '../../store/filter.js';
import { toRunRow, type RunRow } from '../../runs/row.js';
import type { SkippedEntry, StoredRun } from '../../runs/io/scan.js';
import { toWindowRows, type ResultRow, type WindowRow } from '../../store/rows.js';
import { openStore, type RunStore } from '../../store/store.js';
import type { CliContext, Command } from '../command.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, requireApplicable, type RawValues } from '../spec.js';
import { parseFormat, renderJson, renderTable, type Column } from '../output.js';

const FILTER_FLAGS = ['device', 'hardware-id', 'scenario', 'queries', 'label', 'status', 'job', 'node', 'partition', 'since', 'until'] as const;

/** The sub-commands filters apply to. */
const FILTERED = ['list', 'export'];

export const RUNS_FLAGS = defineFlags({
  format: { type: 'string', value: 'F', hidden: true, parse: (raw) => anyFormat(raw), help: 'list: table|csv|json; show: table|json; export: csv|json|parquet' },
  json: { type: 'boolean', for: ['list', 'show'], hidden: true, help: 'the same as --format json' },
  device: { type: 'string', value: 'NAME', for: FILTERED, help: 'a hardware id or name (A100, orin, "NVIDIA H200"), or part of the device name' },
  'hardware-id': { type: 'string', value: 'ID', for: FILTERED, help: 'exact hardware database id' },
  scenario: { type: 'string', value: 'S', for: FILTERED, help: 'MLPerf scenario: SingleStream, MultiStream, Server, Offline' },
  queries: { type: 'string', value: 'N', for: FILTERED, parse: positiveInt, help: 'query count' },
  label: { type: 'string', value: 'TEXT', for: FILTERED, help: 'part of the label (case-insensitive)' },
  status: { type: 'string', value: 'S', for: FILTERED, parse: (raw) => parseStatus(raw), help: RUN_STATUSES.join(', ') },
  job: { type: 'string', value: 'ID', for: FILTERED, help: "a scheduler job: its id, its job array's id (every task) or ARRAY_TASK (123_4)" },
  node: { type: 'string', value: 'NAME', for: FILTERED, help: 'the node that ran it (Slurm node name, else host name)' },
  partition: { type: 'string', value: 'P', for: FILTERED, help: 'the Slurm partition' },
  // Checked against the clock of the moment; a run checks it against its own `now`.
  since: { type: 'string', value: 'WHEN', for: FILTERED, parse: (raw, flag) => parseTimeBound(raw, flag, Date.now()), help: 'started at or after WHEN: 2026-11-26, 2026-11-26T11:42 (UTC), or a duration ago (7d, 36h)' },
  until: { type: 'string', value: 'WHEN', for: FILTERED, parse: (raw, flag) => parseTimeBound(raw, flag, Date.now()), help: 'started before WHEN' },
  last: { type: 'string', value: 'N', for: ['list'], parse: positiveInt, help: 'list: only the N most recent runs' },
  yes: { type: 'boolean', for: ['rm'], help: 'rm: do not ask' },
  all: { type: 'boolean', for: ['export'], help: 'export: every run (matching the filters)' },
  out: { type: 'string', value: 'PATH', for: ['export'], help: 'export: file to write (replaced)' },
  'runs-dir': { type: 'string', value: 'DIR', help: 'the runs store (default: $INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs)' },
});

const SPEC = defineCommand({
  flags: RUNS_FLAGS,
  subcommands: ['list', 'show', 'rm', 'export'],
  refuse: (flag, sub) => `--${flag} does not apply to 'runs ${sub}'`,
  args: { list: [0, 0], show: [1, 1], rm: [1], export: [0] },
});

const FILTER_HELP = `Filters (list, export --all):
${optionLines(RUNS_FLAGS, { width: 22, names: FILTER_FLAGS })}`;

const HELP = `Usage:
  inferprint runs list [filters] [--last N] [--format table|csv|json | --json]
  inferprint runs show ID [--format table|json | --json]
  inferprint runs rm ID... [--yes]
  inferprint runs export (ID... | --all [filters]) [--format csv|json|parquet] [--out PATH]

The runs store: every run bundle in the runs directory.

  list    one line per run, oldest first; entries that are not readable bundles
          (corrupt, foreign, written by a newer inferprint) are reported on stderr and skipped
  show    one run: manifest summary, energy per channel and window, impact, MLPerf results, files
  rm      remove runs by exact id (asks on a terminal; --yes is required otherwise)
  export  the runs table's rows (columns: see src/store/README.md) as CSV, JSON or Parquet;
          the format defaults to the --out extension, CSV and JSON go to stdout without --out

ID is a run id, or for show and export a prefix that matches one run only.

${FILTER_HELP}

Options:
${optionLines(RUNS_FLAGS, { width: 22, names: ['last', 'yes', 'all', 'out', 'runs-dir'] })}
`;

type Values = RawValues<typeof RUNS_FLAGS>;

/** Any sub-command's format; each sub-command then takes its own (list: no Parquet, show: no CSV). */
function anyFormat(raw: string): string {
  const all = ['table', 'csv', 'json', ...EXPORT_FORMATS.filter((f) => f !== 'csv' && f !== 'json')];
  if (!all.includes(raw)) throw errors.usage(`unknown format '${raw}' (expected ${all.join(', ')})`, '--format');
  return raw;
}

function parseStatus(raw: string): NonNullable<RunFilter['status']> {
  const status = RUN_STATUSES.find((s) => s === raw.toLowerCase());
  if (status === undefined) throw errors.usage(`unknown status '${raw}' (expected ${RUN_STATUSES.join(', ')})`, '--status');
  return status;
}

function positiveInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw errors.usage(`expected a positive whole number below 2^53, got '${raw}'`, flag);
  return Number(raw);
}

function parseFilter(v: Values, nowMs: number): RunFilter {
  const status = v.status === undefined ? undefined : parseStatus(v.status);
  return {
    ...(v.device !== undefined ? { device: v.device } : {}),
    ...(v['hardware-id'] !== undefined ? { hardwareId: v['hardware-id'] } : {}),
    ...(v.scenario !== undefined ? { scenario: v.scenario } : {}),
    ...(v.queries !== undefined ? { queryCount: positiveInt(v.queries, '--queries') } : {}),
    ...(v.label !== undefined ? { label: v.label } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(v.job !== undefined ? { job: v.job } : {}),
    ...(v.node !== undefined ? { node: v.node } : {}),
    ...(v.partition !== undefined ? { partition: v.partition } : {}),
    ...(v.since !== undefined ? { sinceMs: parseTimeBound(v.since, '--since', nowMs) } : {}),
    ...(v.until !== undefined ? { untilMs: parseTimeBound(v.until, '--until', nowMs) } : {}),
  };
}

/** Flags that belong to other subcommands are refused, not silently ignored (the table says which go where). */
function only(v: Values, sub: string): void {
  requireApplicable(SPEC, v, sub);
}

function reportSkipped(ctx: CliContext, skipped: readonly SkippedEntry[]): void {
  if (skipped.length === 0) return;
  ctx.stderr(`inferprint runs: ${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'} of the runs directory skipped:\n`);
  for (const s of skipped) ctx.stderr(`  ${escapeControl(s.name)}: ${escapeControl(s.reason)}\n`);
}

// ---------------------------------------------------------------------------------------
// list

const LIST_COLUMNS: readonly Column<RunRow>[] = [
  { key: 'id', header: 'id', value: (r) => r.id },
  // `completed` is the measurement's status; a wrapped command that failed says so beside it.
  { key: 'status', header: 'status', value: (r) => (r.exit_code !== null && r.exit_code !== 0 ? `${r.status} (exit ${r.exit_code})` : r.status) },
  { key: 'device', header: 'device', value: (r) => deviceDisplayName(r.hardware_id, r.device) },
  { key: 'sensor', header: 'sensor', value: (r) => (r.sensor === null ? 'none' : r.provenance === 'estimated' ? `${r.sensor} (ESTIMATED)` : r.provenance === 'replayed' ? `${r.sensor} (REPLAYED)` : r.sensor) },
  { key: 'scenario', header: 'scenario', value: (r) => r.scenario },
  { key: 'query_count', header: 'queries', value: (r) => r.query_count, align: 'right' },
  { key: 'duration_s', header: 'duration (s)', value: (r) => r.duration_s, digits: 2 },
  { key: 'energy_j', header: 'energy (J)', value: (r) => r.energy_j, digits: 2 },
  { key: 'gwp_mg', header: 'GWP (mg)', value: (r) => r.gwp_mg, digits: 3 },
  { key: 'impact_scope', header: 'scope', value: (r) => (r.impact_scope === 'operational' ? 'operational only' : r.impact_scope === null ? '' : 'op.+embodied') },
  { key: 'label', header: 'label', value: (r) => r.label },
];

async function list(ctx: CliContext, store: RunStore, v: Values): Promise<number> {
  only(v, 'list');
  const format = v.json === true ? 'json' : parseFormat(v.format);
  const filter = parseFilter(v, Date.now());
  const listing = await store.list(filter);
  let rows = listing.rows;
  if (v.last !== undefined) rows = rows.slice(-positiveInt(v.last, '--last'));
  if (format === 'json') {
    ctx.stdout(runRowsJson({ runsDir: store.runsDir, runs: rows, skipped: listing.skipped }));
    return 0;
  }
  if (format === 'csv') ctx.stdout(runRowsCsv(rows));
  else {
    ctx.stdout(renderTable(LIST_COLUMNS, rows));
    ctx.stdout(`${rows.length} run(s) in ${store.runsDir}\n`);
  }
  reportSkipped(ctx, listing.skipped);
  return 0;
}

// ---------------------------------------------------------------------------------------
// show

function fmt(n: number | null, digits: number, unit: string): string {
  return n === null ? '—' : `${n.toFixed(digits)} ${unit}`;
}

/** A number with `digits` significant figures, plain (no exponent for everyday magnitudes). */
function sig(n: number, digits = 4): string {
  return Number(n.toPrecision(digits)).toString();
}

const WINDOW_TABLE: readonly Column<WindowRow>[] = [
  { key: 'window', header: 'window', value: (r) => r.window },
  { key: 't0_s', header: 't0 (s)', value: (r) => r.t0_s, digits: 3 },
  { key: 't1_s', header: 't1 (s)', value: (r) => r.t1_s, digits: 3 },
  { key: 'channel', header: 'channel', value: (r) => r.channel },
  { key: 'energy_j', header: 'energy (J)', value: (r) => r.energy_j, digits: 3 },
  { key: 'mean_w', header: 'mean (W)', value: (r) => r.mean_w, digits: 2 },
];

const RESULT_TABLE: readonly Column<ResultRow>[] = [
  { key: 'file', header: 'file', value: (r) => r.file },
  { key: 'scenario', header: 'scenario', value: (r) => r.scenario },
  { key: 'result_valid', header: 'valid', value: (r) => (r.result_valid ? 'VALID' : 'INVALID') },
  { key: 'min_query_count', header: 'queries', value: (r) => r.min_query_count, align: 'right' },
  { key: 'mean_ms', header: 'mean (ms)', value: (r) => r.mean_latency_ns / 1e6, digits: 3 },
  { key: 'p90_ms', header: 'p90 (ms)', value: (r) => (r.p90_latency_ns === null ? null : r.p90_latency_ns / 1e6), digits: 3 },
  { key: 'max_ms', header: 'max (ms)', value: (r) => r.max_latency_ns / 1e6, digits: 3 },
];

interface FileInfo {
  readonly name: string;
  readonly role: string;
  readonly bytes: number | null;
}

async function bundleFiles(run: StoredRun): Promise<FileInfo[]> {
  const all = [
    { name: 'manifest.json', role: 'manifest' },
    ...(run.manifest.sensor !== undefined ? [{ name: 'trace.parquet', role: 'trace' }] : []),
    ...(run.hasCounters ? [{ name: 'counters.parquet', role: 'counters' }] : []),
    ...run.manifest.files,
  ];
  return Promise.all(all.map(async (f) => ({ name: f.name, role: f.role, bytes: await lstat(resolve(run.path, f.name)).then((s) => s.size, () => null) })));
}

async function show(ctx: CliContext, store: RunStore, v: Values, ids: readonly string[]): Promise<number> {
  only(v, 'show');
  if (ids.length !== 1) throw errors.usage(ids.length === 0 ? "'show' needs a run ID (see: inferprint runs list)" : "'show' takes one run ID", 'ID');
  const format = v.json === true ? 'json' : parseFormat(v.format);
  if (format === 'csv') throw errors.usage("'show' prints table or json", '--format');
  const run = await store.get(ids[0]!);
  const row = toRunRow(run);
  const windows = toWindowRows(run);
  const results = await store.results([run]);
  const files = await bundleFiles(run);
  if (format === 'json') {
    ctx.stdout(renderJson({ run: row, manifest: run.manifest, windows, results: results.rows, resultProblems: results.problems, files }));
    return 0;
  }
  const m = run.manifest;
  const w = m.workload;
  const lines: [string, string][] = [
    ['run', row.id],
    ['label', row.label === '' ? '—' : row.label],
    ['status', row.status_detail === null ? row.status : `${row.status} (${row.status_detail})`],
    ['started', `${m.startedAt}   ended ${m.endedAt}   (${sig(row.duration_s)} s)`],
    ['device', [row.device, row.hardware_id !== null ? `hardware id ${row.hardware_id}` : null].filter((x) => x !== null).join(', ') || '—'],
    [
      'host',
      [m.host.os, m.host.cpuModel, m.host.cpuCores !== undefined ? `${m.host.cpuCores} cores` : undefined, row.host_gpus.length > 0 ? `GPUs: ${row.host_gpus.join(', ')}` : undefined, m.host.driverVersion !== undefined ? `driver ${m.host.driverVersion}` : undefined]
        .filter((x) => x !== undefined)
        .join(', ') || '—',
    ],
    [
      'sensor',
      m.sensor === undefined
        ? 'none: the run measured no power (no trace, no energy)'
        : `${m.sensor.name}: ${describeProvenance(m.sensor.provenance)}, interval ${fmt(m.sensor.requestedIntervalS, 3, 's')} requested / ${fmt(m.sensor.measuredIntervalS, 3, 's')} measured, primary channel ${m.sensor.primaryChannel}`,
    ],
    [
      'workload',
      w.kind === 'command'
        ? `command: ${row.command ?? ''}${w.exitCode !== undefined ? ` (exit ${w.exitCode})` : ''}${w.signal !== undefined ? ` (${w.signal})` : ''}`
        : w.kind === 'bench'
          ? `bench: ${w.model}, ${w.scenario}, ${w.queryCount} queries`
          : w.kind === 'llm'
            ? `llm: ${w.model} at ${w.url} (${w.api}), levels ${w.levels.map((l) => l.name).join(', ')}, ${w.requestsPerLevel} requests each`
            : `import (${w.format}) of ${w.sourcePath}${row.query_count !== null ? `, ${row.query_count} queries` : ''}`,
    ],
    ['schema', `${row.schema_version}${row.schema_version !== MANIFEST_SCHEMA_VERSION ? ' (read through the upgrade path)' : ''}, written by ${row.tool}`],
    ['path', run.path],
    ...(m.notes ?? []).map((n): [string, string] => ['note', n]),
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  ctx.stdout(lines.map(([k, val]) => `${k.padEnd(width)}  ${val}`).join('\n') + '\n');

  ctx.stdout('\nenergy\n');
  if (m.energy === undefined) ctx.stdout(m.sensor === undefined ? '  none (the run measured no power)\n' : '  none (nothing was recorded)\n');
  else {
    ctx.stdout(`  ${sig(m.energy.primary.energyJ, 6)} J on ${m.energy.primary.channel} over ${sig(m.energy.primary.durationS)} s${m.energy.method !== undefined ? ` (${m.energy.method})` : ''}\n`);
    const perChannel = m.energy.perChannel.map((c) => ({ ...c, counter: m.energy?.counters?.find((k) => k.channel === c.channel) }));
    ctx.stdout(
      indent(
        renderTable(
          [
            { key: 'channel', header: 'channel', value: (r: (typeof perChannel)[number]) => r.channel },
            { key: 'energy', header: 'energy (J)', value: (r) => r.energyJ, digits: 3 },
            { key: 'mean', header: 'mean (W)', value: (r) => r.meanW, digits: 2 },
            { key: 'max', header: 'max (W)', value: (r) => r.maxW, digits: 2 },
            { key: 'samples', header: 'samples', value: (r) => r.samples, align: 'right' },
            { key: 'counter', header: 'counter (J)', value: (r) => r.counter?.energyJ, digits: 3 },
          ],
          perChannel,
        ),
      ),
    );
  }
  if (windows.length > 0) ctx.stdout(`\nwindows\n${indent(renderTable(WINDOW_TABLE, windows))}`);
  if (m.gaps.length > 0) ctx.stdout(`\ngaps\n${m.gaps.map((g) => `  ${g.channel}: ${sig(g.startS)} s → ${sig(g.endS)} s\n`).join('')}`);

  ctx.stdout('\nimpact\n');
  if (row.impact_scope === null) ctx.stdout('  none (no energy to assess)\n');
  else {
    const range = row.gwp_min_mg !== null && row.gwp_max_mg !== null ? ` (range ${sig(row.gwp_min_mg)}–${sig(row.gwp_max_mg)} mg)` : '';
    const parts = [
      `GWP ${row.gwp_mg === null ? '—' : sig(row.gwp_mg)} mgCO2e${range}`,
      row.operational_mg !== null ? `operational ${sig(row.operational_mg)} mg` : null,
      row.embodied_mg !== null ? `embodied ${sig(row.embodied_mg)} mg` : 'embodied not included (hardware unknown)',
    ];
    ctx.stdout(`  ${parts.filter((x) => x !== null).join(', ')}${row.impact_origin === 'assessed' ? ' (assessed now with the settings it was recorded with)' : ''}\n`);
    const params = [
      row.impact_preset !== null ? `preset ${row.impact_preset}` : null,
      row.impact_model !== null ? `model ${row.impact_model}` : null,
      row.grid_g_per_kwh !== null ? `grid ${sig(row.grid_g_per_kwh)} gCO2e/kWh` : null,
      row.pue !== null ? `PUE ${sig(row.pue)}` : null,
      row.lifetime_s !== null ? `lifetime ${sig(row.lifetime_s / 3600 / 8760)} y` : null,
    ].filter((x) => x !== null);
    if (params.length > 0) ctx.stdout(`  ${params.join(', ')}\n`);
    // What the impact itself says (the embodied part counts one GPU of N, a generic hardware
    // entry), less the sensor's own notes that measure and bench copy into it.
    const sensorNotes = new Set(m.sensor?.notes ?? []);
    for (const n of m.impact?.notes ?? []) if (!sensorNotes.has(n)) ctx.stdout(`  note: ${n}\n`);
  }

  if (results.rows.length > 0 || results.problems.length > 0) {
    ctx.stdout('\nMLPerf\n');
    if (results.rows.length > 0) ctx.stdout(indent(renderTable(RESULT_TABLE, results.rows)));
    for (const p of results.problems) ctx.stdout(`  unreadable: ${p.reason}\n`);
  }

  ctx.stdout(
    `\nfiles\n${indent(
      renderTable(
        [
          { key: 'name', header: 'name', value: (r: FileInfo) => r.name },
          { key: 'role', header: 'role', value: (r) => r.role },
          { key: 'bytes', header: 'bytes', value: (r) => r.bytes, align: 'right' },
        ],
        files,
      ),
    )}`,
  );
  return 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
}

// ---------------------------------------------------------------------------------------
// rm

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function rm(ctx: CliContext, store: RunStore, v: Values, ids: readonly string[]): Promise<number> {
  only(v, 'rm');
  if (ids.length === 0) throw errors.usage("'rm' needs at least one run ID (see: inferprint runs list)", 'ID');
  if (v.yes !== true) {
    // Asking needs a person at a terminal on both ends; scripts must say --yes.
    if (!ctx.isTTY || !process.stdin.isTTY) {
      throw errors.usage(`refusing to remove ${ids.length} run(s) without confirmation: not on a terminal, add --yes`, '--yes');
    }
    if (!(await confirm(`Remove ${ids.length} run(s) from ${store.runsDir}? [y/N] `))) {
      ctx.stderr('nothing removed\n');
      return 1;
    }
  }
  const removed = await store.remove(ids);
  for (const r of removed) ctx.stdout(r.removed ? `removed ${r.id}\n` : `${r.id}: already removed by another process\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------
// export

function exportFormat(raw: string | undefined, out: string | undefined): ExportFormat {
  const f = raw ?? (out !== undefined ? extname(out).slice(1).toLowerCase() : 'csv');
  if (!(EXPORT_FORMATS as readonly string[]).includes(f)) {
    throw errors.usage(raw !== undefined ? `unknown export format '${raw}' (expected ${EXPORT_FORMATS.join(', ')})` : `cannot tell the format from '${out ?? ''}': give --format ${EXPORT_FORMATS.join('|')}`, '--format');
  }
  return f as ExportFormat;
}

async function exportRuns(ctx: CliContext, store: RunStore, v: Values, ids: readonly string[]): Promise<number> {
  only(v, 'export');
  if (v.all === true && ids.length > 0) throw errors.usage('give run IDs or --all, not both', '--all');
  if (v.all !== true && ids.length === 0) throw errors.usage("'export' needs run IDs or --all", 'ID');
  if (v.all !== true && FILTER_FLAGS.some((k) => v[k] !== undefined)) throw errors.usage('filters apply with --all only', `--${FILTER_FLAGS.find((k) => v[k] !== undefined)!}`);
  const format = exportFormat(v.format, v.out);
  if (format === 'parquet' && v.out === undefined) throw errors.usage('Parquet is binary: give --out FILE', '--out');

  let rows: readonly RunRow[];
  let skipped: readonly SkippedEntry[] = [];
  if (v.all === true) {
    const listing = await store.list(parseFilter(v, Date.now()));
    rows = listing.rows;
    skipped = listing.skipped;
  } else {
    const picked: RunRow[] = [];
    for (const id of ids) picked.push(toRunRow(await store.get(id)));
    rows = picked;
  }
  if (v.out === undefined) {
    ctx.stdout(format === 'csv' ? runRowsCsv(rows) : runRowsJson({ runsDir: store.runsDir, runs: rows, skipped }));
  } else {
    const out = resolve(ctx.cwd, v.out);
    await store.exportRows(rows, format, out, skipped);
    ctx.stderr(`exported ${rows.length} run(s) to ${out}\n`);
  }
  reportSkipped(ctx, skipped);
  return 0;
}

// ---------------------------------------------------------------------------------------

export const runsCommand: Command = {
  name: 'runs',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const { values, positionals } = parseCommandFlags(ctx.argv, RUNS_FLAGS);
    const [sub, ...rest] = positionals;
    const store = openStore(resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd }));
    switch (sub) {
      case 'list':
        if (rest.length > 0) throw errors.usage(`'list' takes no IDs (got '${rest.join(' ')}'); filter with --label, --device, ...`);
        return list(ctx, store, values);
      case 'show':
        return show(ctx, store, values, rest);
      case 'rm':
        return rm(ctx, store, values, rest);
      case 'export':
        return exportRuns(ctx, store, values, rest);
      default:
        throw errors.usage(sub === undefined ? 'expected a subcommand: list, show, rm or export' : `unknown subcommand '${sub}' (expected list, show, rm or export)`);
    }
  },
};
