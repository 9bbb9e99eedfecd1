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

const scratch = mkdtempSync(join(tmpdir(), 'inferprint-bench-study-'));
try {
  const python = findPython();
  if (!python) say('pandas side skipped: no python3 here imports pandas and numpy (set INFERPRINT_PYTHON to one that does)');
  const node: Sample[] = [];
  const pandas: Sample[] = [];
  // One unmeasured run of each first: the OS's file cache then holds the dataset for both.
  runOnce(cli, ['analyze', root, '--method', 'thesis', '--format', 'csv']);
  if (python) runOnce(python, [resolve(repo, 'bench/study-pipeline.py'), root, join(scratch, 'pandas')]);
  for (let i = 0; i < reps; i++) {
    node.push(runOnce(cli, ['analyze', root, '--method', 'thesis', '--format', 'csv']));
    if (python) pandas.push(runOnce(python, [resolve(repo, 'bench/study-pipeline.py'), root, join(scratch, 'pandas')]));
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
  process.stdout.write(
    `${JSON.stringify({
      case: 'analyze-study',
      rows,
      reps,
      analyzeWallS: n.wallS,
      analyzeCpuS: n.cpuS,
      analyzePeakRssMiB: n.peakRssMiB,
      ...(p ? { pandasWallS: p.wallS, pandasCpuS: p.cpuS, pandasPeakRssMiB: p.peakRssMiB, speedupWall: p.wallS! / n.wallS!, speedupCpu: p.cpuS !== undefined ? p.cpuS / n.cpuS! : undefined } : { pandas: 'skipped (no pandas)' }),
      reportReps,
      reportWallS: r.wallS,
      reportCpuS: r.cpuS,
      reportPeakRssMiB: r.peakRssMiB,
    })}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
