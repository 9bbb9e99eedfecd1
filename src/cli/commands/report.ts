import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_REPORT_DIR, REPORT_FORMATS, writeReport, type ReportFormat } from '../../app/report.js';
import { errors } from '../../errors.js';
import { MANIFEST_FILE } from '../../runs/manifest.js';
import { resolveRunsDirFrom } from '../../runs/io/runs-dir.js';
import { debugLine, type Command } from '../command.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';
import { parseGridFlag, parseMethodFlag } from '../flags.js';
import { progressReporter } from '../progress.js';

export const REPORT_FLAGS = defineFlags({
  out: {
    type: 'string',
    value: 'DIR',
    default: DEFAULT_REPORT_DIR,
    parse: (raw) => parseOut(raw),
    help: ['output folder (default ./{default}); an earlier report', 'there is replaced as a whole, any other non-empty folder is refused'],
  },
  runs: { type: 'string', value: 'ID,ID,...', help: 'report on these bundles of the runs store' },
  'runs-dir': { type: 'string', value: 'DIR', help: ['the runs store (default: $INFERPRINT_RUNS_DIR, else', '~/.local/share/inferprint/runs); without PATH or --runs, all of it'] },
  method: { type: 'string', value: 'thesis|trapezoid', default: 'trapezoid', parse: parseMethodFlag, help: 'energy method, as in analyze' },
  grid: { type: 'string', value: 'ZONE|G_PER_KWH', parse: parseGridFlag, help: 'grid factor, as in analyze' },
  formats: {
    type: 'string',
    value: 'LIST',
    default: REPORT_FORMATS.join(','),
    showDefault: false,
    parse: (raw) => parseFormats(raw),
    help: [`any of ${REPORT_FORMATS.join(',')} (default all three; report.json and the`, 'CSV tables are always written)'],
  },
  scale: { type: 'string', value: 'N', parse: (raw) => parseScale(raw), help: 'PNG pixels per SVG pixel (default 2)' },
});

const SPEC = defineCommand({ flags: REPORT_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [0] } });

const HELP = `Usage: inferprint report [PATH...] [options]

A self-contained HTML report (no network needed to open it) with every figure as SVG and
PNG, the tables behind them as CSV, the parameters and sources used, and a methods section:

  1. mean power profile ± sd over the repetitions, per device and query count
  2. GWP per run against query count, with the embodied model's min–max range
  3. maximum and 90th-percentile latency against query count (log scale)
  4. manufacturing footprint per hardware by category, processor vs memory
  5. GWP per query against latency, with the Pareto front
  6. operational vs embodied share of GWP per device

PATH is anything 'inferprint analyze' reads: the study's dataset layout, MLPerf log trees,
power files, run bundles or a runs directory. Without PATH or --runs, the runs store.

Options:
${optionLines(REPORT_FLAGS, { width: 29 })}
${debugLine(29)}
`;

export const reportCommand: Command = {
  name: 'report',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, REPORT_FLAGS);
    const { values, positionals } = f;
    const method = f.get('method');
    f.get('grid');
    const formats = f.get('formats');
    const pngScale = f.get('scale');
    const outDir = resolve(ctx.cwd, f.get('out'));

    const paths = positionals.map((p) => resolve(ctx.cwd, p));
    const store = () => resolveRunsDirFrom({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd }).path;
    if (values.runs !== undefined) paths.push(...bundlePaths(store(), values.runs));
    else if (values['runs-dir'] !== undefined || paths.length === 0) {
      const dir = store();
      if (!existsSync(dir)) throw errors.noData(`no runs to report on: the runs store ${dir} does not exist (give PATHs, --runs-dir or --runs)`);
      paths.push(dir);
    }

    const progress = progressReporter(ctx, 'report');
    const written = await writeReport({
      paths,
      outDir,
      method,
      ...(values.grid !== undefined ? { grid: values.grid } : {}),
      formats,
      ...(pngScale !== undefined ? { pngScale } : {}),
      onProgress: progress.update,
    });
    progress.done();
    const index = join(written.outDir, 'index.html');
    const figures = written.files.filter((f) => f.endsWith('.vl.json')).length;
    ctx.stdout(`${written.files.length} files (${figures} figures) written to ${written.outDir}\n`);
    if (formats.includes('html')) ctx.stdout(`open ${index}\n`);
    return 0;
  },
};

function parseOut(raw: string): string {
  if (raw.trim() === '') throw errors.usage('give a folder', '--out');
  return raw;
}


function parseFormats(raw: string): ReportFormat[] {
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw errors.usage(`give at least one of ${REPORT_FORMATS.join(', ')}`, '--formats');
  for (const f of list) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw errors.usage(`unknown format '${f}' (expected ${REPORT_FORMATS.join(', ')})`, '--formats');
  }
  return [...new Set(list)] as ReportFormat[];
}

function parseScale(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 16) throw errors.usage(`scale '${raw}' must be a number in (0, 16]`, '--scale');
  return n;
}

/** Bundle folders of the given ids; an id is a plain folder name, never a path. */
function bundlePaths(runsDir: string, raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw errors.usage('give at least one run id', '--runs');
  return [...new Set(ids)].map((id) => {
    if (id.startsWith('.') || /[/\\]/.test(id)) throw errors.usage(`'${id}' is not a run id (a folder name in the runs store)`, '--runs');
    const dir = join(runsDir, id);
    if (!existsSync(join(dir, MANIFEST_FILE))) throw errors.notFound(dir, `run ${id}`);
    return dir;
  });
}
