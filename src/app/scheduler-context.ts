/**
 * The batch job around a run, read from the environment the scheduler gave the process: one
 * place, so every bundle carries the same fields whoever started the run (`inferprint campaign`,
 * a user's own `sbatch` script around `inferprint measure`, a prolog). The fields let a run be
 * joined with the scheduler's own accounting (`sacct -j JOB.STEP`) and filtered by job, node
 * or partition (`runs list --job/--node/--partition`, the `runs` view, the dashboard).
 *
 * Slurm (sbatch(1), srun(1) "OUTPUT ENVIRONMENT VARIABLES"): `SLURM_JOB_ID` (unique per array
 * task), `SLURM_ARRAY_JOB_ID`, `SLURM_ARRAY_TASK_ID`, `SLURM_STEP_ID` (set by srun; the batch
 * script itself has none, and sbatch sets `ENVIRONMENT=BATCH` there), `SLURMD_NODENAME`,
 * `SLURM_JOB_PARTITION`, `SLURM_CLUSTER_NAME`, `SLURM_JOB_NAME`. OAR (Grid'5000's scheduler,
 * oarsub(1)): `OAR_JOB_ID`, `OAR_ARRAY_ID`, `OAR_ARRAY_INDEX` (from 1), `OAR_JOB_NAME`.
 * `CUDA_VISIBLE_DEVICES` is kept with either: it says which GPUs the job was given.
 *
 * Pure: the environment is an argument.
 */
import type { SchedulerInfo } from '../runs/manifest.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A set, non-empty value, trimmed. */
function get(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function fields(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/** The scheduler's job around this process, or undefined when no scheduler started it. */
export function schedulerContext(env: Env): SchedulerInfo | undefined {
  const cuda = get(env, 'CUDA_VISIBLE_DEVICES');
  const slurmJob = get(env, 'SLURM_JOB_ID') ?? get(env, 'SLURM_JOBID');
  if (slurmJob !== undefined) {
    return {
      kind: 'slurm',
      jobId: slurmJob,
      ...fields({
        arrayJobId: get(env, 'SLURM_ARRAY_JOB_ID'),
        arrayTaskId: get(env, 'SLURM_ARRAY_TASK_ID'),
        stepId: get(env, 'SLURM_STEP_ID') ?? (get(env, 'ENVIRONMENT') === 'BATCH' ? 'batch' : undefined),
        node: get(env, 'SLURMD_NODENAME'),
        partition: get(env, 'SLURM_JOB_PARTITION'),
        cluster: get(env, 'SLURM_CLUSTER_NAME'),
        jobName: get(env, 'SLURM_JOB_NAME'),
        cudaVisibleDevices: cuda,
      }),
    };
  }
  const oarJob = get(env, 'OAR_JOB_ID') ?? get(env, 'OAR_JOBID');
  if (oarJob !== undefined) {
    return {
      kind: 'oar',
      jobId: oarJob,
      ...fields({
        arrayJobId: get(env, 'OAR_ARRAY_ID'),
        arrayTaskId: get(env, 'OAR_ARRAY_INDEX'),
        jobName: get(env, 'OAR_JOB_NAME'),
        cudaVisibleDevices: cuda,
      }),
    };
  }
  return undefined;
}

/** `JOB.STEP` as `sacct -j` takes it, when the run knows its step. */
export function slurmStepRef(s: SchedulerInfo): string | undefined {
  return s.kind === 'slurm' && s.stepId !== undefined ? `${s.jobId}.${s.stepId}` : undefined;
}
