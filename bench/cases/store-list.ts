// The runs store over N generated bundles, through the CLI as a user runs it (one process per
// command, so each time includes start-up and the cold scan): `runs list`, `runs list` with a
// filter, and `sql` aggregating the runs view. Usage: store-list.ts [BUNDLES=10000] [REPEAT=3]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeRunBundle } from '../../src/runs/io/bundle.js';
import { formatManifest, parseManifestText } from '../../src/runs/manifest.js';
import { bundleInput } from '../../test/serve/helpers.js';

const bundles = Number(process.argv[2] ?? 10_000);
const repeat = Number(process.argv[3] ?? 3);
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-store-'));
const runsDir = join(dir, 'runs');

// One real bundle, then copies with their own ids, devices and query counts.
const DEVICES = ['A100', 'H100', 'AGX-Orin', 'Tesla-T4'] as const;
const QCS = [16, 32, 64, 128, 256];
const template = await writeRunBundle(runsDir, bundleInput({ label: 'template', startedAt: '2026-01-01T00:00:00.000Z', device: 'A100', deviceName: 'NVIDIA A100-SXM4-40GB', queryCount: 16, samples: 200 }), { randomSuffix: () => 'ffff' });
const base = parseManifestText(readFileSync(join(template.path, 'manifest.json'), 'utf8'), 'template');
for (let i = 0; i < bundles - 1; i++) {
  const started = new Date(Date.parse('2026-01-01T00:00:00.000Z') + (i + 1) * 10_000);
  const hardwareId = DEVICES[i % DEVICES.length]!;
  const qc = QCS[Math.floor(i / DEVICES.length) % QCS.length]!;
  const label = `${hardwareId} qc${qc} run ${i}`;
  const id = `${started.toISOString().replace(/:/g, '-')}-${label.replace(/[^A-Za-z0-9._-]+/g, '-')}-${(i % 0x10000).toString(16).padStart(4, '0')}`;
  const path = join(runsDir, id);
  cpSync(template.path, path, { recursive: true });
  const workload = { ...base.workload, queryCount: qc };
  writeFileSync(join(path, 'manifest.json'), formatManifest({ ...base, id, label, startedAt: started.toISOString(), endedAt: new Date(started.getTime() + 9950).toISOString(), device: { hardwareId }, workload }));
}

const cli = join(root, 'bin', 'inferprint');
function timeS(args: string[]): number {
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    execFileSync(cli, [...args, '--runs-dir', runsDir], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 28 });
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}
const listS = timeS(['runs', 'list', '--format', 'csv']);
const filteredS = timeS(['runs', 'list', '--device', 'AGX-Orin', '--queries', '256', '--format', 'csv']);
const sqlS = timeS(['sql', 'SELECT hardware_id, query_count, count(*), avg(energy_j) FROM runs GROUP BY ALL']);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ case: 'store-list (CLI, cold process)', bundles, medianOf: repeat, runsListS: listS, runsListFilteredS: filteredS, sqlAggregateS: sqlS })}\n`);
