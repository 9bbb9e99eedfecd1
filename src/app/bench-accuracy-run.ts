/**
 * `inferprint bench --mode accuracy`: one measured MLPerf accuracy run. The SQuAD dataset and
 * `vocab.txt` become the QSL's features; LoadGen runs every feature once (accuracy mode) against
 * the ONNX Runtime session; the responses are scored as the MLPerf scripts score them (exact
 * match, F1, the bert-99 verdict); and, like a performance run, the whole thing is measured and
 * saved as one run bundle holding `mlperf_log_accuracy.json`, the detail and summary logs,
 * `predictions.json` and `accuracy.txt`.
 */
import type { MlperfScenario } from '../mlperf/types.js';
import { parseModelSpec, resolveModel } from '../benchmark/bert/io/model-cache.js';
import type { OrtProviderRequest } from '../benchmark/sut/io/onnxruntime.js';
import { loadSquadQsl } from '../benchmark/qsl/io/squad.js';
import type { AccuracyCheck, SquadScores } from '../benchmark/squad/evaluate.js';
import { chooseSensor } from '../sensors/io/registry.js';
import type { SensorEnv } from '../sensors/types.js';
import { accuracyCheck, type AccuracyCheckResult } from './bench-accuracy.js';
import { BENCH_RELEASE, measuredBenchRun, openBenchSut, type HttpSutSpec } from './bench.js';

export interface AccuracyBenchOptions {
  readonly model: string;
  readonly datasetPath: string;
  readonly vocabPath: string;
  readonly scenario: MlperfScenario;
  /** Server: arrival rate, queries/s. */
  readonly targetQps?: number;
  readonly batchSize?: number;
  readonly provider?: OrtProviderRequest;
  /** A model served over HTTP (KServe v2) instead of a local session. */
  readonly http?: HttpSutSpec;
  /** The served model's bearer token (`serve-model --token`). */
  readonly httpToken?: string;
  readonly sensor: string;
  readonly intervalS: number;
  readonly label?: string;
  readonly hardware?: string;
  readonly grid?: string;
  readonly runsDir: string;
  readonly cacheDir: string;
  readonly cwd: string;
  readonly env: SensorEnv;
  readonly onStatus?: (line: string) => void;
  /** Say every reason for the sensor choice, not its short line (`--verbose`, `--debug`). */
  readonly verbose?: boolean;
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

export interface AccuracyBenchResult {
  readonly bundle: { readonly id: string; readonly path: string };
  readonly scores: SquadScores;
  readonly check: AccuracyCheck;
  readonly sampleCount: number;
  readonly questionCount: number;
  readonly model: string;
  readonly scenario: MlperfScenario;
  readonly sensor: { readonly name: string; readonly estimated: boolean };
}

export async function benchAccuracy(opts: AccuracyBenchOptions): Promise<AccuracyBenchResult> {
  const status = opts.onStatus ?? (() => undefined);
  const modelPath = opts.http ? '' : (await resolveModel(parseModelSpec(opts.model), { cacheDir: opts.cacheDir, cwd: opts.cwd, verify: 'size' })).path;
  const choice = await chooseSensor(opts.sensor, opts.env);
  // Tokenisation is not timed (MLPerf: it is not part of the SUT), so it happens before measuring.
  const qsl = loadSquadQsl({ datasetPath: opts.datasetPath, vocabPath: opts.vocabPath });
  status(`inferprint bench: accuracy mode, ${qsl.questionCount} questions → ${qsl.totalSampleCount} features; sensor ${opts.verbose === true ? `${choice.sensor.name} (${choice.why})` : choice.summary}; ${opts.http ? `model ${opts.http.modelName} at ${opts.http.url}` : `model ${modelPath}`}`);
  const saved = await measuredBenchRun(
    opts,
    choice,
    async (rec): Promise<AccuracyCheckResult> => {
      const opened = await rec.window('load', () => openBenchSut({ modelPath, batchSize: opts.batchSize, provider: opts.provider, http: opts.http, httpToken: opts.httpToken }, qsl, { responseData: true }));
      try {
        const sut = opened.sut;
        // `compute` is LoadGen's power window; scoring and log writing come after it.
        return await accuracyCheck({
          sut,
          qsl,
          scenario: opts.scenario,
          ...(opts.targetQps !== undefined ? { settings: { serverTargetQps: opts.targetQps } } : {}),
          onProgress: (d, t) => opts.onProgress?.(d, t, 'accuracy run'),
          onPowerWindow: { begin: () => { rec.beginWindow('compute'); }, end: () => { rec.endWindow('compute'); } },
        });
      } finally {
        await opened.close();
      }
    },
    (r) => ({
      workload: {
        kind: 'bench',
        scenario: opts.scenario,
        model: opts.model,
        queryCount: r.run.sets.reduce((n, s) => n + s.queriesIssued, 0),
        mlperfSettings: { release: BENCH_RELEASE, mode: 'AccuracyOnly', scenario: opts.scenario, samples: r.sampleCount, responses: r.responseCount },
        accuracy: {
          dataset: opts.datasetPath,
          vocab: opts.vocabPath,
          questions: r.questionCount,
          exactMatch: r.scores.exactMatch,
          f1: r.scores.f1,
          target: r.check.target,
          requiredF1: r.check.requiredF1,
          passed: r.check.passed,
        },
      },
      label: `${opts.label ?? 'bench'}-accuracy`,
      files: [
        { name: 'mlperf_log_accuracy.json', role: 'mlperf_log_accuracy', content: r.accuracyLogJson },
        { name: 'mlperf_log_detail.txt', role: 'mlperf_log_detail', content: r.detailText },
        { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: r.summaryText },
        { name: 'predictions.json', role: 'output', content: r.predictionsJson },
        { name: 'accuracy.txt', role: 'output', content: `${r.scoresLine}\n` },
      ],
    }),
  );
  const r = saved.value;
  return {
    bundle: { id: saved.id, path: saved.path },
    scores: r.scores,
    check: r.check,
    sampleCount: r.sampleCount,
    questionCount: r.questionCount,
    model: opts.model,
    scenario: opts.scenario,
    sensor: { name: choice.sensor.name, estimated: choice.sensor.kind === 'estimated' },
  };
}
