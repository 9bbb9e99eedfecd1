/**
 * `inferprint campaign`: a plan of `bench` campaigns run as one Slurm job array per target (or
 * here, one run after the other), every run's bundle written into one runs directory.
 *
 * - `submit PLAN`: checks everything it can before anything is written or submitted (the plan,
 *   the model, the runs directory, `sbatch`, the partitions), expands each target into a bench
 *   campaign (every query count × repetition in `bench`'s seeded shuffled order), writes the
 *   campaign folder (`record.ts`), then submits each Slurm target's job array and runs the local
 *   ones.
 * - `status ID`: each run pending / running / done / failed, from the bundles present, `squeue`
 *   and what Slurm remembers of ended jobs (`sacct` where there is an accounting database, else
 *   `scontrol show job`), with the task's log; and Slurm's energy of each run's step beside the
 *   bundle's, where Slurm gathers energy.
 * - `resume ID`: submits again (runs again, for a local target) only the runs with no completed
 *   bundle that are not queued.
 * - `cancel ID`: `scancel` of the campaign's jobs still queued or running.
 *
 * Nothing is lost when a job dies: every bundle is written whole or not at all, and `status`
 * shows what is missing.
 */
import { existsSync, statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors, isInferprintError } from '../../errors.js';
import { resolveHardware } from '../../impact/hardware.js';
import { resolveGrid } from '../../impact/grid.js';
import { readRegularFile } from '../../io/regular-file.js';
import { writeTextAtomically } from '../../io/atomic-write.js';
import { DEFAULT_CAMPAIGN_SEED, newCampaign, readCampaign, validateBenchOptions, type BenchOptions, type CampaignFile } from '../../app/bench.js';
import { describeModel } from '../../app/bench-plan.js';
import { benchTask, findCampaignBundles, type CampaignBundle } from '../../app/bench-task.js';
import { acquireCampaignLock, type CampaignLock, type LockEnv } from '../../app/bench-lock.js';
import { checkRunsDirWritable } from '../../app/measure-bundle.js';
import { slurmStepRef } from '../../app/scheduler-context.js';
import type { SensorEnv } from '../../sensors/types.js';
import { parsePlan, type Executor, type Plan, type Target } from '../plan.js';
import { campaignDir, readRecord, writeRecord, type CampaignRecord, type Submission, type TargetRecord } from './record.js';
import { sbatchScript, shellQuote, taskLogName } from '../sbatch-script.js';
import { Slurm, type Exec } from './slurm.js';
import { checkEnergy, countStates, runStatus, toResubmit, type EnergyCheck, type RunBundleFact, type RunState, type RunStatus } from '../states.js';
import type { StepEnergy, TaskRecord } from '../slurm-parse.js';

export interface CampaignContext {
  readonly runsDir: string;
  /** Model cache of the local executor (Slurm tasks use the plan's `cache_dir`, else their own default). */
  readonly cacheDir: string;
  readonly cwd: string;
  /** The environment Slurm's commands run with (`SLURM_CONF`, `PATH`); jobs inherit it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly sensorEnv: SensorEnv;
  readonly exec: Exec;
  /** This machine's short host name. */
  readonly hostname: string;
  readonly onStatus: (line: string) => void;
  readonly signals?: NodeJS.EventEmitter;
  readonly lockEnv?: LockEnv;
  /** Test hook: the QSL size of local runs. */
  readonly qslSize?: number;
}

const say = (ctx: CampaignContext, line: string): void => { ctx.onStatus(`inferprint campaign: ${line}`); };

/** How a node starts this inferprint: this Node binary and this checkout's `bin/inferprint` (a shared file system makes them visible there). */
export function defaultInferprintCommand(): string {
  const bin = fileURLToPath(new URL('../../../bin/inferprint', import.meta.url));
  return `${shellQuote(process.execPath)} ${shellQuote(bin)}`;
}

// ---------------------------------------------------------------------------------------------
// Submit

