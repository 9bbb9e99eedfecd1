/**
 * What a `bench` campaign is about to do, said before it does it: the runs, the scenario, the model
 * and where it comes from (cached, generated locally with its size, the user's file, a server),
 * and an estimated duration with its basis. Nothing is ever downloaded at run time.
 *
 * The estimate rests on, in order of trust:
 * - `measured`: this machine's own runs (after the first run of a session) or, for a served model,
 *   the pre-check's warm-up requests;
 * - `reference`: per-preset timings measured on a reference machine (below, from
 *   docs/benchmarks.md) — rough, since a different machine differs;
 * - `scaled`: a model file, by its size against the reference BERT-Large — rougher.
 *
 * Also here: the model `bench` runs when none is given. The study's BERT-Large campaign takes about
 * an hour on a 2-core CPU (and 1.3 GB of cache); on a machine with no accelerator the default is a
 * model that finishes in minutes, and the plan says how to run the study's.
 */
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { parseModelSpec, peekSyntheticModel } from '../benchmark/bert/io/model-cache.js';
import { syntheticBertBytes, type BertPresetName } from '../benchmark/bert/synthetic.js';
import type { OrtProviderRequest } from '../benchmark/sut/io/onnxruntime.js';
import { errors } from '../errors.js';
import { errnoCode } from '../io/fs-errors.js';
import type { MlperfScenario } from '../mlperf/types.js';
import { getSensor } from '../sensors/io/registry.js';
import type { SensorEnv } from '../sensors/types.js';

// ---------------------------------------------------------------------------------------------
// Reference timings

export interface ReferenceTiming {
  /** ONNX Runtime session run per sample (sequence 384, batch 1), s. */
  readonly perSampleS: number;
  /** Session load and warm-up, once per run (each run opens its own session), s. */
  readonly sessionLoadS: number;
}

/**
 * Mean session run per query and session load, ONNX Runtime CPU provider, batch 1, LoadGen
 * SingleStream: docs/benchmarks.md, "ONNX Runtime, CPU provider" (run of 2026-11-26, 2-core AMD
 * EPYC VM). A test keeps these in step with that table.
 */
export const REFERENCE_TIMINGS: Readonly<Record<BertPresetName, ReferenceTiming>> = {
  'bert-tiny': { perSampleS: 0.00191, sessionLoadS: 0.067 },
  'bert-base': { perSampleS: 0.193, sessionLoadS: 0.88 },
  'bert-large': { perSampleS: 0.674, sessionLoadS: 7.55 },
};
export const REFERENCE_MACHINE = 'a 2-core AMD EPYC VM, ONNX Runtime CPU provider (docs/benchmarks.md, 2026-11-26)';

/**
 * What a run costs besides its session and its queries: sensor start, QSL, LoadGen setup, bundle
 * written. Measured on the same VM on 2026-12-06 (`inferprint bench`, the default bert-tiny
 * campaign of 50 runs, `--sensor estimate`): `full` − `load` − `compute` 0.08 s at the median,
 * plus 0.05 s between one bundle's end and the next run's start.
 */
export const RUN_OVERHEAD_S = 0.13;

/** Synthetic model generation speed: bert-large's 1.34 GB in 6.7 s on the reference VM (docs/benchmarks.md). */
export const GENERATION_BYTES_PER_S = 2.0e8;

/** The study's model, and the default where it would take hours. */
export const STUDY_MODEL = 'synthetic:bert-large';
export const CPU_DEFAULT_MODEL = 'synthetic:bert-tiny';

// ---------------------------------------------------------------------------------------------
// The estimate (pure)

export interface RunTiming {
  /** Compute per sample, s. */
  readonly perSampleS: number;
  /** Per run, besides compute: session load, warm-up, sensor, bundle, s. */
  readonly perRunS: number;
}

export type EstimateKind = 'measured' | 'reference' | 'scaled' | 'unknown';

export interface DurationEstimate {
  /** Null when there is nothing to base it on. */
  readonly seconds: number | null;
  readonly kind: EstimateKind;
  /** What it rests on, in words. */
  readonly basis: string;
}

