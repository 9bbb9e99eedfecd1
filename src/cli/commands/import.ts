import { IMPORT_FORMATS, importRunsReport, type ImportedRun, type ImportFormat, type ImportSkipped } from '../../app/import.js';
import { errors, escapeControl } from '../../errors.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import type { Command } from '../command.js';
import { durationParser, tableOrJsonParser } from '../flags.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';
import { renderJson, renderTable } from '../output.js';

export const IMPORT_FLAGS = defineFlags({
  device: {
    type: 'string',
    value: 'NAME',
    help: [
      'hardware that made the trace or ran the logs (see: inferprint hardware list);',
      "refused when the source names another device (nvidia-smi's name column,",
      "CodeCarbon's gpu_model, MLPerf's detected GPU, system or log set), unless --force",
    ],
  },
  force: {
    type: 'boolean',
    help: ['import sources the store already holds again (a new bundle each), and let', "--device relabel sources that name another device (said in the run's notes)"],
  },
  label: { type: 'string', value: 'TEXT', help: 'label for the imported run(s)' },
  interval: { type: 'string', value: 'DURATION', parse: durationParser('50ms'), help: 'sampling interval of logs without timestamps, e.g. 50ms' },
  columns: { type: 'string', value: 'SPEC', help: 'generic CSV columns' },
  channel: { type: 'string', value: 'NAME|sum', help: ['the channel results are about (default: the only one, or the GPU rail;', 'codecarbon: total)'] },
  'time-zone': {
    type: 'string',
    value: 'ZONE',
    help: ["IANA zone of local times without one (nvidia-smi, codecarbon, mlperf's", 'test_datetime and run folder names); default UTC'],
  },
  'runs-dir': { type: 'string', value: 'DIR', help: 'the runs store (default: $INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs)' },
  // No CSV of an import's outcome (as measure, bench, runs show and campaign): refused, not printed as a table.
  format: { type: 'string', value: 'table|json', default: 'table', showDefault: false, parse: tableOrJsonParser('import', ' (runs list --format csv lists the store)'), help: '' },
});

const SPEC = defineCommand({
  flags: IMPORT_FLAGS,
  subcommands: IMPORT_FORMATS,
  refuse: (flag) => `--${flag} does not apply`,
  args: Object.fromEntries(IMPORT_FORMATS.map((f) => [f, [1]] as const)),
});

const HELP = `Usage: inferprint import FORMAT PATH... [options]

Brings measurements made elsewhere into the runs store as run bundles.

Imports are idempotent: a source the store already holds (the same file content, under any
name; for CodeCarbon the same run_id) is not added again, and is listed with the run that
holds it. They are all or nothing: every source is read and checked before the first bundle
is written, and a write that fails removes what the import wrote.

FORMAT:
  nvidia-smi   nvidia-smi CSV logs (--query-gpu=timestamp,...,power.draw... --format=csv)
  tegrastats   tegrastats logs (give --interval for logs without timestamps)
  generic      any power CSV, with --columns t=COL,p=COL,unit=W|mW|kW[,timeUnit=ms][,delim=;]
  thesis-csv   the study's power CSVs (W for GPUs, mW for Jetsons): the device from the
               file name (consommation_energie_single_<tag>_QC_...), or --device
  thesis       the study's dataset (a folder holding Data/ and Logs/, or one
               Data/data_<tag>_<version> folder): one bundle per run (FULL trace), with
               its compute-phase run (CI) and the MLPerf latency of its device and query
               count attached
  mlperf       an MLPerf log tree: one bundle per LoadGen run (a folder holding
               mlperf_log_summary.txt) with its logs; no power is measured, so these runs
               give latency only (runs whose summary cannot be read are skipped, and said)
  codecarbon   CodeCarbon's emissions.csv: one bundle per tracked run; CodeCarbon keeps
               totals only, so the trace is each part's mean power (cpu, gpu, ram, total)
               and the energy is CodeCarbon's own; its emissions figure is kept
  bundle       run bundles copied from another machine (kept whole, id unchanged)

Options:
${optionLines(IMPORT_FLAGS, { width: 23 })}
`;

export const importCommand: Command = {
  name: 'import',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, IMPORT_FLAGS);
    const { values, positionals } = f;
    const [format, ...paths] = positionals;
    if (format === undefined || !(IMPORT_FORMATS as readonly string[]).includes(format)) {
      throw errors.usage(`give a FORMAT first: ${IMPORT_FORMATS.join(', ')}${format !== undefined ? ` (got '${format}')` : ''}`, 'FORMAT');
    }
    const out = f.get('format');
    const intervalS = f.get('interval');
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const { imported, skipped, warnings } = await importRunsReport({
      format: format as ImportFormat,
      paths: paths.map((p) => (p.startsWith('/') ? p : `${ctx.cwd}/${p}`)),
      runsDir,
      ...(values.device !== undefined ? { device: values.device } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(intervalS !== undefined ? { intervalS } : {}),
      ...(values.columns !== undefined ? { columns: values.columns } : {}),
      ...(values.channel !== undefined ? { channel: values.channel } : {}),
      ...(values['time-zone'] !== undefined ? { timeZone: values['time-zone'] } : {}),
      ...(values.force === true ? { force: true } : {}),
      onStatus: (line) => { ctx.stderr(`${line}\n`); },
    });
    for (const w of warnings) ctx.stderr(`inferprint import: warning: ${escapeControl(w)}\n`);
    const added = imported.filter((r) => r.added).length;
    const summary = { added, alreadyPresent: imported.length - added, skipped: skipped.length };
    if (out === 'json') ctx.stdout(renderJson({ runsDir, ...summary, imported, skipped, warnings }));
    else {
      const rows = [...imported.map(importedRow), ...skipped.map(skippedRow)];
      ctx.stdout(
        renderTable(
          [
            { key: 'status', header: 'status', value: (r: Row) => r.status },
            { key: 'run', header: 'run', value: (r) => r.run },
            { key: 'source', header: 'source', value: (r) => r.source },
            { key: 'note', header: 'note', value: (r) => r.note },
          ],
          rows,
        ),
      );
      ctx.stdout(`${summary.added} added, ${summary.alreadyPresent} already present, ${summary.skipped} skipped (runs directory ${runsDir})\n`);
    }
    return 0;
  },
};

/** One line of the table: a source and what became of it. */
interface Row {
  readonly status: 'added' | 'already present' | 'skipped';
  readonly run: string;
  readonly source: string;
  readonly note: string;
}

function importedRow(r: ImportedRun): Row {
  if (r.added) return { status: 'added', run: r.id, source: r.source, note: r.alsoStoredAs !== undefined ? `--force: also in the store as ${r.alsoStoredAs}` : '' };
  const p = r.present;
  const note = p?.inThisImport
    ? `given twice: the same content as ${p.storedSource}`
    : p?.sameContent
      ? `the same content as ${p.storedSource}, already in the store; --force to import again`
      : 'already in the store; --force to import again';
  return { status: 'already present', run: r.id, source: r.source, note };
}

function skippedRow(x: ImportSkipped): Row {
  // What a file said is printed escaped: raw bytes must not drive the terminal.
  return { status: 'skipped', run: '—', source: escapeControl(x.path), note: escapeControl(`${x.reason}${x.detail !== undefined ? ` — ${x.detail}` : ''}`) };
}