export interface SubmitOptions {
  /** Every target's executor, whatever the plan says. */
  readonly executor?: Executor;
  /** Check and print, write and submit nothing. */
  readonly dryRun?: boolean;
  /**
   * Write the campaign folder (each target's campaign file) and stop: nothing is submitted or
   * run, and Slurm is not asked. For another scheduler (OAR's job arrays on Grid'5000), whose
   * tasks run `inferprint bench --campaign-file F --task I` themselves; `status` reads their bundles.
   */
  readonly prepare?: boolean;
}

export interface TargetOutcome {
  readonly target: string;
  readonly executor: Executor;
  readonly runs: number;
  /** Slurm: the array job id and its script; in a dry run, the script that would be submitted. */
  readonly jobId?: string;
  readonly script?: string;
  readonly scriptText?: string;
  /** Local: runs done and failed by this call. */
  readonly done?: number;
  readonly failed?: number;
}

export interface SubmitResult {
  readonly id: string;
  readonly dir: string;
  readonly dryRun: boolean;
  readonly prepared: boolean;
  readonly warnings: readonly string[];
  readonly targets: readonly TargetOutcome[];
}

/** The plan's targets with `--executor` applied. */
function targetsOf(plan: Plan, executor?: Executor): Target[] {
  return plan.targets.map((t) => (executor !== undefined ? { ...t, executor } : t));
}

/** The bench options of a target's runs: the plan's `runs`, with the target's overrides. */
function benchOptionsFor(plan: Plan, t: Target, model: string, ctx: CampaignContext): Omit<BenchOptions, 'runsDir' | 'cacheDir' | 'cwd'> {
  const r = plan.runs;
  const provider = t.provider ?? r.provider;
  const hardware = t.hardware ?? r.hardware;
  return {
    model,
    queryCounts: r.queryCounts,
    runs: r.repetitions,
    sensor: t.sensor ?? r.sensor,
    intervalS: r.intervalS,
    seed: r.seed,
    cooldownS: r.cooldownS,
    scenario: r.scenario,
    ...(r.targetQps !== undefined ? { targetQps: r.targetQps } : {}),
    ...(r.batchSize !== undefined ? { batchSize: r.batchSize } : {}),
    ...(r.http !== undefined ? { http: r.http } : {}),
    ...(provider !== undefined ? { provider } : r.http === undefined ? { provider: 'cpu' as const } : {}),
    ...(hardware !== undefined ? { hardware } : {}),
    ...(r.grid !== undefined ? { grid: r.grid } : {}),
    label: r.label ?? `${plan.name}-${t.name}`,
    env: ctx.sensorEnv,
  };
}

/** File systems the kernel names by magic number (statfs(2)) that live on this host only. */
const LOCAL_FS: Readonly<Record<number, string>> = {
  0xef53: 'ext2/3/4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0xf2f52010: 'f2fs',
};

/** The runs directory's file system when it is local to this host (then other nodes cannot write it), else undefined. */
function localFileSystem(path: string): string | undefined {
  let p = path;
  // The runs directory may not exist yet: its nearest existing parent says where it will be.
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    return LOCAL_FS[statfsSync(p).type];
  } catch {
    return undefined;
  }
}

interface Checked {
  readonly plan: Plan;
  readonly targets: readonly Target[];
  readonly warnings: string[];
  readonly model: string;
}

