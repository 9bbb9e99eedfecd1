// Load test of the dashboard's JSON API on loopback over a runs directory of N generated
// bundles: the first listing (every manifest read), then requests/s and latency percentiles at a
// fixed concurrency for /api/runs (one page, newest first) and a filtered query, each bounded in
// count and in time. The server runs in its own process so the load generator does not share
// its event loop. Usage: dashboard-api.ts [BUNDLES=10000] [CONCURRENCY=16] [REQUESTS=3000]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeRunBundle } from '../../src/runs/io/bundle.js';
import { formatManifest, parseManifestText } from '../../src/runs/manifest.js';
import { bundleInput } from '../../test/serve/helpers.js';

const bundles = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 16);
const maxRequests = Number(process.argv[4] ?? 3000);
/** Each phase stops at its request count or after this long, whichever comes first. */
const PHASE_LIMIT_MS = 30_000;
if (!(bundles >= 1 && concurrency >= 1 && maxRequests >= concurrency)) {
  process.stderr.write('usage: dashboard-api.ts [BUNDLES] [CONCURRENCY] [REQUESTS]\n');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-dashboard-'));
const runsDir = join(dir, 'runs');

// One real bundle, then copies with their own ids, devices and query counts (writing 10⁴
// bundles through writeRunBundle would time fsync, not the dashboard).
const DEVICES = [
  ['A100', 'NVIDIA A100-SXM4-40GB'],
  ['H100', 'NVIDIA H100 80GB HBM3'],
  ['AGX-Orin', 'Orin'],
  ['Tesla-T4', 'Tesla T4'],
] as const;
const QCS = [16, 32, 64, 128, 256];
const t0Gen = performance.now();
const template = await writeRunBundle(runsDir, bundleInput({ label: 'template', startedAt: '2026-01-01T00:00:00.000Z', device: 'A100', deviceName: 'NVIDIA A100-SXM4-40GB', queryCount: 16, samples: 200 }), {
  randomSuffix: () => 'ffff',
});
const base = parseManifestText(readFileSync(join(template.path, 'manifest.json'), 'utf8'), 'template');
for (let i = 0; i < bundles - 1; i++) {
  const started = new Date(Date.parse('2026-01-01T00:00:00.000Z') + (i + 1) * 10_000);
  const [hardwareId, name] = DEVICES[i % DEVICES.length]!;
  const qc = QCS[Math.floor(i / DEVICES.length) % QCS.length]!;
  const label = `${hardwareId} qc${qc} run ${i}`;
  const id = `${started.toISOString().replace(/:/g, '-')}-${label.replace(/[^A-Za-z0-9._-]+/g, '-')}-${(i % 0x10000).toString(16).padStart(4, '0')}`;
  const path = join(runsDir, id);
  cpSync(template.path, path, { recursive: true });
  const workload = { ...base.workload, queryCount: qc };
  writeFileSync(join(path, 'manifest.json'), formatManifest({ ...base, id, label, startedAt: started.toISOString(), endedAt: new Date(started.getTime() + 9950).toISOString(), device: { hardwareId, name }, workload }));
}
const generateS = (performance.now() - t0Gen) / 1000;

// The server, in a process of its own.
const serverUrl = pathToFileURL(join(root, 'src/serve/server.ts')).href;
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    `import { startDashboard } from ${JSON.stringify(serverUrl)};
const d = await startDashboard({ runsDir: process.argv[1], log: () => {} });
process.stdout.write(d.url + '\\n');
process.on('SIGTERM', () => { void d.close().then(() => process.exit(0)); });`,
    runsDir,
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolveUrl, reject) => {
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /^(http:\/\/\S+)$/m.exec(out);
    if (m) resolveUrl(m[1]!);
  });
  child.on('exit', (code) => {
    reject(new Error(`server exited with ${code}`));
  });
});
const { hostname, port } = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function get(path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolveReq, reject) => {
    const req = request({ host: hostname, port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => {
        resolveReq({ status: res.statusCode ?? 0, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `concurrency` workers issuing `path` until `maxRequests` are done or the phase's time is up. */
async function load(path: string): Promise<{ requests: number; errors: number; seconds: number; rps: number; p50Ms: number; p99Ms: number; maxMs: number; bytes: number }> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  let bytes = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < maxRequests && performance.now() - start < PHASE_LIMIT_MS) {
      issued++;
      const t = performance.now();
      const r = await get(path);
      latencies.push(performance.now() - t);
      bytes = r.bytes;
      if (r.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: latencies[latencies.length - 1]!, bytes };
}

const t0 = performance.now();
const first = await get('/api/runs?limit=100');
const coldListMs = performance.now() - t0;
if (first.status !== 200) throw new Error(`/api/runs answered ${first.status}`);
// Steady state: the directory's last change is older than the server's rescan window.
await new Promise((r) => setTimeout(r, 2500));
await get('/api/runs?limit=100');
const page = await load('/api/runs?limit=100');
const filtered = await load('/api/runs?device=AGX-Orin&queryCount=64&limit=50');
const peakRssMB = ((): number | null => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
})();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
agent.destroy();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    case: 'dashboard-api',
    bundles,
    concurrency,
    generateS,
    coldListMs,
    pageRequests: page.requests,
    pageRps: page.rps,
    pageP50Ms: page.p50Ms,
    pageP99Ms: page.p99Ms,
    pageKB: page.bytes / 1024,
    filteredRequests: filtered.requests,
    filteredRps: filtered.rps,
    filteredP50Ms: filtered.p50Ms,
    filteredP99Ms: filtered.p99Ms,
    errors: page.errors + filtered.errors,
    serverPeakRssMB: peakRssMB,
  })}\n`,
);
