import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sbatchScript, shellQuote, taskLogName } from '../../src/campaign/sbatch-script.js';
import type { Target } from '../../src/campaign/plan.js';

const T: Target = { name: 'a100', executor: 'slurm', partition: 'gpu', exclusive: true, maxParallel: 2, gres: 'gpu:1', constraint: 'a100', account: 'proj', timeLimit: '01:00:00', sbatchArgs: ['--reservation=study'], setup: ['module load nodejs/20'] };
const input = {
  campaignId: 'study-20261206T100000Z-ab12',
  target: T,
  indices: [0, 1, 2, 3, 7],
  campaignFile: '/shared/runs/campaigns/study-20261206T100000Z-ab12/targets/a100.json',
  runsDir: '/shared/runs',
  logDir: '/shared/runs/campaigns/study-20261206T100000Z-ab12/logs',
  inferprint: '/usr/bin/node /opt/inferprint/bin/inferprint',
  jobName: 'a100.study-20261206T100000Z-ab12',
  createdAt: '2026-12-06T10:00:00.000Z',
};

test('one job array per target: its runs as array tasks, throttled, exclusive, with what the target asks', () => {
  const s = sbatchScript(input);
  const directives = s.split('\n').filter((l) => l.startsWith('#SBATCH'));
  assert.deepEqual(directives, [
    '#SBATCH --job-name=a100.study-20261206T100000Z-ab12',
    '#SBATCH --array=0-3,7%2',
    '#SBATCH --output=/shared/runs/campaigns/study-20261206T100000Z-ab12/logs/a100-%A_%a.out',
    '#SBATCH --ntasks=1',
    '#SBATCH --partition=gpu',
    '#SBATCH --exclusive',
    '#SBATCH --constraint=a100',
    '#SBATCH --gres=gpu:1',
    '#SBATCH --account=proj',
    '#SBATCH --time=01:00:00',
    '#SBATCH --reservation=study',
  ]);
  assert.ok(s.startsWith('#!/bin/bash\n'));
  assert.ok(s.indexOf('module load nodejs/20') > s.lastIndexOf('#SBATCH'), 'setup after the directives (sbatch stops reading them at the first command)');
  assert.match(s, /\nexec \/usr\/bin\/node \/opt\/inferprint\/bin\/inferprint bench --campaign-file \/shared\/runs\/campaigns\/study-20261206T100000Z-ab12\/targets\/a100\.json --task "\$SLURM_ARRAY_TASK_ID" --runs-dir \/shared\/runs\n$/);
});

test('exclusive off: no --exclusive; no throttle: a bare array', () => {
  const s = sbatchScript({ ...input, target: { name: 'cpu', executor: 'slurm', exclusive: false, sbatchArgs: [], setup: [] }, indices: [0, 1] });
  assert.doesNotMatch(s, /--exclusive/);
  assert.match(s, /#SBATCH --array=0-1\n/);
  assert.doesNotMatch(s, /--partition/);
});

test('paths with spaces are quoted for the shell and for sbatch', () => {
  const s = sbatchScript({ ...input, runsDir: "/shared/my runs/it's", logDir: '/shared/my runs/logs', cacheDir: '/c d' });
  assert.match(s, /#SBATCH --output="\/shared\/my runs\/logs\/a100-%A_%a\.out"/);
  assert.match(s, /--runs-dir '\/shared\/my runs\/it'\\''s' --cache-dir '\/c d'\n/);
  assert.equal(shellQuote('plain/path-1.json'), 'plain/path-1.json');
  assert.equal(taskLogName('a100', '4242', 7), 'a100-4242_7.out');
});
