/**
 * Parsers for the NVIDIA harness files that sit beside LoadGen's logs: `metadata.json`
 * (v4.1 runs, in the scenario folder) and `perf_harness_summary.json` (v1.1 runs, in the
 * timestamp folder). They name the system and the accelerator the harness detected, which
 * the LoadGen logs themselves never do. Pure: text in, record out.
 */
import { errors, quote } from '../errors.js';
import type { MlperfHarnessSummaryEntry, MlperfRunMetadata } from './types.js';
import { parseJsonText } from '../json-text.js';

function parseJsonObject(text: string, name: string): Record<string, unknown> {
  if (text.trim() === '') throw errors.emptyInput(name);
  const v = parseJsonText(text, name);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.parse({ file: name }, 'expected a JSON object');
  return v as Record<string, unknown>;
}

const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `detected_system` is a Python repr: `...layout={GPU(name="NVIDIA A100-PCIE-40GB", ...): 1}...`.
 * Only the quoted `name=` of the first `GPU(` / `CPU(` is read; the rest stays in the raw text.
 */
export function detectedDeviceName(detectedSystem: string, kind: 'GPU' | 'CPU'): string | undefined {
  const m = new RegExp(`\\b${kind}\\(name="([^"]*)"`).exec(detectedSystem);
  return m?.[1];
}

/** Parse a v4.1 harness `metadata.json`. */
export function parseRunMetadata(text: string, file?: string): MlperfRunMetadata {
  const name = file ?? '<metadata.json>';
  const raw = parseJsonObject(text, name);
  const detectedSystem = optString(raw.detected_system);
  return {
    systemName: optString(raw.system_name),
    configName: optString(raw.config_name),
    benchmark: optString(raw.benchmark_full),
    scenario: optString(raw.scenario),
    testMode: optString(raw.test_mode),
    tensorrtVersion: optString(raw.tensorrt_version),
    detectedSystem,
    gpuName: detectedSystem === undefined ? undefined : detectedDeviceName(detectedSystem, 'GPU'),
    cpuName: detectedSystem === undefined ? undefined : detectedDeviceName(detectedSystem, 'CPU'),
    raw,
  };
}

const HARNESS_TEXT = /^(result_[\w.]+): (\d+(?:\.\d+)?(?:[eE][-+]?\d+)?), Result is (VALID|INVALID)/;

/** Parse a v1.1 `perf_harness_summary.json`: `{ "<config>": { "<benchmark>": "<text>" } }`. */
export function parseHarnessSummary(text: string, file?: string): MlperfHarnessSummaryEntry[] {
  const name = file ?? '<perf_harness_summary.json>';
  const raw = parseJsonObject(text, name);
  const entries: MlperfHarnessSummaryEntry[] = [];
  for (const [configName, perBenchmark] of Object.entries(raw)) {
    if (typeof perBenchmark !== 'object' || perBenchmark === null || Array.isArray(perBenchmark)) {
      throw errors.parse({ file: name, field: configName }, 'expected an object of benchmark → text');
    }
    for (const [benchmark, value] of Object.entries(perBenchmark as Record<string, unknown>)) {
      if (typeof value !== 'string') throw errors.parse({ file: name, field: `${configName}.${benchmark}` }, `expected a string, found ${quote(String(value))}`);
      const m = HARNESS_TEXT.exec(value);
      entries.push({
        configName,
        benchmark,
        text: value,
        metricKey: m?.[1],
        metricValue: m ? Number(m[2]) : undefined,
        valid: m ? m[3] === 'VALID' : undefined,
      });
    }
  }
  return entries;
}