/** Every check `submit` makes before it writes or submits anything. */
async function checkPlan(planFile: string, text: string, o: SubmitOptions, ctx: CampaignContext): Promise<Checked> {
  const plan = parsePlan(text, planFile, { seed: DEFAULT_CAMPAIGN_SEED });
  const targets = targetsOf(plan, o.executor);
  const warnings: string[] = [];
  const field = (f: string) => ({ file: planFile, field: f });
  const r = plan.runs;
  // A model file is named relative to the plan, and recorded absolute: the nodes run it from there.
  const model = r.http === undefined && !r.model.startsWith('synthetic:') && !isAbsolute(r.model) ? resolve(dirname(planFile), r.model) : r.model;
  if (r.http === undefined) {
    try {
      await describeModel(model, { cacheDir: ctx.cacheDir, cwd: ctx.cwd });
    } catch (e) {
      if (isInferprintError(e)) throw errors.invalidValue(field('runs.model'), e.detail);
      throw e;
    }
  }
  for (const [i, t] of targets.entries()) {
    const hw = t.hardware ?? r.hardware;
    if (hw !== undefined && !resolveHardware(hw)) throw errors.unknownHardware(hw, field(t.hardware !== undefined ? `targets[${i}].hardware` : 'runs.hardware'));
    validateBenchOptions({ queryCounts: r.queryCounts, runs: r.repetitions, seed: r.seed, intervalS: r.intervalS, cooldownS: r.cooldownS, scenario: r.scenario, targetQps: r.targetQps, batchSize: r.batchSize });
  }
  if (r.grid !== undefined) {
    try {
      resolveGrid(r.grid);
    } catch (e) {
      if (isInferprintError(e)) throw errors.invalidValue(field('runs.grid'), e.detail);
      throw e;
    }
  }
  if (o.dryRun !== true) await checkRunsDirWritable(ctx.runsDir);

  const slurmTargets = o.prepare === true ? [] : targets.map((t, i) => ({ t, i })).filter((x) => x.t.executor === 'slurm');
  if (slurmTargets.length > 0) {
    const slurm = new Slurm(ctx.exec);
    if (!(await slurm.hasSbatch())) {
      throw errors.invalidValue(field(`targets[${slurmTargets[0]!.i}].executor`), "executor slurm submits with sbatch, which is not on this machine's PATH: submit from a Slurm login node, or run the plan here with --executor local");
    }
    const known = await slurm.partitions();
    const remoteNodes = new Set<string>();
    for (const { t, i } of slurmTargets) {
      if (t.partition !== undefined && !known.includes(t.partition)) {
        throw errors.invalidValue(field(`targets[${i}].partition`), `no partition '${t.partition}' on this cluster (sinfo lists ${known.length > 0 ? known.join(', ') : 'none'})`);
      }
      if (!t.exclusive) {
        warnings.push(`target ${t.name}: exclusive is off: other jobs may share its nodes, and then a run's energy includes theirs (a node-level sensor cannot tell jobs apart); keep exclusive: true for measurements`);
      }
      if (t.partition !== undefined) {
        const nodes = await slurm.partitionNodes(t.partition).catch(() => [] as string[]);
        for (const n of nodes) if (n !== ctx.hostname && n.split('.')[0] !== ctx.hostname) remoteNodes.add(n);
      }
    }
    const local = localFileSystem(ctx.runsDir);
    if (local !== undefined && remoteNodes.size > 0) {
      const some = [...remoteNodes].slice(0, 3).join(', ');
      warnings.push(`the runs directory ${ctx.runsDir} is on a ${local} file system of this host, which other nodes (${some}${remoteNodes.size > 3 ? ', ...' : ''}) cannot write: their bundles and logs would be lost; use a shared file system (NFS, Lustre, GPFS, BeeGFS) with --runs-dir`);
    }
  }
  return { plan, targets, warnings, model };
}

/**
 * A plan names a few targets and one runs section: about 1 KB, a few hundred lines with long
 * `setup` lists. 4 MiB refuses only what is not a plan; the whole text is also copied into the
 * campaign folder (plan.yaml).
 */
export const MAX_PLAN_FILE_BYTES = 4 << 20;

/** `name-20261206T101500Z-ab12`: sortable, unique enough, readable in squeue. */
function newId(name: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const hex = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return `${name}-${stamp}-${hex}`;
}

