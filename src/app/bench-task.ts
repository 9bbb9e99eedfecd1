/**
 * One planned run of a `bench` campaign, by its place in the campaign's run order:
 * `inferprint bench --campaign-file F --task I`. This is what each task of a Slurm job array
 * runs (`inferprint campaign`), and what the local executor calls for each run, one after the
 * other: the same run as `bench` makes (`benchRun`), with the settings the campaign was planned
 * with.
 *
 * Tasks of one campaign run at the same time on different nodes, so a task never rewrites the
 * campaign file (two writers would lose each other's updates): what is done is read from the
 * bundles themselves, which carry `workload.campaignId` and `workload.campaignKey`. A task whose
 * run already has a good bundle (status `completed`) does nothing and says so, so a configuration
 * submitted twice is not measured twice.
 */
import { join } from 'node:path';
import { errors } from '../errors.js';
import { parseModelSpec, resolveModel } from '../benchmark/bert/io/model-cache.js';
import { loadOrt } from '../benchmark/sut/io/ort-load.js';
import { readRunManifest } from '../runs/io/bundle.js';
import type { RunManifest } from '../runs/manifest.js';
import { inspectEntry, runsDirEntries } from '../runs/io/scan.js';
import { chooseSensor } from '../sensors/io/registry.js';
import type { SensorEnv } from '../sensors/types.js';
import { benchRun, readCampaign, runOptionsOf, type BenchOptions, type CampaignFile, type PlannedRun } from './bench.js';
import { checkRunsDirWritable } from './measure-bundle.js';

export interface BenchTaskOptions {
  /** The campaign file (`inferprint.campaign/1`) that plans the runs. */
  readonly campaignFile: string;
  /** Index into the campaign's `planned` runs (its shuffled run order), from 0. */
  readonly task: number;
  readonly runsDir: string;
  readonly cacheDir: string;
  readonly cwd: string;
  readonly env: SensorEnv;
  readonly onStatus?: (line: string) => void;
  readonly verbose?: boolean;
  /** SIGTERM (scancel) or SIGINT: the run in flight finishes and is saved, then the task ends; a second one ends it at once. */
  readonly signals?: NodeJS.EventEmitter;
  /** Test hook: QSL size (default the real BERT QSL). */
  readonly qslSize?: number;
}

export type BenchTaskResult =
  | { readonly kind: 'ran'; readonly campaign: CampaignFile; readonly planned: PlannedRun; readonly bundleId: string; readonly bundlePath: string; readonly status: RunManifest['status']; readonly interrupted?: NodeJS.Signals }
  | { readonly kind: 'already-done'; readonly campaign: CampaignFile; readonly planned: PlannedRun; readonly bundleId: string };

/** A bundle of a campaign, found by what its manifest says. */
export interface CampaignBundle {
  readonly id: string;
  readonly path: string;
  /** `q<N>-r<k>`: the planned run it is. */
  readonly key: string;
  readonly manifest: RunManifest;
}

/** A bundle counts as the run being done only when its measurement completed. */
export const isGoodBundle = (b: CampaignBundle): boolean => b.manifest.status.kind === 'completed';

/** Bundle ids begin with their start time (`2026-11-26T11-42-03.123Z-…`): the same form, for comparing names. */
const idTime = (ms: number): string => new Date(ms).toISOString().replace(/:/g, '-');

/**
 * Every bundle of the bench campaign `campaignId` in `runsDir`, with the planned run it is.
 * Only bundles that started after the campaign was created (less an hour, for clocks that
 * differ between nodes) are opened: a runs directory of ten thousand runs is not read whole
 * for each task. Entries are read by the store's scanner and its rule (`inspectEntry`), so a
 * bundle `runs list` skips (unreadable, partial) is not a done run either; the listing reports it.
 */
export async function findCampaignBundles(runsDir: string, campaignId: string, createdAt: string): Promise<CampaignBundle[]> {
  const { dirs } = await runsDirEntries(runsDir);
  const since = idTime(Date.parse(createdAt) - 3600_000);
  const found: CampaignBundle[] = [];
  for (const name of dirs.filter((n) => n >= since).sort()) {
    const x = inspectEntry(runsDir, name, undefined, true);
    if (x.kind !== 'run') continue;
    const manifest = x.run.manifest;
    const w = manifest.workload;
    if (w.kind !== 'bench' || w.campaignId !== campaignId) continue;
    const key = w.campaignKey ?? (w.repetition !== undefined ? `q${w.queryCount}-r${w.repetition}` : undefined);
    if (key !== undefined) found.push({ id: name, path: join(runsDir, name), key, manifest });
  }
  return found;
}

