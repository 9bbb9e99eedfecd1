import { signalExitCode } from '../../app/measure.js';
import { bench, DEFAULT_CAMPAIGN_SEED, planBench, validateBenchOptions, type BenchOptions, type BenchResult, type HttpSutSpec } from '../../app/bench.js';
import { defaultBenchModel, detectNvidiaGpu, planLines, STUDY_MODEL, type BenchPlan, type DurationEstimate } from '../../app/bench-plan.js';
import { parameterLines } from '../impact-parameters.js';
import { CACHE_DIR_ENV, parseModelSpec, resolveModelCacheDir } from '../../benchmark/bert/io/model-cache.js';
import { errors } from '../../errors.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { defaultSensorEnv } from '../../sensors/io/env.js';
import { SENSOR_SPECS } from '../../sensors/io/registry.js';
import type { Command } from '../command.js';
import { durationParser, integerParser, parseGridFlag, parseProviderFlag, parseSensorFlag, tableOrJsonParser } from '../flags.js';
import { renderJson, renderTable, type Column } from '../output.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, requireApplicable, type ParsedFlags } from '../spec.js';
import { progressReporter } from '../progress.js';
import type { QueryCountRow } from '../../app/bench-aggregate.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../../mlperf/types.js';
import { benchAccuracy, type AccuracyBenchResult } from '../../app/bench-accuracy-run.js';
import { resolve } from 'node:path';
import { LLM_FLAGS, LLM_MODES, llmHelp } from './bench-llm-flags.js';
import type { CliContext } from '../command.js';
import { benchTask } from '../../app/bench-task.js';

/** The study's campaign (the default), one planned run of a campaign file, or a served LLM (`--sut openai|ollama`). */
type BenchMode = 'campaign' | 'task' | 'openai' | 'ollama';
const CAMPAIGN = ['campaign'];
/** Flags of the campaign that a served LLM takes too. */
const SERVED = ['campaign', ...LLM_MODES];
/** Flags every planned run takes, as its campaign file says nothing of them. */
const STORES = ['campaign', 'task'];

function benchMode(values: { readonly [k: string]: unknown }): BenchMode {
  if (values['campaign-file'] !== undefined || values.task !== undefined) return 'task';
  return values.sut === 'openai' || values.sut === 'ollama' ? values.sut : 'campaign';
}

const printable = (raw: string): string => {
  if (!/^[\x21-\x7e]+$/.test(raw)) throw errors.usage('the token must be printable ASCII without spaces', '--token');
  return raw;
};

