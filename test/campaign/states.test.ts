/**
 * Where a run stands, from its bundles, the queue and what Slurm remembers; and Slurm's energy
 * of a run's step beside the bundle's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnergy, countStates, runStatus, toResubmit, type RunFacts } from '../../src/campaign/states.js';
import { withOverrides, type Overrides } from '../helpers/overrides.js';

const SUB = { target: 'cpu', jobId: '40', indices: [0, 1, 2, 3], submittedAt: '2026-12-06T10:00:00.000Z', script: 'slurm/cpu-1.sbatch', by: 'submit' as const };
const base: RunFacts = { target: 'cpu', executor: 'slurm', index: 2, key: 'q16-r1', queryCount: 16, repetition: 1, bundles: [], submission: SUB };
const good = { id: '2026-12-06T10-00-05.000Z-x-q16-r1-aaaa', status: 'completed' as const, node: 'n1' };
const failedBundle = { id: '2026-12-06T10-00-05.000Z-x-q16-r1-bbbb', status: 'failed' as const, statusDetail: 'SENSOR_FAILED: nvml died' };

// [case, facts, state, detail]
// `submission: undefined`: never submitted (the base has a submission; the case removes it).
const CASES: readonly [string, Overrides<RunFacts>, string, RegExp][] = [
  ['a completed bundle is done, whatever the scheduler says', { bundles: [good], ended: { arrayJobId: '40', taskId: 2, state: 'CANCELLED' } }, 'done', /^bundle 2026/],
  ['two completed bundles: done, and said (measured twice)', { bundles: [good, { ...good, id: 'other' }] }, 'done', /2 bundles: measured more than once/],
  ['queued: pending with the reason', { queued: { arrayJobId: '40', taskId: 2, state: 'PENDING', reason: 'JobArrayTaskLimit' } }, 'pending', /^queued \(JobArrayTaskLimit\)$/],
  ['started: running', { queued: { arrayJobId: '40', taskId: 2, state: 'RUNNING', nodes: 'n3' } }, 'running', /^running$/],
  ['completing: still running', { queued: { arrayJobId: '40', taskId: 2, state: 'COMPLETING' } }, 'running', /^completing$/],
  ['ended with a non-zero exit and no bundle: failed', { ended: { arrayJobId: '40', taskId: 2, state: 'FAILED', exitCode: '1:0' } }, 'failed', /^failed, exit 1:0; no bundle$/],
  ['cancelled before it started', { ended: { arrayJobId: '40', taskId: 2, state: 'CANCELLED by 0', exitCode: '0:0' } }, 'failed', /^cancelled; no bundle$/],
  ['completed without a bundle', { ended: { arrayJobId: '40', taskId: 2, state: 'COMPLETED', exitCode: '0:0' } }, 'failed', /completed but left no bundle/],
  ['a failed bundle says why', { bundles: [failedBundle], ended: { arrayJobId: '40', taskId: 2, state: 'FAILED', exitCode: '1:0' } }, 'failed', /bundle .* is failed \(SENSOR_FAILED: nvml died\)/],
  ['gone from the queue with no record and no bundle', {}, 'failed', /left the queue without a bundle/],
  ['never submitted (sbatch refused that target)', { submission: undefined }, 'pending', /^not submitted$/],
  ['local, not run yet', { executor: 'local', submission: undefined }, 'pending', /^not run yet$/],
  ['local, ran and left only a log', { executor: 'local', submission: undefined, log: '/x/logs/cpu-local_2.out' }, 'failed', /ended without a bundle/],
];

for (const [what, facts, state, detail] of CASES) {
  test(`run state: ${what}`, () => {
    const s = runStatus(withOverrides(base, facts));
    assert.equal(s.state, state);
    assert.match(s.detail, detail);
    if (facts.submission !== undefined || !('submission' in facts)) assert.equal(s.job, '40_2');
  });
}

test('resume takes failed and never-submitted runs, never queued or done ones', () => {
  const runs = CASES.map(([, f]) => runStatus(withOverrides(base, f)));
  const again = toResubmit(runs);
  assert.deepEqual(again.map((r) => r.state).sort(), ['failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'pending', 'pending']);
  assert.ok(again.every((r) => r.bundles.length === 0));
  assert.deepEqual(countStates(runs), { pending: 3, running: 2, done: 2, failed: 6 });
});

test("Slurm's energy within 10 % of the bundle's: no warning", () => {
  const c = checkEnergy('40.batch', { step: '40.batch', energyJ: 1050, elapsedS: 60 }, 1000, 58, 'acct_gather_energy/rapl');
  assert.equal(c.source, 'slurm-sacct');
  assert.ok(Math.abs(c.differencePct! - 5) < 1e-9);
  assert.equal(c.warning, undefined);
  assert.ok(Math.abs(checkEnergy('s', { step: 's', energyJ: 910, elapsedS: 1 }, 1000, 1, 'p').differencePct! + 9) < 1e-9);
  assert.equal(checkEnergy('s', { step: 's', energyJ: 1100, elapsedS: 1 }, 1000, 1, 'p').warning, undefined, 'exactly 10 % is within');
});

test("Slurm's energy more than 10 % away: a warning with both figures and both spans", () => {
  const c = checkEnergy('40.batch', { step: '40.batch', energyJ: 1500, elapsedS: 62 }, 1000, 58.04, 'acct_gather_energy/rapl');
  assert.ok(Math.abs(c.differencePct! - 50) < 1e-9);
  assert.match(c.warning!, /differs from the bundle's by \+50\.0 % \(1500 J against 1000\.0 J\); Slurm counts the node \(acct_gather_energy\/rapl\) over the whole step, 62 s, the bundle its sensor over the run, 58\.0 s/);
  assert.match(checkEnergy('s', { step: 's', energyJ: 800, elapsedS: 1 }, 1000, 1, 'p').warning!, /by -20\.0 %/);
});

test('Slurm reports 0 or nothing: a warning, no difference', () => {
  const zero = checkEnergy('40.batch', { step: '40.batch', energyJ: 0, elapsedS: 62 }, 1000, 58, 'acct_gather_energy/gpu');
  assert.equal(zero.differencePct, null);
  assert.match(zero.warning!, /Slurm reports 0 J energy for step 40\.batch \(acct_gather_energy\/gpu\)/);
  const none = checkEnergy('40.batch', undefined, 1000, 58, 'acct_gather_energy/gpu');
  assert.equal(none.energyJ, null);
  assert.match(none.warning!, /Slurm reports no energy/);
});
