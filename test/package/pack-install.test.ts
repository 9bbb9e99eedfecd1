/**
 * The package installs the way users install it: `npm pack`, then `npm install` of the tarball
 * into an empty folder (dependencies only, as a user gets them), then the installed
 * `inferprint` runs `--version`, `hardware list` and `analyze` on a trace made here. A file
 * left out of `files` or a package used at run time but missing from `dependencies` fails here,
 * not on a user's machine. Also: `engines.node` is at least as strict as every dependency's.
 *
 * Needs the built `dist/` (`npm test` builds first) and the npm registry or an npm cache that
 * holds the dependencies (`npm install` in the checkout fills it; `--prefer-offline` reads it
 * first). Elsewhere it skips saying why; under CI=true it fails instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { skipOrFail } from '../helpers/requirements.js';

const repo = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const built = existsSync(join(repo, 'dist/cli/main.js'));

/** The environment of the npm and CLI children: none of the `npm run` variables of a parent npm (its prefix, its script). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  // The node running this test runs npm's and the CLI's `#!/usr/bin/env node` too.
  env.PATH = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`;
  env.NO_COLOR = '1';
  return env;
}

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 26 });
}

const said = (r: SpawnSyncReturns<string>): string => `exit ${r.status ?? r.signal ?? 'none'}${r.error ? ` (${r.error.message})` : ''}: ${(r.stderr + r.stdout).slice(-1500)}`;

test('npm pack, install the tarball into an empty folder, run the installed inferprint', { skip: skipOrFail(!built && 'dist/ not built (npm run build)'), timeout: 280_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'inferprint-pack-'));
  try {
    // --ignore-scripts: `prepare` would build again; dist/ is what this checkout built.
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo, 120_000);
    assert.equal(packed.status, 0, `npm pack: ${said(packed)}`);
    const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    const shipped = new Set(info.files.map((f) => f.path));
    for (const f of ['package.json', 'bin/inferprint', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'README.md']) assert.ok(shipped.has(f), `the tarball lacks ${f}`);
    for (const f of shipped) assert.ok(!f.startsWith('test/') && !f.startsWith('src/cli/') && !f.startsWith('node_modules/'), `the tarball ships ${f}`);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "inferprint-install-check", "private": true }\n');
    // The project's .npmrc (onnxruntime-node-install=skip: its installer would fetch CUDA
    // binaries from a host the build machines cannot reach).
    copyFileSync(join(repo, '.npmrc'), join(app, '.npmrc'));
    assert.match(readFileSync(join(app, '.npmrc'), 'utf8'), /^onnxruntime-node-install=skip$/m);
    const installed = run('npm', ['install', join(work, info.filename), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], app, 240_000);
    if (installed.status !== 0) {
      const why = `npm install of the tarball failed (no registry and no npm cache holding the dependencies?): ${said(installed)}`;
      if (skipOrFail(why) !== false) {
        t.skip(why);
        return;
      }
      assert.fail(why);
    }

    const bin = join(app, 'node_modules/.bin/inferprint');
    const version = run(bin, ['--version'], app, 60_000);
    assert.equal(version.status, 0, `inferprint --version: ${said(version)}`);
    assert.equal(version.stdout.trim(), pkg.version);

    const hardware = run(bin, ['hardware', 'list', '--format', 'csv'], app, 60_000);
    assert.equal(hardware.status, 0, `inferprint hardware list: ${said(hardware)}`);
    assert.match(hardware.stdout, /^A100,/m);
    assert.match(hardware.stdout, /^AGX-Orin/im);

    // A study-format trace: 70 W held for 10 s sampled every 100 ms, so 700 J by any rule.
    const lines = ['timestamp,gpu_power'];
    for (let i = 0; i <= 100; i++) lines.push(`${(i / 10).toFixed(1)},70`);
    const trace = join(app, 'consommation_energie_single_T4_QC_16_1.csv');
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const analyzed = run(bin, ['analyze', trace, '--format', 'csv'], app, 60_000);
    assert.equal(analyzed.status, 0, `inferprint analyze: ${said(analyzed)}`);
    const [header, row] = analyzed.stdout.trim().split('\n');
    const cols = header!.split(',');
    const cell = (name: string): string => row!.split(',')[cols.indexOf(name)]!;
    assert.equal(cell('device'), 'Tesla-T4');
    assert.ok(Math.abs(Number(cell('energy_j')) - 700) < 1e-9, `energy_j ${cell('energy_j')}, expected 700`);
    assert.ok(Number(cell('gwp_mg')) > 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('engines.node is at least as strict as every dependency installed with the package', () => {
  // semver's `subset`: every Node our range admits, each dependency's range admits too.
  const semver = createRequire(join(repo, 'package.json'))('semver') as { subset(sub: string, sup: string): boolean; validRange(r: string): string | null };
  assert.ok(semver.validRange(pkg.engines.node), `engines.node ${pkg.engines.node} is not a range`);
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; os?: string[]; engines?: { node?: string } | string[] }> };
  const looser: string[] = [];
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path === '' || p.dev === true || Array.isArray(p.engines) || p.engines?.node === undefined) continue;
    if (!semver.subset(pkg.engines.node, p.engines.node)) looser.push(`${path.replace(/^.*node_modules\//, '')} needs node ${p.engines.node}`);
  }
  assert.deepEqual(looser, [], `package.json engines.node ${pkg.engines.node} admits Nodes that dependencies refuse`);
});