export const BENCH_FLAGS = defineFlags({
  model: {
    type: 'string',
    value: 'M',
    for: SERVED,
    help: [
      'synthetic:bert-tiny|synthetic:bert-base|synthetic:bert-large or PATH.onnx.',
      "Default: synthetic:bert-large, the study's model (MLPerf BERT-Large",
      'shape), where an accelerator runs it (an NVIDIA GPU found, or',
      '--provider cuda|auto); on a machine without one, synthetic:bert-tiny,',
      "which finishes in minutes (the study's model takes about an hour",
      'on a 2-core CPU)',
    ],
    sections: { llm: { label: '--model NAME', help: "the model's name on the server (as its /v1/models or /api/tags lists it)" } },
  },
  scenario: {
    type: 'string',
    value: 'S',
    for: CAMPAIGN,
    default: 'SingleStream',
    showDefault: false,
    parse: (raw) => parseScenario(raw),
    help: ["SingleStream (default, the study's), MultiStream (8 samples per query),", 'Server (Poisson arrivals at --target-qps), Offline (one query of N samples)'],
  },
  'target-qps': {
    type: 'string',
    value: 'Q[,Q...]',
    for: CAMPAIGN,
    parse: (raw) => parseRates(raw),
    help: [
      'Server: arrival rate in queries/s (required for Server); several make a',
      'sweep, each rate a set of runs (every query count × repetition), the',
      'table a row per rate and query count: the capacity at a latency target',
      'that `inferprint advise` reads from the runs directory',
    ],
  },
  mode: {
    type: 'string',
    value: 'M',
    for: CAMPAIGN,
    default: 'performance',
    showDefault: false,
    parse: (raw) => parseRunMode(raw),
    help: ['performance (default) or accuracy: one run over every SQuAD feature,', 'scored as MLPerf does (exact match, F1, bert-99); needs --dataset and --vocab'],
  },
  dataset: { type: 'string', value: 'FILE', for: CAMPAIGN, help: 'SQuAD v1.1 JSON (MLPerf: dev-v1.1.json), accuracy mode' },
  vocab: { type: 'string', value: 'FILE', for: CAMPAIGN, help: "the model's WordPiece vocab.txt, accuracy mode" },
  'batch-size': { type: 'string', value: 'B', for: CAMPAIGN, parse: integerParser('a positive integer'), help: 'most samples per ONNX Runtime call or HTTP request (default 1)' },
  sut: {
    type: 'string',
    value: 'onnxruntime|http|openai|ollama',
    default: 'onnxruntime',
    showDefault: false,
    parse: (raw) => parseSut(raw),
    help: [
      'the system under test: a local ONNX Runtime session (default) or a',
      'model served over the KServe v2 protocol (Triton, KServe,',
      '`inferprint serve-model`); power is measured on this machine, so',
      'run bench on the serving box or measure the server there',
    ],
    sections: { llm: { label: '--sut openai|ollama', help: "the server's API" } },
  },
  url: {
    type: 'string',
    value: 'URL',
    for: SERVED,
    help: "http: the server's base URL, e.g. http://gpu-box:8000",
    sections: { llm: { help: 'its base URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is fine)' } },
  },
  'model-name': { type: 'string', value: 'NAME', for: CAMPAIGN, help: "http: the model's name on the server (default bert)" },
  token: {
    type: 'string',
    value: 'T',
    for: SERVED,
    parse: printable,
    help: ["http: the server's token (serve-model --token), sent as", 'Authorization: Bearer T; not saved, give it again with --resume'],
    sections: {
      llm: {
        label: '--token T, --api-key-env VAR',
        help: [
          "the server's key (serve-model --token, vLLM --api-key), sent as a Bearer",
          'token; --api-key-env reads it from a variable (kept out of the process list)',
        ],
      },
    },
  },
  queries: { type: 'string', value: 'N,N,...', for: CAMPAIGN, default: '16,32,64,128,256', parse: (raw) => parseQueryCounts(raw), help: 'query counts' },
  runs: { type: 'string', value: 'K', for: CAMPAIGN, default: '10', parse: integerParser('a positive integer'), help: 'repetitions per query count' },
  // The campaign's default seed and the served LLM's differ: each branch says its own.
  seed: {
    type: 'string',
    value: 'N',
    for: SERVED,
    parse: integerParser('a non-negative integer'),
    help: `seed of the run order (default ${DEFAULT_CAMPAIGN_SEED})`,
    sections: { llm: { help: 'seed of generated prompts and Poisson arrivals (default 1)' } },
  },
  cooldown: { type: 'string', value: 'DURATION', for: SERVED, parse: durationParser('30s'), help: 'pause between runs, e.g. 30s (default none)', sections: { llm: { help: 'pause between levels' } } },
  sensor: { type: 'string', value: 'NAME', for: SERVED, default: 'auto', showDefault: false, parse: parseSensorFlag, help: `auto (default), ${SENSOR_SPECS.filter((s) => s !== 'auto').join(', ')}` },
  interval: { type: 'string', value: 'DURATION', for: SERVED, default: '100ms', parse: durationParser('50ms'), help: 'sampling interval' },
  provider: { type: 'string', value: 'cpu|cuda|auto', for: CAMPAIGN, default: 'cpu', parse: parseProviderFlag, help: 'ONNX Runtime provider' },
  hardware: { type: 'string', value: 'NAME', for: SERVED, help: 'hardware for the embodied part when the sensor does not name it' },
  grid: { type: 'string', value: 'ZONE|G_PER_KWH', for: SERVED, parse: parseGridFlag, help: 'grid factor (default WORLD)' },
  label: { type: 'string', value: 'TEXT', for: SERVED, help: 'label prefix of the runs' },
  resume: {
    type: 'boolean',
    for: CAMPAIGN,
    label: '--resume [ID]',
    help: ['continue the last campaign (or campaign ID) without redoing finished runs;', 'one process at a time runs a campaign (a second one refuses)'],
  },
  'dry-run': { type: 'boolean', for: CAMPAIGN, help: 'print the plan (runs, model and its source, estimated duration) and exit' },
  'campaign-file': {
    type: 'string',
    value: 'F',
    for: ['task'],
    label: '--campaign-file F --task I',
    help: [
      'run only the planned run I (from 0, in the campaign\'s run order) of the',
      'campaign file F, with the settings it was planned with, without',
      'rewriting F; nothing is run when a completed bundle of it is there.',
      'What each task of an `inferprint campaign` job array runs',
    ],
  },
  // Described with --campaign-file.
  task: { type: 'string', value: 'I', for: ['task'], hidden: true, parse: (raw) => parseTask(raw), help: 'the planned run of --campaign-file to run' },
  'runs-dir': { type: 'string', value: 'DIR', help: 'where runs are saved (campaigns in DIR/campaigns/)' },
  'cache-dir': { type: 'string', value: 'DIR', for: STORES, help: `synthetic model cache (default $${CACHE_DIR_ENV}, else XDG cache)` },
  format: { type: 'string', value: 'table|json', default: 'table', showDefault: false, parse: tableOrJsonParser('bench', ' (analyze --format csv gives the CSV)'), help: 'output' },
  verbose: { type: 'boolean', help: 'say every reason for the sensor choice (also with --debug)' },
  ...LLM_FLAGS,
});

