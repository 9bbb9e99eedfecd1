/**
 * `inferprint bench`: the study's campaign — BERT PerformanceOnly runs with min = max query
 * count = N under LoadGen v4.1 semantics (Lemire variant, official seeds), on an ONNX Runtime
 * session, every (query count × repetition) in a shuffled order, each run measured by one
 * sensor and saved as its own run bundle with the MLPerf logs. SingleStream is the study's
 * scenario; MultiStream, Server (Poisson arrivals at a target QPS) and Offline run the same
 * way with the scenario's mlperf.conf values (see `benchSettings`).
 *
 * A run: recorder starts → window `full` → session opened in window `load` → LoadGen run, whose
 * issue phase (LoadGen's `power_begin` → `power_end`) is the window `compute` → session closed →
 * `full` ends → recorder stops → bundle written atomically. The campaign file `<runsDir>/campaigns/<id>.json` is rewritten
 * atomically after each run, so `--resume` redoes only what no bundle holds: a `kill -9`
 * loses at most the run in flight.
 *
 * Before anything is written: the plan is printed (runs, model and where it comes from, an
 * estimated duration: `bench-plan.ts`) and every check is made (the model exists or is generated,
 * the sensor can run, a served model answers), so a campaign that cannot start leaves no file
 * for `--resume`. While a process runs a campaign it holds its lock (`bench-lock.ts`): a second
 * `--resume` of it refuses instead of running the same runs again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../errors.js';
import { writeTextAtomically } from '../io/atomic-write.js';
import { campaignsRoot } from '../runs/io/runs-dir.js';
import { mulberry32 } from '../seeded-random.js';
import { runPerformance, type LoadgenRun } from '../benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, bertMlperfConf, effectiveSettings, studySettings, type EffectiveSettings, type TestSettings } from '../benchmark/loadgen/settings.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../mlperf/types.js';
import { LIBSTDCXX_VARIANT_OF_LOGS } from '../benchmark/loadgen/sample-selection.js';
import { writeSummary } from '../benchmark/loadgen/summary-writer.js';
import {
  testHeaderRecords,
  generatedQueriesRecords,
  issueEndRecord,
  loadedQslSetRecord,
  loggerCounterRecords,
  messageRecord,
  powerRecords,
  resultRecords,
  stamp,
  writeDetail,
  type MllogEntry,
  type MllogRecord,
} from '../benchmark/loadgen/detail-writer.js';
import { parseModelSpec, resolveModel } from '../benchmark/bert/io/model-cache.js';
import { openOrtSut, type OrtProviderRequest } from '../benchmark/sut/io/onnxruntime.js';
import { loadOrt } from '../benchmark/sut/io/ort-load.js';
import { syntheticBertQsl } from '../benchmark/qsl/synthetic-bert.js';
import { ortLoadgenSut, type BertSampleSource, type OrtLoadgenSutOptions } from '../benchmark/sut/bert-loadgen-sut.js';
import { kserveLoadgenSut, openKserveSut } from '../benchmark/sut/io/kserve-client.js';
import type { SystemUnderTest } from '../benchmark/loadgen/engine.js';
import { Recorder } from '../measure/recorder.js';
import { publishLive } from '../measure/io/live-writer.js';
import { cleanLeftovers } from './leftovers.js';
import { summarizeRecording } from '../measure/summary.js';
import { chooseSensor, type SensorChoice } from '../sensors/io/registry.js';
import type { SensorEnv } from '../sensors/types.js';
import { writeRunBundle, type BundleFileInput } from '../runs/io/bundle.js';
import type { SkippedEntry } from '../runs/io/scan.js';
import type { MlperfSettingsRecord, Workload } from '../runs/manifest.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { hostInfo, impactFor } from './measure.js';
import { measurementBundle } from './measure-bundle.js';
import { aggregate, LATENCIES_FILE, type ParameterSet, type QueryCountRow } from './bench-aggregate.js';
import { acquireCampaignLock, type CampaignLock, type LockEnv } from './bench-lock.js';
import { parseJsonText } from '../json-text.js';
import {
  describeModel,
  estimateSeconds,
  formatDuration,
  planLines,
  RUN_OVERHEAD_S,
  samplesPerRun,
  startingTiming,
  STUDY_MODEL,
  timingFromRuns,
  type BenchPlan,
  type DefaultModel,
  type DurationEstimate,
  type ModelSource,
  type RunTiming,
} from './bench-plan.js';

export { aggregate, tabulate, type CampaignAggregate, type CampaignTable, type GwpScope, type ParameterSet, type QueryCountRow } from './bench-aggregate.js';

export const BENCH_RELEASE = 'v4.1' as const;
export const DEFAULT_CAMPAIGN_SEED = 20_250_522;
export const CAMPAIGN_SCHEMA = 'inferprint.campaign/1';

export interface BenchOptions {
  readonly model: string;
  readonly queryCounts: readonly number[];
  readonly runs: number;
  readonly sensor: string;
  readonly intervalS: number;
  readonly seed: number;
  readonly cooldownS: number;
  readonly label?: string;
  readonly hardware?: string;
  readonly grid?: string;
  readonly provider?: OrtProviderRequest;
  /** Default SingleStream, the study's scenario. */
  readonly scenario?: MlperfScenario;
  /**
   * Server: the Poisson arrival rate, queries/s (required for Server, refused otherwise). Several
   * rates make a sweep: each rate is a set of runs (every query count × repetition), as query
   * counts are, so the capacity at a latency target can be read off the runs (`advise`).
   */
  readonly targetQps?: number | readonly number[] | undefined;
  /** Most samples per ONNX Runtime call (default 1; MultiStream and Offline queries hold several samples). */
  readonly batchSize?: number | undefined;
  /** Benchmark a model served over HTTP (KServe v2, e.g. Triton or `inferprint serve-model`) instead of a local session. */
  readonly http?: HttpSutSpec;
  /** The served model's bearer token (`serve-model --token`); kept out of the campaign file, so `--resume` needs it again. */
  readonly httpToken?: string;
  readonly runsDir: string;
  readonly cacheDir: string;
  readonly cwd: string;
  readonly env: SensorEnv;
  /** QSL size (default 10 833, the real BERT QSL: LoadGen's seeds then give the study's sample order). */
  readonly qslSize?: number;
  /** Continue this campaign (`true`: the most recent one) instead of planning a new one. */
  readonly resume?: string | true;
  readonly onStatus?: (line: string) => void;
  /** Say every reason for the sensor choice, not its short line (`--verbose`, `--debug`). */
  readonly verbose?: boolean;
  readonly onProgress?: (done: number, total: number, what: string) => void;
  /** Test hooks: the QSL indices of each issued query; stop after this many runs of this call. */
  readonly onIssue?: (planned: PlannedRun, indices: readonly number[]) => void;
  readonly stopAfter?: number;
  /** The model chosen because `--model` was not given, and why: shown with the plan. */
  readonly defaultModel?: DefaultModel;
  /** The campaign lock's view of this process (tests give another pid, host or liveness check). */
  readonly lockEnv?: LockEnv;
  /**
   * Where SIGINT/SIGTERM arrive (`process` from the CLI). The first one lets the run in flight
   * finish and be saved, then stops; a second one ends the process at once (the campaign file
   * then lacks only that run, so `--resume` redoes just it).
   */
  readonly signals?: NodeJS.EventEmitter;
}

