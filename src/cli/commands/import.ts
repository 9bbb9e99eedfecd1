import { IMPORT_FORMATS, importRunsReport, type ImportFormat } from '../../app/import.js';
import { errors, escapeControl } from '../../errors.js';
import { resolveRunsDir } from '../../runs/runs-dir.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { parseDurationFlag } from '../flags.js';
import { parseFormat, renderJson, renderTable } from '../output.js';

const HELP = `Usage: inferprint import FORMAT PATH... [options]

Brings measurements made elsewhere into the runs store as run bundles.

FORMAT:
  nvidia-smi   nvidia-smi CSV logs (--query-gpu=timestamp,...,power.draw... --format=csv)
  tegrastats   tegrastats logs (give --interval for logs without timestamps)
  generic      any power CSV, with --columns t=COL,p=COL,unit=W|mW|kW[,timeUnit=ms][,delim=;]
  thesis-csv   the study's power CSVs (with --device: W for GPUs, mW for Jetsons)
  thesis       the study's dataset (a folder holding Data/ and Logs/): one bundle per run
               (FULL trace), with its compute-phase run (CI) and the MLPerf latency of
               its device and query count attached
  mlperf       an MLPerf log tree: one bundle per LoadGen run (a folder holding
               mlperf_log_summary.txt) with its logs; no power is measured, so these runs
               give latency only (runs whose summary cannot be read are skipped, and said)
  codecarbon   CodeCarbon's emissions.csv: one bundle per tracked run; CodeCarbon keeps
               totals only, so the trace is each part's mean power (cpu, gpu, ram, total)
               and the energy is CodeCarbon's own; its emissions figure is kept
  bundle       run bundles copied from another machine (kept whole, id unchanged)

Options:
  --device NAME        hardware that made the trace or ran the logs (see: inferprint hardware list)
  --label TEXT         label for the imported run(s)
  --interval DURATION  sampling interval of logs without timestamps, e.g. 50ms
  --columns SPEC       generic CSV columns
  --channel NAME|sum   the channel results are about (default: the only one, or the GPU rail;
                       codecarbon: total)
  --time-zone ZONE     IANA zone of local times without one (nvidia-smi, codecarbon, mlperf's
                       test_datetime and run folder names); default UTC
  --runs-dir DIR       the runs store (default: $INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs)
  --format table|json
`;

export const importCommand: Command = {
  name: 'import',
  summary: 'bring power logs, CodeCarbon files, MLPerf logs, the study dataset or other bundles into the runs store',
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      device: { type: 'string' },
      label: { type: 'string' },
      interval: { type: 'string' },
      columns: { type: 'string' },
      channel: { type: 'string' },
      'time-zone': { type: 'string' },
      'runs-dir': { type: 'string' },
      format: { type: 'string' },
    });
    const [format, ...paths] = positionals;
    if (format === undefined || !(IMPORT_FORMATS as readonly string[]).includes(format)) {
      throw errors.usage(`give a FORMAT first: ${IMPORT_FORMATS.join(', ')}${format !== undefined ? ` (got '${format}')` : ''}`, 'FORMAT');
    }
    const out = parseFormat(values.format);
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const { imported, skipped } = await importRunsReport({
      format: format as ImportFormat,
      paths: paths.map((p) => (p.startsWith('/') ? p : `${ctx.cwd}/${p}`)),
      runsDir,
      ...(values.device !== undefined ? { device: values.device } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(values.interval !== undefined ? { intervalS: parseDurationFlag(values.interval, '--interval', '50ms') } : {}),
      ...(values.columns !== undefined ? { columns: values.columns } : {}),
      ...(values.channel !== undefined ? { channel: values.channel } : {}),
      ...(values['time-zone'] !== undefined ? { timeZone: values['time-zone'] } : {}),
    });
    if (skipped.length > 0) {
      ctx.stderr(`inferprint import: ${skipped.length} item(s) skipped:\n`);
      for (const x of skipped) ctx.stderr(escapeControl(`  ${x.path}: ${x.reason}${x.detail !== undefined ? ` — ${x.detail}` : ''}`) + '\n');
    }
    if (out === 'json') ctx.stdout(renderJson({ runsDir, imported, skipped }));
    else {
      ctx.stdout(
        renderTable(
          [
            { key: 'id', header: 'run', value: (r: (typeof imported)[number]) => r.id },
            { key: 'added', header: 'added', value: (r) => (r.added ? 'yes' : 'already there') },
            { key: 'source', header: 'from', value: (r) => r.source },
          ],
          imported,
        ),
      );
      ctx.stdout(`${imported.filter((r) => r.added).length} run(s) added to ${runsDir}\n`);
    }
    return 0;
  },
};