/** The main option list of --help; the served LLM's flags have their section (bench-llm-flags.ts). */
const MAIN_LIST = [
  'model', 'scenario', 'target-qps', 'mode', 'dataset', 'vocab', 'batch-size', 'sut', 'url', 'model-name', 'token', 'queries', 'runs', 'seed', 'cooldown',
  'sensor', 'interval', 'provider', 'hardware', 'grid', 'label', 'resume', 'dry-run', 'campaign-file', 'runs-dir', 'cache-dir', 'format', 'verbose',
];

const SPEC = defineCommand({
  flags: BENCH_FLAGS,
  mode: (values) => benchMode(values),
  refuse: (flag, mode) =>
    mode === 'task'
      ? `--campaign-file runs a run as its campaign planned it; --${flag} cannot change that`
      : mode === 'campaign'
        ? `--${flag} is for served LLMs (--sut openai|ollama)`
        : `--${flag} is for the BERT campaign, not for --sut ${mode}`,
  // `--resume ID`: the id is the only argument.
  args: { campaign: [0, 1], task: [0, 0], openai: [0, 0], ollama: [0, 0] },
});

export type BenchFlags = ParsedFlags<typeof BENCH_FLAGS>;

function parseScenario(raw: string): MlperfScenario {
  if (!isScenario(raw)) throw errors.usage(`expected SingleStream, MultiStream, Server or Offline, got '${raw}'`, '--scenario');
  return raw;
}

/** One rate stays a number (the campaign file of a single rate is as before); several are a sweep. */
function parseRates(raw: string): number | number[] {
  const rates = raw.split(',').map((x) => (/^\d+(\.\d+)?$/.test(x.trim()) ? Number(x) : Number.NaN));
  if (rates.some((q) => Number.isNaN(q))) throw errors.usage(`expected rates in queries/s such as 10, 2.5 or 50,100,200, got '${raw}'`, '--target-qps');
  return rates.length === 1 ? rates[0]! : rates;
}

function parseQueryCounts(raw: string): number[] {
  const counts = raw.split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s) : Number.NaN));
  if (counts.some((n) => Number.isNaN(n))) throw errors.usage(`expected positive integers separated by commas, got '${raw}'`, '--queries');
  return counts;
}

