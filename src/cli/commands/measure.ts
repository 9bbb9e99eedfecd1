import { commandOutcome, measure, type MeasureResult } from '../../app/measure.js';
import { saveMeasureRunOrFallback, type SaveOutcome } from '../../app/measure-bundle.js';
import { provenanceColumns } from '../../runs/row.js';
import { parameterLines } from '../impact-parameters.js';
import { errors } from '../../errors.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { ESTIMATE_SCOPES } from '../../sensors/types.js';
import { defaultSensorEnv } from '../../sensors/io/env.js';
import { SENSOR_SPECS } from '../../sensors/io/registry.js';
import type { Command } from '../command.js';
import { renderJson, renderTable, type Column } from '../output.js';
import { durationParser, parseGridFlag, parsePueFlag, parseSensorFlag, tableOrJsonParser } from '../flags.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, splitAtOptionsEnd } from '../spec.js';
import type { ChannelSummary } from '../../measure/summary.js';

export const MEASURE_FLAGS = defineFlags({
  sensor: { type: 'string', value: 'NAME', default: 'auto', showDefault: false, parse: parseSensorFlag, help: `auto (default), ${SENSOR_SPECS.filter((s) => s !== 'auto').join(', ')}` },
  interval: { type: 'string', value: 'DURATION', default: '100ms', parse: durationParser('50ms'), help: 'sampling interval' },
  device: { type: 'string', value: 'ID', help: 'GPU index or UUID to sample (NVIDIA sensors); all by default' },
  'estimate-scope': {
    type: 'string',
    value: 'S',
    parse: (raw) => parseScope(raw),
    help: ["estimate sensor only: process (default: CMD's process tree,", "children included) or machine (every process's CPU time)"],
  },
  label: { type: 'string', value: 'TEXT', help: 'a label for the run' },
  idle: { type: 'string', value: 'DURATION', parse: durationParser('5s'), help: 'idle windows of this length before and after CMD (baseline power)' },
  hardware: {
    type: 'string',
    value: 'NAME',
    help: ['hardware for the embodied part when the sensor does not name it;', "replay: the unit (W or mW) of a study CSV whose name tags no device"],
  },
  grid: { type: 'string', value: 'ZONE|G_PER_KWH', parse: parseGridFlag, help: 'grid factor (default WORLD)' },
  pue: { type: 'string', value: 'auto|X', parse: parsePueFlag, help: 'power usage effectiveness (auto: by hardware category)' },
  lifetime: { type: 'string', value: 'DURATION', parse: durationParser('7y'), help: 'hardware lifetime (default 7y)' },
  'runs-dir': { type: 'string', value: 'DIR', help: 'where runs are saved (default: $INFERPRINT_RUNS_DIR, else see docs)' },
  format: { type: 'string', value: 'table|json', default: 'table', showDefault: false, parse: tableOrJsonParser('measure'), help: 'output (json: one object on stdout)' },
  verbose: { type: 'boolean', help: 'say every reason for the sensor choice (also with --debug)' },
});

// Everything from CMD on is CMD's, its own options included (`measure ls -la`), as `time` reads it.
const SPEC = defineCommand({ flags: MEASURE_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [1] }, stopAtFirstPositional: true });

function parseScope(raw: string): (typeof ESTIMATE_SCOPES)[number] {
  const scope = ESTIMATE_SCOPES.find((x) => x === raw);
  if (scope === undefined) throw errors.usage(`unknown estimate scope '${raw}' (expected ${ESTIMATE_SCOPES.join(' or ')})`, '--estimate-scope');
  return scope;
}

