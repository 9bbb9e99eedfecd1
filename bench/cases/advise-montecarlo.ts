// The advisor's Monte Carlo: N draws over 5 deployments (pooled, autoscaled, shared and
// dedicated, every input ranged), library call, no I/O; median of 5 after one warm-up.
import { adviseResolved } from '../../src/advise/advise.js';
import { resolveDeployment } from '../../src/advise/resolve.js';
import { parseWorkload } from '../../src/advise/workload.js';

const draws = Number(process.argv[2] ?? 10000);
const r = (value: number, min: number, max: number) => ({ value, min, max });
const power = (idle: number, busy: number, host: number) => ({ idle_w: r(idle, idle * 0.8, idle * 1.3), busy_w: r(busy, busy * 0.9, busy * 1.1), host_w: r(host, host * 0.5, host * 1.5) });
const w = parseWorkload(
  {
    users: 1_000_000,
    queries_per_user_per_day: 20,
    hourly_profile: [1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1],
    slo: { percentile: 95, latency_ms: 200 },
    days: 365,
    deployments: [
      { name: 'h100-pool', hardware: 'H100', placement: 'pooled', grid: 'FR', pue: 'auto', power: power(75, 300, 150), service_ms: r(1.5, 1.2, 2), lifetime: { value: '5y', min: '3y', max: '7y' }, embodied: { host_kg: r(700, 300, 1200) } },
      { name: 'h100-autoscaled', hardware: 'H100', placement: 'pooled', autoscale: true, grid: 'DEU', pue: r(1.3, 1.1, 1.6), power: power(75, 300, 150), service_ms: r(1.5, 1.2, 2) },
      { name: 'a100-slice', hardware: 'A100', placement: 'shared', grid: r(300, 100, 500), power: power(60, 250, 120), service_ms: r(1.8, 1.5, 2.5) },
      { name: 'l4-pool', hardware: 'L4', placement: 'pooled', grid: Array.from({ length: 24 }, (_, h) => 50 + h * 5), power: power(16, 72, 40), service_ms: r(6, 5, 9) },
      { name: 'orin-per-100', hardware: 'AGX-Orin', placement: 'dedicated', users_per_device: 100, on_hours_per_day: 16, grid: 'FR', power: power(7.9, 30, 0), service_ms: r(6, 5.4, 10) },
    ],
  },
  'bench',
);
const resolved = w.deployments.map((d) => resolveDeployment(w, d, []));
adviseResolved(w, resolved, [], { draws, seed: 1 });
const times: number[] = [];
let total = 0;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const res = adviseResolved(w, resolved, [], { draws, seed: 1 });
  times.push((performance.now() - t0) / 1000);
  total = res.deployments.reduce((a, d) => a + d.total_kg.p50, 0);
}
times.sort((a, b) => a - b);
const seconds = times[2]!;
process.stdout.write(
  `${JSON.stringify({ case: 'advise-montecarlo', draws, deployments: w.deployments.length, seconds, drawsPerS: (draws * w.deployments.length) / seconds, sumP50Kg: total, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
