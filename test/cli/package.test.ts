import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOOL_VERSION } from '../../src/version.js';

const ROOT = resolve(import.meta.dirname, '../..');

test('the tool version in results is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  assert.equal(TOOL_VERSION, pkg.version);
  assert.equal(pkg.bin.inferprint, 'bin/inferprint');
});

test('the built package exposes its public API and subpaths', { skip: existsSync(join(ROOT, 'dist/index.js')) ? false : 'dist/ not built' }, async () => {
  const main = (await import(join(ROOT, 'dist/index.js'))) as Record<string, unknown>;
  for (const name of ['analyze', 'measure', 'importRuns', 'Recorder', 'trapezoidJ', 'parseSummary', 'computeImpact', 'resolveHardware', 'readRunBundle']) {
    assert.equal(typeof main[name], 'function', name);
  }
  const energy = (await import(join(ROOT, 'dist/traces/energy.js'))) as Record<string, unknown>;
  assert.equal(typeof energy.trapezoidJ, 'function');
});
