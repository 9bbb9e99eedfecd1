// `analyze` over the study's fixture root (3 devices, 150 FULL + 150 CI traces, 539 MLPerf
// summaries), both methods, timed end to end through the library API (no process start).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import type { EnergyMethod } from '../../src/analysis/types.js';

const root = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(import.meta.dirname, '../../../shared/fixtures'), 'thesis');
const method = (process.argv[2] ?? 'thesis') as EnergyMethod;
if (!existsSync(root)) {
  process.stdout.write(`${JSON.stringify({ case: `analyze-${method}`, skipped: `fixtures absent at ${root}` })}\n`);
  process.exit(0);
}
const reps = 3;
const times: number[] = [];
let rows = 0;
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  rows = analyze({ paths: [root], method }).rows.length;
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ case: `analyze-${method}`, rows, reps, secondsMedian: times[1], secondsMin: times[0], peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
