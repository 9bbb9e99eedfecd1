// The HTTP system under test against the in-process one: the same synthetic BERT preset run
// through LoadGen SingleStream (study settings, N queries) once on a local ONNX Runtime session
// and once through `serve-model` on loopback (KServe v2, binary tensors). The difference is what
// the network path adds per query — the figure to subtract when a served model is compared with
// a local one. Usage: http-sut.ts [PRESET=bert-tiny] [QUERIES=256]
import { runPerformance } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';
import { parseModelSpec, resolveModel, resolveModelCacheDir } from '../../src/benchmark/bert/io/model-cache.js';
import { openOrtSut } from '../../src/benchmark/sut/io/onnxruntime.js';
import { openKserveSut, kserveLoadgenSut } from '../../src/benchmark/sut/io/kserve-client.js';
import { serveModel } from '../../src/serve-model/kserve-server.js';
import { syntheticBertQsl } from '../../src/benchmark/qsl/synthetic-bert.js';
import { ortLoadgenSut } from '../../src/benchmark/sut/bert-loadgen-sut.js';
import type { SystemUnderTest } from '../../src/benchmark/loadgen/engine.js';

const preset = process.argv[2] ?? 'bert-tiny';
const n = Number(process.argv[3] ?? 256);
const cacheDir = resolveModelCacheDir({ flag: undefined, env: process.env, cwd: process.cwd() }).path;
const model = await resolveModel(parseModelSpec(`synthetic:${preset}`), { cacheDir, cwd: process.cwd(), verify: 'size' });
const qsl = syntheticBertQsl({ totalSampleCount: BERT_SAMPLE_COUNT });
const settings = effectiveSettings(studySettings('v4.1', n), qsl.performanceSampleCount, 'v4.1');
const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p90 = (xs: Float64Array) => Float64Array.from(xs).sort()[Math.floor(0.9 * xs.length)]!;
async function measure(sut: SystemUnderTest) {
  const run = await runPerformance(sut, qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' });
  return { meanMs: mean(run.sampleLatenciesNs) / 1e6, p90Ms: p90(run.sampleLatenciesNs) / 1e6 };
}

const ort = await openOrtSut({ modelPath: model.path });
const local = await measure(ortLoadgenSut(ort, qsl));
await ort.close();

const server = await serveModel({ modelPath: model.path, port: 0, maxBatchSize: 1 });
const client = await openKserveSut({ url: server.url, model: server.modelName });
const http = await measure(kserveLoadgenSut(client, qsl));
await client.close();
await server.close();

process.stdout.write(
  `${JSON.stringify({
    case: `http-sut ${preset}`,
    queries: n,
    encoding: client.binary ? 'binary' : 'json',
    localMeanMs: local.meanMs,
    localP90Ms: local.p90Ms,
    httpMeanMs: http.meanMs,
    httpP90Ms: http.p90Ms,
    httpAddsMsPerQuery: http.meanMs - local.meanMs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