function parseRunMode(raw: string): 'performance' | 'accuracy' {
  if (raw !== 'performance' && raw !== 'accuracy') throw errors.usage(`expected performance or accuracy, got '${raw}'`, '--mode');
  return raw;
}

function parseSut(raw: string): 'onnxruntime' | 'http' | 'openai' | 'ollama' {
  if (raw !== 'onnxruntime' && raw !== 'http' && raw !== 'openai' && raw !== 'ollama') throw errors.usage(`expected onnxruntime, http, openai or ollama, got '${raw}'`, '--sut');
  return raw;
}

function parseTask(raw: string): number {
  if (!/^\d+$/.test(raw)) throw errors.usage(`expected a task index (0, 1, ...), got '${raw}'`, '--task');
  return Number(raw);
}

const HELP = `Usage: inferprint bench [options]

Runs the study's campaign: BERT PerformanceOnly with min = max query count = N (LoadGen v4.1
semantics, official seeds) on ONNX Runtime, every query count × repetition in a shuffled order,
each run measured and saved as a run bundle with its MLPerf logs.

Before the first run it prints the plan: the runs, the scenario, the model and where it comes
from (cached, or generated locally with its size: nothing is ever downloaded) and an estimated
duration with its basis; --dry-run prints only that. It never prompts.

Options:
${optionLines(BENCH_FLAGS, { width: 25, names: MAIN_LIST })}
${llmHelp(BENCH_FLAGS)}`;