export async function submitCampaign(planFile: string, o: SubmitOptions, ctx: CampaignContext): Promise<SubmitResult> {
  const planPath = resolve(ctx.cwd, planFile);
  // A regular file only (a FIFO is refused, not waited on; a folder or /dev/zero refused, not
  // read), at most MAX_PLAN_FILE_BYTES; a missing one is NOT_FOUND ("plan file does not exist").
  const text = await readRegularFile(planPath, { links: 'follow', what: 'plan file', maxBytes: MAX_PLAN_FILE_BYTES });
  const { plan, targets, warnings, model } = await checkPlan(planPath, text, o, ctx);
  for (const w of warnings) say(ctx, `warning: ${w}`);
  const now = new Date(ctx.sensorEnv.clock.epochMs());
  const id = newId(plan.name, now);
  const dir = campaignDir(ctx.runsDir, id);
  const benches = targets.map((t) => ({ t, campaign: newCampaign(benchOptionsFor(plan, t, model, ctx), `${id}-${t.name}`) }));
  const targetRecords: TargetRecord[] = benches.map(({ t, campaign }) => ({ name: t.name, executor: t.executor, campaignFile: `targets/${t.name}.json`, benchCampaignId: campaign.id, runs: campaign.planned.length }));
  const record: CampaignRecord = {
    schema: 'inferprint.cluster-campaign/1',
    id,
    name: plan.name,
    createdAt: now.toISOString(),
    planFile: planPath,
    runsDir: ctx.runsDir,
    plan: { ...plan, targets },
    targets: targetRecords,
    submissions: [],
  };
  if (o.dryRun === true) {
    const outcomes = benches.map(({ t, campaign }): TargetOutcome => ({
      target: t.name,
      executor: t.executor,
      runs: campaign.planned.length,
      ...(t.executor === 'slurm' ? { scriptText: scriptFor(record, t, campaign.planned.map((_, i) => i), now) } : {}),
    }));
    return { id, dir, dryRun: true, prepared: false, warnings, targets: outcomes };
  }
  for (const { t, campaign } of benches) await writeTextAtomically(join(dir, 'targets', `${t.name}.json`), `${JSON.stringify(campaign, null, 2)}\n`);
  await writeTextAtomically(join(dir, 'plan.yaml'), text);
  await writeRecord(record);
  say(ctx, `campaign ${id}: ${benches.reduce((n, b) => n + b.campaign.planned.length, 0)} run(s) over ${targets.length} target(s); folder ${dir}`);
  if (o.prepare === true) {
    const outcomes = benches.map(({ t, campaign }): TargetOutcome => ({ target: t.name, executor: t.executor, runs: campaign.planned.length, script: join(dir, 'targets', `${t.name}.json`) }));
    return { id, dir, dryRun: false, prepared: true, warnings, targets: outcomes };
  }
  return withLock(dir, id, ctx, async () => {
    let current = record;
    const outcomes: TargetOutcome[] = [];
    for (const { t, campaign } of benches.filter((b) => b.t.executor === 'slurm')) {
      const r = await submitTarget(current, t, campaign.planned.map((_, i) => i), 'submit', ctx);
      current = r.record;
      outcomes.push({ target: t.name, executor: 'slurm', runs: campaign.planned.length, jobId: r.submission.jobId, script: join(dir, r.submission.script) });
    }
    for (const { t, campaign } of benches.filter((b) => b.t.executor === 'local')) {
      const r = await runLocal(current, t.name, campaign.planned.map((_, i) => i), ctx);
      outcomes.push({ target: t.name, executor: 'local', runs: campaign.planned.length, done: r.done, failed: r.failed });
    }
    return { id, dir, dryRun: false, prepared: false, warnings, targets: outcomes };
  });
}

