// In-memory trapezoid over Float64Arrays of N samples: the core loop alone.
import { trapezoidJ } from '../../src/traces/energy.js';

const n = Number(process.argv[2] ?? 1e7);
const tS = new Float64Array(n);
const powerW = new Float64Array(n);
for (let i = 0; i < n; i++) {
  tS[i] = i * 0.05;
  powerW[i] = 60 + ((i * 7919) % 1000) / 10;
}
const reps = 5;
const t0 = performance.now();
let e = 0;
for (let r = 0; r < reps; r++) e = trapezoidJ(tS, powerW);
const seconds = (performance.now() - t0) / 1000 / reps;
process.stdout.write(
  `${JSON.stringify({ case: 'trapezoid-arrays', samples: n, seconds, samplesPerS: n / seconds, energyJ: e, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
