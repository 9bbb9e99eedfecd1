/**
 * Latency limits for served LLMs: MLPerf Inference's TTFT and TPOT constraints for its LLM
 * benchmarks (Server scenario), by name, and limits a user gives; checked on the 99th
 * percentile, as MLPerf's Server scenario does (`*.Server.target_latency_percentile = 99`). Pure.
 */
import { errors } from '../../errors.js';
import type { LlmLimitCheck } from '../../runs/manifest.js';
import type { Distribution } from './stats.js';

export interface LatencyLimit {
  readonly name: string;
  readonly ttftMs?: number;
  readonly tpotMs?: number;
  /** Where the values come from (and when); `user` for limits given on the command line. */
  readonly source: string;
}

const MLPERF_CONF = 'MLCommons Inference, loadgen/mlperf.conf (<model>.Server.ttft_latency / tpot_latency, ms; v5.1, 2025)';

/**
 * MLPerf's values, as `loadgen/mlperf.conf` of mlcommons/inference holds them (commit
 * 001712e9, the v5.1 round, 2025). Names as MLPerf writes them (`llama3_1-8b`); the issue's
 * and the papers' `llama3.1-8b` is accepted too (`latencyLimitPreset`).
 */
export const MLPERF_LATENCY_LIMITS: readonly LatencyLimit[] = [
  { name: 'llama2-70b', ttftMs: 2000, tpotMs: 200, source: MLPERF_CONF },
  { name: 'llama2-70b-interactive', ttftMs: 450, tpotMs: 40, source: MLPERF_CONF },
  { name: 'mixtral-8x7b', ttftMs: 2000, tpotMs: 200, source: MLPERF_CONF },
  { name: 'llama3_1-8b', ttftMs: 2000, tpotMs: 100, source: MLPERF_CONF },
  { name: 'llama3_1-8b-interactive', ttftMs: 500, tpotMs: 30, source: MLPERF_CONF },
  { name: 'llama3_1-405b', ttftMs: 6000, tpotMs: 175, source: MLPERF_CONF },
  { name: 'llama3_1-405b-interactive', ttftMs: 4500, tpotMs: 80, source: MLPERF_CONF },
  { name: 'deepseek-r1', ttftMs: 2000, tpotMs: 80, source: MLPERF_CONF },
  { name: 'deepseek-r1-interactive', ttftMs: 1500, tpotMs: 15, source: MLPERF_CONF },
];

/** `llama3.1-8b` → `llama3_1-8b`: MLPerf's spelling. */
const canonical = (name: string): string => name.trim().toLowerCase().replace(/(\d)\.(\d)/g, '$1_$2');

export function latencyLimitPreset(name: string): LatencyLimit | undefined {
  const key = canonical(name);
  return MLPERF_LATENCY_LIMITS.find((l) => l.name === key);
}

/**
 * `--latency-limits` values, comma-separated: MLPerf names (`llama2-70b`, `llama3.1-8b-interactive`)
 * or user limits `ttft=500ms,tpot=50ms` (either or both; ms or s). A user limit is one entry named `user`.
 */
export function parseLatencyLimits(raw: string, flag = '--latency-limits'): LatencyLimit[] {
  const out: LatencyLimit[] = [];
  const user: { ttftMs?: number; tpotMs?: number } = {};
  for (const part of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(ttft|tpot)\s*=\s*(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(part);
    if (m) {
      const ms = Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
      if (!(ms > 0)) throw errors.usage(`a latency limit must be positive, got '${part}'`, flag);
      if (m[1]!.toLowerCase() === 'ttft') user.ttftMs = ms;
      else user.tpotMs = ms;
      continue;
    }
    const preset = latencyLimitPreset(part);
    if (!preset) throw errors.usage(`unknown latency limits '${part}' (MLPerf's: ${MLPERF_LATENCY_LIMITS.map((l) => l.name).join(', ')}; or ttft=500ms,tpot=50ms)`, flag);
    if (!out.some((l) => l.name === preset.name)) out.push(preset);
  }
  if (user.ttftMs !== undefined || user.tpotMs !== undefined) out.push({ name: 'user', ...user, source: 'user' });
  if (out.length === 0) throw errors.usage('give a limit set such as llama2-70b, or ttft=500ms,tpot=50ms', flag);
  return out;
}

/** The manifest's record of a limit check (one type: what is computed is what is written and read back). */
export type LimitCheck = LlmLimitCheck;

export function checkLimits(limits: readonly LatencyLimit[], ttftMs: Distribution | null, tpotMs: Distribution | null): LimitCheck[] {
  return limits.map((l) => {
    const one = (limit: number | undefined, d: Distribution | null): boolean | null => (limit === undefined ? null : d === null ? false : d.p99 <= limit);
    const ttftPass = one(l.ttftMs, ttftMs);
    const tpotPass = one(l.tpotMs, tpotMs);
    return {
      name: l.name,
      ttftLimitMs: l.ttftMs ?? null,
      tpotLimitMs: l.tpotMs ?? null,
      ttftP99Ms: ttftMs?.p99 ?? null,
      tpotP99Ms: tpotMs?.p99 ?? null,
      ttftPass,
      tpotPass,
      pass: ttftPass !== false && tpotPass !== false,
    };
  });
}
