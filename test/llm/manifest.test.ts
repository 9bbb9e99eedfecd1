/**
 * The `llm` workload in the manifest and schema 2: a served-LLM run validates field by field,
 * and the chain reads schema 0 and 1 bundles as schema 2 (schema 1 → 2 only renumbers, and
 * refuses an `llm` run claiming schema 1, which no writer made).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MANIFEST_SCHEMA_VERSION, parseManifest, readManifestJson, type LlmWorkload } from '../../src/runs/manifest.js';
import { upgradeManifestJson, UPGRADES } from '../../src/runs/schema.js';
import { assessRun } from '../../src/runs/run-impact.js';
import { levelFootprint } from '../../src/llm/impact.js';
import { thrown } from '../helpers/decode.js';
import { draft, schema0Manifest } from '../store/helpers.js';

const FILE = '/runs/x/manifest.json';

function level(over: Record<string, unknown> = {}): Record<string, unknown> {
  const d = { count: 4, mean: 50, p50: 40, p90: 80, p99: 95, max: 100 };
  return {
    name: 'c4',
    load: 'closed',
    concurrency: 4,
    requests: 10,
    succeeded: 9,
    failed: 1,
    outcomes: { ok: 9, 'http-error': 1 },
    finishReasons: { length: 9, none: 1 },
    emptyResponses: 0,
    inputTokens: 1200,
    outputTokens: 1150,
    outputTokensSource: 'usage',
    durationS: 0.9,
    ttftMs: d,
    tpotMs: { ...d, mean: 5, p50: 4, p90: 6, p99: 7, max: 8 },
    itlMs: null,
    e2eMs: d,
    energy: {
      window: 'steady',
      t0S: 0.1,
      t1S: 0.6,
      energyJ: 50,
      meanPowerW: 100,
      outputTokens: 500,
      jPerOutputToken: 0.1,
      jPerRequest: 12.7,
      levelEnergyJ: 90,
      levelDurationS: 0.9,
      split: { prefillJ: 20, decodeJ: 60, idleJ: 10, approximate: true },
      coverage: 1,
    },
    limits: [{ name: 'llama2-70b', ttftLimitMs: 2000, tpotLimitMs: 200, ttftP99Ms: 95, tpotP99Ms: 7, ttftPass: true, tpotPass: true, pass: true }],
    ...over,
  };
}

function llmManifest(levelOver: Record<string, unknown> = {}, version: number = MANIFEST_SCHEMA_VERSION): Record<string, unknown> {
  const workload = {
    kind: 'llm',
    sut: 'openai',
    api: 'openai-chat',
    url: 'http://127.0.0.1:8000',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    requestsPerLevel: 10,
    maxTokens: 128,
    ignoreEos: true,
    streamUsage: true,
    prompts: { source: 'synthetic', inputTokens: '128', seed: 1, count: 10 },
    latencyLimits: [{ name: 'llama2-70b', ttftMs: 2000, tpotMs: 200, source: 'mlperf.conf' }],
    levels: [level(levelOver)],
    serverNote: 'kept: unknown fields survive',
  };
  return { ...draft({ workload: workload as unknown as LlmWorkload }), schemaVersion: version, id: '2026-12-06T10-00-00.000Z-llm-0000', createdAt: '2026-11-26T12:00:00.000Z', files: [{ name: 'llm_requests.jsonl', role: 'llm_requests' }] };
}

const field = (path: string) => (e: ReturnType<typeof thrown>) => e.where.field === path;

test('a served-LLM run validates, unknown fields kept', () => {
  const m = parseManifest(llmManifest(), FILE);
  assert.equal(m.schemaVersion, 2);
  const w = m.workload as LlmWorkload & { serverNote?: string };
  assert.equal(w.levels[0]!.energy!.jPerOutputToken, 0.1);
  assert.equal(w.serverNote, 'kept: unknown fields survive');
  assert.deepEqual(m.files[0], { name: 'llm_requests.jsonl', role: 'llm_requests' });
});

test('impossible level values are refused, naming the field', () => {
  const cases: [Record<string, unknown>, string, 'PARSE' | 'INVALID_VALUE'][] = [
    [{ failed: 2 }, 'workload.levels[0].failed', 'INVALID_VALUE'],
    [{ load: 'burst' }, 'workload.levels[0].load', 'INVALID_VALUE'],
    [{ concurrency: 0 }, 'workload.levels[0].concurrency', 'INVALID_VALUE'],
    [{ ttftMs: { count: 4, mean: 50, p50: 90, p90: 80, p99: 95, max: 100 } }, 'workload.levels[0].ttftMs', 'INVALID_VALUE'],
    [{ tpotMs: 'fast' }, 'workload.levels[0].tpotMs', 'PARSE'],
    [{ outputTokens: -1 }, 'workload.levels[0].outputTokens', 'INVALID_VALUE'],
    [{ outcomes: { ok: 1.5 } }, 'workload.levels[0].outcomes.ok', 'INVALID_VALUE'],
    [{ energy: { ...(level().energy as object), energyJ: -3 } }, 'workload.levels[0].energy.energyJ', 'INVALID_VALUE'],
    [{ energy: { ...(level().energy as object), t1S: 0 } }, 'workload.levels[0].energy.t1S', 'INVALID_VALUE'],
    [{ energy: { ...(level().energy as object), energyJ: 1e12 } }, 'workload.levels[0].energy.energyJ', 'INVALID_VALUE'],
    [{ energy: { ...(level().energy as object), split: { prefillJ: 1, decodeJ: 1, idleJ: 1 } } }, 'workload.levels[0].energy.split.approximate', 'PARSE'],
    [{ limits: [{ name: 'x', pass: 'yes' }] }, 'workload.levels[0].limits[0].ttftLimitMs', 'PARSE'],
  ];
  for (const [over, path, code] of cases) {
    const e = thrown(() => parseManifest(llmManifest(over), FILE));
    assert.equal(e.code, code, `${path}: ${e.message}`);
    assert.ok(field(path)(e), `${path}: ${e.message}`);
  }
  const twice = llmManifest();
  (twice.workload as { levels: unknown[] }).levels.push(level());
  assert.ok(field('workload.levels[1].name')(thrown(() => parseManifest(twice, FILE))));
});

test('schema 2: schema 0 and 1 bundles read as before; an llm run claiming schema 1 and a schema 3 are refused', () => {
  assert.equal(MANIFEST_SCHEMA_VERSION, 2);
  assert.deepEqual(UPGRADES.map((u) => u.from), [0, 1]);
  const v1 = { ...draft(), schemaVersion: 1, id: '2026-11-26T11-42-03.123Z-bert-a100-0000', createdAt: '2026-11-26T12:00:00.000Z', files: [] };
  const before = JSON.stringify(v1);
  const read = readManifestJson(v1, FILE);
  assert.equal(read.schemaVersion, 1);
  assert.equal(read.manifest.schemaVersion, 2);
  assert.deepEqual({ ...read.manifest, schemaVersion: 1 }, v1);
  assert.equal(JSON.stringify(v1), before, 'the input is not modified (bundles on disk are never rewritten)');
  const v0 = readManifestJson(schema0Manifest(), FILE);
  assert.deepEqual([v0.schemaVersion, v0.manifest.schemaVersion], [0, 2]);
  const claim = thrown(() => upgradeManifestJson(llmManifest({}, 1), FILE));
  assert.equal(claim.code, 'PARSE');
  assert.match(claim.message, /field 'workload.kind': "llm" runs are schema 2 or later \(schema 1\)/);
  assert.match(thrown(() => readManifestJson(llmManifest({}, 3), FILE)).message, /schema version 3 is newer than this inferprint reads \(0–2\): upgrade inferprint to read this run/);
});

test('a level\'s footprint is the run\'s assessment over the level\'s window, per 1 000 of its tokens', () => {
  const m = parseManifest(llmManifest(), FILE);
  const f = levelFootprint(m, (m.workload as LlmWorkload).levels[0]!);
  assert.equal(f.scope, 'operational+embodied');
  const span = assessRun({ ...m, energy: { ...m.energy!, primary: { ...m.energy!.primary, energyJ: 50, durationS: 0.5 } } });
  assert.ok(span.scope === 'operational+embodied');
  const g = span.result.gwpG.mean;
  assert.ok(Math.abs(f.gwpMgPer1kTokens! - (g * 1e6) / 500) < 1e-9 * f.gwpMgPer1kTokens!);
  assert.ok(Math.abs(f.gwpMg! - f.operationalMg! - f.embodiedMg!) < 1e-9 * f.gwpMg!);
});
