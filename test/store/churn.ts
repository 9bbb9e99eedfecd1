/**
 * A second process for the concurrency test: writes `count` bundles into the runs directory
 * given, removing every third one it wrote, as a campaign and a user's `runs rm` would.
 * Usage: node --import tsx test/store/churn.ts RUNS_DIR COUNT TAG
 */
import { removeRuns } from '../../src/store/remove.js';
import { writeRun } from './helpers.js';

const [runsDir, countArg, tag] = process.argv.slice(2);
if (runsDir === undefined || countArg === undefined || tag === undefined) throw new Error('usage: churn.ts RUNS_DIR COUNT TAG');
const written: string[] = [];
for (let i = 0; i < Number(countArg); i++) {
  const w = await writeRun(runsDir, { label: `${tag} ${i}` }, { suffix: `${tag}${i.toString(16).padStart(4, '0')}` });
  written.push(w.id);
  if (i % 3 === 2) await removeRuns(runsDir, [written[i - 1]!]);
}
process.stdout.write(`${written.length}\n`);
