/**
 * An MLPerf BERT accuracy run, end to end: the SQuAD dataset and `vocab.txt` become the QSL's
 * features, LoadGen runs in accuracy mode (every feature once, v4.1 semantics and mlperf.conf
 * seeds) against an ONNX Runtime session that answers with its logits, the responses are written
 * as `mlperf_log_accuracy.json`, and that file is scored as `accuracy-squad.py` and
 * `evaluate_v1.1.py` score it: exact match, F1, and the bert-99 verdict (F1 ≥ 89.965).
 *
 * Usage (the `bench --mode accuracy --dataset FILE --vocab FILE` path):
 *
 *   const r = await runAccuracyCheck({ modelPath, datasetPath, vocabPath, scenario: 'SingleStream' });
 *   r.scores.f1; r.check.passed; r.accuracyLogJson; r.summaryText; r.detailText; r.predictions
 *
 * `modelPath` is an ONNX file: resolve `synthetic:<preset>` with `resolveModel` first. A synthetic
 * model has random weights, so its F1 is near 0 — the run still exercises the whole pipeline.
 * Nothing here writes files; the caller stores the texts (a run bundle, or the MLPerf layout).
 */
import { errors } from '../errors.js';
import { BENCH_RELEASE, stampAtMs } from './bench.js';
import type { MlperfScenario } from '../mlperf/types.js';
import { runAccuracy, type AccuracyRun, type LoadgenClocks, type PowerWindowHooks, type SystemUnderTest } from '../benchmark/loadgen/engine.js';
import { parseAccuracyLog, writeAccuracyLog } from '../benchmark/loadgen/accuracy-log.js';
import { bertMlperfConf, effectiveSettings, type LoadgenRelease, type TestSettings } from '../benchmark/loadgen/settings.js';
import { LIBSTDCXX_VARIANT_OF_LOGS } from '../benchmark/loadgen/sample-selection.js';
import { footerLines } from '../benchmark/loadgen/summary-writer.js';
import {
  testHeaderRecords,
  generatedQueriesRecords,
  loadedQslSetRecord,
  loggerCounterRecords,
  messageRecord,
  powerRecords,
  writeDetail,
  type MllogEntry,
  type MllogRecord,
} from '../benchmark/loadgen/detail-writer.js';
import { openOrtSut, type OrtProvider, type OrtProviderRequest, type PhaseSpan } from '../benchmark/sut/io/onnxruntime.js';
import { ortLoadgenSut } from '../benchmark/sut/bert-loadgen-sut.js';
import { loadSquadQsl, type SquadQsl } from '../benchmark/qsl/io/squad.js';
import { formatPredictionsJson, scoreSquadAccuracy, type ResponseLayout } from '../benchmark/squad/accuracy.js';
import type { AccuracyCheck, BertAccuracyTarget, SquadScores } from '../benchmark/squad/evaluate.js';

/** Accuracy runs follow LoadGen v4.1, like `bench`'s performance runs. */
const ACCURACY_RELEASE: LoadgenRelease = BENCH_RELEASE;

/** What the accuracy log is read back as: `mlperf_log_accuracy.json`'s file name in messages. */
const ACCURACY_LOG_NAME = 'mlperf_log_accuracy.json';

export interface AccuracyCheckOptions {
  /** The BERT ONNX model (the MLPerf `model.onnx`, the int8 one, or a cached synthetic model). */
  readonly modelPath: string;
  /** SQuAD v1.1 JSON (MLPerf: `dev-v1.1.json`). */
  readonly datasetPath: string;
  /** The model's WordPiece vocabulary (MLPerf: `vocab.txt`). */
  readonly vocabPath: string;
  /** ONNX Runtime execution provider; default `cpu`. */
  readonly provider?: OrtProviderRequest;
  readonly scenario: MlperfScenario;
  /** After each completed query: samples answered and samples to issue. */
  readonly onProgress?: (samplesDone: number, samplesTotal: number) => void;
  /** Samples per session run (default 1, as the reference SUT). */
  readonly maxBatchSize?: number;
  /** Overrides of the BERT mlperf.conf (the user.conf of a harness: e.g. `serverTargetQps`). */
  readonly settings?: Partial<Omit<TestSettings, 'scenario' | 'mode'>>;
  /** Default bert-99. */
  readonly target?: BertAccuracyTarget;
}