const HELP = `Usage: inferprint measure [options] [--] CMD [ARGS...]

Runs CMD while sampling power, saves a run bundle, prints energy and GWP, and exits with
CMD's exit code. Ctrl-C / SIGTERM are forwarded to CMD (a second one sends SIGTERM, a third
SIGKILL, for a CMD that ignores them); the run is still saved (interrupted). CMD never outlives
measure: if measure is killed (even kill -9), CMD and what it started are ended (ADR 0009).
A run's status says whether the measurement completed; CMD's own result is its exit code,
and a non-zero one is said in a warning. A CMD that cannot be started at all is said in one
line, nothing is saved (nothing was measured), and measure exits 127 (not found) or 126 (not
executable), as a shell does. The recording's warnings are printed once: in the
summary, or with --format json on stderr (the JSON lists them too).

measure's options come before CMD: from CMD on, every word is CMD's, its own options included
(inferprint measure ls -la), as time, env and nice read theirs; -- may still mark where CMD starts.

The runs directory is checked writable before CMD starts. If saving fails anyway (disk full,
gone read-only), the summary is still printed, the run is saved in
$TMPDIR/inferprint-unsaved/ (else ./inferprint-unsaved/) with the command that brings it
back (inferprint import bundle PATH), and measure exits non-zero.

Options:
${optionLines(MEASURE_FLAGS, { width: 25 })}
`;

export const measureCommand: Command = {
  name: 'measure',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const cut = splitAtOptionsEnd(SPEC, ctx.argv);
    const f = parseCommandFlags(cut.options, MEASURE_FLAGS);
    const { values } = f;
    const command = [...(cut.rest ?? [])];
    if (command.length === 0) throw errors.usage('give the command to measure, e.g. inferprint measure python infer.py (or after --)', 'CMD');
    const format = f.get('format');
    const intervalS = f.get('interval');
    const idleS = f.get('idle');
    const lifetimeS = f.get('lifetime');
    const pue = f.get('pue');
    f.get('grid');
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const scope = f.get('estimate-scope');

    const result = await measure({
      runsDir,
      command,
      sensor: f.get('sensor'),
      intervalS,
      cwd: ctx.cwd,
      env: { ...(await defaultSensorEnv()), env: ctx.env },
      signals: process,
      onStatus: (line) => { ctx.stderr(`${line}\n`); },
      // Printed below, once (statusWarnings), after a command that could not start is said.
      statusWarnings: false,
      verbose: values.verbose === true || ctx.debug === true,
      ...(values.device !== undefined ? { device: values.device } : {}),
      ...(scope !== undefined ? { estimateScope: scope } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(idleS !== undefined ? { idleS } : {}),
      ...(values.hardware !== undefined ? { hardware: values.hardware } : {}),
      ...(values.grid !== undefined ? { grid: values.grid } : {}),
      ...(pue !== undefined ? { pue } : {}),
      ...(lifetimeS !== undefined ? { lifetimeS } : {}),
    });
    if (result.commandExit.spawnError !== undefined) {
      // The command never ran: nothing was measured, so this is an error to read, not a run to
      // keep (a bundle of sensor idle labelled with a command would enter runs list and analyze
      // as a measurement). A command that starts and fails is measured and saved as completed.
      ctx.stderr(`inferprint measure: could not start the command: ${result.commandExit.spawnError}; nothing was measured, no run saved\n`);
      return result.exitCode;
    }
    // Each warning once, as analyze prints them: in the table's summary (what is read and
    // saved), or on stderr beside JSON, which carries them as data.
    if (format !== 'table') for (const w of result.summary.warnings) ctx.stderr(`inferprint: warning: ${w}\n`);
    const saved = await saveMeasureRunOrFallback(result, runsDir, { command, cwd: ctx.cwd, label: values.label });
    // The measurement is printed whatever became of the bundle: it may be all that is left of the run.
    ctx.stdout(format === 'json' ? renderJson(toJson(result, saved)) : renderText(result, saved));
    if (saved.kind === 'saved') return result.exitCode;
    ctx.stderr(`inferprint measure: ${saveFailureText(saved, runsDir)}\n`);
    // Non-zero, and the command's own code when it has one to tell.
    return result.exitCode !== 0 ? result.exitCode : 1;
  },
};