async function withLock<T>(dir: string, id: string, ctx: CampaignContext, body: () => Promise<T>): Promise<T> {
  const lock: CampaignLock = await acquireCampaignLock(dir, 'campaign', { onNote: ctx.onStatus, ...(ctx.lockEnv ? { env: ctx.lockEnv } : {}) }).catch((e: unknown) => {
    if (isInferprintError(e) && e.code === 'LOCKED') throw errors.locked(join(dir, 'campaign.lock'), `campaign ${id}: another inferprint campaign command is submitting or running it (${e.detail})`);
    throw e;
  });
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

function scriptFor(record: CampaignRecord, t: Target, indices: readonly number[], now: Date): string {
  const dir = campaignDir(record.runsDir, record.id);
  return sbatchScript({
    campaignId: record.id,
    target: t,
    indices,
    campaignFile: join(dir, 'targets', `${t.name}.json`),
    runsDir: record.runsDir,
    logDir: join(dir, 'logs'),
    cacheDir: record.plan.cacheDir,
    inferprint: record.plan.inferprint ?? defaultInferprintCommand(),
    // Job names show in squeue's narrow columns: the target first.
    jobName: `${t.name}.${record.id}`,
    createdAt: now.toISOString(),
  });
}

/** Write and submit one job array of `indices`; the record gains the submission. */
async function submitTarget(record: CampaignRecord, t: Target, indices: readonly number[], by: Submission['by'], ctx: CampaignContext): Promise<{ record: CampaignRecord; submission: Submission }> {
  const dir = campaignDir(record.runsDir, record.id);
  const now = new Date(ctx.sensorEnv.clock.epochMs());
  const n = record.submissions.filter((s) => s.target === t.name).length + 1;
  const script = join('slurm', `${t.name}-${n}.sbatch`);
  await writeTextAtomically(join(dir, 'logs', '.keep'), '');
  await writeTextAtomically(join(dir, script), scriptFor(record, t, indices, now));
  const jobId = await new Slurm(ctx.exec).submit(join(dir, script));
  const submission: Submission = { target: t.name, jobId, indices: [...indices], submittedAt: now.toISOString(), script, by };
  const next: CampaignRecord = { ...record, submissions: [...record.submissions, submission] };
  await writeRecord(next);
  say(ctx, `target ${t.name}: job array ${jobId} (${indices.length} task(s)${t.maxParallel !== undefined ? `, at most ${t.maxParallel} at once` : ''}${t.partition !== undefined ? `, partition ${t.partition}` : ''}${t.exclusive ? ', exclusive nodes' : ', SHARED nodes'})`);
  return { record: next, submission };
}

/** The log of a local run. */
const localLog = (dir: string, target: string, index: number): string => join(dir, 'logs', `${target}-local_${index}.out`);

/**
 * Run `indices` of a local target here, one after the other, through the same entry as a
 * Slurm task (`benchTask`); each run's messages also go to its log. A run that fails is logged
 * and the next one starts; Ctrl-C stops after the run in flight.
 */
async function runLocal(record: CampaignRecord, target: string, indices: readonly number[], ctx: CampaignContext): Promise<{ done: number; failed: number }> {
  const dir = campaignDir(record.runsDir, record.id);
  const t = record.targets.find((x) => x.name === target)!;
  let stop = false;
  const onSignal = () => { stop = true; };
  // Read through a function: the handler sets it while the loop awaits.
  const stopRequested = (): boolean => stop;
  ctx.signals?.on('SIGINT', onSignal);
  ctx.signals?.on('SIGTERM', onSignal);
  let done = 0;
  let failed = 0;
  try {
    for (const [k, index] of indices.entries()) {
      if (stopRequested()) break;
      const lines: string[] = [];
      const log = (line: string) => { lines.push(line); ctx.onStatus(line); };
      log(`inferprint campaign ${record.id} target ${target}: local run ${k + 1}/${indices.length} (task ${index}) at ${new Date(ctx.sensorEnv.clock.epochMs()).toISOString()}`);
      try {
        const r = await benchTask({
          campaignFile: join(dir, t.campaignFile),
          task: index,
          runsDir: record.runsDir,
          cacheDir: record.plan.cacheDir ?? ctx.cacheDir,
          cwd: ctx.cwd,
          env: ctx.sensorEnv,
          onStatus: log,
          ...(ctx.signals ? { signals: ctx.signals } : {}),
          ...(ctx.qslSize !== undefined ? { qslSize: ctx.qslSize } : {}),
        });
        if (r.kind === 'already-done' || r.status.kind === 'completed') done++;
        else failed++;
      } catch (e) {
        if (!isInferprintError(e)) throw e;
        failed++;
        log(`inferprint campaign: task ${index} failed: ${e.message}`);
      } finally {
        await writeTextAtomically(localLog(dir, target, index), `${lines.join('\n')}\n`);
      }
    }
  } finally {
    ctx.signals?.off('SIGINT', onSignal);
    ctx.signals?.off('SIGTERM', onSignal);
  }
  return { done, failed };
}

// ---------------------------------------------------------------------------------------------
// Status

export interface EnergyAccountingView {
  /** Whether a cross-check was possible; when not, why (no energy plugin, no sacct, no Slurm run done yet). */
  readonly available: boolean;
  readonly plugin?: string | undefined;
  readonly reason?: string;
}

export interface CampaignStatus {
  readonly record: CampaignRecord;
  readonly runs: readonly RunStatus[];
  readonly counts: Record<RunState, number>;
  /** Slurm's energy of each done run's step beside the bundle's, by `target/key`. */
  readonly energy: EnergyAccountingView;
  readonly energyChecks: ReadonlyMap<string, EnergyCheck>;
  /** What could not be asked (Slurm's commands missing here, no accounting database). */
  readonly notes: readonly string[];
}

const runKey = (target: string, key: string): string => `${target}/${key}`;

function bundleFact(b: CampaignBundle): RunBundleFact {
  const m = b.manifest;
  const sched = m.host.scheduler;
  const step = sched ? slurmStepRef(sched) : undefined;
  const node = sched?.node ?? m.host.hostname;
  return {
    id: b.id,
    status: m.status.kind,
    ...(m.status.kind === 'failed' ? { statusDetail: `${m.status.code}: ${m.status.message}` } : m.status.kind === 'interrupted' ? { statusDetail: m.status.signal } : {}),
    ...(m.energy ? { energyJ: m.energy.primary.energyJ, durationS: m.energy.primary.durationS } : {}),
    ...(step !== undefined ? { slurmStep: step } : {}),
    ...(node !== undefined ? { node } : {}),
  };
}

/** The step as sacct may print it: `JOB.STEP`, or `ARRAYJOB_TASK.STEP` for an array task. */
function stepNames(b: CampaignBundle): string[] {
  const s = b.manifest.host.scheduler;
  if (!s || s.kind !== 'slurm' || s.stepId === undefined) return [];
  return [`${s.jobId}.${s.stepId}`, ...(s.arrayJobId !== undefined && s.arrayTaskId !== undefined ? [`${s.arrayJobId}_${s.arrayTaskId}.${s.stepId}`] : [])];
}

export async function campaignStatus(id: string, ctx: CampaignContext): Promise<CampaignStatus> {
  const record = await readRecord(ctx.runsDir, id);
  const dir = campaignDir(ctx.runsDir, id);
  const notes: string[] = [];
  const slurm = new Slurm(ctx.exec);

  const slurmJobs = [...new Set(record.submissions.map((s) => s.jobId))];
  let queued: TaskRecord[] = [];
  let ended: TaskRecord[] = [];
  if (slurmJobs.length > 0) {
    try {
      queued = await slurm.queue(slurmJobs);
      const acct = await slurm.accounting(slurmJobs);
      if (acct !== undefined) ended = acct;
      else {
        notes.push("no Slurm accounting database here (sacct answers nothing): why an ended job failed is read from scontrol, which forgets jobs MinJobAge after they end");
        ended = await slurm.recent(slurmJobs);
      }
    } catch (e) {
      if (!isInferprintError(e)) throw e;
      notes.push(`Slurm did not answer (${e.detail}): states come from the bundles alone`);
    }
  }
  const find = (recs: readonly TaskRecord[], jobId: string, index: number) => recs.find((r) => r.arrayJobId === jobId && r.taskId === index) ?? recs.find((r) => r.arrayJobId === jobId && r.taskId === undefined);

  const runs: RunStatus[] = [];
  const doneBundles = new Map<string, CampaignBundle>();
  for (const t of record.targets) {
    const campaign: CampaignFile = await readCampaign(join(dir, t.campaignFile));
    const bundles = await findCampaignBundles(ctx.runsDir, campaign.id, campaign.createdAt);
    const subs = record.submissions.filter((s) => s.target === t.name);
    for (const [index, planned] of campaign.planned.entries()) {
      const mine = bundles.filter((b) => b.key === planned.key);
      const submission = [...subs].reverse().find((s) => s.indices.includes(index));
      const q = submission ? find(queued, submission.jobId, index) : undefined;
      const e = submission ? find(ended, submission.jobId, index) : undefined;
      const log = submission ? join(dir, 'logs', taskLogName(t.name, submission.jobId, index)) : localLog(dir, t.name, index);
      const status = runStatus({
        target: t.name,
        executor: t.executor,
        index,
        key: planned.key,
        queryCount: planned.queryCount,
        repetition: planned.repetition,
        bundles: mine.map(bundleFact),
        ...(submission ? { submission } : {}),
        ...(q ? { queued: q } : {}),
        ...(e ? { ended: e } : {}),
        ...(existsSync(log) ? { log } : {}),
      });
      runs.push(status.state === 'failed' && status.log !== undefined ? withTail(status, await lastLine(status.log)) : status);
      const good = mine.find((b) => b.manifest.status.kind === 'completed');
      if (status.state === 'done' && good) doneBundles.set(runKey(t.name, planned.key), good);
    }
  }
  const { view, checks } = await crossCheck(doneBundles, slurm);
  return { record, runs, counts: countStates(runs), energy: view, energyChecks: checks, notes };
}

/** The last non-empty line of a log (its end only: a log can be long), shortened for a status line. */
async function lastLine(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const line = text.slice(-4096).split('\n').map((l) => l.trim()).filter((l) => l !== '').at(-1);
    return line === undefined ? undefined : line.length > 300 ? `${line.slice(0, 300)}…` : line;
  } catch {
    return undefined;
  }
}

