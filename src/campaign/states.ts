/**
 * Where each planned run of a campaign stands, from what is known of it: the bundles in the
 * runs directory (the truth about what is done), the scheduler's queue (pending, running), and
 * what the scheduler remembers of ended jobs (why a run without a bundle failed). Also the
 * cross-check of a run's energy with Slurm's own accounting of its step.
 *
 * Pure: the facts are gathered by `campaign.ts`.
 */
import type { Executor } from './plan.js';
import type { Submission } from './io/record.js';
import { baseState, isActiveState, isStartedState, type StepEnergy, type TaskRecord } from './slurm-parse.js';

export type RunState = 'pending' | 'running' | 'done' | 'failed';
export const RUN_STATES: readonly RunState[] = ['pending', 'running', 'done', 'failed'];

/** A bundle of the run, as status needs it. */
export interface RunBundleFact {
  readonly id: string;
  readonly status: 'completed' | 'interrupted' | 'failed';
  /** `CODE: message` of a failed one, the signal of an interrupted one. */
  readonly statusDetail?: string;
  readonly energyJ?: number;
  readonly durationS?: number;
  /** `JOB.STEP` when a Slurm job measured it. */
  readonly slurmStep?: string;
  readonly node?: string;
}

export interface RunFacts {
  readonly target: string;
  readonly executor: Executor;
  readonly index: number;
  readonly key: string;
  readonly queryCount: number;
  readonly repetition: number;
  readonly bundles: readonly RunBundleFact[];
  /** The latest submission holding this run (Slurm), if any. */
  readonly submission?: Submission;
  /** The scheduler's queue entry for it, if it is queued. */
  readonly queued?: TaskRecord;
  /** What the scheduler remembers of it (scontrol, sacct), if it ended. */
  readonly ended?: TaskRecord;
  /** The task's log file, when it exists (absolute path). */
  readonly log?: string;
}

export interface RunStatus {
  readonly target: string;
  readonly index: number;
  readonly key: string;
  readonly queryCount: number;
  readonly repetition: number;
  readonly state: RunState;
  /** Why, in a few words: the bundle, the job's state and exit code, the queue's reason. */
  readonly detail: string;
  /** Array job id and task (`123_4`) of the latest submission. */
  readonly job?: string;
  readonly node?: string;
  /** Completed bundles (more than one: the run was measured twice). */
  readonly bundles: readonly string[];
  readonly log?: string;
  /** A failed run's last log line: usually the error that ended it. */
  readonly logTail?: string;
}

const jobOf = (f: RunFacts): string | undefined => (f.submission ? `${f.submission.jobId}_${f.index}` : undefined);

export function runStatus(f: RunFacts): RunStatus {
  const good = f.bundles.filter((b) => b.status === 'completed');
  const job = jobOf(f);
  const base = {
    target: f.target,
    index: f.index,
    key: f.key,
    queryCount: f.queryCount,
    repetition: f.repetition,
    ...(job !== undefined ? { job } : {}),
    bundles: good.map((b) => b.id),
    ...(f.log !== undefined ? { log: f.log } : {}),
  };
  const node = good[0]?.node ?? f.queued?.nodes ?? f.ended?.nodes;
  const withNode = node !== undefined ? { ...base, node } : base;
  if (good.length > 0) {
    return { ...withNode, state: 'done', detail: good.length === 1 ? `bundle ${good[0]!.id}` : `${good.length} bundles: measured more than once (${good.map((b) => b.id).join(', ')})` };
  }
  const badBundle = f.bundles.at(-1);
  const bundleSays = badBundle ? `bundle ${badBundle.id} is ${badBundle.status}${badBundle.statusDetail !== undefined ? ` (${badBundle.statusDetail})` : ''}` : undefined;
  if (f.queued && isActiveState(f.queued.state)) {
    const state = baseState(f.queued.state);
    if (isStartedState(state)) return { ...withNode, state: 'running', detail: state.toLowerCase() };
    return { ...withNode, state: 'pending', detail: `queued${f.queued.reason !== undefined ? ` (${f.queued.reason})` : ''}` };
  }
  if (f.submission === undefined) {
    if (f.executor === 'local') {
      if (bundleSays !== undefined) return { ...withNode, state: 'failed', detail: bundleSays };
      if (f.log !== undefined) return { ...withNode, state: 'failed', detail: 'ended without a bundle (see the log)' };
      return { ...withNode, state: 'pending', detail: 'not run yet' };
    }
    return { ...withNode, state: 'pending', detail: 'not submitted' };
  }
  if (f.ended) {
    const state = baseState(f.ended.state);
    const exit = f.ended.exitCode !== undefined && f.ended.exitCode !== '0:0' ? `, exit ${f.ended.exitCode}` : '';
    if (state === 'COMPLETED') return { ...withNode, state: 'failed', detail: bundleSays ?? 'the job completed but left no bundle (see the log)' };
    return { ...withNode, state: 'failed', detail: `${state.toLowerCase()}${exit}${bundleSays !== undefined ? `; ${bundleSays}` : '; no bundle'}` };
  }
  return { ...withNode, state: 'failed', detail: bundleSays ?? 'the job left the queue without a bundle (see the log)' };
}

