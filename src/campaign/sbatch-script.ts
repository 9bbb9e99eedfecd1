/**
 * The batch script of one target's job array: each array task runs the planned run whose index
 * is its task id (`inferprint bench --campaign-file F --task $SLURM_ARRAY_TASK_ID`), so a
 * resubmission of some runs only is the same script with another `--array` list.
 *
 * The run is the batch step itself (no `srun`): the step `JOB.batch` is then the run and little
 * else, which is what `sacct` accounts energy for, and a step cannot end up with fewer CPUs or
 * GPUs than the job (as `srun` steps can on clusters with task/cgroup). `exec` hands the shell's
 * process to inferprint, so `scancel`'s SIGTERM reaches it: the run in flight is finished and
 * saved when it can be, before Slurm's KillWait ends it.
 *
 * Pure: text out.
 */
import type { Target } from './plan.js';
import { arraySpec } from './slurm-parse.js';

export interface ScriptInput {
  readonly campaignId: string;
  readonly target: Target;
  /** Array task ids = indices of the runs in the target's campaign file. */
  readonly indices: readonly number[];
  /** Absolute paths, as the nodes see them (a shared file system). */
  readonly campaignFile: string;
  readonly runsDir: string;
  readonly logDir: string;
  readonly cacheDir?: string | undefined;
  /** The command line that starts inferprint on a node, already shell-quoted. */
  readonly inferprint: string;
  readonly jobName: string;
  readonly createdAt: string;
}

/** A word for the shell: bare when plain, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An `#SBATCH` value: sbatch reads these lines itself, and takes double quotes around a value with spaces. */
const directive = (opt: string, value?: string): string => `#SBATCH ${opt}${value === undefined ? '' : `=${/[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value}`}`;

/** The log file of one task, `%A_%a` expanded (Slurm's filename pattern, sbatch(1)). */
export function taskLogName(target: string, arrayJobId: string, index: number): string {
  return `${target}-${arrayJobId}_${index}.out`;
}

export function sbatchScript(i: ScriptInput): string {
  const t = i.target;
  const lines = [
    '#!/bin/bash',
    `# inferprint campaign ${i.campaignId}, target ${t.name}: ${i.indices.length} run(s), one per array task;`,
    `# the task id is the run's index in ${i.campaignFile}.`,
    `# Written by inferprint campaign at ${i.createdAt}. Status: inferprint campaign status ${i.campaignId}`,
    directive('--job-name', i.jobName),
    directive('--array', arraySpec(i.indices, t.maxParallel)),
    directive('--output', `${i.logDir}/${t.name}-%A_%a.out`),
    directive('--ntasks', '1'),
    ...(t.partition !== undefined ? [directive('--partition', t.partition)] : []),
    // A node shared with other jobs makes the run's energy (and Slurm's) meaningless.
    ...(t.exclusive ? [directive('--exclusive')] : []),
    ...(t.constraint !== undefined ? [directive('--constraint', t.constraint)] : []),
    ...(t.gres !== undefined ? [directive('--gres', t.gres)] : []),
    ...(t.account !== undefined ? [directive('--account', t.account)] : []),
    ...(t.qos !== undefined ? [directive('--qos', t.qos)] : []),
    ...(t.timeLimit !== undefined ? [directive('--time', t.timeLimit)] : []),
    ...(t.cpusPerTask !== undefined ? [directive('--cpus-per-task', String(t.cpusPerTask))] : []),
    ...(t.mem !== undefined ? [directive('--mem', t.mem)] : []),
    ...t.sbatchArgs.map((a) => `#SBATCH ${a}`),
    'set -eu',
    ...t.setup,
    `echo "inferprint campaign ${i.campaignId} target ${t.name}: task $SLURM_ARRAY_TASK_ID (job $SLURM_JOB_ID) on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&2`,
    [
      'exec',
      i.inferprint,
      'bench',
      '--campaign-file',
      shellQuote(i.campaignFile),
      '--task',
      '"$SLURM_ARRAY_TASK_ID"',
      '--runs-dir',
      shellQuote(i.runsDir),
      ...(i.cacheDir !== undefined ? ['--cache-dir', shellQuote(i.cacheDir)] : []),
    ].join(' '),
    '',
  ];
  return lines.join('\n');
}