const withTail = (r: RunStatus, tail: string | undefined): RunStatus => (tail === undefined ? r : { ...r, logTail: tail });

/** Slurm's energy of each done run's step, where Slurm gathers energy and sacct can say. */
async function crossCheck(done: ReadonlyMap<string, CampaignBundle>, slurm: Slurm): Promise<{ view: EnergyAccountingView; checks: Map<string, EnergyCheck> }> {
  const checks = new Map<string, EnergyCheck>();
  // Any run measured inside a Slurm job step can be compared, whichever executor started it
  // (a local target run inside salloc is one).
  const withStep = [...done.entries()].filter(([, b]) => stepNames(b).length > 0);
  if (withStep.length === 0) return { view: { available: false, reason: 'no run measured in a Slurm job step is done yet' }, checks };
  let plugin: string | undefined;
  try {
    const acct = await slurm.energyAccounting();
    plugin = acct.type;
    if (!acct.gathered) {
      return { view: { available: false, ...(plugin !== undefined ? { plugin } : {}), reason: `Slurm gathers no energy here (AcctGatherEnergyType = ${plugin ?? 'unset'}): nothing to compare the bundles with` }, checks };
    }
  } catch (e) {
    if (!isInferprintError(e)) throw e;
    return { view: { available: false, reason: `scontrol show config did not answer (${e.detail})` }, checks };
  }
  // Several runs measured in one step (a local plan run inside one salloc) share its energy:
  // the step is compared with all of them together.
  const byStepRuns = new Map<string, [string, CampaignBundle][]>();
  for (const entry of withStep) {
    const step = stepNames(entry[1])[0]!;
    byStepRuns.set(step, [...(byStepRuns.get(step) ?? []), entry]);
  }
  const got = await slurm.stepEnergy([...byStepRuns.keys()]);
  if ('unavailable' in got) return { view: { available: false, plugin, reason: `Slurm gathers energy (${plugin}) but sacct cannot say (${got.unavailable}); sacct needs slurmdbd` }, checks };
  const rows = new Map<string, StepEnergy>();
  for (const row of got.rows) rows.set(row.step, row);
  for (const [step, group] of byStepRuns) {
    const row = stepNames(group[0]![1]).map((n) => rows.get(n)).find((x) => x !== undefined);
    const energyJ = group.reduce((a, [, b]) => a + (b.manifest.energy?.primary.energyJ ?? 0), 0);
    const durationS = group.reduce((a, [, b]) => a + (b.manifest.energy?.primary.durationS ?? 0), 0);
    const check = checkEnergy(step, row, energyJ, durationS, plugin ?? 'an energy plugin', group.length);
    for (const [key] of group) checks.set(key, check);
  }
  return { view: { available: true, plugin }, checks };
}