export interface AccuracyCheckResult {
  /** `mlperf_log_accuracy.json`, byte for byte as LoadGen writes it. */
  readonly accuracyLogJson: string;
  /** `mlperf_log_summary.txt`: in accuracy mode LoadGen writes only the warnings/errors footer. */
  readonly summaryText: string;
  /** `mlperf_log_detail.txt`: settings, then per loadable set `loaded_qsl_set`, the generated queries and `power_begin`/`power_end`. */
  readonly detailText: string;
  /** Exact match and F1 in percent over every question of the dataset. */
  readonly scores: SquadScores;
  /** `{"exact_match": …, "f1": …}`: the evaluation script's line, MLPerf's `accuracy.txt`. */
  readonly scoresLine: string;
  readonly check: AccuracyCheck;
  /** Question id → predicted answer. */
  readonly predictions: ReadonlyMap<string, string>;
  /** `predictions.json` as `accuracy-squad.py` writes it. */
  readonly predictionsJson: string;
  /** QSL samples: the dataset's features (10 833 for SQuAD v1.1 dev). */
  readonly sampleCount: number;
  /** Entries in the accuracy log (more than `sampleCount` only for MultiStream, whose set padding repeats a few). */
  readonly responseCount: number;
  readonly questionCount: number;
  readonly sutName: string;
  readonly qslName: string;
  readonly run: AccuracyRun;
  /** The session, when `runAccuracyCheck` opened one. */
  readonly ort?: { readonly provider: OrtProvider; readonly providerNote: string; readonly ortVersion: string; readonly phases: { readonly load: PhaseSpan; readonly warmup: PhaseSpan } };
}

/** Open the session, build the SQuAD QSL, run LoadGen in accuracy mode, score the log. */
export async function runAccuracyCheck(opts: AccuracyCheckOptions): Promise<AccuracyCheckResult> {
  // Features first: a bad dataset or vocabulary fails before a model is loaded.
  const qsl = loadSquadQsl({ datasetPath: opts.datasetPath, vocabPath: opts.vocabPath });
  const ort = await openOrtSut({ modelPath: opts.modelPath, ...(opts.provider !== undefined ? { provider: opts.provider } : {}), ...(opts.maxBatchSize !== undefined ? { maxBatchSize: opts.maxBatchSize } : {}) });
  try {
    const sut = ortLoadgenSut(ort, qsl, { responseData: true });
    const result = await accuracyCheck({
      sut,
      qsl,
      scenario: opts.scenario,
      ...(opts.settings !== undefined ? { settings: opts.settings } : {}),
      ...(opts.target !== undefined ? { target: opts.target } : {}),
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    });
    return { ...result, ort: { provider: ort.provider, providerNote: ort.providerNote, ortVersion: ort.ortVersion, phases: ort.phases } };
  } finally {
    await ort.close();
  }
}

export interface AccuracyCheckWithOptions {
  /** Any SUT whose responses carry the reference SUT's bytes (see `ortLoadgenSut`). */
  readonly sut: SystemUnderTest;
  readonly qsl: SquadQsl;
  readonly scenario: MlperfScenario;
  readonly settings?: Partial<Omit<TestSettings, 'scenario' | 'mode'>>;
  readonly target?: BertAccuracyTarget;
  /** How the SUT's bytes are laid out (default float32, (seq, 2), padded to 384). */
  readonly layout?: Partial<ResponseLayout>;
  readonly onProgress?: (samplesDone: number, samplesTotal: number) => void;
  readonly clocks?: LoadgenClocks;
  /** LoadGen's power window, from the first set's `power_begin` to the last set's `power_end`. */
  readonly onPowerWindow?: PowerWindowHooks;
}

