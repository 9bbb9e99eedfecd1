// `inferprint report` over the study's fixture root (3 devices × 5 query counts, 150 FULL +
// 150 CI traces, 539 MLPerf summaries): analysis, profiles, 7 figures rendered to SVG and PNG,
// HTML and tables written. Timed end to end through the library API (no process start).
// Usage: report-generation.ts [trapezoid|thesis|imported] — `imported` first imports the study
// with `import thesis` (one bundle per run) and reports on that runs directory.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeReport } from '../../src/app/report.js';
import { importRuns } from '../../src/app/import.js';
import type { EnergyMethod } from '../../src/analysis/types.js';

const root = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(import.meta.dirname, '../../../shared/fixtures'), 'thesis');
const arg = process.argv[2] ?? 'trapezoid';
const method: EnergyMethod = arg === 'thesis' ? 'thesis' : 'trapezoid';
if (!existsSync(root)) {
  process.stdout.write(`${JSON.stringify({ case: `report-${method}`, skipped: `fixtures absent at ${root}` })}\n`);
  process.exit(0);
}
const out = mkdtempSync(join(tmpdir(), 'inferprint-bench-report-'));
let paths = [root];
let imported = 0;
let importS = 0;
if (arg === 'imported') {
  const t0 = performance.now();
  imported = (await importRuns({ format: 'thesis', paths: [root], runsDir: join(out, 'runs') })).length;
  importS = (performance.now() - t0) / 1000;
  paths = [join(out, 'runs')];
}
const reps = 3;
const times: number[] = [];
let files = 0;
let figures = 0;
try {
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = await writeReport({ paths, method, outDir: join(out, 'report') });
    times.push((performance.now() - t0) / 1000);
    files = r.files.length;
    figures = r.files.filter((f) => f.endsWith('.png')).length;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ case: `report-${arg}`, ...(arg === 'imported' ? { importedRuns: imported, importS } : {}), figures, files, reps, secondsMedian: times[1], secondsMin: times[0], peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
