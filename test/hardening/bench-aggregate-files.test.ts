// The table `bench` prints at the end of a campaign (`aggregate`, src/app/bench-aggregate.ts)
// read the campaign's bundles with a plain `readFile`: a `latencies.csv` linked to a file outside
// the bundle was followed and its numbers went into the table, a linked `manifest.json` was read,
// and a FIFO hung the campaign's last step for good. It now reads through the bundle-file rule
// (src/runs/io/bundle-files.ts) and, as `runs list` and `analyze` do, leaves a refused bundle
// out of the table with its one-line reason while the other bundles still aggregate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate, type CampaignAggregate } from '../../src/app/bench-aggregate.js';
import type { CampaignFile } from '../../src/app/bench.js';
import { writeRunBundle } from '../../src/runs/io/bundle.js';
import { draft, flat } from '../store/helpers.js';
import { mkfifo, ROOT, tempDir } from './helpers.js';

/** Two queries of 2 ms and 4 ms: a mean of 3 ms. */
const LATENCIES = 'query,scheduled_ns,issued_ns,done_ns,latency_ns\n0,0,0,2000000,2000000\n1,5000000,5000000,9000000,4000000\n';
/** What a link points to: a huge latency that must never reach the table. */
const OUTSIDE = 'query,scheduled_ns,issued_ns,done_ns,latency_ns\n0,0,0,0,999000000000\n';

async function bundle(runsDir: string, startedAt: string): Promise<{ id: string; path: string }> {
  return writeRunBundle(runsDir, {
    manifest: draft({ label: 'bench q16', startedAt, endedAt: new Date(Date.parse(startedAt) + 1000).toISOString() }),
    trace: [flat('gpu0', 11, 100), flat('board', 11, 150)],
    files: [{ name: 'latencies.csv', role: 'other', content: LATENCIES }],
  });
}

/** A campaign of two finished runs of 16 queries: a good bundle and one whose `name` is replaced by `spoil(path)`. */
async function campaignWith(name: string, spoil: (path: string, root: string) => boolean): Promise<{ root: string; runsDir: string; campaign: CampaignFile; good: string; bad: string } | undefined> {
  const root = tempDir('inferprint-bench-aggregate-');
  const runsDir = join(root, 'runs');
  const good = await bundle(runsDir, '2026-11-26T10:00:00.000Z');
  const bad = await bundle(runsDir, '2026-11-26T11:00:00.000Z');
  rmSync(join(bad.path, name));
  if (!spoil(join(bad.path, name), root)) return undefined;
  const campaign: CampaignFile = {
    schema: 'inferprint.campaign/1',
    id: '20261126T095900Z-ab12',
    createdAt: '2026-11-26T09:59:00.000Z',
    model: 'synthetic:bert-tiny',
    scenario: 'SingleStream',
    release: 'v4.1',
    queryCounts: [16],
    runs: 2,
    seed: 1,
    sensor: 'nvml',
    intervalS: 0.1,
    planned: [
      { key: 'q16-r1', queryCount: 16, repetition: 1 },
      { key: 'q16-r2', queryCount: 16, repetition: 2 },
    ],
    finished: [
      { key: 'q16-r1', bundleId: good.id },
      { key: 'q16-r2', bundleId: bad.id },
    ],
  };
  return { root, runsDir, campaign, good: good.id, bad: bad.id };
}

const linkOutside = (path: string, root: string): boolean => {
  const outside = join(root, 'outside.csv');
  writeFileSync(outside, OUTSIDE);
  symlinkSync(outside, path);
  return true;
};

/** The good bundle alone makes the row; the bad one is skipped, named, with `reason`. */
function assertGoodOnly(t: CampaignAggregate, bad: string, badPath: string, reason: RegExp): void {
  assert.equal(t.rows.length, 1);
  const row = t.rows[0]!;
  assert.equal(row.queryCount, 16);
  assert.equal(row.runs, 1);
  assert.equal(row.meanEnergyJ, 100);
  assert.equal(row.meanComputeEnergyJ, 50);
  assert.ok(Math.abs(row.meanLatencyMs - 3) < 1e-12, `mean latency ${row.meanLatencyMs} ms`);
  assert.equal(row.gwpScope, 'operational+embodied');
  assert.ok(Math.abs(row.gwpMgPerRun! - 4) < 1e-9, `GWP ${row.gwpMgPerRun} mg`);
  assert.equal(t.skipped.length, 1);
  const s = t.skipped[0]!;
  assert.equal(s.name, bad);
  assert.equal(s.path, badPath);
  assert.equal(s.code, 'INVALID_VALUE');
  assert.match(s.reason, reason);
}

test('a normal campaign aggregates every finished bundle, nothing skipped', async () => {
  const fx = (await campaignWith('latencies.csv', (path) => {
    writeFileSync(path, LATENCIES);
    return true;
  }))!;
  const t = await aggregate(fx.campaign, fx.runsDir);
  assert.equal(t.rows.length, 1);
  assert.equal(t.rows[0]!.runs, 2);
  assert.ok(Math.abs(t.rows[0]!.meanLatencyMs - 3) < 1e-12);
  assert.deepEqual(t.skipped, []);
  rmSync(fx.root, { recursive: true, force: true });
});

for (const name of ['latencies.csv', 'manifest.json']) {
  test(`a ${name} that is a symbolic link out of the bundle is not followed: that bundle is left out of the table, with why`, async () => {
    const fx = (await campaignWith(name, linkOutside))!;
    const t = await aggregate(fx.campaign, fx.runsDir);
    assertGoodOnly(t, fx.bad, join(fx.runsDir, fx.bad), new RegExp(`${name.replace('.', '\\.')}: .*symbolic link: not followed`));
    rmSync(fx.root, { recursive: true, force: true });
  });
}

// In a child process, killed after a limit far above what it needs: before the fix the FIFO
// blocked the read for good, and a hang must fail this test, not hold the test process.
for (const name of ['latencies.csv', 'manifest.json']) {
  test(`a FIFO named ${name}: the aggregate returns, that bundle left out with why`, { timeout: 180_000 }, async (t) => {
    const fx = await campaignWith(name, (path) => mkfifo(path));
    if (!fx) {
      t.skip('mkfifo is not available here');
      return;
    }
    const script = [
      "import { aggregate } from './src/app/bench-aggregate.ts';",
      'const [campaign, runsDir] = JSON.parse(process.argv[1]);',
      'const t = await aggregate(campaign, runsDir);',
      'process.stdout.write(JSON.stringify(t), () => process.exit(0));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify([fx.campaign, fx.runsDir])], {
      cwd: ROOT,
      env: { ...process.env, TZ: 'UTC' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.signal, null, `the aggregate did not return (killed by ${r.signal}): ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assertGoodOnly(JSON.parse(r.stdout) as CampaignAggregate, fx.bad, join(fx.runsDir, fx.bad), new RegExp(`${name.replace('.', '\\.')}: .*FIFO \\(named pipe\\), not a regular file`));
    rmSync(fx.root, { recursive: true, force: true });
  });
}
