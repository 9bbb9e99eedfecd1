import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunManifest } from '../../src/runs/io/bundle.js';
import { MANIFEST_SCHEMA_VERSION, readManifestJson } from '../../src/runs/manifest.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { schema0Manifest } from '../store/helpers.js';

test('readRunManifest and listRunBundles read a schema 0 bundle upgraded, leaving the file as it was', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-schema-'));
  const raw = schema0Manifest();
  const id = raw.id as string;
  const file = join(runsDir, id, 'manifest.json');
  mkdirSync(join(runsDir, id));
  const text = JSON.stringify(raw, null, 2);
  writeFileSync(file, text);

  const m = await readRunManifest(join(runsDir, id));
  assert.equal(m.schemaVersion, MANIFEST_SCHEMA_VERSION);
  assert.deepEqual(m.status, { kind: 'completed' });
  assert.deepEqual(m.device, { hardwareId: 'A100', name: 'NVIDIA A100-SXM4-40GB' });
  assert.deepEqual(m.windows, [
    { name: 'full', t0S: 0, t1S: 1 },
    { name: 'compute', t0S: 0.2, t1S: 0.7 },
  ]);
  assert.equal(m.createdAt, raw.endedAt);
  assert.deepEqual(m, readManifestJson(raw, file).manifest);

  // Listing goes through the one scanner, which skips a bundle without its trace or a file its
  // manifest lists (a partial copy): give it them (listing reads manifests only, content unused).
  writeFileSync(join(runsDir, id, 'trace.parquet'), '');
  for (const f of m.files) writeFileSync(join(runsDir, id, f.name), '');
  const skipped: string[] = [];
  const listed = await listRunBundles(runsDir, { onInvalid: (_p, e) => skipped.push(e.message) });
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    listed.map((b) => [b.id, b.manifest.schemaVersion]),
    [[id, MANIFEST_SCHEMA_VERSION]],
  );
  // Upgrades happen in memory: the bundle on disk is never rewritten.
  assert.equal(readFileSync(file, 'utf8'), text);
});