/** The campaign's run `task`, or a usage error naming the range. */
export function plannedAt(campaign: CampaignFile, task: number, file: string): PlannedRun {
  const planned = Number.isSafeInteger(task) && task >= 0 ? campaign.planned[task] : undefined;
  if (planned === undefined) {
    throw errors.usage(`${file}: campaign ${campaign.id} plans ${campaign.planned.length} run(s), tasks 0 to ${campaign.planned.length - 1}; got ${task}`, '--task');
  }
  return planned;
}

/** The options of a run of `campaign`, all from the campaign file (nothing on the command line can change them). */
function optionsOf(campaign: CampaignFile, o: BenchTaskOptions): BenchOptions {
  const base: BenchOptions = {
    model: campaign.model,
    queryCounts: campaign.queryCounts,
    runs: campaign.runs,
    sensor: campaign.sensor,
    intervalS: campaign.intervalS,
    seed: campaign.seed,
    cooldownS: campaign.cooldownS ?? 0,
    scenario: campaign.scenario,
    ...(campaign.targetQps !== undefined ? { targetQps: campaign.targetQps } : {}),
    ...(campaign.batchSize !== undefined ? { batchSize: campaign.batchSize } : {}),
    ...(campaign.http !== undefined ? { http: campaign.http } : {}),
    runsDir: o.runsDir,
    cacheDir: o.cacheDir,
    cwd: o.cwd,
    env: o.env,
    ...(o.qslSize !== undefined ? { qslSize: o.qslSize } : {}),
  };
  return runOptionsOf(base, campaign);
}

/** Run one planned run of a campaign (see the module comment). */
export async function benchTask(o: BenchTaskOptions): Promise<BenchTaskResult> {
  const status = o.onStatus ?? (() => undefined);
  const campaign = await readCampaign(o.campaignFile);
  const planned = plannedAt(campaign, o.task, o.campaignFile);
  const prefix = `inferprint bench: campaign ${campaign.id} task ${o.task} (${planned.key})`;
  const done = (await findCampaignBundles(o.runsDir, campaign.id, campaign.createdAt)).find((b) => b.key === planned.key && isGoodBundle(b));
  if (done) {
    status(`${prefix}: already done (bundle ${done.id}); nothing to run`);
    return { kind: 'already-done', campaign, planned, bundleId: done.id };
  }
  // As `bench` does (ADR 0016): a node without ONNX Runtime says so in one line before anything
  // is written or a synthetic model generated (minutes for bert-large, on every task's node).
  if (!campaign.http) await loadOrt();
  await checkRunsDirWritable(o.runsDir);
  const runOpts = optionsOf(campaign, o);
  const choice = await chooseSensor(campaign.sensor, o.env);
  const modelPath = campaign.http ? '' : (await resolveModel(parseModelSpec(campaign.model), { cacheDir: o.cacheDir, cwd: o.cwd, verify: 'size' })).path;
  const where = campaign.http ? `model ${campaign.http.modelName} at ${campaign.http.url}` : `model ${modelPath}`;
  status(`${prefix}: ${planned.queryCount} queries, repetition ${planned.repetition}, ${campaign.scenario}; sensor ${o.verbose === true ? `${choice.sensor.name} (${choice.why})` : choice.summary}; ${where}`);

  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => () => {
    if (interrupted === undefined) {
      interrupted = sig;
      status(`${prefix}: ${sig}: finishing the run in flight so it is saved (again to abandon it)`);
      return;
    }
    o.signals?.removeAllListeners(sig);
    process.kill(process.pid, sig);
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  o.signals?.on('SIGINT', onInt);
  o.signals?.on('SIGTERM', onTerm);
  try {
    const saved = await benchRun(runOpts, campaign, planned, modelPath, choice);
    const manifest = await readRunManifest(saved.path);
    status(`${prefix}: ${manifest.status.kind}, bundle ${saved.id}`);
    return { kind: 'ran', campaign, planned, bundleId: saved.id, bundlePath: saved.path, status: manifest.status, ...(interrupted !== undefined ? { interrupted } : {}) };
  } finally {
    o.signals?.off('SIGINT', onInt);
    o.signals?.off('SIGTERM', onTerm);
  }
}
