import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MANIFEST_SCHEMA_VERSION, readManifestJson, readManifestText } from '../../src/runs/manifest.js';
import { manifestVersion, OLDEST_READABLE_SCHEMA, upgradeManifestJson, UPGRADES } from '../../src/runs/schema.js';
import { thrown } from '../helpers/decode.js';
import { draft, schema0Manifest as v0 } from './helpers.js';

const FILE = '/runs/x/manifest.json';

function current(): Record<string, unknown> {
  return { ...draft(), schemaVersion: MANIFEST_SCHEMA_VERSION, id: '2026-11-26T11-42-03.123Z-bert-a100-0000', createdAt: '2026-11-26T12:00:00.000Z', files: [] };
}

test('the upgrade chain covers every version from the oldest readable one to the current one', () => {
  assert.equal(UPGRADES.length, MANIFEST_SCHEMA_VERSION - OLDEST_READABLE_SCHEMA);
  UPGRADES.forEach((u, i) => {
    assert.equal(u.from, OLDEST_READABLE_SCHEMA + i);
    assert.ok(u.changes.length > 0);
  });
});

test('a schema 0 manifest is read as the current schema, field by field', () => {
  const raw = v0();
  const before = JSON.stringify(raw);
  const { manifest, schemaVersion } = readManifestJson(raw, FILE);
  assert.equal(schemaVersion, 0);
  assert.equal(manifest.schemaVersion, MANIFEST_SCHEMA_VERSION);
  assert.deepEqual(manifest.status, { kind: 'completed' });
  assert.deepEqual(manifest.device, { hardwareId: 'A100', name: 'NVIDIA A100-SXM4-40GB' });
  assert.deepEqual(manifest.windows, [
    { name: 'full', t0S: 0, t1S: 1 },
    { name: 'compute', t0S: 0.2, t1S: 0.7 },
  ]);
  assert.deepEqual(manifest.gaps, []);
  assert.equal(manifest.createdAt, raw.endedAt);
  assert.deepEqual(manifest.files, [
    { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' },
    { name: 'stdout.txt', role: 'stdout' },
    { name: 'user.conf', role: 'mlperf_config' },
    { name: 'notes.md', role: 'other' },
  ]);
  assert.equal(manifest.energy?.primary.energyJ, 100);
  // The old top-level fields are gone, and the input was not modified.
  assert.equal((manifest as unknown as Record<string, unknown>).hardwareId, undefined);
  assert.equal(JSON.stringify(raw), before);
});

test('schema 0 statuses: interrupted keeps its signal, failed its message', () => {
  assert.deepEqual(readManifestJson(v0({ status: 'interrupted', signal: 'SIGINT' }), FILE).manifest.status, { kind: 'interrupted', signal: 'SIGINT' });
  assert.deepEqual(readManifestJson(v0({ status: 'interrupted' }), FILE).manifest.status, { kind: 'interrupted', signal: 'unknown' });
  assert.deepEqual(readManifestJson(v0({ status: 'failed', error: 'sensor died' }), FILE).manifest.status, { kind: 'failed', code: 'INTERNAL', message: 'sensor died' });
});

test('a malformed schema 0 manifest is a coded error naming the file and field', () => {
  const e = thrown(() => readManifestJson(v0({ status: 'done' }), FILE));
  assert.equal(e.code, 'PARSE');
  assert.equal(e.where.file, FILE);
  assert.equal(e.where.field, 'status');
  const w = thrown(() => readManifestJson(v0({ windows: { full: [0] } }), FILE));
  assert.equal(w.where.field, 'windows.full');
  // After the upgrade, the current validator still checks everything.
  const v = thrown(() => readManifestJson(v0({ windows: { full: [2, 1] } }), FILE));
  assert.equal(v.code, 'INVALID_VALUE');
  assert.equal(v.where.field, 'windows[0].t1S');
});

test('the current schema passes through unchanged', () => {
  const raw = current();
  assert.equal(upgradeManifestJson(raw, FILE).json, raw);
  const { manifest, schemaVersion } = readManifestJson(raw, FILE);
  assert.equal(schemaVersion, MANIFEST_SCHEMA_VERSION);
  assert.equal(manifest.label, 'bert a100');
});

test('a newer schema is refused with a message that says to upgrade inferprint', () => {
  const e = thrown(() => readManifestJson({ ...current(), schemaVersion: MANIFEST_SCHEMA_VERSION + 1 }, FILE));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.equal(e.where.field, 'schemaVersion');
  assert.match(e.message, new RegExp(`schema version ${MANIFEST_SCHEMA_VERSION + 1} is newer than this inferprint reads \\(0–${MANIFEST_SCHEMA_VERSION}\\): upgrade inferprint`));
});

test('unknown, missing or malformed versions and non-manifests are refused', () => {
  assert.equal(thrown(() => manifestVersion({ schemaVersion: -1 }, FILE)).code, 'INVALID_VALUE');
  assert.equal(thrown(() => manifestVersion({ schemaVersion: '1' }, FILE)).code, 'PARSE');
  assert.equal(thrown(() => manifestVersion({ schemaVersion: 1.5 }, FILE)).code, 'PARSE');
  assert.match(thrown(() => manifestVersion({ name: 'package' }, FILE)).message, /not a run manifest/);
  assert.match(thrown(() => manifestVersion([1], FILE)).message, /not a run manifest/);
  assert.match(thrown(() => readManifestText('{"schemaVersion": 1,', FILE)).message, /not valid JSON/);
});