/** A model served over the KServe v2 protocol: the server's base URL and the model's name there. */
export interface HttpSutSpec {
  readonly url: string;
  readonly modelName: string;
}

export interface PlannedRun {
  /** `q<N>-r<k>`, `qps<Q>-q<N>-r<k>` for a Server run: unique in the campaign. */
  readonly key: string;
  readonly queryCount: number;
  readonly repetition: number;
  /** Server: this run's arrival rate, queries/s (absent in campaigns planned before sweeps: the campaign's `targetQps`). */
  readonly targetQps?: number;
}

export interface CampaignFile {
  readonly schema: typeof CAMPAIGN_SCHEMA;
  readonly id: string;
  readonly createdAt: string;
  readonly model: string;
  readonly scenario: MlperfScenario;
  /** Server only, one arrival rate. */
  readonly targetQps?: number;
  /** Server only, a sweep of several arrival rates (each run says its own in `planned`). */
  readonly targetQpsSweep?: readonly number[];
  /** Absent in campaigns planned before batching was an option: 1. */
  readonly batchSize?: number;
  /** The HTTP system under test; absent: a local ONNX Runtime session of `model`. */
  readonly http?: HttpSutSpec;
  /** What else the runs were planned with, so `--resume` runs the rest the same way. */
  readonly provider?: OrtProviderRequest;
  readonly hardware?: string;
  readonly grid?: string;
  readonly cooldownS?: number;
  readonly release: typeof BENCH_RELEASE;
  readonly queryCounts: readonly number[];
  readonly runs: number;
  readonly seed: number;
  readonly sensor: string;
  readonly intervalS: number;
  readonly label?: string;
  /** In the order they run (shuffled with `seed`). */
  readonly planned: readonly PlannedRun[];
  readonly finished: readonly { readonly key: string; readonly bundleId: string }[];
}

export interface BenchResult {
  readonly campaign: CampaignFile;
  readonly campaignPath: string;
  /** What was planned before the first run: runs, model and its source, estimate. */
  readonly plan: BenchPlan;
  /** One row per query count; each carries its GWP scope (never averaged across scopes). */
  readonly rows: readonly QueryCountRow[];
  /** The grid, PUE, lifetime and embodied values the bundles' GWP used, one entry per distinct set. */
  readonly parameterSets: readonly ParameterSet[];
  /** Finished runs left out of `rows`: their bundle could not be read (a link, a FIFO, a damaged manifest), each with its reason. */
  readonly skipped: readonly SkippedEntry[];
  readonly bundlePaths: readonly string[];
  /** Runs of the plan still missing (a stopped or failed campaign). */
  readonly remaining: number;
  /** The signal that stopped the campaign early, when one did. */
  readonly interrupted?: NodeJS.Signals;
  /** The sensor this session measured with; `estimated` when its power is an estimate. */
  readonly sensor: { readonly name: string; readonly estimated: boolean };
}

// ---------------------------------------------------------------------------------------------
// The plan

/**
 * Every (query count × repetition) — × arrival rate for a Server campaign, each rate a set of
 * runs — Fisher–Yates shuffled with `seed`: drift and heat spread over all counts and rates.
 */
