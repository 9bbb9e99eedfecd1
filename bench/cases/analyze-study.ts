// `inferprint analyze --method thesis` against the study's own pandas pipeline
// (bench/study-pipeline.py), side by side on a dataset of the study's full shape (11 devices,
// 550 FULL traces, ~1 580 MLPerf summaries: bench/study-dataset.ts), then `inferprint report`
// on the same dataset. Each side is a fresh process (start-up included, as a user runs it),
// the two alternated run by run so that both see the same machine load; median of REPS, with
// CPU time (user + system) and peak RSS from GNU time (`/usr/bin/time`) where it exists.
// Usage: analyze-study.ts [REPS=5] [REPORT_REPS=1]
// Needs the built CLI (`npm run build`). The pandas side is skipped, with a line saying so,
// where no python3 imports pandas (INFERPRINT_PYTHON names one to use).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { studyDataset } from '../study-dataset.js';

const repo = resolve(import.meta.dirname, '../..');
const fixtures = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(repo, '../shared/fixtures'), 'thesis');
const reps = Number(process.argv[2] ?? 5);
const reportReps = Number(process.argv[3] ?? 1);
const say = (line: string): void => void process.stderr.write(`analyze-study: ${line}\n`);

if (!existsSync(fixtures)) {
  process.stdout.write(`${JSON.stringify({ case: 'analyze-study', skipped: `fixtures absent at ${fixtures}` })}\n`);
  process.exit(0);
}
const cli = resolve(repo, 'bin/inferprint');
if (!existsSync(resolve(repo, 'dist/cli/main.js'))) throw new Error('analyze-study: build first (npm run build)');
const root = studyDataset(fixtures);

/** The first python3 that imports pandas and numpy, else undefined. */
function findPython(): string | undefined {
  const candidates = [process.env.INFERPRINT_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const c of candidates) {
    if (spawnSync(c, ['-c', 'import pandas, numpy'], { stdio: 'ignore' }).status === 0) return c;
  }
  return undefined;
}

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  readonly wallS: number;
  readonly cpuS?: number;
  readonly peakRssMiB?: number;
}

/** Run a command once; wall time measured here, CPU and peak RSS by GNU time. */
function runOnce(cmd: string, args: readonly string[]): Sample {
  const stats = join(scratch, 'time.txt');
  const [file, argv] = gnuTime ? [gnuTime, ['-o', stats, '-f', '%U %S %M', cmd, ...args]] : [cmd, [...args]];
  const t0 = performance.now();
  const r = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
  if (!gnuTime) return { wallS };
  const [u, s, kb] = readFileSync(stats, 'utf8').trim().split(/\s+/).slice(-3).map(Number) as [number, number, number];
  return { wallS, cpuS: u + s, peakRssMiB: kb / 1024 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const summary = (xs: readonly Sample[]): Record<string, number | undefined> => ({
  wallS: median(xs.map((x) => x.wallS)),
  cpuS: xs[0]?.cpuS === undefined ? undefined : median(xs.map((x) => x.cpuS!)),
  peakRssMiB: xs[0]?.peakRssMiB === undefined ? undefined : Math.max(...xs.map((x) => x.peakRssMiB!)),
});

// The floor any tool pays on this dataset: a fresh Node process that walks the tree and reads
// every summary and FULL trace, parsing nothing (what `analyze` cannot avoid), and Node's start.
const WALK_AND_READ = `
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
let bytes = 0;
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name);
  if (e.isDirectory()) walk(p); else if (e.name === 'mlperf_log_summary.txt' || d.endsWith('FULL')) bytes += readFileSync(p).length; } };
walk(process.argv[1]);
if (bytes === 0) process.exit(1);`;

const scratch = mkdtempSync(join(tmpdir(), 'inferprint-bench-study-'));
try {
  const python = findPython();
  if (!python) say('pandas side skipped: no python3 here imports pandas and numpy (set INFERPRINT_PYTHON to one that does)');
  const node: Sample[] = [];
  const pandas: Sample[] = [];
  const floor: Sample[] = [];
  const bare: Sample[] = [];
  // One unmeasured run of each first: the OS's file cache then holds the dataset for both.
  runOnce(cli, ['analyze', root, '--method', 'thesis', '--format', 'csv']);
  if (python) runOnce(python, [resolve(repo, 'bench/study-pipeline.py'), root, join(scratch, 'pandas')]);
  for (let i = 0; i < reps; i++) {
    node.push(runOnce(cli, ['analyze', root, '--method', 'thesis', '--format', 'csv']));
    if (python) pandas.push(runOnce(python, [resolve(repo, 'bench/study-pipeline.py'), root, join(scratch, 'pandas')]));
    floor.push(runOnce(process.execPath, ['-e', WALK_AND_READ, root]));
    bare.push(runOnce(process.execPath, ['-e', '0']));
  }
  const rows = execFileSync(cli, ['analyze', root, '--method', 'thesis', '--format', 'csv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').length - 1;
  const report: Sample[] = [];
  for (let i = 0; i < reportReps; i++) {
    const out = join(scratch, 'report');
    rmSync(out, { recursive: true, force: true });
    report.push(runOnce(cli, ['report', root, '--method', 'thesis', '--out', out]));
  }
  const n = summary(node);
  const p = python ? summary(pandas) : undefined;
  const r = summary(report);
  const f = summary(floor);
  const b = summary(bare);
  process.stdout.write(
    `${JSON.stringify({
      case: 'analyze-study',
      rows,
      reps,
      analyzeWallS: n.wallS,
      analyzeCpuS: n.cpuS,
      analyzePeakRssMiB: n.peakRssMiB,
      ...(p ? { pandasWallS: p.wallS, pandasCpuS: p.cpuS, pandasPeakRssMiB: p.peakRssMiB, speedupWall: p.wallS! / n.wallS!, speedupCpu: p.cpuS !== undefined ? p.cpuS / n.cpuS! : undefined } : { pandas: 'skipped (no pandas)' }),
      walkAndReadFloorWallS: f.wallS,
      walkAndReadFloorPeakRssMiB: f.peakRssMiB,
      nodeStartWallS: b.wallS,
      reportReps,
      reportWallS: r.wallS,
      reportCpuS: r.cpuS,
      reportPeakRssMiB: r.peakRssMiB,
    })}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