/** Samples LoadGen issues in a run of N queries (MultiStream: 8 per query, mlperf.conf). */
export function samplesPerRun(scenario: MlperfScenario, queryCount: number): number {
  return scenario === 'MultiStream' ? 8 * queryCount : queryCount;
}

export interface WorkToEstimate {
  readonly scenario: MlperfScenario;
  readonly targetQps?: number | undefined;
  readonly queryCounts: readonly number[];
  /** Server sweep: each run's own arrival rate, beside `queryCounts` (else `targetQps` for every run). */
  readonly targetQpsOfRun?: readonly (number | undefined)[];
  readonly cooldownS: number;
  /** Seconds spent before the first run (generating the model). */
  readonly setupS?: number;
}

/** Seconds for the runs of `work`: each run's fixed part, its samples' compute (Server: at least N / QPS), cooldowns. */
export function estimateSeconds(work: WorkToEstimate, t: RunTiming): number {
  let s = work.setupS ?? 0;
  for (const [i, n] of work.queryCounts.entries()) {
    const compute = samplesPerRun(work.scenario, n) * t.perSampleS;
    const qps = work.targetQpsOfRun?.[i] ?? work.targetQps;
    s += t.perRunS + (work.scenario === 'Server' && qps !== undefined ? Math.max(compute, n / qps) : compute);
  }
  return s + Math.max(0, work.queryCounts.length - 1) * work.cooldownS;
}

/** This machine's timing from runs it did: compute per sample from LoadGen's power window, the rest per run. */
export function timingFromRuns(runs: readonly { readonly wallS: number; readonly computeS: number; readonly samples: number }[]): RunTiming | undefined {
  const samples = runs.reduce((a, r) => a + r.samples, 0);
  if (runs.length === 0 || samples === 0) return undefined;
  const compute = runs.reduce((a, r) => a + r.computeS, 0);
  const wall = runs.reduce((a, r) => a + r.wallS, 0);
  return { perSampleS: compute / samples, perRunS: Math.max(0, (wall - compute) / runs.length) };
}

