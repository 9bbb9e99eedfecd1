import { signalExitCode } from '../../app/measure.js';
import { bench, DEFAULT_CAMPAIGN_SEED, validateBenchOptions, type BenchResult, type HttpSutSpec } from '../../app/bench.js';
import { CACHE_DIR_ENV, parseModelSpec, resolveModelCacheDir } from '../../benchmark/bert/model-cache.js';
import { errors } from '../../errors.js';
import { resolveRunsDir } from '../../runs/runs-dir.js';
import { defaultSensorEnv } from '../../sensors/types.js';
import { SENSOR_SPECS } from '../../sensors/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { parseDurationFlag, parseGridFlag, parseIntegerFlag, parseProviderFlag } from '../flags.js';
import { parseFormat, renderJson, renderTable, type Column } from '../output.js';
import { progressReporter } from '../progress.js';
import type { QueryCountRow } from '../../app/bench.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../../mlperf/types.js';
import { benchAccuracy, type AccuracyBenchResult } from '../../app/bench-accuracy-run.js';
import { resolve } from 'node:path';

const HELP = `Usage: inferprint bench [options]

Runs the study's campaign: BERT PerformanceOnly with min = max query count = N (LoadGen v4.1
semantics, official seeds) on ONNX Runtime, every query count × repetition in a shuffled order,
each run measured and saved as a run bundle with its MLPerf logs.

Options:
  --model M              synthetic:bert-tiny|synthetic:bert-base|synthetic:bert-large (default) or PATH.onnx
  --scenario S           SingleStream (default, the study's), MultiStream (8 samples per query),
                         Server (Poisson arrivals at --target-qps), Offline (one query of N samples)
  --target-qps Q         Server: arrival rate in queries/s (required for Server)
  --mode M               performance (default) or accuracy: one run over every SQuAD feature,
                         scored as MLPerf does (exact match, F1, bert-99); needs --dataset and --vocab
  --dataset FILE         SQuAD v1.1 JSON (MLPerf: dev-v1.1.json), accuracy mode
  --vocab FILE           the model's WordPiece vocab.txt, accuracy mode
  --batch-size B         most samples per ONNX Runtime call or HTTP request (default 1)
  --sut onnxruntime|http the system under test: a local ONNX Runtime session (default) or a
                         model served over the KServe v2 protocol (Triton, KServe,
                         \`inferprint serve-model\`); power is measured on this machine, so
                         run bench on the serving box or measure the server there
  --url URL              http: the server's base URL, e.g. http://gpu-box:8000
  --model-name NAME      http: the model's name on the server (default bert)
  --queries N,N,...      query counts (default 16,32,64,128,256)
  --runs K               repetitions per query count (default 10)
  --seed N               seed of the run order (default ${DEFAULT_CAMPAIGN_SEED})
  --cooldown DURATION    pause between runs, e.g. 30s (default none)
  --sensor NAME          auto (default), ${SENSOR_SPECS.filter((s) => s !== 'auto').join(', ')}
  --interval DURATION    sampling interval (default 100ms)
  --provider cpu|cuda|auto  ONNX Runtime provider (default cpu)
  --hardware NAME        hardware for the embodied part when the sensor does not name it
  --grid ZONE|G_PER_KWH  grid factor (default WORLD)
  --label TEXT           label prefix of the runs
  --resume [ID]          continue the last campaign (or campaign ID) without redoing finished runs
  --runs-dir DIR         where runs are saved (campaigns in DIR/campaigns/)
  --cache-dir DIR        synthetic model cache (default $${CACHE_DIR_ENV}, else XDG cache)
  --format table|json    output
  --verbose              say every reason for the sensor choice (also with --debug)
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'the study campaign: LoadGen + ONNX Runtime BERT, power measured, one bundle per run',
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      model: { type: 'string' },
      scenario: { type: 'string' },
      'target-qps': { type: 'string' },
      mode: { type: 'string' },
      sut: { type: 'string' },
      url: { type: 'string' },
      'model-name': { type: 'string' },
      dataset: { type: 'string' },
      vocab: { type: 'string' },
      'batch-size': { type: 'string' },
      queries: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      cooldown: { type: 'string' },
      sensor: { type: 'string' },
      interval: { type: 'string' },
      provider: { type: 'string' },
      hardware: { type: 'string' },
      grid: { type: 'string' },
      label: { type: 'string' },
      resume: { type: 'boolean' },
      'runs-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      format: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    // A resumed campaign runs the rest as it was planned: a flag that would change that is refused,
    // not silently ignored (mixing CPU and GPU runs in one table, say).
    if (values.resume === true) {
      const planning = ['model', 'scenario', 'queries', 'runs', 'seed', 'cooldown', 'sensor', 'interval', 'provider', 'hardware', 'grid', 'label', 'target-qps', 'batch-size', 'sut', 'url', 'model-name', 'mode', 'dataset', 'vocab'] as const;
      const given = planning.find((f) => values[f] !== undefined);
      if (given !== undefined) throw errors.usage(`--resume continues a campaign with the settings it was planned with; --${given} cannot change them`, `--${given}`);
    }
    // `--resume ID`: the id arrives as the only positional.
    if (positionals.length > (values.resume === true ? 1 : 0)) throw errors.usage(`unexpected argument '${positionals.at(-1)!}'`);
    const scenario = values.scenario ?? 'SingleStream';
    if (!isScenario(scenario)) throw errors.usage(`expected SingleStream, MultiStream, Server or Offline, got '${scenario}'`, '--scenario');
    const targetQps = values['target-qps'] === undefined ? undefined : /^\d+(\.\d+)?$/.test(values['target-qps']) ? Number(values['target-qps']) : Number.NaN;
    if (targetQps !== undefined && Number.isNaN(targetQps)) throw errors.usage(`expected a rate in queries/s such as 10 or 2.5, got '${values['target-qps'] ?? ''}'`, '--target-qps');
    const batchSize = values['batch-size'] === undefined ? undefined : parseIntegerFlag(values['batch-size'], '--batch-size', 'a positive integer');
    const queryCounts = (values.queries ?? '16,32,64,128,256').split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s) : Number.NaN));
    if (queryCounts.some((n) => Number.isNaN(n))) throw errors.usage(`expected positive integers separated by commas, got '${values.queries ?? ''}'`, '--queries');
    const runs = values.runs === undefined ? 10 : parseIntegerFlag(values.runs, '--runs', 'a positive integer');
    const seed = values.seed === undefined ? DEFAULT_CAMPAIGN_SEED : parseIntegerFlag(values.seed, '--seed', 'a non-negative integer');
    const intervalS = values.interval === undefined ? 0.1 : parseDurationFlag(values.interval, '--interval', '50ms');
    const cooldownS = values.cooldown === undefined ? 0 : parseDurationFlag(values.cooldown, '--cooldown', '30s');
    const provider = parseProviderFlag(values.provider ?? 'cpu');
    if (values.grid !== undefined) parseGridFlag(values.grid);
    const format = parseFormat(values.format);
    if (format === 'csv') throw errors.usage('bench prints table or json', '--format');
    validateBenchOptions({ queryCounts, runs, seed, intervalS, cooldownS, scenario, ...(targetQps !== undefined ? { targetQps } : {}), ...(batchSize !== undefined ? { batchSize } : {}) });
    const runsDir = resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const cacheDir = resolveModelCacheDir({ flag: values['cache-dir'], env: ctx.env, cwd: ctx.cwd }).path;

    const sutKind = values.sut ?? 'onnxruntime';
    if (sutKind !== 'onnxruntime' && sutKind !== 'http') throw errors.usage(`expected onnxruntime or http, got '${sutKind}'`, '--sut');
    let http: HttpSutSpec | undefined;
    if (sutKind === 'http') {
      if (values.url === undefined) throw errors.usage("the HTTP system under test needs the server's URL, e.g. --url http://127.0.0.1:8000", '--url');
      if (values.model !== undefined) throw errors.usage('with --sut http the model lives on the server: name it with --model-name', '--model');
      if (values.provider !== undefined) throw errors.usage('with --sut http the server chooses its execution provider', '--provider');
      http = { url: values.url, modelName: values['model-name'] ?? 'bert' };
    } else {
      for (const flag of ['url', 'model-name'] as const) if (values[flag] !== undefined) throw errors.usage(`--${flag} is for --sut http`, `--${flag}`);
    }
    // A served model is recorded by where it is served; a local one is checked now, before any run.
    const model = http ? `kserve:${http.modelName}@${http.url}` : (values.model ?? 'synthetic:bert-large');
    if (!http) parseModelSpec(model);
    const mode = values.mode ?? 'performance';
    if (mode !== 'performance' && mode !== 'accuracy') throw errors.usage(`expected performance or accuracy, got '${mode}'`, '--mode');
    const sensorEnv = { ...(await defaultSensorEnv()), env: ctx.env };
    if (mode === 'accuracy') {
      if (values.dataset === undefined) throw errors.usage('accuracy mode scores answers against a SQuAD v1.1 file: give --dataset dev-v1.1.json', '--dataset');
      if (values.vocab === undefined) throw errors.usage("accuracy mode tokenises with the model's vocabulary: give --vocab vocab.txt", '--vocab');
      for (const flag of ['queries', 'runs', 'seed', 'cooldown', 'resume'] as const) {
        if (values[flag] !== undefined) throw errors.usage(`accuracy mode runs every SQuAD feature once: --${flag} does not apply`, `--${flag}`);
      }
      const progress = progressReporter(ctx, 'bench');
      const r = await benchAccuracy({
        model,
        datasetPath: resolve(ctx.cwd, values.dataset),
        vocabPath: resolve(ctx.cwd, values.vocab),
        scenario,
        ...(targetQps !== undefined ? { targetQps } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        provider,
        ...(http ? { http } : {}),
        sensor: values.sensor ?? 'auto',
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
    const progress = progressReporter(ctx, 'bench');
    const result = await bench({
      signals: process,
      model,
      queryCounts,
      runs,
      seed,
      cooldownS,
      sensor: values.sensor ?? 'auto',
      intervalS,
      provider,
      scenario,
      ...(targetQps !== undefined ? { targetQps } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(http ? { http } : {}),
      runsDir,
      cacheDir,
      cwd: ctx.cwd,
      env: sensorEnv,
      onStatus: (line) => { ctx.stderr(`${line}\n`); },
      verbose: values.verbose === true || ctx.debug === true,
      onProgress: (d, t, what) => { progress.update(d, t, what); },
      ...(values.resume === true ? { resume: positionals[0] ?? true } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(values.hardware !== undefined ? { hardware: values.hardware } : {}),
      ...(values.grid !== undefined ? { grid: values.grid } : {}),
    });
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

export function toJson(r: BenchResult) {
  return {
    campaign_id: r.campaign.id,
    campaign_path: r.campaignPath,
    scenario: r.campaign.scenario,
    ...(r.campaign.targetQps !== undefined ? { target_qps: r.campaign.targetQps } : {}),
    sensor: r.sensor.name,
    estimated: r.sensor.estimated,
    planned: r.campaign.planned.length,
    finished: r.campaign.finished.length,
    bundles: r.bundlePaths,
    per_query_count: r.rows.map((x) => ({
      query_count: x.queryCount,
      runs: x.runs,
      mean_energy_j: x.meanEnergyJ,
      mean_compute_energy_j: x.meanComputeEnergyJ,
      mean_latency_ms: x.meanLatencyMs,
      p90_latency_ms: x.p90LatencyMs,
      gwp_mg_per_run: x.gwpMgPerRun,
    })),
  };
}

const COLUMNS: readonly Column<QueryCountRow>[] = [
  { key: 'queries', header: 'queries', value: (x) => x.queryCount, align: 'right' },
  { key: 'runs', header: 'runs', value: (x) => x.runs, align: 'right' },
  { key: 'energy_j', header: 'energy (J)', value: (x) => x.meanEnergyJ, digits: 3 },
  { key: 'compute_j', header: 'compute (J)', value: (x) => x.meanComputeEnergyJ, digits: 3 },
  { key: 'mean_ms', header: 'mean lat (ms)', value: (x) => x.meanLatencyMs, digits: 3 },
  { key: 'p90_ms', header: 'p90 lat (ms)', value: (x) => x.p90LatencyMs, digits: 3 },
  { key: 'gwp_mg', header: 'GWP (mg/run)', value: (x) => x.gwpMgPerRun ?? Number.NaN, digits: 4 },
];

function renderText(r: BenchResult, runsDir: string): string {
  const lines = [
    `campaign ${r.campaign.id}: ${r.campaign.finished.length}/${r.campaign.planned.length} runs (${r.campaign.model}, ${r.campaign.scenario}${r.campaign.targetQps !== undefined ? ` at ${r.campaign.targetQps} QPS` : ''}, LoadGen v4.1)`,
    `energy from sensor ${r.sensor.name}${r.sensor.estimated ? ' — ESTIMATED (no power sensor here), not measured' : ''}`,
    '',
    renderTable(COLUMNS, r.rows).trimEnd(),
    '',
    `bundles in ${runsDir}; campaign file ${r.campaignPath}`,
  ];
  if (r.remaining > 0) lines.push(`${r.remaining} run(s) missing: inferprint bench --resume ${r.campaign.id}`);
  return `${lines.join('\n')}\n`;
}