/** A path as a shell would need it typed. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** One line: why the runs directory did not get the bundle, where it is instead and how to bring it back. */
export function saveFailureText(saved: Exclude<SaveOutcome, { kind: 'saved' }>, runsDir: string): string {
  const why = saved.error.message;
  if (saved.kind === 'fallback') {
    return `the run could not be saved in ${runsDir}: ${why}; it was saved in ${saved.bundle.path} instead, bring it into the runs directory with: inferprint import bundle ${shellWord(saved.bundle.path)} --runs-dir ${shellWord(runsDir)}`;
  }
  const tried = saved.fallbackErrors.map((f) => `${f.dir} (${f.error.message})`).join(', ');
  return `the run could not be saved in ${runsDir}: ${why}; nor in ${tried}: the summary above is all that is left of it`;
}

const mgRange = (g: { readonly mean: number; readonly min: number; readonly max: number }) => ({ mean: g.mean * 1000, min: g.min * 1000, max: g.max * 1000 });

/** The JSON contract of `measure --format json` (issue: energy_j, duration_s, sensor, estimated, channels). */
export function toJson(r: MeasureResult, saved: SaveOutcome | { readonly id: string; readonly path: string }) {
  const s = r.summary;
  const outcome: SaveOutcome = 'kind' in saved ? saved : { kind: 'saved', bundle: saved };
  const bundle = outcome.kind === 'unsaved' ? undefined : outcome.bundle;
  // Provenance in the words of the runs table (`runs list`, exports), from the one projection.
  const prov = provenanceColumns(r.recording.info.provenance);
  return {
    run_id: bundle?.id ?? null,
    run_path: bundle?.path ?? null,
    /** `runs-dir`, `fallback` (run_path is outside the runs directory) or `unsaved`. */
    saved: outcome.kind === 'saved' ? 'runs-dir' : outcome.kind,
    save_error: outcome.kind === 'saved' ? null : outcome.error.message,
    /** The measurement's status: `completed` even when the command failed (see command_exit_code). */
    status: r.status.kind,
    exit_code: r.exitCode,
    command_exit_code: r.commandExit.code,
    command_signal: r.commandExit.signal,
    sensor: r.recording.info.name,
    sensor_why: r.sensorWhy,
    sensor_summary: r.sensorSummary,
    estimated: prov.provenance === 'estimated',
    provenance: prov.provenance,
    provenance_detail: prov.provenance_detail,
    primary_channel: s.primaryChannel,
    energy_j: s.primaryEnergyJ,
    duration_s: s.window.t1S - s.window.t0S,
    requested_interval_s: s.requestedIntervalS,
    measured_interval_s: s.measuredIntervalS,
    channels: s.channels.map((c) => ({ name: c.name, kind: c.kind, unit: c.unit, energy_j: c.energyJ, mean_w: c.meanW, max_w: c.maxW, samples: c.samples })),
    counters: s.counters.map((c) => ({ channel: c.channel, counter_energy_j: c.counterJ, samples_energy_j: c.samplesJ, difference_j: c.differenceJ })),
    windows: s.windows.map((w) => ({ name: w.name, t0_s: w.t0S, t1_s: w.t1S, energy_j: w.primaryEnergyJ })),
    idle: s.idle ? { idle_power_w: s.idle.idlePowerW, idle_energy_j: s.idle.idleJ, dynamic_energy_j: s.idle.dynamicJ, idle_window: s.idle.idleWindow } : null,
    gaps: s.gaps.map((g) => ({ channel: g.channel, start_s: g.startS, end_s: g.endS })),
    hardware: r.hardware?.id ?? null,
    // GWP in mg, as every table and the store name it (gwp_mg); `scope` says what it counts.
    impact_scope: r.impact ? 'operational+embodied' : r.operationalOnlyG !== undefined ? 'operational' : null,
    gwp_mg: r.impact ? mgRange(r.impact.gwpG) : r.operationalOnlyG !== undefined ? mgRange({ mean: r.operationalOnlyG, min: r.operationalOnlyG, max: r.operationalOnlyG }) : null,
    operational_mg: r.impact ? mgRange(r.impact.operationalG) : r.operationalOnlyG !== undefined ? mgRange({ mean: r.operationalOnlyG, min: r.operationalOnlyG, max: r.operationalOnlyG }) : null,
    embodied_mg: r.impact ? mgRange(r.impact.embodiedG) : null,
    parameters: r.parameters,
    warnings: s.warnings,
    notes: r.notes,
  };
}

