/**
 * Slurm's command output, parsed. Every parser takes the text a command printed (with the
 * options `slurm.ts` gives it) and returns plain values; nothing here runs a command, so the
 * tests feed recorded output. Formats, from Slurm's manual pages (22.05, the Debian 12 version):
 *
 * - `sinfo -h -o %P`: one partition per line, the default one marked with a trailing `*`.
 * - `sbatch --parsable`: `JOBID` or `JOBID;CLUSTER`.
 * - `squeue -h -r -o '%i|%F|%K|%T|%N|%R'`: job id (`123_4` for an array task), array job id,
 *   array task id (`N/A` outside arrays), state (`PENDING`, `RUNNING`, ...), node list, reason.
 *   `-r` prints one line per array task, also for tasks not started yet.
 * - `scontrol show job -o ID`: one job per line, `Key=Value` fields separated by spaces; a job
 *   array's tasks that have not started are one record whose `ArrayTaskId` is a range
 *   (`2-9%2`, the `%2` being the throttle).
 * - `sacct -n -P -X -j IDS --format=JobID,State,ExitCode,NodeList`: fields separated by `|`;
 *   array tasks as `123_4`, tasks not started yet as `123_[5-9%2]`; `State` may carry a
 *   suffix (`CANCELLED by 1000`).
 * - `sacct -P --format=JobID,ConsumedEnergyRaw,Elapsed -j JOB.STEP`: a header line
 *   (`JobID|ConsumedEnergyRaw|Elapsed`) unless `-n`, then one row per step; `ConsumedEnergyRaw`
 *   is joules as an integer (empty when nothing was gathered), `Elapsed` is `[DD-[HH:]]MM:SS`
 *   (sacct(1), "Elapsed").
 * - `scontrol show config`: `Key = Value` lines; `AcctGatherEnergyType` names the energy plugin
 *   (`acct_gather_energy/none` when no energy is gathered; slurm.conf(5)).
 *
 * Pure.
 */

/** Job states a job (or array task) can be in (squeue(1) "JOB STATE CODES"). */
export type SlurmJobState = string;

/** States in which a job is still Slurm's to run: not finished. */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD']);
const STARTED = new Set(['CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESIZING']);

export const isActiveState = (s: string): boolean => ACTIVE.has(baseState(s));
export const isStartedState = (s: string): boolean => STARTED.has(baseState(s));
/** `CANCELLED by 1000` → `CANCELLED`; `CANCELLED+` (sacct's truncation) too. */
export const baseState = (s: string): string => s.trim().split(/[\s+]/)[0]!.toUpperCase();

/** Partitions from `sinfo -h -o %P`, without the default's `*`. */
export function parsePartitions(stdout: string): string[] {
  return [...new Set(stdout.split('\n').map((l) => l.trim().replace(/\*$/, '')).filter((l) => l !== ''))];
}

/** The job id from `sbatch --parsable` (`123` or `123;cluster`), or undefined when it is not one. */
export function parseSbatchParsable(stdout: string): string | undefined {
  const line = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  const id = line.split(';')[0]!;
  return /^\d+$/.test(id) ? id : undefined;
}

/** One array task (or plain job) as the scheduler sees it now. */
export interface TaskRecord {
  /** The array job id (for a job outside an array, its own id). */
  readonly arrayJobId: string;
  /** The task index; undefined outside arrays. */
  readonly taskId?: number;
  /** The task's own job id, when it has one (started tasks). */
  readonly jobId?: string;
  readonly state: SlurmJobState;
  readonly nodes?: string;
  readonly reason?: string;
  /** `code:signal` as Slurm prints it. */
  readonly exitCode?: string;
}

const squeueFields = (x: string | undefined): string | undefined => {
  const v = x?.trim();
  return v === undefined || v === '' || v === 'N/A' || v === '(null)' || v === 'None' ? undefined : v;
};

/** `squeue -h -r -o '%i|%F|%K|%T|%N|%R'` lines. Lines that are not in that form are skipped. */
export function parseSqueue(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split('|');
    if (f.length < 4) continue;
    const [id, arrayJob, task, state, nodes, ...reason] = f;
    const arrayJobId = squeueFields(arrayJob) ?? squeueFields(id)?.split('_')[0];
    if (arrayJobId === undefined || !/^\d+$/.test(arrayJobId) || state === undefined || state.trim() === '') continue;
    const t = squeueFields(task);
    const jobId = squeueFields(id);
    out.push({
      arrayJobId,
      ...(t !== undefined && /^\d+$/.test(t) ? { taskId: Number(t) } : {}),
      ...(jobId !== undefined && /^\d+$/.test(jobId) ? { jobId } : {}),
      state: state.trim(),
      ...(squeueFields(nodes) !== undefined ? { nodes: squeueFields(nodes)! } : {}),
      // squeue wraps a pending job's reason in parentheses: `(Resources)`.
      ...(squeueFields(reason.join('|')) !== undefined ? { reason: squeueFields(reason.join('|'))!.replace(/^\((.*)\)$/, '$1') } : {}),
    });
  }
  return out;
}