export function planCampaign(queryCounts: readonly number[], runs: number, seed: number, targetQps?: readonly number[]): PlannedRun[] {
  const plan: PlannedRun[] = [];
  for (const qps of targetQps ?? [undefined]) {
    for (const queryCount of queryCounts) {
      for (let r = 0; r < runs; r++) {
        plan.push(qps === undefined ? { key: `q${queryCount}-r${r}`, queryCount, repetition: r } : { key: `qps${qps}-q${queryCount}-r${r}`, queryCount, repetition: r, targetQps: qps });
      }
    }
  }
  const rand = mulberry32(seed);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

/** The arrival rates asked for: none, one, or a sweep. */
export function qpsLevels(targetQps: number | readonly number[] | undefined): readonly number[] | undefined {
  return targetQps === undefined ? undefined : typeof targetQps === 'number' ? [targetQps] : targetQps;
}

/** A campaign's arrival rates (Server), in the order given. */
export function campaignQps(c: Pick<CampaignFile, 'targetQps' | 'targetQpsSweep'>): readonly number[] | undefined {
  return c.targetQpsSweep ?? (c.targetQps !== undefined ? [c.targetQps] : undefined);
}

/** The arrival rate of one planned run (Server). */
export function runQps(c: Pick<CampaignFile, 'targetQps'>, p: Pick<PlannedRun, 'targetQps'>): number | undefined {
  return p.targetQps ?? c.targetQps;
}

const campaignsDir = campaignsRoot;

async function writeCampaign(runsDir: string, c: CampaignFile): Promise<string> {
  const path = join(campaignsDir(runsDir), `${c.id}.json`);
  await writeTextAtomically(path, `${JSON.stringify(c, null, 2)}\n`);
  return path;
}

export async function readCampaign(path: string): Promise<CampaignFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw errors.io(path, e);
  }
  const json = parseJsonText(text, path);
  const c = json as Partial<Record<keyof CampaignFile, unknown>>;
  const bad = (field: string, what: string) => errors.parse({ file: path, field }, what);
  if (typeof json !== 'object' || json === null) throw bad('schema', 'expected a JSON object');
  if (c.schema !== CAMPAIGN_SCHEMA) throw bad('schema', `expected ${CAMPAIGN_SCHEMA}, got ${JSON.stringify(c.schema)}`);
  for (const k of ['id', 'createdAt', 'model', 'scenario', 'sensor'] as const) if (typeof c[k] !== 'string') throw bad(k, 'expected a string');
  if (!(MLPERF_SCENARIOS as readonly unknown[]).includes(c.scenario)) throw bad('scenario', `expected one of ${MLPERF_SCENARIOS.join(', ')}, got ${JSON.stringify(c.scenario)}`);
  if (c.targetQps !== undefined && !(typeof c.targetQps === 'number' && c.targetQps > 0)) throw bad('targetQps', 'expected a positive number');
  if (c.targetQpsSweep !== undefined && !(Array.isArray(c.targetQpsSweep) && c.targetQpsSweep.length >= 2 && c.targetQpsSweep.every((q) => typeof q === 'number' && q > 0))) {
    throw bad('targetQpsSweep', 'expected an array of at least two positive numbers');
  }
  if (c.targetQps !== undefined && c.targetQpsSweep !== undefined) throw bad('targetQpsSweep', 'a campaign has one arrival rate (targetQps) or a sweep (targetQpsSweep), not both');
  if (c.scenario === 'Server' && c.targetQps === undefined && c.targetQpsSweep === undefined) throw bad('targetQps', 'a Server campaign needs its arrival rate');
  if (c.batchSize !== undefined && !(typeof c.batchSize === 'number' && Number.isSafeInteger(c.batchSize) && c.batchSize >= 1)) throw bad('batchSize', 'expected a positive integer');
  if (c.http !== undefined && !(isRecord(c.http) && typeof c.http.url === 'string' && typeof c.http.modelName === 'string')) throw bad('http', 'expected {url, modelName}');
  for (const k of ['runs', 'seed', 'intervalS'] as const) if (typeof c[k] !== 'number') throw bad(k, 'expected a number');
  if (!Array.isArray(c.queryCounts) || !c.queryCounts.every((n) => typeof n === 'number')) throw bad('queryCounts', 'expected an array of numbers');
  if (
    !Array.isArray(c.planned) ||
    !c.planned.every((p) => isRecord(p) && typeof p.key === 'string' && typeof p.queryCount === 'number' && typeof p.repetition === 'number' && (p.targetQps === undefined || (typeof p.targetQps === 'number' && p.targetQps > 0)))
  ) {
    throw bad('planned', 'expected an array of {key, queryCount, repetition, targetQps?}');
  }
  if (c.targetQpsSweep !== undefined && !(c.planned as { targetQps?: unknown }[]).every((p) => p.targetQps !== undefined)) throw bad('planned', 'every run of a sweep needs its targetQps');
  if (!Array.isArray(c.finished) || !c.finished.every((f) => isRecord(f) && typeof f.key === 'string' && typeof f.bundleId === 'string')) {
    throw bad('finished', 'expected an array of {key, bundleId}');
  }
  return json as CampaignFile;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The campaign to resume: by id, or the most recently created one. */