const CHANNEL_COLUMNS: readonly Column<ChannelSummary>[] = [
  { key: 'channel', header: 'channel', value: (c) => c.name },
  { key: 'kind', header: 'kind', value: (c) => c.kind },
  { key: 'energy_j', header: 'energy (J)', value: (c) => c.energyJ, digits: 3 },
  { key: 'mean_w', header: 'mean (W)', value: (c) => c.meanW, digits: 2 },
  { key: 'max_w', header: 'max (W)', value: (c) => c.maxW, digits: 2 },
  { key: 'samples', header: 'samples', value: (c) => c.samples, align: 'right' },
];

/** The run's outcome in words: the measurement's status, and the command's failure when there is one. */
function outcomeText(r: MeasureResult): string {
  const failure = commandOutcome(r.commandExit, r.status.kind === 'interrupted' ? r.status.signal : undefined);
  switch (r.status.kind) {
    case 'completed':
      return failure === undefined ? 'completed' : `measurement completed; ${failure.replace(/^the /, '')}`;
    case 'interrupted':
      return `interrupted by ${r.status.signal}`;
    case 'failed':
      return failure === undefined ? 'failed' : `failed; ${failure.replace(/^the /, '')}`;
  }
}

function savedText(r: MeasureResult, saved: SaveOutcome): string {
  // A measurement that integrated nothing is not a success, whatever the command did.
  const outcome = r.summary.primaryEnergyJ === 0 ? `${outcomeText(r)}; NO ENERGY: 0 J on ${r.summary.primaryChannel}, see the warnings` : outcomeText(r);
  switch (saved.kind) {
    case 'saved':
      return `run ${saved.bundle.id} (${outcome}) saved in ${saved.bundle.path}`;
    case 'fallback':
      return `run ${saved.bundle.id} (${outcome}) NOT saved in the runs directory: saved in ${saved.bundle.path} instead`;
    case 'unsaved':
      return `run (${outcome}) NOT saved: see the error below`;
  }
}

function renderText(r: MeasureResult, saved: SaveOutcome): string {
  const s = r.summary;
  const est = r.recording.info.provenance.kind === 'estimated' ? ' — ESTIMATED, not measured' : '';
  const lines = [
    savedText(r, saved),
    `sensor ${r.recording.info.name}${est}; ${s.primaryChannel}: ${s.primaryEnergyJ.toFixed(3)} J over ${(s.window.t1S - s.window.t0S).toFixed(3)} s`,
    '',
    renderTable(CHANNEL_COLUMNS, s.channels).trimEnd(),
    '',
  ];
  for (const c of s.counters) lines.push(`counter ${c.channel}: ${c.counterJ.toFixed(3)} J (samples ${c.samplesJ.toFixed(3)} J, difference ${c.differenceJ.toFixed(3)} J)`);
  if (s.idle) lines.push(`idle ${s.idle.idlePowerW.toFixed(2)} W (${s.idle.idleWindow}): idle part ${s.idle.idleJ.toFixed(3)} J, above idle ${s.idle.dynamicJ.toFixed(3)} J`);
  if (r.impact) {
    const g = r.impact.gwpG;
    lines.push(`GWP ${(g.mean * 1000).toFixed(4)} mg CO2e (range ${(g.min * 1000).toFixed(4)}–${(g.max * 1000).toFixed(4)}) on ${r.hardware?.id ?? '?'}: operational ${(r.impact.operationalG.mean * 1000).toFixed(4)} mg, embodied ${(r.impact.embodiedG.mean * 1000).toFixed(4)} mg`);
  } else if (r.operationalOnlyG !== undefined) {
    lines.push(`GWP (operational only) ${(r.operationalOnlyG * 1000).toFixed(4)} mg CO2e`);
  }
  lines.push(...parameterLines(r.parameters));
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