/** `Key=Value` fields of one `scontrol show job -o` line (a value ends where the next ` Key=` begins). */
export function scontrolFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g;
  const starts: { key: string; at: number; valueAt: number }[] = [];
  for (let m = re.exec(line); m !== null; m = re.exec(line)) starts.push({ key: m[1]!, at: m.index, valueAt: m.index + m[0].length });
  for (const [i, s] of starts.entries()) fields.set(s.key, line.slice(s.valueAt, starts[i + 1]?.at ?? line.length).trim());
  return fields;
}

/** The indices of an array spec: `0-3,7`, `2-9%2` (throttle dropped), `1-7:2` (step). */
export function expandArraySpec(spec: string): number[] {
  const body = spec.replace(/^\[|\]$/g, '').split('%')[0]!;
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    const step = m[3] !== undefined ? Math.max(1, Number(m[3])) : 1;
    for (let i = a; i <= b && out.length < 100_000; i += step) out.push(i);
  }
  return out;
}

/** Indices as a Slurm array spec, runs compressed: [0,1,2,3,7] → `0-3,7`; with a throttle, `0-3,7%2`. */
export function arraySpec(indices: readonly number[], maxParallel?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}${maxParallel !== undefined ? `%${maxParallel}` : ''}`;
}

/** `scontrol show job -o ID` output: one record per started task, one per range of tasks not started. */
export function parseScontrolJobs(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('JobId=')) continue;
    const f = scontrolFields(line);
    const jobId = f.get('JobId');
    const state = f.get('JobState');
    if (jobId === undefined || state === undefined) continue;
    const arrayJobId = f.get('ArrayJobId') ?? jobId;
    const taskSpec = f.get('ArrayTaskId');
    const common = {
      arrayJobId,
      state,
      ...(squeueFields(f.get('NodeList')) !== undefined ? { nodes: squeueFields(f.get('NodeList'))! } : {}),
      ...(squeueFields(f.get('Reason')) !== undefined ? { reason: squeueFields(f.get('Reason'))! } : {}),
      ...(f.get('ExitCode') !== undefined ? { exitCode: f.get('ExitCode')! } : {}),
    };
    if (taskSpec === undefined) {
      out.push({ ...common, jobId });
    } else if (/^\d+$/.test(taskSpec)) {
      out.push({ ...common, taskId: Number(taskSpec), jobId });
    } else {
      // The pending part of an array: its tasks have no job id of their own yet.
      for (const t of expandArraySpec(taskSpec)) out.push({ ...common, taskId: t });
    }
  }
  return out;
}

/** `sacct -n -P -X -j IDS --format=JobID,State,ExitCode,NodeList` rows. */
export function parseSacctStates(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split('|');
    if (f.length < 2) continue;
    const [id, state, exitCode, nodes] = f.map((x) => x.trim());
    const m = /^(\d+)(?:_(\d+|\[[^\]]*\]))?$/.exec(id ?? '');
    if (!m || state === undefined || state === '' || state === 'State') continue;
    const common = {
      arrayJobId: m[1]!,
      state,
      ...(exitCode !== undefined && exitCode !== '' ? { exitCode } : {}),
      ...(squeueFields(nodes) !== undefined && nodes !== 'None assigned' ? { nodes: nodes! } : {}),
    };
    if (m[2] === undefined) out.push({ ...common, jobId: m[1]! });
    else if (/^\d+$/.test(m[2])) out.push({ ...common, taskId: Number(m[2]) });
    else for (const t of expandArraySpec(m[2])) out.push({ ...common, taskId: t });
  }
  return out;
}

/** The energy plugin from `scontrol show config`; undefined when the line is absent. */
export function parseEnergyGatherType(stdout: string): string | undefined {
  const m = /^AcctGatherEnergyType\s*=\s*(\S+)/m.exec(stdout);
  return m?.[1];
}

/** Whether that plugin gathers anything (`acct_gather_energy/none`, `(null)` or absent: nothing). */
export function energyGathered(type: string | undefined): boolean {
  return type !== undefined && type !== '(null)' && !/\/none$/.test(type) && type !== 'none';
}

/** `[DD-[HH:]]MM:SS` (sacct(1) "Elapsed"), also `MM:SS.mmm` as sacct prints short CPU times; undefined when malformed. */
export function parseElapsedS(text: string): number | undefined {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const [, d, h, min, s] = m;
  if (d !== undefined && h === undefined) return undefined;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s);
}

/** One step's energy as Slurm accounted it. */
export interface StepEnergy {
  /** `JOB.STEP` as sacct printed it. */
  readonly step: string;
  /** Joules; null when sacct printed nothing (no energy gathered for that step). */
  readonly energyJ: number | null;
  readonly elapsedS: number | null;
}

/** `sacct -P [-n] --format=JobID,ConsumedEnergyRaw,Elapsed` rows (a header line is recognised and skipped). */
export function parseSacctEnergy(stdout: string): StepEnergy[] {
  const out: StepEnergy[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split('|').map((x) => x.trim());
    if (f.length < 3 || f[0] === '' || f[0] === 'JobID') continue;
    const [step, energy, elapsed] = f as [string, string, string];
    const e = /^\d+(?:\.\d+)?$/.test(energy) ? Number(energy) : null;
    out.push({ step, energyJ: e, elapsedS: parseElapsedS(elapsed) ?? null });
  }
  return out;
}

/** Names from `scontrol show hostnames LIST`, one per line. */
export function parseHostnames(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}