// ---------------------------------------------------------------------------------------------
// Resume and cancel

export interface ResumeResult {
  readonly id: string;
  readonly dryRun: boolean;
  /** Runs left alone because they are queued or running. */
  readonly inQueue: number;
  readonly alreadyDone: number;
  readonly targets: readonly { readonly target: string; readonly executor: Executor; readonly indices: readonly number[]; readonly jobId?: string; readonly done?: number; readonly failed?: number }[];
}

export async function resumeCampaign(id: string, o: { readonly dryRun?: boolean }, ctx: CampaignContext): Promise<ResumeResult> {
  const dir = campaignDir(ctx.runsDir, id);
  const run = async (): Promise<ResumeResult> => {
    const st = await campaignStatus(id, ctx);
    for (const n of st.notes) say(ctx, `note: ${n}`);
    let record = st.record;
    if (record.cancelledAt !== undefined && o.dryRun !== true) {
      record = withoutCancel(record);
      await writeRecord(record);
    }
    const again = toResubmit(st.runs);
    const out: ResumeResult['targets'][number][] = [];
    for (const t of record.targets) {
      const indices = again.filter((r) => r.target === t.name).map((r) => r.index);
      if (indices.length === 0) continue;
      if (o.dryRun === true) {
        out.push({ target: t.name, executor: t.executor, indices });
        continue;
      }
      if (t.executor === 'slurm') {
        const target = record.plan.targets.find((x) => x.name === t.name);
        if (target === undefined) throw errors.internal(`campaign ${id}: target ${t.name} is not in the recorded plan`);
        if (!(await new Slurm(ctx.exec).hasSbatch())) throw errors.io('sbatch', new Error("sbatch is not on this machine's PATH: resume from a Slurm login node"));
        const r = await submitTarget(record, target, indices, 'resume', ctx);
        record = r.record;
        out.push({ target: t.name, executor: 'slurm', indices, jobId: r.submission.jobId });
      } else {
        const r = await runLocal(record, t.name, indices, ctx);
        out.push({ target: t.name, executor: 'local', indices, done: r.done, failed: r.failed });
      }
    }
    const inQueue = st.runs.filter((r) => (r.state === 'pending' || r.state === 'running') && !again.includes(r)).length;
    return { id, dryRun: o.dryRun === true, inQueue, alreadyDone: st.counts.done, targets: out };
  };
  return o.dryRun === true ? run() : withLock(dir, id, ctx, run);
}

