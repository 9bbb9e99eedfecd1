// LoadGen overhead with a null SUT (every query completes at once): per-query overhead in
// SingleStream and samples/s in Offline, over 10^5 queries/samples. Usage: loadgen-overhead.ts SCENARIO [N]
import { runPerformance, type QuerySampleLibrary, type SystemUnderTest } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, bertMlperfConf, effectiveSettings } from '../../src/benchmark/loadgen/settings.js';

const scenario = (process.argv[2] ?? 'SingleStream') as 'SingleStream' | 'Offline';
const n = Number(process.argv[3] ?? 1e5);
const sut: SystemUnderTest = { name: 'null', issueQuery: (samples) => Promise.resolve(samples.map((s) => ({ id: s.id }))) };
const qsl: QuerySampleLibrary = {
  name: 'null',
  totalSampleCount: BERT_SAMPLE_COUNT,
  performanceSampleCount: BERT_SAMPLE_COUNT,
  loadSamples: () => Promise.resolve(),
  unloadSamples: () => Promise.resolve(),
};
const requested =
  scenario === 'SingleStream'
    ? { ...bertMlperfConf('v4.1', 'SingleStream'), minDurationMs: 0, minQueryCount: n, maxQueryCount: n, singleStreamExpectedLatencyNs: 1000 }
    : { ...bertMlperfConf('v4.1', 'Offline'), minDurationMs: 0, minQueryCount: n, maxQueryCount: 0, offlineExpectedQps: 1 };
const settings = effectiveSettings(requested, BERT_SAMPLE_COUNT, 'v4.1');
const t0 = process.hrtime.bigint();
const run = await runPerformance(sut, qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' });
const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
const samples = run.sampleLatenciesNs.length;
process.stdout.write(
  `${JSON.stringify({
    case: `loadgen-overhead ${scenario}`,
    queries: run.queriesIssued,
    samples,
    wallS,
    perQueryUs: (wallS * 1e6) / run.queriesIssued,
    samplesPerS: samples / wallS,
    meanLatencyUs: run.results.sampleLatency.meanNs / 1000,
    p90LatencyUs: (run.results.sampleLatency.percentiles.find((p) => p.percentile === 0.9)?.latencyNs ?? Number.NaN) / 1000,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