async function findCampaign(runsDir: string, id: string | true, onSkip?: (line: string) => void): Promise<{ campaign: CampaignFile; path: string }> {
  const dir = campaignsDir(runsDir);
  if (id !== true) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw errors.usage(`not a campaign id: '${id}'`, '--resume');
    const path = join(dir, `${id}.json`);
    return { campaign: await readCampaign(path), path };
  }
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    names = [];
  }
  if (names.length === 0) throw errors.usage(`no campaign to resume in ${dir}`, '--resume');
  // One unreadable campaign file must not block resuming the others: it is named and passed over.
  const all: { path: string; campaign: CampaignFile }[] = [];
  for (const n of names) {
    try {
      all.push({ path: join(dir, n), campaign: await readCampaign(join(dir, n)) });
    } catch (e) {
      onSkip?.(`${join(dir, n)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (all.length === 0) throw errors.usage(`no readable campaign to resume in ${dir}`, '--resume');
  all.sort((a, b) => a.campaign.createdAt.localeCompare(b.campaign.createdAt) || a.campaign.id.localeCompare(b.campaign.id));
  return all[all.length - 1]!;
}

// ---------------------------------------------------------------------------------------------
// LoadGen settings per scenario

/**
 * The settings of one run with N queries: the scenario's BERT mlperf.conf (v4.1) with
 * min = max query count = N, as the study did for SingleStream, so every scenario's run ends
 * after N queries instead of after min_duration (600 s).
 *
 * - SingleStream: the study's settings (`studySettings`), one sample per query.
 * - MultiStream: 8 samples per query (mlperf.conf), issued back to back like SingleStream.
 * - Server: Poisson arrivals at `targetQps`, latency counted from each query's scheduled time.
 * - Offline: one query of N samples (min_duration 0 so the query is sized by N alone).
 */
export function benchSettings(scenario: MlperfScenario, queryCount: number, targetQps?: number): TestSettings {
  switch (scenario) {
    case 'SingleStream':
      return studySettings(BENCH_RELEASE, queryCount);
    case 'MultiStream':
      return { ...bertMlperfConf(BENCH_RELEASE, 'MultiStream'), minQueryCount: queryCount, maxQueryCount: queryCount };
    case 'Server':
      if (targetQps === undefined) throw errors.usage('the Server scenario needs its arrival rate, e.g. --target-qps 10', '--target-qps');
      return { ...bertMlperfConf(BENCH_RELEASE, 'Server'), serverTargetQps: targetQps, minQueryCount: queryCount, maxQueryCount: queryCount };
    case 'Offline':
      return { ...bertMlperfConf(BENCH_RELEASE, 'Offline'), minDurationMs: 0, minQueryCount: queryCount, maxQueryCount: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// One run

const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));

/** `mlperf_log_detail.txt`: LoadGen's events in its order, stamped with when they happened. */
function detailLog(run: LoadgenRun, requested: TestSettings, sutName: string, qslName: string, qslSize: number): string {
  const issueMs = run.powerBeginEpochMs - run.testStartEpochMs;
  const endMs = run.powerEndEpochMs - run.testStartEpochMs;
  return writeDetail([
    ...stampAtMs(0, [
      ...testHeaderRecords({ startEpochMs: run.testStartEpochMs, release: run.release, requested, effective: run.settings, sutName, qslName, qslTotalCount: qslSize, qslPerformanceCount: qslSize }),
      messageRecord('Starting performance mode'),
      loadedQslSetRecord(Array.from(run.loadedSet.samples)),
      ...generatedQueriesRecords({ queryCount: run.generated.queryCount, samplesPerQuery: run.generated.loggedSamplesPerQuery, durationNs: run.generated.durationNs }),
    ]),
    ...stampAtMs(issueMs + run.measurements.finalQueryIssuedNs / 1e6, [issueEndRecord(run.end)]),
    ...stampAtMs(endMs, [...loggerCounterRecords(), ...powerRecords(run.powerBeginEpochMs, run.powerEndEpochMs), ...resultRecords(run.results)]),
  ]);
}

/** Detail-log records stamped `elapsedMs` after the test start, from this process (the harness's stamp). */
export function stampAtMs(elapsedMs: number, records: readonly MllogRecord[]): MllogEntry[] {
  return stamp(records, { elapsedNs: Math.max(0, Math.round(elapsedMs * 1e6)), file: 'src/benchmark/loadgen/engine.ts', lineNo: 0, pid: process.pid, tid: process.pid });
}

function latenciesCsv(run: LoadgenRun): string {
  const lines = ['query,scheduled_ns,issued_ns,done_ns,latency_ns'];
  for (let q = 0; q < run.queriesIssued; q++) {
    const s = run.scheduledNs[q]!;
    const d = run.doneNs[q]!;
    lines.push(`${q},${Math.round(s)},${Math.round(run.issuedNs[q]!)},${Math.round(d)},${Math.round(d - s)}`);
  }
  return `${lines.join('\n')}\n`;
}


/** What a measured bench run needs of the options. */
export type MeasuredRunOptions = Pick<BenchOptions, 'env' | 'intervalS' | 'hardware' | 'grid' | 'runsDir' | 'label'>;

/**
 * One measured run, as every bench run is made: the recorder starts → window `full` → `body`
 * (which marks `load` and `compute` itself) → `full` ends → recorder stops → summary and impact
 * as `measure` does them (a full LCA when the hardware is known, else the operational part
 * alone) → one run bundle written atomically with `files`.
 */
export async function measuredBenchRun<T>(
  opts: MeasuredRunOptions,
  choice: SensorChoice,
  body: (rec: Recorder) => Promise<T>,
  bundle: (value: T) => { readonly workload: Workload; readonly label: string; readonly files: readonly BundleFileInput[] },
): Promise<{ id: string; path: string; value: T }> {
  const startedAt = new Date(opts.env.clock.epochMs()).toISOString();
  // Samples also go to the runs directory's live file, for `inferprint serve`'s live view.
  const rec = await Recorder.start({
    sensor: publishLive(choice.sensor, { runsDir: opts.runsDir, ...(opts.label !== undefined ? { label: opts.label } : {}) }),
    env: opts.env,
    intervalS: opts.intervalS,
    // The system under test is this process (ONNX Runtime runs in it, in a worker thread) and its
    // children: an estimate charges their CPU time, not the rest of the machine's.
    processTree: { rootPid: process.pid, includeRoot: true },
    estimateScope: 'process',
    ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}),
  });
  let value: T;
  try {
    rec.beginWindow('full');
    value = await body(rec);
    rec.endWindow('full');
  } catch (e) {
    await rec.stop();
    throw e;
  }
  const recording = await rec.stop();
  const summary = summarizeRecording(recording, 'full', opts.hardware !== undefined ? { hardware: opts.hardware } : {});
  const notes = [...recording.info.notes];
  const impact = impactFor(opts, recording, summary, notes);
  const status = recording.failure
    ? ({ kind: 'failed', code: recording.failure.error.code, message: recording.failure.error.detail } as const)
    : ({ kind: 'completed' } as const);
  const { workload, label, files } = bundle(value);
  const input = measurementBundle(
    {
      recording,
      summary,
      sensorWhy: choice.why,
      startedAt,
      endedAt: new Date(opts.env.clock.epochMs()).toISOString(),
      status,
      host: hostInfo(),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      ...impact,
      notes,
    },
    workload,
    label,
    files,
  );
  return { ...(await writeRunBundle(opts.runsDir, input)), value };
}

/** LoadGen's settings as a bundle records them (seeds as strings: they exceed 2^53). */
export function mlperfSettingsRecord(settings: EffectiveSettings): MlperfSettingsRecord {
  return {
    release: BENCH_RELEASE,
    variant: LIBSTDCXX_VARIANT_OF_LOGS[BENCH_RELEASE],
    scenario: settings.scenario,
    mode: settings.mode,
    samplesPerQuery: settings.samplesPerQuery,
    minQueryCount: settings.minQueryCount,
    maxQueryCount: settings.maxQueryCount,
    minDurationMs: settings.minDurationMs,
    targetQps: settings.targetQps,
    qslRngSeed: String(settings.qslRngSeed),
    sampleIndexRngSeed: String(settings.sampleIndexRngSeed),
    scheduleRngSeed: String(settings.scheduleRngSeed),
    performanceSampleCount: settings.performanceSampleCount,
  };
}

/**
 * The system under test of a run, opened inside the `load` window: a local ONNX Runtime session
 * (loaded and warmed up) or a KServe v2 server (readiness, metadata and warm-up requests).
 */
export async function openBenchSut(
  o: { readonly modelPath: string; readonly batchSize?: number | undefined; readonly provider?: OrtProviderRequest | undefined; readonly http?: HttpSutSpec | undefined; readonly httpToken?: string | undefined },
  qsl: BertSampleSource,
  sutOpts: OrtLoadgenSutOptions,
): Promise<{ sut: SystemUnderTest; close: () => Promise<void> }> {
  if (o.http) {
    const client = await openKserveSut({ url: o.http.url, model: o.http.modelName, ...(o.batchSize !== undefined ? { maxBatchSize: o.batchSize } : {}), ...(o.httpToken !== undefined ? { token: o.httpToken } : {}) });
    return { sut: kserveLoadgenSut(client, qsl, { ...(sutOpts.onIssue ? { onIssue: sutOpts.onIssue } : {}), accuracy: sutOpts.responseData === true }), close: () => client.close() };
  }
  const ort = await openOrtSut({ modelPath: o.modelPath, maxBatchSize: o.batchSize ?? 1, ...(o.provider !== undefined ? { provider: o.provider } : {}) });
  return { sut: ortLoadgenSut(ort, qsl, sutOpts), close: () => ort.close() };
}

export async function benchRun(
  opts: BenchOptions,
  campaign: CampaignFile,
  planned: PlannedRun,
  modelPath: string,
  choice: SensorChoice,
): Promise<{ id: string; path: string; computeS: number }> {
  const qps = runQps(campaign, planned);
  const requested = benchSettings(campaign.scenario, planned.queryCount, qps);
  const qsl = syntheticBertQsl({ totalSampleCount: opts.qslSize ?? BERT_SAMPLE_COUNT });
  const settings: EffectiveSettings = effectiveSettings(requested, qsl.performanceSampleCount, BENCH_RELEASE);
  const saved = await measuredBenchRun(
    opts,
    choice,
    async (rec) => {
      // Only a caller that asked for the issued indices pays for collecting them on every query.
      const hook = opts.onIssue;
      const sutOpts = hook ? { onIssue: (ix: readonly number[]) => { hook(planned, ix); } } : {};
      const opened = await rec.window('load', () => openBenchSut({ modelPath, batchSize: campaign.batchSize, provider: opts.provider, http: campaign.http, httpToken: opts.httpToken }, qsl, sutOpts));
      try {
        // `compute` is LoadGen's power window (power_begin → power_end), as the study's CI runs:
        // the QSL shuffle, query generation and result computation stay outside it.
        const run = await runPerformance(opened.sut, qsl, {
          settings,
          release: BENCH_RELEASE,
          variant: LIBSTDCXX_VARIANT_OF_LOGS[BENCH_RELEASE],
          onPowerWindow: { begin: () => { rec.beginWindow('compute'); }, end: () => { rec.endWindow('compute'); } },
        });
        return { run, sutName: opened.sut.name };
      } finally {
        await opened.close();
      }
    },
    ({ run, sutName }) => ({
      workload: {
        kind: 'bench',
        scenario: campaign.scenario,
        model: campaign.model,
        queryCount: planned.queryCount,
        mlperfSettings: mlperfSettingsRecord(settings),
        campaignId: campaign.id,
        campaignKey: planned.key,
        repetition: planned.repetition,
      },
      label: `${opts.label ?? 'bench'}${campaign.scenario === 'Server' && qps !== undefined ? `-qps${qps}` : ''}-q${planned.queryCount}-r${planned.repetition}`,
      files: [
        { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: writeSummary({ sutName, settings, results: run.results, warningCount: 0, errorCount: run.end.kind === 'natural' ? 0 : 1 }) },
        { name: 'mlperf_log_detail.txt', role: 'mlperf_log_detail', content: detailLog(run, requested, sutName, qsl.name, qsl.totalSampleCount) },
        { name: LATENCIES_FILE, role: 'other', content: latenciesCsv(run) },
      ],
    }),
  );
  const run = saved.value.run;
  return { id: saved.id, path: saved.path, computeS: (run.powerEndEpochMs - run.powerBeginEpochMs) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// The campaign

/**
 * A new campaign as it will be written; nothing is written here. `id` is given by a caller that
 * names its campaigns itself (`inferprint campaign`: one bench campaign per target).
 */
export function newCampaign(opts: Omit<BenchOptions, 'runsDir' | 'cacheDir' | 'cwd'>, id?: string): CampaignFile {
  const createdAt = new Date(opts.env.clock.epochMs()).toISOString();
  id ??= `${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
  const levels = qpsLevels(opts.targetQps);
  return {
    schema: CAMPAIGN_SCHEMA,
    id,
    createdAt,
    model: opts.model,
    scenario: opts.scenario ?? 'SingleStream',
    ...(levels?.length === 1 ? { targetQps: levels[0]! } : levels !== undefined ? { targetQpsSweep: levels } : {}),
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    ...(opts.http !== undefined ? { http: opts.http } : {}),
    ...(opts.provider !== undefined ? { provider: opts.provider } : {}),
    ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}),
    ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
    cooldownS: opts.cooldownS,
    release: BENCH_RELEASE,
    queryCounts: opts.queryCounts,
    runs: opts.runs,
    seed: opts.seed,
    sensor: opts.sensor,
    intervalS: opts.intervalS,
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    planned: planCampaign(opts.queryCounts, opts.runs, opts.seed, levels),
    finished: [],
  };
}

/** The options a run uses: a resumed campaign keeps what it was planned with. */
export function runOptionsOf(opts: BenchOptions, campaign: CampaignFile): BenchOptions {
  return {
    ...withoutPlanned(opts),
    model: campaign.model,
    sensor: campaign.sensor,
    intervalS: campaign.intervalS,
    cooldownS: campaign.cooldownS ?? opts.cooldownS,
    ...(campaign.label !== undefined ? { label: campaign.label } : {}),
    ...(campaign.provider !== undefined ? { provider: campaign.provider } : {}),
    ...(campaign.hardware !== undefined ? { hardware: campaign.hardware } : {}),
    ...(campaign.grid !== undefined ? { grid: campaign.grid } : {}),
  };
}

/** The finished runs whose bundle is still there: a bundle removed by hand makes its run unfinished again. */
function stillFinished(campaign: CampaignFile, runsDir: string): CampaignFile['finished'] {
  return campaign.finished.filter((f) => existsSync(join(runsDir, f.bundleId, 'manifest.json')));
}

const unfinished = (campaign: CampaignFile, finished: CampaignFile['finished']): PlannedRun[] => {
  const done = new Set(finished.map((f) => f.key));
  return campaign.planned.filter((p) => !done.has(p.key));
};

/**
 * A model served over HTTP answers: the server is ready, the model is there with BERT inputs, and
 * two one-sample warm-up requests come back (timed: the plan's estimate). Run before the campaign
 * file is written, so a server that is down leaves nothing for `--resume` to pick up.
 */
export async function checkServedModel(http: HttpSutSpec, batchSize?: number, token?: string): Promise<RunTiming> {
  const warmups = 2;
  const client = await openKserveSut({ url: http.url, model: http.modelName, warmupRuns: warmups, ...(batchSize !== undefined ? { maxBatchSize: batchSize } : {}), ...(token !== undefined ? { token } : {}) });
  try {
    const { load, warmup } = client.phases;
    const warmupS = warmup.endS - warmup.startS;
    return { perSampleS: warmupS / warmups, perRunS: load.endS - load.startS + warmupS + RUN_OVERHEAD_S };
  } finally {
    await client.close();
  }
}

interface Prepared {
  readonly plan: BenchPlan;
  readonly choice: SensorChoice;
  /** The ONNX file of a local model ('' for a served one); empty in a dry run (nothing generated). */
  readonly modelPath: string;
}

/**
 * Everything a campaign checks before its file is written or its first run starts: the model
 * (a file that exists, a synthetic model cached or generated — not in a dry run), the sensor,
 * the server of a served model; and the plan, with its estimate.
 */
async function prepare(campaign: CampaignFile, todo: readonly PlannedRun[], runOpts: BenchOptions, opts: BenchOptions, o: { readonly dryRun: boolean; readonly resuming: boolean }): Promise<Prepared> {
  let source: ModelSource;
  let served: RunTiming | undefined;
  if (campaign.http) {
    served = await checkServedModel(campaign.http, campaign.batchSize, opts.httpToken);
    source = { kind: 'http', url: campaign.http.url, modelName: campaign.http.modelName };
  } else {
    source = await describeModel(campaign.model, { cacheDir: opts.cacheDir, cwd: opts.cwd });
  }
  const choice = await chooseSensor(campaign.sensor, opts.env);
  const work = { scenario: campaign.scenario, targetQps: campaign.targetQps, queryCounts: todo.map((p) => p.queryCount), targetQpsOfRun: todo.map((p) => runQps(campaign, p)), cooldownS: runOpts.cooldownS };
  const estimateFor = (m: ModelSource): DurationEstimate => {
    const start = startingTiming(m, runOpts.provider, served);
    const setupS = m.kind === 'synthetic' && !m.cached ? m.generationS : 0;
    return { seconds: start.timing ? estimateSeconds({ ...work, setupS }, start.timing) : null, kind: start.kind, basis: start.basis };
  };
  const defaultModel = o.resuming ? undefined : opts.defaultModel;
  const studyPlan = async () => {
    const studySource = await describeModel(STUDY_MODEL, { cacheDir: opts.cacheDir, cwd: opts.cwd });
    return { source: studySource, estimate: estimateFor(studySource) };
  };
  const plan: BenchPlan = {
    ...(o.resuming ? { campaignId: campaign.id } : {}),
    model: campaign.model,
    source,
    ...(defaultModel ? { defaultModel } : {}),
    scenario: campaign.scenario,
    ...(campaign.targetQps !== undefined ? { targetQps: campaign.targetQps } : {}),
    ...(campaign.targetQpsSweep !== undefined ? { targetQpsSweep: campaign.targetQpsSweep } : {}),
    ...(campaign.batchSize !== undefined ? { batchSize: campaign.batchSize } : {}),
    queryCounts: campaign.queryCounts,
    repetitions: campaign.runs,
    runs: todo.length,
    plannedRuns: campaign.planned.length,
    queries: todo.reduce((n, p) => n + p.queryCount, 0),
    sensor: { name: choice.sensor.name, estimated: choice.sensor.kind === 'estimated', why: choice.why },
    estimate: estimateFor(source),
    ...(defaultModel?.studyHint !== undefined ? { study: await studyPlan() } : {}),
  };
  if (o.dryRun) return { plan, choice, modelPath: '' };
  for (const line of planLines(plan)) opts.onStatus?.(line);
  if (campaign.http) return { plan, choice, modelPath: '' };
  // Before a synthetic model is generated (minutes for bert-large): a missing ONNX Runtime is said first.
  await loadOrt();
  const modelPath = (await resolveModel(parseModelSpec(campaign.model), { cacheDir: opts.cacheDir, cwd: opts.cwd, verify: 'size' })).path;
  return { plan, choice, modelPath };
}

/**
 * The plan of `bench(opts)` without running it (`--dry-run`): runs, model and where it comes
 * from, estimate. Nothing is written; a served model's server is contacted (the pre-check).
 */
export async function planBench(opts: BenchOptions): Promise<BenchPlan> {
  if (opts.resume !== undefined) {
    const { campaign } = await findCampaign(opts.runsDir, opts.resume, (line) => { opts.onStatus?.(`inferprint bench: passed over an unreadable campaign file: ${line}`); });
    return (await prepare(campaign, unfinished(campaign, stillFinished(campaign, opts.runsDir)), runOptionsOf(opts, campaign), opts, { dryRun: true, resuming: true })).plan;
  }
  validateBenchOptions(opts);
  const campaign = newCampaign(opts);
  return (await prepare(campaign, campaign.planned, runOptionsOf(opts, campaign), opts, { dryRun: true, resuming: false })).plan;
}

export async function bench(opts: BenchOptions): Promise<BenchResult> {
  const status = opts.onStatus ?? (() => undefined);
  const lockOpts = { onNote: status, ...(opts.lockEnv ? { env: opts.lockEnv } : {}) };
  let lock: CampaignLock | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let resumeHint = '';
  const onSignal = (sig: NodeJS.Signals) => () => {
    if (interrupted === undefined) {
      interrupted = sig;
      status(`inferprint bench: ${sig}: finishing the run in flight, then stopping (again to abandon it; ${resumeHint} continues)`);
      return;
    }
    // Second signal: the lock goes first (the process ends before any finally), then the
    // process gets its default behaviour back and the signal again.
    lock?.releaseSync();
    opts.signals?.removeAllListeners(sig);
    process.kill(process.pid, sig);
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  // Listening starts once the campaign is locked (before, a Ctrl-C has nothing to save or release).
  const listen = (): void => {
    opts.signals?.on('SIGINT', onInt);
    opts.signals?.on('SIGTERM', onTerm);
  };
  try {
    await cleanLeftovers(opts.runsDir, status);
    let campaign: CampaignFile;
    let campaignPath: string;
    let prepared: Prepared;
    let runOpts: BenchOptions;
    if (opts.resume !== undefined) {
      const found = await findCampaign(opts.runsDir, opts.resume, (line) => { status(`inferprint bench: passed over an unreadable campaign file: ${line}`); });
      lock = await acquireCampaignLock(campaignsDir(opts.runsDir), found.campaign.id, lockOpts);
      listen();
      campaignPath = found.path;
      // Read again under the lock: a process that held it until now may have finished runs since.
      campaign = await readCampaign(found.path);
      resumeHint = `--resume ${campaign.id}`;
      status(`inferprint bench: resuming campaign ${campaign.id} (${campaign.finished.length}/${campaign.planned.length} runs done)`);
      const present = stillFinished(campaign, opts.runsDir);
      if (present.length !== campaign.finished.length) {
        status(`inferprint bench: ${campaign.finished.length - present.length} finished run(s) have no bundle any more: they run again`);
        campaign = { ...campaign, finished: present };
        await writeCampaign(opts.runsDir, campaign);
      }
      runOpts = runOptionsOf(opts, campaign);
      prepared = await prepare(campaign, unfinished(campaign, campaign.finished), runOpts, opts, { dryRun: false, resuming: true });
    } else {
      validateBenchOptions(opts);
      campaign = newCampaign(opts);
      runOpts = runOptionsOf(opts, campaign);
      // Every check first: a campaign file is written only for a campaign that can start.
      prepared = await prepare(campaign, campaign.planned, runOpts, opts, { dryRun: false, resuming: false });
      lock = await acquireCampaignLock(campaignsDir(opts.runsDir), campaign.id, lockOpts);
      campaignPath = await writeCampaign(opts.runsDir, campaign);
      resumeHint = `--resume ${campaign.id}`;
      listen();
    }
    const { choice, modelPath, plan } = prepared;
    const where = campaign.http ? `model ${campaign.http.modelName} at ${campaign.http.url} (KServe v2); power measured on this machine` : `model ${modelPath}`;
    status(`inferprint bench: sensor ${opts.verbose === true ? `${choice.sensor.name} (${choice.why})` : choice.summary}; ${where}`);

    const todo = unfinished(campaign, campaign.finished);
    const timings: { wallS: number; computeS: number; samples: number }[] = [];
    let ranNow = 0;
    const stopRequested = (): boolean => interrupted !== undefined;
    for (const [i, planned] of todo.entries()) {
      if (stopRequested()) break;
      if (opts.stopAfter !== undefined && ranNow >= opts.stopAfter) break;
      if (ranNow > 0 && runOpts.cooldownS > 0) {
        await sleep(runOpts.cooldownS);
        // A Ctrl-C during the pause stops before the next run, not after it (read through a
        // function: the signal handler sets it while this loop awaits).
        if (stopRequested()) break;
      }
      opts.onProgress?.(campaign.finished.length, campaign.planned.length, `running ${planned.key}`);
      const t0 = performance.now();
      const saved = await benchRun(runOpts, campaign, planned, modelPath, choice);
      timings.push({ wallS: (performance.now() - t0) / 1000, computeS: saved.computeS, samples: samplesPerRun(campaign.scenario, planned.queryCount) });
      campaign = { ...campaign, finished: [...campaign.finished, { key: planned.key, bundleId: saved.id }] };
      await writeCampaign(opts.runsDir, campaign);
      ranNow++;
      const left = todo.slice(i + 1);
      if (ranNow === 1 && left.length > 0) {
        // The plan's estimate rested on another machine's figures (or none): this one's first run replaces them.
        const t = timingFromRuns(timings);
        if (t) {
          const s = estimateSeconds({ scenario: campaign.scenario, targetQps: campaign.targetQps, queryCounts: left.map((p) => p.queryCount), targetQpsOfRun: left.map((p) => runQps(campaign, p)), cooldownS: runOpts.cooldownS }, t);
          status(`inferprint bench: measured on the first run: ${(t.perSampleS * 1000).toPrecision(3)} ms per sample + ${t.perRunS.toPrecision(3)} s per run → ${formatDuration(s)} for the ${left.length} run(s) left`);
        }
      }
    }
    opts.onProgress?.(campaign.finished.length, campaign.planned.length, 'done');
    const table = await aggregate(campaign, opts.runsDir);
    for (const s of table.skipped) status(`inferprint bench: bundle ${s.name} left out of the table: ${s.reason}`);
    return {
      campaign,
      campaignPath,
      plan,
      rows: table.rows,
      parameterSets: table.parameterSets,
      skipped: table.skipped,
      bundlePaths: campaign.finished.map((f) => join(opts.runsDir, f.bundleId)),
      remaining: campaign.planned.length - campaign.finished.length,
      sensor: { name: choice.sensor.name, estimated: choice.sensor.kind === 'estimated' },
      ...(interrupted !== undefined ? { interrupted } : {}),
    };
  } finally {
    opts.signals?.off('SIGINT', onInt);
    opts.signals?.off('SIGTERM', onTerm);
    await lock?.release();
  }
}

/** The options a campaign records for itself: on resume they come from the campaign file only. */
function withoutPlanned(o: BenchOptions): Omit<BenchOptions, 'provider' | 'hardware' | 'grid' | 'label'> {
  const copy: { -readonly [K in keyof BenchOptions]?: BenchOptions[K] } = { ...o };
  delete copy.provider;
  delete copy.hardware;
  delete copy.grid;
  delete copy.label;
  return copy as Omit<BenchOptions, 'provider' | 'hardware' | 'grid' | 'label'>;
}

export function validateBenchOptions(o: Pick<BenchOptions, 'queryCounts' | 'runs' | 'seed' | 'intervalS' | 'cooldownS' | 'scenario' | 'targetQps' | 'batchSize'>): void {
  const scenario = o.scenario ?? 'SingleStream';
  const levels = qpsLevels(o.targetQps);
  if (scenario === 'Server') {
    if (levels === undefined || levels.length === 0) throw errors.usage('the Server scenario needs its arrival rate, e.g. --target-qps 10 (or a sweep: --target-qps 50,100,200)', '--target-qps');
    for (const q of levels) if (!(q > 0) || !Number.isFinite(q)) throw errors.usage(`expected a positive rate in queries/s, got ${q}`, '--target-qps');
    if (new Set(levels).size !== levels.length) throw errors.usage('an arrival rate appears twice', '--target-qps');
  } else if (o.targetQps !== undefined) {
    throw errors.usage(`--target-qps is the Server scenario's arrival rate; ${scenario} issues as fast as the system answers`, '--target-qps');
  }
  if (o.batchSize !== undefined && (!Number.isSafeInteger(o.batchSize) || o.batchSize < 1)) throw errors.usage(`expected a positive integer, got ${o.batchSize}`, '--batch-size');
  if (o.queryCounts.length === 0) throw errors.usage('give at least one query count', '--queries');
  for (const n of o.queryCounts) if (!Number.isSafeInteger(n) || n < 1) throw errors.usage(`query counts are positive integers, got ${n}`, '--queries');
  if (new Set(o.queryCounts).size !== o.queryCounts.length) throw errors.usage('a query count appears twice', '--queries');
  if (!Number.isSafeInteger(o.runs) || o.runs < 1) throw errors.usage(`expected a positive integer, got ${o.runs}`, '--runs');
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw errors.usage(`expected an integer in [0, 2^32), got ${o.seed}`, '--seed');
  if (!(o.intervalS > 0)) throw errors.usage('expected a positive interval', '--interval');
  if (!(o.cooldownS >= 0)) throw errors.usage('expected a non-negative cooldown', '--cooldown');
}

