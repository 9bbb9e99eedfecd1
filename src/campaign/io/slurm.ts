/**
 * Slurm's commands as a small adapter: each method runs one command through an injected runner
 * (tests give a fake one, the integration tests a real Slurm) and parses what it printed with
 * `slurm-parse.ts`. Which Slurm answers is the environment's business (`SLURM_CONF`, as for
 * every Slurm client): the runner is given the command's environment.
 */
import { spawn } from 'node:child_process';
import { errors } from '../../errors.js';
import {
  energyGathered,
  parseEnergyGatherType,
  parseHostnames,
  parsePartitions,
  parseSacctEnergy,
  parseSacctStates,
  parseSbatchParsable,
  parseScontrolJobs,
  parseSqueue,
  type StepEnergy,
  type TaskRecord,
} from '../slurm-parse.js';

export interface ExecResult {
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command is not on PATH. */
  readonly missing?: boolean;
}

export type Exec = (cmd: string, args: readonly string[]) => Promise<ExecResult>;

/** Runs commands with `env`, capturing their output; a command that hangs is ended after `timeoutMs`. */
export function processExec(env: Readonly<Record<string, string | undefined>>, timeoutMs = 60_000): Exec {
  return (cmd, args) =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.once('error', (e: NodeJS.ErrnoException) => { resolve({ code: null, stdout, stderr: stderr || e.message, missing: e.code === 'ENOENT' }); });
      child.once('close', (code) => { resolve({ code, stdout, stderr }); });
    });
}

/** A command's complaint in one line, for an error message. */
const said = (r: ExecResult): string => (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code ?? 'none (killed)'}`).split('\n').map((l) => l.trim()).filter(Boolean).join('; ').slice(0, 300);

const failed = (cmd: string, r: ExecResult) => errors.io(cmd, new Error(r.missing === true ? `${cmd} is not on PATH` : `${cmd} failed: ${said(r)}`));

/** The energy Slurm gathers, from `scontrol show config`. */
export interface EnergyAccounting {
  /** `AcctGatherEnergyType`, e.g. `acct_gather_energy/rapl`; undefined when scontrol did not say. */
  readonly type: string | undefined;
  readonly gathered: boolean;
}

export class Slurm {
  constructor(private readonly exec: Exec) {}

  /** Whether the client commands are here (`sbatch --version` runs). */
  async hasSbatch(): Promise<boolean> {
    const r = await this.exec('sbatch', ['--version']);
    return r.missing !== true && r.code === 0;
  }

  async partitions(): Promise<string[]> {
    const r = await this.exec('sinfo', ['-h', '-o', '%P']);
    if (r.code !== 0) throw failed('sinfo', r);
    return parsePartitions(r.stdout);
  }

  /** The host names of a partition's nodes (`sinfo -p P -o %N`, expanded by `scontrol show hostnames`). */
  async partitionNodes(partition: string): Promise<string[]> {
    const r = await this.exec('sinfo', ['-h', '-p', partition, '-o', '%N']);
    if (r.code !== 0) throw failed('sinfo', r);
    const lists = parsePartitions(r.stdout).join(',');
    if (lists === '') return [];
    const h = await this.exec('scontrol', ['show', 'hostnames', lists]);
    if (h.code !== 0) throw failed('scontrol', h);
    return parseHostnames(h.stdout);
  }

  /** Submit a batch script; its job id. */
  async submit(script: string): Promise<string> {
    const r = await this.exec('sbatch', ['--parsable', script]);
    const id = r.code === 0 ? parseSbatchParsable(r.stdout) : undefined;
    if (id === undefined) throw errors.io(script, new Error(r.missing === true ? 'sbatch is not on PATH' : `sbatch refused it: ${said(r)}`));
    return id;
  }

  /**
   * Tasks of these jobs still in the queue (`squeue -r`). A job that has left the queue is
   * simply absent; squeue's "Invalid job id" for a list of only such jobs means none.
   */
  async queue(jobIds: readonly string[]): Promise<TaskRecord[]> {
    if (jobIds.length === 0) return [];
    const r = await this.exec('squeue', ['-h', '-r', '-j', jobIds.join(','), '-o', '%i|%F|%K|%T|%N|%R']);
    if (r.code !== 0) {
      if (/invalid job id/i.test(r.stderr)) return [];
      throw failed('squeue', r);
    }
    return parseSqueue(r.stdout);
  }

  /**
   * What the controller still remembers of these jobs, finished tasks included (for
   * `MinJobAge`, 300 s by default): `scontrol show job`, one job at a time (an unknown id fails
   * the whole call).
   */
  async recent(jobIds: readonly string[]): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const id of jobIds) {
      const r = await this.exec('scontrol', ['show', 'job', '-o', id]);
      if (r.code === 0) out.push(...parseScontrolJobs(r.stdout));
      else if (!/invalid job id/i.test(r.stderr)) throw failed('scontrol', r);
    }
    return out;
  }

  /**
   * The accounting database's record of these jobs (`sacct`), or undefined when there is none
   * (no slurmdbd: "accounting storage is disabled").
   */
  async accounting(jobIds: readonly string[]): Promise<TaskRecord[] | undefined> {
    if (jobIds.length === 0) return [];
    const r = await this.exec('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '--format=JobID,State,ExitCode,NodeList']);
    if (r.code !== 0 || r.missing === true) return undefined;
    return parseSacctStates(r.stdout);
  }

  async cancel(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const r = await this.exec('scancel', [...jobIds]);
    if (r.code !== 0 && !/invalid job id/i.test(r.stderr)) throw failed('scancel', r);
  }

  async energyAccounting(): Promise<EnergyAccounting> {
    const r = await this.exec('scontrol', ['show', 'config']);
    if (r.code !== 0) throw failed('scontrol', r);
    const type = parseEnergyGatherType(r.stdout);
    return { type, gathered: energyGathered(type) };
  }

  /** `sacct -P -n --format=JobID,ConsumedEnergyRaw,Elapsed -j JOB.STEP,...`; undefined with the reason when sacct cannot answer. */
  async stepEnergy(steps: readonly string[]): Promise<{ readonly rows: StepEnergy[] } | { readonly unavailable: string }> {
    if (steps.length === 0) return { rows: [] };
    const r = await this.exec('sacct', ['-P', '-n', '--format=JobID,ConsumedEnergyRaw,Elapsed', '-j', steps.join(',')]);
    if (r.code !== 0 || r.missing === true) return { unavailable: r.missing === true ? 'sacct is not on PATH' : `sacct: ${said(r)}` };
    return { rows: parseSacctEnergy(r.stdout) };
  }
}
