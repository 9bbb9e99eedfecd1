/**
 * Regression test for what the fuzz suite (test/fuzz/) found in manifests: an unknown field
 * nested 200 000 levels deep was read (unknown fields are kept) and then overflowed the stack
 * when the manifest was written back (`JSON.stringify` in the bundle writer): a crash, not a
 * coded error. Manifests deeper than 64 levels are now refused when read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInferprintError } from '../../src/errors.js';
import { formatManifest, MAX_MANIFEST_DEPTH, readManifestText } from '../../src/runs/manifest.js';
import { MANIFEST } from '../fuzz/seeds.js';

const withExtra = (depth: number): string => MANIFEST.replace('"schemaVersion": 1,', `"schemaVersion": 1, "x": ${'['.repeat(depth)}1${']'.repeat(depth)},`);

test('a manifest nested deeper than 64 levels is a parse error naming the file', () => {
  assert.equal(MAX_MANIFEST_DEPTH, 64);
  assert.throws(
    () => readManifestText(withExtra(200_000), 'runs/x/manifest.json'),
    (e: unknown) => isInferprintError(e) && e.code === 'PARSE' && e.message === 'runs/x/manifest.json: JSON nested deeper than 64 levels [PARSE]',
  );
  // Brackets inside strings do not count.
  const quoted = MANIFEST.replace('"label": "bert"', `"label": "${'['.repeat(1000)}"`);
  assert.equal(readManifestText(quoted).manifest.label, '['.repeat(1000));
});

test('within the limit, unknown nested fields are kept and written back', () => {
  const m = readManifestText(withExtra(MAX_MANIFEST_DEPTH - 1)).manifest as unknown as Record<string, unknown>;
  assert.ok(Array.isArray(m.x));
  assert.ok(formatManifest(m as never).includes(`"x": [`));
});
