// Issue 11, item 8 (errors that hide their cause): one unreadable MLPerf summary made `analyze`
// say only "not a recognised dataset" and `import` "(1 skipped)"; one bad summary in one bundle
// failed analyze and report over the whole store. Each skipped input is now named, with why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverInputs } from '../../src/app/inputs.js';
import { V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';
import { cliInChild, tempDir, writeBundle } from './helpers.js';

const RUN_A = 'Orin_v4.1_logs/2025.05.30-21.30.13/Orin_TRT/bert-99/SingleStream/mlperf_log_summary.txt';
const RUN_B = 'Orin_v4.1_logs/2025.05.30-22.00.00/Orin_TRT/bert-99/SingleStream/mlperf_log_summary.txt';

function put(root: string, rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

test('a log tree whose only summary is unreadable: analyze and import name the file and why', () => {
  const root = tempDir();
  const tree = join(root, 'logs');
  const bad = put(tree, RUN_A, 'garbage, not a summary\n');
  const [analyze, imp] = cliInChild([
    ['analyze', tree],
    ['import', 'mlperf', '--runs-dir', join(root, 'runs'), tree],
  ]);
  for (const r of [analyze!, imp!]) {
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.err, /not a recognised dataset/);
    assert.match(r.err, new RegExp(`1 skipped — ${bad}: invalid-summary \\(${bad}`));
    assert.match(r.err, /\[NO_DATA\]/);
  }
  rmSync(root, { recursive: true, force: true });
});

test('analyze lists each skipped input with its reason (table notes; stderr for CSV)', () => {
  const root = tempDir();
  const tree = join(root, 'logs');
  put(tree, RUN_A, V41_SUMMARY_16Q);
  const bad = put(tree, RUN_B, 'garbage, not a summary\n');
  const [table, csv] = cliInChild([
    ['analyze', tree],
    ['analyze', tree, '--format', 'csv'],
  ]);
  assert.equal(table!.code, 0, table!.err);
  assert.match(table!.out, new RegExp(`Skipped 1 input\\(s\\):\\n  ${bad}: invalid-summary — ${bad}`));
  assert.equal(csv!.code, 0, csv!.err);
  assert.doesNotMatch(csv!.out, /Skipped/);
  assert.match(csv!.err, new RegExp(`Skipped 1 input\\(s\\):\\n.*${bad}: invalid-summary`));
  rmSync(root, { recursive: true, force: true });
});

test('one bad MLPerf summary in one bundle skips that bundle, as a corrupt manifest is skipped; the store is still analysed', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  await writeBundle(runsDir, 'good', '2026-11-26T10:00:00.000Z');
  const bad = await writeBundle(runsDir, 'bad summary', '2026-11-26T11:00:00.000Z');
  writeFileSync(join(bad.path, 'mlperf_log_summary.txt'), 'not a summary\n');
  const found = discoverInputs([runsDir], {});
  assert.equal(found.groups.length, 1);
  assert.equal(found.groups[0]!.energies?.length, 1);
  assert.equal(found.skipped.length, 1);
  assert.equal(found.skipped[0]!.path, bad.path);
  assert.match(`${found.skipped[0]!.detail}`, /mlperf_log_summary\.txt/);
  const [analyze] = cliInChild([['analyze', runsDir]]);
  assert.equal(analyze!.code, 0, analyze!.err);
  assert.match(analyze!.out, new RegExp(`Skipped 1 input\\(s\\):\\n  ${bad.path}: run bundle with an unreadable MLPerf summary — .*mlperf_log_summary\\.txt`));
  rmSync(root, { recursive: true, force: true });
});
