import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../../src/errors.js';
import { removeRuns } from '../../src/store/remove.js';
import { openStore } from '../../src/store/store.js';
import { tempRunsDir, writeRun } from './helpers.js';

/** Run the churn script (writes and removes bundles) in its own process; resolves with its exit code. */
function churn(runsDir: string, count: number, tag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'churn.ts'), runsDir, String(count), tag], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve(code ?? 1);
    });
  });
}

test('listing and querying while two other processes write and remove bundles', async () => {
  const runsDir = tempRunsDir();
  mkdirSync(runsDir, { recursive: true });
  const store = openStore(runsDir);
  const writers = [churn(runsDir, 60, 'a'), churn(runsDir, 60, 'b')];
  const state = { done: false };
  void Promise.all(writers).then(() => (state.done = true));

  let listings = 0;
  let queries = 0;
  let maxSeen = 0;
  // Until both writers finish, and at least a few rounds whatever the machine's speed.
  while (!state.done || listings < 3) {
    const { runs, skipped } = await store.list();
    listings++;
    // Hidden temporaries (being written or removed) are never looked at, and a bundle that
    // disappears mid-listing is simply not there: nothing is ever reported as corrupt.
    assert.deepEqual(skipped, []);
    for (const r of runs) assert.equal(r.manifest.id, r.id);
    maxSeen = Math.max(maxSeen, runs.length);
    const q = await store.query('SELECT count(*) FROM runs r JOIN (SELECT run_id, count(*) AS n FROM traces GROUP BY run_id) t ON t.run_id = r.id').catch((e: unknown) => {
      throw isInferprintError(e) ? new Error(`query failed mid-churn: ${e.message}`) : e;
    });
    assert.ok(typeof q.rows[0]![0] === 'number');
    queries++;
  }
  assert.deepEqual(await Promise.all(writers), [0, 0]);
  // Each writer kept 40 of its 60 bundles; nothing half-written is left.
  const final = await store.list();
  assert.equal(final.runs.length, 80);
  assert.deepEqual(final.skipped, []);
  assert.ok(readdirSync(runsDir).every((n) => !n.startsWith('.')));
  assert.ok(listings >= 3 && queries >= 3 && maxSeen <= 80);
});

// DuckDB expands the traces glob when the query starts, so a bundle removed before that is
// simply absent; one removed between the expansion and the opening of its file fails the
// read. That instant cannot be reached from outside DuckDB: the hook raises DuckDB's error.
const cannotOpen = (path: string): InferprintError => errors.invalidValue({ field: 'query' }, `IO Error: Cannot open file "${path}": No such file or directory`);

test('a bundle file that vanishes under a query: the query lists again and succeeds', async () => {
  const runsDir = tempRunsDir();
  const keep = await writeRun(runsDir, { label: 'keep' });
  const gone = await writeRun(runsDir, { label: 'gone' });
  const attempts: number[] = [];
  const store = openStore(runsDir, {
    beforeQuery: async (attempt) => {
      attempts.push(attempt);
      if (attempt === 1) {
        await removeRuns(runsDir, [gone.id]);
        throw cannotOpen(join(gone.path, 'trace.parquet'));
      }
    },
  });
  const r = await store.query('SELECT run_id, count(*) FROM traces GROUP BY run_id');
  assert.deepEqual(attempts, [1, 2]);
  assert.deepEqual(r.rows, [[keep.id, 22]]);
});

test('a query that fails for another reason, or on a file that is still there, is not retried', async () => {
  const runsDir = tempRunsDir();
  const w = await writeRun(runsDir);
  let calls = 0;
  const store = openStore(runsDir, {
    beforeQuery: () => {
      calls++;
    },
  });
  await assert.rejects(store.query('SELECT nope FROM traces'), /nope/);
  assert.equal(calls, 1);
  let tries = 0;
  const stubborn = openStore(runsDir, {
    beforeQuery: () => {
      tries++;
      throw cannotOpen(join(w.path, 'trace.parquet'));
    },
  });
  await assert.rejects(stubborn.query('SELECT * FROM traces'), /Cannot open file/);
  assert.equal(tries, 1);
  // Outside the runs directory: not a bundle of ours, not retried either.
  let outside = 0;
  const foreign = openStore(runsDir, {
    beforeQuery: () => {
      outside++;
      throw cannotOpen('/nonexistent/trace.parquet');
    },
  });
  await assert.rejects(foreign.query('SELECT * FROM traces'), /Cannot open file/);
  assert.equal(outside, 1);
});
