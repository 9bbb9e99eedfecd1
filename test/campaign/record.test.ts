/**
 * `campaign.json` read back (src/campaign/io/record.ts): a record written by `writeRecord` reads
 * as it was (its runs directory taken from where it was found), and every record the commands
 * could not trust is refused with a coded error naming the file and the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAMPAIGN_RECORD_SCHEMA, campaignDir, readRecord, recordPath, writeRecord, type CampaignRecord } from '../../src/campaign/io/record.js';
import { isInferprintError } from '../../src/errors.js';

const ID = '2026-12-06T12-00-00Z-study-mini';

function record(runsDir: string): CampaignRecord {
  return {
    schema: CAMPAIGN_RECORD_SCHEMA,
    id: ID,
    name: 'study-mini',
    createdAt: '2026-12-06T12:00:00.000Z',
    planFile: '/plans/plan.yaml',
    runsDir,
    plan: {} as CampaignRecord['plan'],
    targets: [{ name: 'cpu', executor: 'local', campaignFile: 'targets/cpu.json', benchCampaignId: 'b-1', runs: 4 }],
    submissions: [{ target: 'cpu', jobId: 'local', indices: [0, 1], submittedAt: '2026-12-06T12:00:01.000Z', script: '', by: 'submit' }],
  };
}

async function refused(p: Promise<unknown>, code: string, message: RegExp, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isInferprintError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    if (field !== undefined) assert.equal(e.where.field, field, e.message);
    return true;
  });
}

test('a written record reads back as written, its runs directory where it was found; the write leaves no temporary', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-record-'));
  const r = record(runsDir);
  await writeRecord(r);
  assert.deepEqual(readdirSync(campaignDir(runsDir, ID)), ['campaign.json']);
  assert.deepEqual(await readRecord(runsDir, ID), r);
  const moved = mkdtempSync(join(tmpdir(), 'inferprint-record-moved-'));
  await writeRecord({ ...r, runsDir: moved });
  assert.equal((await readRecord(moved, ID)).runsDir, moved);
});

test('a record the commands cannot trust is refused, naming the file and the field', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-record-bad-'));
  await refused(readRecord(runsDir, '../elsewhere'), 'USAGE', /not a campaign id: '\.\.\/elsewhere'/);
  await refused(readRecord(runsDir, ID), 'NOT_FOUND', /campaign .* \(no campaign\.json/);
  mkdirSync(campaignDir(runsDir, ID), { recursive: true });
  const write = (j: unknown): void => {
    writeFileSync(recordPath(runsDir, ID), typeof j === 'string' ? j : JSON.stringify(j));
  };
  write('{"schema": ');
  await refused(readRecord(runsDir, ID), 'PARSE', /not valid JSON/);
  write([1]);
  await refused(readRecord(runsDir, ID), 'PARSE', /expected a JSON object/, 'schema');
  const good = record(runsDir);
  write({ ...good, schema: 'inferprint.cluster-campaign/9' });
  await refused(readRecord(runsDir, ID), 'PARSE', /expected inferprint\.cluster-campaign\/1, got "inferprint\.cluster-campaign\/9"/, 'schema');
  write({ ...good, createdAt: 7 });
  await refused(readRecord(runsDir, ID), 'PARSE', /expected a string/, 'createdAt');
  write({ ...good, plan: [] });
  await refused(readRecord(runsDir, ID), 'PARSE', /expected an object/, 'plan');
  write({ ...good, targets: [{ ...good.targets[0], executor: 'cloud' }] });
  await refused(readRecord(runsDir, ID), 'PARSE', /expected \[\{name, executor/, 'targets');
  write({ ...good, submissions: [{ ...good.submissions[0], indices: ['0'] }] });
  await refused(readRecord(runsDir, ID), 'PARSE', /expected \[\{target, jobId, indices/, 'submissions');
  write({ ...good, id: 'another' });
  await refused(readRecord(runsDir, ID), 'PARSE', /the record says "another", its folder "2026-12-06T12-00-00Z-study-mini"/, 'id');
  assert.ok(existsSync(recordPath(runsDir, ID)));
});

test('a FIFO or a folder in place of campaign.json is refused in one line, not waited on', async (t) => {
  const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-record-fifo-'));
  mkdirSync(campaignDir(runsDir, ID), { recursive: true });
  mkdirSync(recordPath(runsDir, ID));
  await refused(readRecord(runsDir, ID), 'INVALID_VALUE', /campaign record is a directory/);
  rmSync(recordPath(runsDir, ID), { recursive: true });
  const made = spawnSync('mkfifo', [recordPath(runsDir, ID)]);
  if (made.status !== 0) {
    t.skip('mkfifo is not available here');
    return;
  }
  // The check is made before the open, so a FIFO with no writer cannot block the read.
  await refused(readRecord(runsDir, ID), 'INVALID_VALUE', /campaign record is a FIFO/);
});