/** `about 35 s`, `about 4 min`, `about 1 h 05 min`: an estimate, so no false precision. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 1) return 'under 1 s';
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Bytes for a person: `17.5 MB`, `1.34 GB` (SI: 10^6, 10^9). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

// ---------------------------------------------------------------------------------------------
// The model and where it comes from

export type ModelSource =
  | { readonly kind: 'synthetic'; readonly preset: BertPresetName; readonly cached: true; readonly path: string; readonly bytes: number }
  | { readonly kind: 'synthetic'; readonly preset: BertPresetName; readonly cached: false; readonly path: string; readonly bytes: number; readonly generationS: number }
  | { readonly kind: 'file'; readonly path: string; readonly bytes: number }
  | { readonly kind: 'http'; readonly url: string; readonly modelName: string };

/** Where a local model comes from, found without writing anything (a missing file is NOT_FOUND now, before any campaign). */
export async function describeModel(model: string, o: { readonly cacheDir: string; readonly cwd: string }): Promise<ModelSource> {
  const spec = parseModelSpec(model);
  if (spec.kind === 'synthetic') {
    const p = await peekSyntheticModel({ preset: spec.preset }, o.cacheDir);
    return p.cached
      ? { kind: 'synthetic', preset: spec.preset, cached: true, path: p.path, bytes: p.bytes }
      : { kind: 'synthetic', preset: spec.preset, cached: false, path: p.path, bytes: p.bytes, generationS: p.bytes / GENERATION_BYTES_PER_S };
  }
  const path = resolve(o.cwd, spec.path);
  let s: Stats;
  try {
    s = await stat(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw errors.notFound(path, 'model file');
    throw errors.io(path, e);
  }
  if (!s.isFile()) throw errors.invalidValue({ file: path, flag: '--model' }, 'not a file: give the .onnx model file');
  return { kind: 'file', path, bytes: s.size };
}

export function describeSource(m: ModelSource): string {
  switch (m.kind) {
    case 'synthetic':
      return m.cached
        ? `cached at ${m.path} (${formatBytes(m.bytes)})`
        : `generated locally into ${m.path} (${formatBytes(m.bytes)}, ${formatDuration(m.generationS)}; cached for later runs)`;
    case 'file':
      return `your file ${m.path} (${formatBytes(m.bytes)})`;
    case 'http':
      return `served by ${m.url} as '${m.modelName}' (KServe v2)`;
  }
}

/** The timing a plan starts from, before this machine has done a run. */
export function startingTiming(m: ModelSource, provider: OrtProviderRequest | undefined, served?: RunTiming): { timing: RunTiming | undefined; kind: EstimateKind; basis: string } {
  const cudaNote = provider !== undefined && provider !== 'cpu' ? '; CPU figures while you asked for CUDA, so likely an overestimate' : '';
  const fromRun = '; measured again after the first run';
  if (m.kind === 'http') {
    return served
      ? { timing: served, kind: 'measured', basis: `measured: the server's warm-up requests (one sample each), plus ${RUN_OVERHEAD_S} s per run${fromRun}` }
      : { timing: undefined, kind: 'unknown', basis: `no timing for a served model yet${fromRun}` };
  }
  const per = (r: ReferenceTiming): RunTiming => ({ perSampleS: r.perSampleS, perRunS: r.sessionLoadS + RUN_OVERHEAD_S });
  if (m.kind === 'synthetic') {
    return { timing: per(REFERENCE_TIMINGS[m.preset]), kind: 'reference', basis: `rough: ${m.preset} timings measured on ${REFERENCE_MACHINE}, not this machine${cudaNote}${fromRun}` };
  }
  // A BERT file's compute and load grow with its weights: scale the reference BERT-Large by size.
  const large = REFERENCE_TIMINGS['bert-large'];
  const f = m.bytes / syntheticBertBytes({ preset: 'bert-large' });
  return {
    timing: { perSampleS: large.perSampleS * f, perRunS: large.sessionLoadS * f + RUN_OVERHEAD_S },
    kind: 'scaled',
    basis: `rougher: bert-large timings on ${REFERENCE_MACHINE}, scaled by file size (×${f.toFixed(2)}; a quantised model runs faster than its size says)${cudaNote}${fromRun}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The default model

export interface GpuDetection {
  readonly found: boolean;
  /** What the sensors' probes said. */
  readonly detail: string;
}

/** An NVIDIA GPU as the sensors find one (NVML, then nvidia-smi): probes only, nothing sampled. */
export async function detectNvidiaGpu(env: SensorEnv): Promise<GpuDetection> {
  const said: string[] = [];
  for (const name of ['nvml', 'nvidia-smi'] as const) {
    const probe = await (await getSensor(name)).probe(env);
    if (probe.ok) return { found: true, detail: `${name}: ${probe.detail}` };
    said.push(`${name}: ${probe.reason}`);
  }
  return { found: false, detail: said.join('; ') };
}

export interface DefaultModel {
  readonly model: string;
  /** Why this model, in one line (shown with the plan). */
  readonly why: string;
  /** How to run the study's model instead, when the default is not it. */
  readonly studyHint?: string;
}

/**
 * The model when `--model` is not given: the study's where an accelerator will run it (an NVIDIA
 * GPU found, or the CUDA provider asked for); else one that finishes in minutes on a CPU.
 */
export function defaultBenchModel(provider: OrtProviderRequest, gpu: GpuDetection | undefined): DefaultModel {
  if (provider !== 'cpu') return { model: STUDY_MODEL, why: `the study's model (--provider ${provider})` };
  // The GPU measures; ONNX Runtime still computes on the CPU unless asked otherwise: say so.
  if (gpu?.found) return { model: STUDY_MODEL, why: `the study's model (NVIDIA GPU found: ${gpu.detail}); ONNX Runtime runs it on the CPU unless --provider cuda` };
  return {
    model: CPU_DEFAULT_MODEL,
    why: `no accelerator here (no NVIDIA GPU found, --provider cpu): ${CPU_DEFAULT_MODEL}, which finishes in minutes on a CPU`,
    studyHint: `for the study's model: --model ${STUDY_MODEL} (the MLPerf BERT-Large shape, generated locally) or --model PATH/model.onnx (MLPerf's BERT-Large)`,
  };
}

// ---------------------------------------------------------------------------------------------
// The plan as shown

export interface BenchPlan {
  /** Set when continuing a campaign. */
  readonly campaignId?: string;
  readonly model: string;
  readonly source: ModelSource;
  /** Set when `--model` was not given. */
  readonly defaultModel?: DefaultModel;
  readonly scenario: MlperfScenario;
  readonly targetQps?: number;
  /** Server sweep: the arrival rates, each a set of runs. */
  readonly targetQpsSweep?: readonly number[];
  readonly batchSize?: number;
  readonly queryCounts: readonly number[];
  readonly repetitions: number;
  /** Runs this call will do (all of a new campaign; the rest of a resumed one). */
  readonly runs: number;
  readonly plannedRuns: number;
  /** Queries those runs issue. */
  readonly queries: number;
  readonly sensor: { readonly name: string; readonly estimated: boolean; readonly why: string };
  readonly estimate: DurationEstimate;
  /** The study's model over the same runs, by the same basis: when the default is not it. */
  readonly study?: { readonly source: ModelSource; readonly estimate: DurationEstimate };
}

/**
 * The plan as plain lines (stderr before a campaign; stdout for `--dry-run`, with the sensor, which
 * a campaign names on its own line when it starts).
 */
export function planLines(p: BenchPlan, o: { readonly sensor?: boolean } = {}): string[] {
  const prefix = 'inferprint bench:';
  const runs = p.campaignId !== undefined
    ? `resuming campaign ${p.campaignId}: ${p.runs} of ${p.plannedRuns} runs left`
    : `${p.runs} runs (query counts ${p.queryCounts.join(',')} × ${p.repetitions} repetition${p.repetitions === 1 ? '' : 's'}${p.targetQpsSweep !== undefined ? ` × ${p.targetQpsSweep.length} arrival rates` : ''})`;
  const rates = p.targetQpsSweep !== undefined ? ` at ${p.targetQpsSweep.join(', ')} QPS (a sweep)` : p.targetQps !== undefined ? ` at ${p.targetQps} QPS` : '';
  const scenario = `${p.scenario}${rates}${p.batchSize !== undefined ? `, batch ${p.batchSize}` : ''}`;
  const lines = [
    `${prefix} plan: ${runs}, ${p.queries} queries, ${scenario}, LoadGen v4.1`,
    `${prefix} model ${p.model}: ${describeSource(p.source)}; nothing is downloaded`,
  ];
  if (p.defaultModel) lines.push(`${prefix} no --model given: ${p.defaultModel.why}`);
  if (o.sensor === true) lines.push(`${prefix} power: sensor ${p.sensor.name}${p.sensor.estimated ? ' (ESTIMATED, not measured)' : ''} (${p.sensor.why})`);
  lines.push(`${prefix} estimated duration: ${p.estimate.seconds === null ? 'unknown' : formatDuration(p.estimate.seconds)} (${p.estimate.basis})`);
  if (p.study) {
    const size = p.study.source.kind === 'synthetic' ? `${formatBytes(p.study.source.bytes)} ${p.study.source.cached ? 'cached' : 'generated locally'}` : '';
    const est = p.study.estimate.seconds !== null ? `${size ? ', ' : ''}${formatDuration(p.study.estimate.seconds)} for these runs by the same reference` : '';
    lines.push(`${prefix} for the study's model: --model ${STUDY_MODEL} (the MLPerf BERT-Large shape; ${size}${est}) or --model PATH/model.onnx (MLPerf's BERT-Large)`);
  }
  return lines;
}
