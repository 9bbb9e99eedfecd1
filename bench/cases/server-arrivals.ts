// Server scenario timing with a null SUT (answers on the next event-loop turn): how late each
// query is issued after its Poisson arrival time, and the latency LoadGen records for a query
// that takes no time. Usage: server-arrivals.ts [QPS=1000] [QUERIES=5000]
import { runPerformance, type QuerySampleLibrary, type SystemUnderTest } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, bertMlperfConf, effectiveSettings } from '../../src/benchmark/loadgen/settings.js';

const qps = Number(process.argv[2] ?? 1000);
const n = Number(process.argv[3] ?? 5000);
const sut: SystemUnderTest = {
  name: 'null',
  issueQuery: (samples) => new Promise((resolve) => setImmediate(() => { resolve(samples.map((s) => ({ id: s.id }))); })),
};
const qsl: QuerySampleLibrary = { name: 'null', totalSampleCount: BERT_SAMPLE_COUNT, performanceSampleCount: BERT_SAMPLE_COUNT, loadSamples: () => Promise.resolve(), unloadSamples: () => Promise.resolve() };
const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'Server'), serverTargetQps: qps, minQueryCount: n, maxQueryCount: n }, BERT_SAMPLE_COUNT, 'v4.1');
const run = await runPerformance(sut, qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' });
const late = Array.from(run.issuedNs, (t, i) => t - run.scheduledNs[i]!).sort((a, b) => a - b);
const lat = Array.from(run.sampleLatenciesNs).sort((a, b) => a - b);
const pct = (xs: readonly number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]! / 1000;
process.stdout.write(
  `${JSON.stringify({
    case: `server-arrivals ${qps} QPS`,
    queries: run.queriesIssued,
    issueLateP50Us: pct(late, 0.5),
    issueLateP99Us: pct(late, 0.99),
    issueLateMaxUs: late.at(-1)! / 1000,
    latencyP50Us: pct(lat, 0.5),
    latencyP99Us: pct(lat, 0.99),
  })}\n`,
);