export const benchCommand: Command = {
  name: 'bench',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, BENCH_FLAGS);
    const { values, positionals } = f;
    const branch = benchMode(values);
    if (branch === 'task') return runTask(ctx, f, positionals);
    if (branch === 'openai' || branch === 'ollama') {
      if (positionals.length > 0) throw errors.usage(`unexpected argument '${positionals[0]!}'`);
      requireApplicable(SPEC, values, branch);
      const { runLlmBench } = await import('./bench-llm.js');
      return runLlmBench(ctx, branch, f);
    }
    requireApplicable(SPEC, values, branch);
    // A resumed campaign runs the rest as it was planned: a flag that would change that is refused,
    // not silently ignored (mixing CPU and GPU runs in one table, say).
    if (values.resume === true) {
      const planning = ['model', 'scenario', 'queries', 'runs', 'seed', 'cooldown', 'sensor', 'interval', 'provider', 'hardware', 'grid', 'label', 'target-qps', 'batch-size', 'sut', 'url', 'model-name', 'mode', 'dataset', 'vocab'] as const;
      const given = planning.find((k) => values[k] !== undefined);
      if (given !== undefined) throw errors.usage(`--resume continues a campaign with the settings it was planned with; --${given} cannot change them`, `--${given}`);
    }
    // `--resume ID`: the id arrives as the only positional.
    if (positionals.length > (values.resume === true ? 1 : 0)) throw errors.usage(`unexpected argument '${positionals.at(-1)!}'`);
    const scenario = f.get('scenario');
    const targetQps = f.get('target-qps');
    const batchSize = f.get('batch-size');
    const queryCounts = f.get('queries');
    const runs = f.get('runs');
    const seed = f.get('seed') ?? DEFAULT_CAMPAIGN_SEED;
    const intervalS = f.get('interval');
    const cooldownS = f.get('cooldown') ?? 0;
    const provider = f.get('provider');
    f.get('grid');
    const format = f.get('format');
    validateBenchOptions({ queryCounts, runs, seed, intervalS, cooldownS, scenario, ...(targetQps !== undefined ? { targetQps } : {}), ...(batchSize !== undefined ? { batchSize } : {}) });
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const cacheDir = resolveModelCacheDir({ flag: values['cache-dir'], env: ctx.env, cwd: ctx.cwd }).path;

    const sutKind = f.get('sut');
    let http: HttpSutSpec | undefined;
    if (sutKind === 'http') {
      if (values.url === undefined) throw errors.usage("the HTTP system under test needs the server's URL, e.g. --url http://127.0.0.1:8000", '--url');
      if (values.model !== undefined) throw errors.usage('with --sut http the model lives on the server: name it with --model-name', '--model');
      if (values.provider !== undefined) throw errors.usage('with --sut http the server chooses its execution provider', '--provider');
      http = { url: values.url, modelName: values['model-name'] ?? 'bert' };
    } else {
      for (const flag of ['url', 'model-name'] as const) if (values[flag] !== undefined) throw errors.usage(`--${flag} is for --sut http`, `--${flag}`);
      if (values.token !== undefined && values.resume !== true) throw errors.usage('--token is for --sut http', '--token');
    }
    const httpToken = f.get('token');
    const mode = f.get('mode');
    if (mode === 'accuracy' && values['dry-run'] === true) throw errors.usage('--dry-run plans performance campaigns; an accuracy run is one run over every SQuAD feature', '--dry-run');
    const sensorEnv = { ...(await defaultSensorEnv()), env: ctx.env };
    // No --model: the study's where an accelerator runs it, else one that finishes in minutes.
    const defaultModel = http || values.model !== undefined || values.resume === true
      ? undefined
      : defaultBenchModel(provider, provider === 'cpu' ? await detectNvidiaGpu(sensorEnv) : undefined);
    // A served model is recorded by where it is served; a local one is checked now, before any run.
    const model = http ? `kserve:${http.modelName}@${http.url}` : (values.model ?? defaultModel?.model ?? STUDY_MODEL);
    if (!http) parseModelSpec(model);
    if (mode === 'accuracy') {
      if (values.dataset === undefined) throw errors.usage('accuracy mode scores answers against a SQuAD v1.1 file: give --dataset dev-v1.1.json', '--dataset');
      if (values.vocab === undefined) throw errors.usage("accuracy mode tokenises with the model's vocabulary: give --vocab vocab.txt", '--vocab');
      for (const flag of ['queries', 'runs', 'seed', 'cooldown', 'resume'] as const) {
        if (values[flag] !== undefined) throw errors.usage(`accuracy mode runs every SQuAD feature once: --${flag} does not apply`, `--${flag}`);
      }
      if (typeof targetQps === 'object') throw errors.usage('accuracy mode is one run: give one arrival rate, not a sweep', '--target-qps');
      if (defaultModel) {
        ctx.stderr(`inferprint bench: no --model given: ${defaultModel.why}\n`);
        if (defaultModel.studyHint !== undefined) ctx.stderr(`inferprint bench: ${defaultModel.studyHint}\n`);
      }
      const progress = progressReporter(ctx, 'bench');
      const r = await benchAccuracy({
        model,
        datasetPath: resolve(ctx.cwd, values.dataset),
        vocabPath: resolve(ctx.cwd, values.vocab),
        scenario,
        ...(typeof targetQps === 'number' ? { targetQps } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        provider,
        ...(http ? { http } : {}),
        ...(httpToken !== undefined ? { httpToken } : {}),
        sensor: f.get('sensor'),
        intervalS,
        runsDir,
        cacheDir,
        cwd: ctx.cwd,
        env: sensorEnv,
        onStatus: (line) => { ctx.stderr(`${line}\n`); },
        verbose: values.verbose === true || ctx.debug === true,
        onProgress: (d, t, what) => { progress.update(d, t, what); },
        ...(values.label !== undefined ? { label: values.label } : {}),
        ...(values.hardware !== undefined ? { hardware: values.hardware } : {}),
        ...(values.grid !== undefined ? { grid: values.grid } : {}),
      });
      progress.done();
      ctx.stdout(format === 'json' ? renderJson(accuracyJson(r)) : accuracyText(r));
      return 0;
    }
    const options: BenchOptions = {
      model,
      queryCounts,
      runs,
      seed,
      cooldownS,
      sensor: f.get('sensor'),
      intervalS,
      provider,
      scenario,
      ...(targetQps !== undefined ? { targetQps } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(http ? { http } : {}),
      ...(httpToken !== undefined ? { httpToken } : {}),
      runsDir,
      cacheDir,
      cwd: ctx.cwd,
      env: sensorEnv,
      onStatus: (line) => { ctx.stderr(`${line}\n`); },
      verbose: values.verbose === true || ctx.debug === true,
      ...(values.resume === true ? { resume: positionals[0] ?? true } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(values.hardware !== undefined ? { hardware: values.hardware } : {}),
      ...(values.grid !== undefined ? { grid: values.grid } : {}),
      ...(defaultModel ? { defaultModel } : {}),
    };
    if (values['dry-run'] === true) {
      const plan = await planBench(options);
      ctx.stdout(format === 'json' ? renderJson({ dry_run: true, plan: planJson(plan) }) : `${planLines(plan, { sensor: true }).join('\n')}\n`);
      return 0;
    }
    const progress = progressReporter(ctx, 'bench');
    const result = await bench({ ...options, signals: process, onProgress: (d, t, what) => { progress.update(d, t, what); } });
    progress.done();
    ctx.stdout(format === 'json' ? renderJson(toJson(result)) : renderText(result, runsDir));
    if (result.interrupted !== undefined) return signalExitCode(result.interrupted);
    return result.remaining === 0 ? 0 : 1;
  },
};

function accuracyJson(r: AccuracyBenchResult) {
  return {
    mode: 'accuracy',
    model: r.model,
    scenario: r.scenario,
    sensor: r.sensor.name,
    estimated: r.sensor.estimated,
    questions: r.questionCount,
    samples: r.sampleCount,
    exact_match: r.scores.exactMatch,
    f1: r.scores.f1,
    target: r.check.target,
    required_f1: r.check.requiredF1,
    passed: r.check.passed,
    bundle: r.bundle.path,
  };
}

function accuracyText(r: AccuracyBenchResult): string {
  const verdict = r.check.passed ? 'PASS' : 'FAIL';
  return [
    `accuracy run (${r.model}, ${r.scenario}, LoadGen v4.1): ${r.questionCount} questions, ${r.sampleCount} features`,
    `exact match ${r.scores.exactMatch.toFixed(3)} %, F1 ${r.scores.f1.toFixed(3)} % — ${r.check.target} ${verdict} (needs F1 ≥ ${r.check.requiredF1.toFixed(3)})`,
    `energy from sensor ${r.sensor.name}${r.sensor.estimated ? ' — ESTIMATED (no power sensor here), not measured' : ''}`,
    `bundle ${r.bundle.path} (mlperf_log_accuracy.json, predictions.json, accuracy.txt)`,
    '',
  ].join('\n');
}

const isScenario = (s: string): s is MlperfScenario => (MLPERF_SCENARIOS as readonly string[]).includes(s);

const estimateJson = (e: DurationEstimate) => ({ seconds: e.seconds, kind: e.kind, basis: e.basis });

export function planJson(p: BenchPlan) {
  const s = p.source;
  return {
    ...(p.campaignId !== undefined ? { campaign_id: p.campaignId } : {}),
    runs: p.runs,
    planned_runs: p.plannedRuns,
    query_counts: p.queryCounts,
    repetitions: p.repetitions,
    queries: p.queries,
    scenario: p.scenario,
    ...(p.targetQps !== undefined ? { target_qps: p.targetQps } : {}),
    ...(p.targetQpsSweep !== undefined ? { target_qps_sweep: p.targetQpsSweep } : {}),
    ...(p.batchSize !== undefined ? { batch_size: p.batchSize } : {}),
    model: p.model,
    // Where the model comes from; nothing is ever downloaded at run time.
    model_source:
      s.kind === 'http'
        ? { kind: s.kind, url: s.url, model_name: s.modelName }
        : s.kind === 'file'
          ? { kind: s.kind, path: s.path, bytes: s.bytes }
          : { kind: s.kind, preset: s.preset, cached: s.cached, path: s.path, bytes: s.bytes, ...(s.cached ? {} : { generated_locally: true, generation_s: s.generationS }) },
    downloaded_bytes: 0,
    ...(p.defaultModel ? { default_model: { why: p.defaultModel.why, ...(p.defaultModel.studyHint !== undefined ? { study_hint: p.defaultModel.studyHint } : {}) } } : {}),
    sensor: p.sensor.name,
    estimated_power: p.sensor.estimated,
    estimate: estimateJson(p.estimate),
    ...(p.study ? { study_model: { model: STUDY_MODEL, bytes: p.study.source.kind === 'synthetic' ? p.study.source.bytes : null, estimate: estimateJson(p.study.estimate) } } : {}),
  };
}

export function toJson(r: BenchResult) {
  return {
    campaign_id: r.campaign.id,
    campaign_path: r.campaignPath,
    scenario: r.campaign.scenario,
    ...(r.campaign.targetQps !== undefined ? { target_qps: r.campaign.targetQps } : {}),
    ...(r.campaign.targetQpsSweep !== undefined ? { target_qps_sweep: r.campaign.targetQpsSweep } : {}),
    sensor: r.sensor.name,
    estimated: r.sensor.estimated,
    planned: r.campaign.planned.length,
    finished: r.campaign.finished.length,
    plan: planJson(r.plan),
    bundles: r.bundlePaths,
    per_query_count: r.rows.map((x) => ({
      ...(x.targetQps !== undefined ? { target_qps: x.targetQps } : {}),
      query_count: x.queryCount,
      runs: x.runs,
      mean_energy_j: x.meanEnergyJ,
      mean_compute_energy_j: x.meanComputeEnergyJ,
      mean_latency_ms: x.meanLatencyMs,
      p90_latency_ms: x.p90LatencyMs,
      // `operational+embodied`, `operational only`, `mixed` (then no mean: see the per-scope values) or `none`.
      gwp_scope: x.gwpScope,
      gwp_mg_per_run: x.gwpMgPerRun,
      gwp_mg_per_run_by_scope: x.gwpByScope.map((g) => ({ scope: g.scope, runs: g.runs, mean_mg_per_run: g.meanMgPerRun })),
    })),
    impact_parameters: r.parameterSets.map((p) => ({ scope: p.scope, runs: p.runs, parameters: p.used })),
    // Finished runs left out of the table (their bundle could not be read), as `runs list --format json` reports them.
    skipped: r.skipped,
  };
}

/** The arrival-rate column of a Server campaign's table (a sweep's rows are per rate and query count). */
const QPS_COLUMN: Column<QueryCountRow> = { key: 'target_qps', header: 'QPS', value: (x) => x.targetQps, align: 'right' };

const COLUMNS: readonly Column<QueryCountRow>[] = [
  { key: 'queries', header: 'queries', value: (x) => x.queryCount, align: 'right' },
  { key: 'runs', header: 'runs', value: (x) => x.runs, align: 'right' },
  { key: 'energy_j', header: 'energy (J)', value: (x) => x.meanEnergyJ, digits: 3 },
  { key: 'compute_j', header: 'compute (J)', value: (x) => x.meanComputeEnergyJ, digits: 3 },
  { key: 'mean_ms', header: 'mean lat (ms)', value: (x) => x.meanLatencyMs, digits: 3 },
  { key: 'p90_ms', header: 'p90 lat (ms)', value: (x) => x.p90LatencyMs, digits: 3 },
  { key: 'gwp_mg', header: 'GWP (mg/run)', value: (x) => x.gwpMgPerRun, digits: 4 },
  { key: 'scope', header: 'GWP scope', value: (x) => (x.gwpScope === 'none' ? null : x.gwpScope) },
];

const SCOPE_MEANING = {
  'operational+embodied': 'operational+embodied = E × grid × PUE + (duration / lifetime) × F_embodied (the full LCA)',
  'operational only': 'operational only = E × grid × PUE: the hardware is not in the database, so manufacturing is left out (--hardware NAME adds it)',
} as const;

/** Under the table: what each scope counts, rows that mix scopes, and the parameters used. */
export function gwpFooter(r: Pick<BenchResult, 'rows' | 'parameterSets'>): string[] {
  const out: string[] = [];
  const scopes = [...new Set(r.rows.flatMap((x) => x.gwpByScope.map((g) => g.scope)))];
  for (const scope of scopes) out.push(`GWP scope: ${SCOPE_MEANING[scope]}`);
  for (const x of r.rows) {
    if (x.gwpScope !== 'mixed') continue;
    const parts = x.gwpByScope.map((g) => `${g.runs} run${g.runs === 1 ? '' : 's'} ${g.scope} (mean ${g.meanMgPerRun.toPrecision(4)} mg)`);
    out.push(`Note: ${x.queryCount} queries mixes GWP scopes — ${parts.join(', ')}: not averaged together (the hardware was known for some runs only)`);
  }
  for (const p of r.parameterSets) {
    out.push(`Parameters (${p.scope}, ${p.runs} run${p.runs === 1 ? '' : 's'}):`);
    out.push(...parameterLines(p.used));
  }
  return out;
}

function renderText(r: BenchResult, runsDir: string): string {
  const lines = [
    `campaign ${r.campaign.id}: ${r.campaign.finished.length}/${r.campaign.planned.length} runs (${r.campaign.model}, ${r.campaign.scenario}${r.campaign.targetQpsSweep !== undefined ? ` at ${r.campaign.targetQpsSweep.join(', ')} QPS` : r.campaign.targetQps !== undefined ? ` at ${r.campaign.targetQps} QPS` : ''}, LoadGen v4.1)`,
    `energy from sensor ${r.sensor.name}${r.sensor.estimated ? ' — ESTIMATED (no power sensor here), not measured' : ''}`,
    '',
    renderTable(r.rows.some((x) => x.targetQps !== undefined) ? [QPS_COLUMN, ...COLUMNS] : COLUMNS, r.rows).trimEnd(),
    '',
    ...gwpFooter(r),
    '',
    `bundles in ${runsDir}; campaign file ${r.campaignPath}`,
  ];
  if (r.skipped.length > 0) lines.push(`${r.skipped.length} finished run(s) left out of the table, their bundle could not be read (why: on stderr): ${r.skipped.map((x) => x.name).join(', ')}`);
  if (r.remaining > 0) lines.push(`${r.remaining} run(s) missing: inferprint bench --resume ${r.campaign.id}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// One planned run of a campaign file (a job array task)

/** `bench --campaign-file F --task I`: everything else comes from F, so a flag that would plan differently is refused. */
async function runTask(ctx: CliContext, f: BenchFlags, positionals: readonly string[]): Promise<number> {
  const { values } = f;
  const file = values['campaign-file'];
  if (file === undefined) throw errors.usage('--task runs one planned run of a campaign file: give --campaign-file F', '--campaign-file');
  if (values.task === undefined) throw errors.usage('--campaign-file runs one planned run: give its index with --task I (from 0)', '--task');
  requireApplicable(SPEC, values, 'task');
  if (positionals.length > 0) throw errors.usage(`unexpected argument '${positionals[0]!}'`);
  const task = f.get('task')!;
  const format = f.get('format');
  const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
  const cacheDir = resolveModelCacheDir({ flag: values['cache-dir'], env: ctx.env, cwd: ctx.cwd }).path;
  const r = await benchTask({
    campaignFile: resolve(ctx.cwd, file),
    task,
    runsDir,
    cacheDir,
    cwd: ctx.cwd,
    env: { ...(await defaultSensorEnv()), env: ctx.env },
    onStatus: (line) => { ctx.stderr(`${line}\n`); },
    verbose: values.verbose === true || ctx.debug === true,
    signals: process,
  });
  const state = r.kind === 'already-done' ? 'already-done' : r.status.kind;
  if (format === 'json') {
    ctx.stdout(renderJson({ campaign_id: r.campaign.id, task, key: r.planned.key, query_count: r.planned.queryCount, repetition: r.planned.repetition, state, bundle: r.bundleId }));
  } else {
    ctx.stdout(`campaign ${r.campaign.id} task ${task} (${r.planned.key}): ${state}, bundle ${r.bundleId}\n`);
  }
  if (r.kind === 'already-done') return 0;
  if (r.interrupted !== undefined) return signalExitCode(r.interrupted);
  return r.status.kind === 'completed' ? 0 : 1;
}