function withoutCancel(r: CampaignRecord): CampaignRecord {
  const copy: { -readonly [K in keyof CampaignRecord]?: CampaignRecord[K] } = { ...r };
  delete copy.cancelledAt;
  return copy as CampaignRecord;
}

export interface CancelResult {
  readonly id: string;
  /** Array jobs that had tasks queued or running, now cancelled. */
  readonly jobs: readonly string[];
  readonly tasks: number;
  /** Local targets: nothing to cancel (a local run is in the foreground of its command). */
  readonly localTargets: readonly string[];
}

export async function cancelCampaign(id: string, ctx: CampaignContext): Promise<CancelResult> {
  const record = await readRecord(ctx.runsDir, id);
  const slurm = new Slurm(ctx.exec);
  const jobIds = [...new Set(record.submissions.map((s) => s.jobId))];
  const queued = jobIds.length > 0 ? await slurm.queue(jobIds) : [];
  const active = [...new Set(queued.map((q) => q.arrayJobId))].filter((j) => jobIds.includes(j));
  await slurm.cancel(active);
  await writeRecord({ ...record, cancelledAt: new Date(ctx.sensorEnv.clock.epochMs()).toISOString() });
  return { id, jobs: active, tasks: queued.filter((q) => active.includes(q.arrayJobId)).length, localTargets: record.targets.filter((t) => t.executor === 'local').map((t) => t.name) };
}
