// `npm run bench`: runs each case in its own process (so peak RSS is that case's own) and
// writes the results with the machine they ran on to docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const cases: [string, string[]][] = [
  ['analyze-fixtures.ts', ['thesis']],
  ['analyze-fixtures.ts', ['trapezoid']],
  // The study's full shape (11 devices, 550 traces, ~1 580 summaries): analyze --method thesis
  // against the study's pandas pipeline, side by side, median of 5; then report on it.
  ['analyze-study.ts', ['5', '1']],
  ['trapezoid-arrays.ts', ['10000000']],
  ['loadgen-overhead.ts', ['SingleStream', '100000']],
  ['loadgen-overhead.ts', ['Offline', '100000']],
  // ONNX Runtime latency of the synthetic presets (CPU) and the harness's share of it.
  ['ort-latency.ts', ['bert-tiny', '256']],
  ['ort-latency.ts', ['bert-base', '32']],
  ['ort-latency.ts', ['bert-large', '8']],
  // Server arrivals with a null SUT; the HTTP SUT (serve-model on loopback) against in-process.
  ['server-arrivals.ts', ['1000', '5000']],
  ['http-sut.ts', ['bert-tiny', '256']],
  // The report for the study's fixtures (7 figures as SVG and PNG, tables, HTML).
  ['report-generation.ts', ['trapezoid']],
  ['report-generation.ts', ['thesis']],
  ['report-generation.ts', ['imported']],
  // The dashboard's JSON API on loopback over 10^4 bundles: 16 concurrent clients, 3000 requests.
  ['dashboard-api.ts', ['10000', '16', '3000']],
  // runs list, a filtered list and an SQL aggregate over 10^4 bundles, each a fresh CLI process.
  ['store-list.ts', ['10000', '3']],
  // The advisor's Monte Carlo: 10⁴ draws over 5 deployments (target: under 1 s).
  ['advise-montecarlo.ts', ['10000']],
  ['stream-integrate.ts', ['1000000']],
  ['stream-integrate.ts', ['10000000']],
  // Sampler overhead: each sensor (with the project's fakes) at 10, 50 and 100 ms, 3 s each.
  ...['poller-floor', 'estimate', 'rapl', 'nvml', 'nvidia-smi', 'tegrastats', 'replay'].flatMap((s) =>
    ['10', '50', '100'].map((ms): [string, string[]] => ['sampler-overhead.ts', [s, ms, '3']]),
  ),
  // `measure -- true` against `true`, 10 runs each, and the stages it is made of.
  ...['startup', 'estimate', 'nvidia-smi', 'replay'].map((m): [string, string[]] => ['measure-overhead.ts', [m, '10']]),
];

const results: Record<string, unknown>[] = [];
for (const [file, args] of cases) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  process.stderr.write(`bench: ${file} ${args.join(' ')}\n`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'bench/cases', file), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`;
const fmt = (v: unknown): string =>
  typeof v !== 'number' ? String(v) : Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toPrecision(4);
const section = [
  `## Run of ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine}.`,
  '',
  '| case | results |',
  '|---|---|',
  ...results.map((r) => `| ${String(r.case)} | ${Object.entries(r).filter(([k]) => k !== 'case').map(([k, v]) => `${k}=${fmt(v)}`).join(', ')} |`),
  '',
].join('\n');

const docPath = resolve(root, 'docs/benchmarks.md');
const doc = readFileSync(docPath, 'utf8');
const marker = '<!-- results -->';
writeFileSync(docPath, doc.includes(marker) ? doc.replace(marker, `${marker}\n\n${section}`) : `${doc}\n${section}`);
process.stderr.write(`bench: results written to docs/benchmarks.md\n`);
