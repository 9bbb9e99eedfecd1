// `inferprint report` over the study's fixture root (3 devices × 5 query counts, 150 FULL +
// 150 CI traces, 539 MLPerf summaries): analysis, profiles, 7 figures rendered to SVG and PNG,
// HTML and tables written. Timed end to end through the library API (no process start).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeReport } from '../../src/app/report.js';
import type { EnergyMethod } from '../../src/analysis/types.js';

const root = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(import.meta.dirname, '../../../shared/fixtures'), 'thesis');
const method = (process.argv[2] ?? 'trapezoid') as EnergyMethod;
if (!existsSync(root)) {
  process.stdout.write(`${JSON.stringify({ case: `report-${method}`, skipped: `fixtures absent at ${root}` })}\n`);
  process.exit(0);
}
const out = mkdtempSync(join(tmpdir(), 'inferprint-bench-report-'));
const reps = 3;
const times: number[] = [];
let files = 0;
let figures = 0;
try {
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = await writeReport({ paths: [root], method, outDir: join(out, 'report') });
    times.push((performance.now() - t0) / 1000);
    files = r.files.length;
    figures = r.files.filter((f) => f.endsWith('.png')).length;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ case: `report-${method}`, figures, files, reps, secondsMedian: times[1], secondsMin: times[0], peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
