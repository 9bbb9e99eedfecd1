// ONNX Runtime latency of a synthetic BERT preset on this machine (CPU provider), and the
// LoadGen harness's share of each query's latency: SingleStream through LoadGen and the ORT
// SUT, with every session call timed on its own. Usage: ort-latency.ts PRESET [QUERIES]
import { runPerformance } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';
import { resolveModel, parseModelSpec, resolveModelCacheDir } from '../../src/benchmark/bert/io/model-cache.js';
import { openOrtSut, type OrtSut } from '../../src/benchmark/sut/io/onnxruntime.js';
import { syntheticBertQsl } from '../../src/benchmark/qsl/synthetic-bert.js';
import { ortLoadgenSut } from '../../src/benchmark/sut/bert-loadgen-sut.js';

const preset = process.argv[2] ?? 'bert-tiny';
const n = Number(process.argv[3] ?? 64);
// The user's model cache: a preset generated once is reused by later bench runs.
const cacheDir = resolveModelCacheDir({ flag: undefined, env: process.env, cwd: process.cwd() }).path;
const genStart = process.hrtime.bigint();
const model = await resolveModel(parseModelSpec(`synthetic:${preset}`), { cacheDir, cwd: process.cwd(), verify: 'size' });
const modelReadyS = Number(process.hrtime.bigint() - genStart) / 1e9;

const ort = await openOrtSut({ modelPath: model.path });
// Time each session call where the SUT makes it: what LoadGen adds is the rest.
const ortNs: number[] = [];
const timed: OrtSut = {
  ...ort,
  issue: async (samples) => {
    const t0 = process.hrtime.bigint();
    const out = await ort.issue(samples);
    ortNs.push(Number(process.hrtime.bigint() - t0));
    return out;
  },
};
const qsl = syntheticBertQsl({ totalSampleCount: BERT_SAMPLE_COUNT });
const settings = effectiveSettings(studySettings('v4.1', n), qsl.performanceSampleCount, 'v4.1');
const run = await runPerformance(ortLoadgenSut(timed, qsl), qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' });
await ort.close();

const lat = Array.from(run.sampleLatenciesNs);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanLatNs = mean(lat);
const meanOrtNs = mean(ortNs);
process.stdout.write(
  `${JSON.stringify({
    case: `ort-latency ${preset}`,
    queries: run.queriesIssued,
    modelReadyS,
    sessionLoadS: ort.phases.load.endS - ort.phases.load.startS,
    meanLatencyMs: meanLatNs / 1e6,
    p90LatencyMs: run.results.sampleLatency.percentiles.find((p) => p.percentile === 0.9)!.latencyNs / 1e6,
    meanOrtRunMs: meanOrtNs / 1e6,
    harnessUsPerQuery: (meanLatNs - meanOrtNs) / 1e3,
    harnessSharePct: (100 * (meanLatNs - meanOrtNs)) / meanLatNs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