/** The accuracy run for a SUT and QSL already open: LoadGen, logs, then scoring of the written log. */
export async function accuracyCheck(opts: AccuracyCheckWithOptions): Promise<AccuracyCheckResult> {
  const { sut, qsl } = opts;
  const requested: TestSettings = { ...bertMlperfConf(ACCURACY_RELEASE, opts.scenario), ...opts.settings, scenario: opts.scenario, mode: 'AccuracyOnly' };
  const settings = effectiveSettings(requested, qsl.performanceSampleCount, ACCURACY_RELEASE);
  const run = await runAccuracy(sut, qsl, {
    settings,
    release: ACCURACY_RELEASE,
    variant: LIBSTDCXX_VARIANT_OF_LOGS[ACCURACY_RELEASE],
    ...(opts.clocks !== undefined ? { clocks: opts.clocks } : {}),
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    ...(opts.onPowerWindow !== undefined ? { onPowerWindow: opts.onPowerWindow } : {}),
  });
  const accuracyLogJson = writeAccuracyLog(run.entries);
  // Scored from the text, as the reference scores the file: what is written is what counts.
  const entries = parseAccuracyLog(accuracyLogJson, ACCURACY_LOG_NAME);
  if (entries.length !== run.entries.length) throw errors.internal(`accuracy log read back ${entries.length} of ${run.entries.length} entries`);
  const scored = scoreSquadAccuracy(
    { entries, dataset: qsl.dataset, examples: qsl.examples, features: qsl.features },
    { ...(opts.layout !== undefined ? { layout: opts.layout } : {}), ...(opts.target !== undefined ? { target: opts.target } : {}), postprocess: { lowerCase: qsl.lowerCase } },
  );
  const records = accuracyDetailRecords(run, requested, { sutName: sut.name, qslName: qsl.name, qslTotalCount: qsl.totalSampleCount, qslPerformanceCount: qsl.performanceSampleCount });
  return {
    accuracyLogJson,
    summaryText: accuracySummary(records.flatMap((b) => b.records)),
    detailText: writeDetail(stampBlocks(records, run.testStartEpochMs)),
    scores: scored.scores,
    scoresLine: scored.scoresLine,
    check: scored.check,
    predictions: scored.predictionTexts,
    predictionsJson: formatPredictionsJson(scored.predictionTexts),
    sampleCount: qsl.totalSampleCount,
    responseCount: entries.length,
    questionCount: qsl.questionCount,
    sutName: sut.name,
    qslName: qsl.name,
    run,
  };
}

// ---------------------------------------------------------------------------------------------
// The logs of an accuracy run


export interface AccuracyLogNames {
  readonly sutName: string;
  readonly qslName: string;
  readonly qslTotalCount: number;
  readonly qslPerformanceCount: number;
}

/** Records logged together, and when (wall clock, epoch ms). */
export interface RecordBlock {
  readonly atEpochMs: number;
  readonly records: readonly MllogRecord[];
}

/**
 * The detail log's events for an accuracy run, in LoadGen's order (`StartTest`,
 * `RunAccuracyMode`, `IssueQueries`): version, test, requested and effective settings,
 * `Starting accuracy mode`, then for every loadable set `loaded_qsl_set`, the generated
 * queries, the logger counters and `power_begin`/`power_end`. Accuracy mode logs no result block.
 */
export function accuracyDetailRecords(run: AccuracyRun, requested: TestSettings, names: AccuracyLogNames): RecordBlock[] {
  const blocks: RecordBlock[] = [
    {
      atEpochMs: run.testStartEpochMs,
      records: [
        ...testHeaderRecords({ startEpochMs: run.testStartEpochMs, release: run.release, requested, effective: run.settings, ...names }),
        messageRecord('Starting accuracy mode'),
      ],
    },
  ];
  for (const set of run.sets) {
    blocks.push(
      { atEpochMs: set.loadEpochMs, records: [loadedQslSetRecord(Array.from(set.loadedSet.samples))] },
      {
        atEpochMs: set.powerBeginEpochMs,
        records: generatedQueriesRecords({ queryCount: set.generated.queryCount, samplesPerQuery: set.generated.loggedSamplesPerQuery, durationNs: set.generated.durationNs }),
      },
      { atEpochMs: set.powerEndEpochMs, records: [...loggerCounterRecords(), ...powerRecords(set.powerBeginEpochMs, set.powerEndEpochMs)] },
    );
  }
  return blocks;
}

function stampBlocks(blocks: readonly RecordBlock[], originEpochMs: number): MllogEntry[] {
  return blocks.flatMap((b) => stampAtMs(b.atEpochMs - originEpochMs, b.records));
}

/**
 * `mlperf_log_summary.txt` of an accuracy run: LoadGen logs no performance summary in accuracy
 * mode, so the file holds only the footer logging.cc appends when it closes the log.
 */
export function accuracySummary(records: readonly MllogRecord[]): string {
  const [warnings, errs] = footerLines(records.filter((r) => r.isWarning === true).length, records.filter((r) => r.isError === true).length);
  return `\n${warnings}\n\n${errs}\n`;
}