/** Runs per state. */
export function countStates(runs: readonly RunStatus[]): Record<RunState, number> {
  const n: Record<RunState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const r of runs) n[r.state]++;
  return n;
}

/** The runs `resume` would submit again: no completed bundle, and not in the queue. */
export function toResubmit(runs: readonly RunStatus[]): RunStatus[] {
  return runs.filter((r) => r.state === 'failed' || (r.state === 'pending' && (r.detail === 'not submitted' || r.detail === 'not run yet')));
}

// ---------------------------------------------------------------------------------------------
// Slurm's energy beside the bundle's

/** A difference above this between Slurm's energy and the bundle's is said. */
export const ENERGY_TOLERANCE = 0.1;

export interface EnergyCheck {
  readonly source: 'slurm-sacct';
  /** `JOB.STEP`. */
  readonly step: string;
  /** Slurm's energy of the step (`ConsumedEnergyRaw`), J; null when it reported none. */
  readonly energyJ: number | null;
  readonly elapsedS: number | null;
  /** The bundle's headline energy and the span it covers (summed over the runs of the step, when several share it). */
  readonly bundleEnergyJ: number;
  readonly bundleDurationS: number;
  /** Runs measured in this step: more than one when a step ran several (then compared together). */
  readonly runsInStep: number;
  /** (Slurm − bundle) / bundle, %; null when either is missing or zero. */
  readonly differencePct: number | null;
  readonly warning?: string;
}

/** Slurm's accounting of a run's step against the bundle's own energy (see the guide, "Slurm's energy accounting"). */
export function checkEnergy(step: string, slurm: StepEnergy | undefined, bundleEnergyJ: number, bundleDurationS: number, plugin: string, runsInStep = 1): EnergyCheck {
  const energyJ = slurm?.energyJ ?? null;
  const elapsedS = slurm?.elapsedS ?? null;
  const base = { source: 'slurm-sacct' as const, step, energyJ, elapsedS, bundleEnergyJ, bundleDurationS, runsInStep };
  const bundles = runsInStep === 1 ? "the bundle's" : `the ${runsInStep} bundles of that step together`;
  if (energyJ === null || energyJ === 0) {
    return { ...base, differencePct: null, warning: `Slurm reports ${energyJ === null ? 'no' : '0 J'} energy for step ${step} (${plugin}): its plugin gathered nothing for this step, so there is nothing to compare` };
  }
  if (!(bundleEnergyJ > 0)) return { ...base, differencePct: null, warning: `the bundle has no energy to compare with Slurm's ${energyJ} J` };
  const differencePct = ((energyJ - bundleEnergyJ) / bundleEnergyJ) * 100;
  if (Math.abs(differencePct) <= ENERGY_TOLERANCE * 100) return { ...base, differencePct };
  const spans = elapsedS !== null ? `; Slurm counts the node (${plugin}) over the whole step, ${elapsedS} s, ${runsInStep === 1 ? 'the bundle its sensor over the run' : 'the bundles their sensor over their runs'}, ${bundleDurationS.toFixed(1)} s` : '';
  return { ...base, differencePct, warning: `Slurm's energy for step ${step} differs from ${bundles} by ${differencePct > 0 ? '+' : ''}${differencePct.toFixed(1)} % (${energyJ} J against ${bundleEnergyJ.toFixed(1)} J)${spans}` };
}
