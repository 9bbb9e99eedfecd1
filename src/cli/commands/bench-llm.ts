/**
 * `inferprint bench --sut openai|ollama`: the served-LLM branch of `bench` — its flags, the
 * call to `app/bench-llm.ts`, and the table. Loaded by `bench.ts` only when `--sut` names an
 * LLM server.
 */
import { benchLlm, validateLlmBenchOptions, type LlmBenchOptions, type LlmBenchResult, type LlmLevelView, type PromptSource } from '../../app/bench-llm.js';
import { signalExitCode } from '../../app/measure.js';
import { errors } from '../../errors.js';
import { parseLatencyLimits } from '../../llm/core/limits.js';
import { parseLengthDistribution } from '../../llm/core/prompts.js';
import type { LlmSut } from '../../llm/core/protocol.js';
import { resolveRunsDir } from '../../runs/runs-dir.js';
import { defaultSensorEnv } from '../../sensors/types.js';
import type { CliContext } from '../command.js';
import { parseDurationFlag, parseGridFlag, parseIntegerFlag } from '../flags.js';
import { parseFormat, renderJson, renderTable, type Column } from '../output.js';
import { progressReporter } from '../progress.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);

function numberList(raw: string, flag: string, integer: boolean): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const re = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (parts.some((p) => !re.test(p))) throw errors.usage(`expected ${integer ? 'positive integers' : 'positive numbers'} separated by commas, got '${raw}'`, flag);
  return parts.map(Number);
}

/** The options of a served-LLM benchmark from the command line. */
export async function llmOptions(ctx: CliContext, sut: LlmSut, values: Values): Promise<LlmBenchOptions> {
  // Flags of the study's campaign that mean nothing for a served LLM are refused, not ignored.
  for (const flag of ['scenario', 'target-qps', 'mode', 'model-name', 'dataset', 'vocab', 'batch-size', 'queries', 'runs', 'provider', 'resume', 'dry-run', 'cache-dir'] as const) {
    if (values[flag] !== undefined) throw errors.usage(`--${flag} is for the BERT campaign, not for --sut ${sut}`, `--${flag}`);
  }
  const url = str(values, 'url');
  if (url === undefined) throw errors.usage(`--sut ${sut} needs the server's URL, e.g. --url http://127.0.0.1:${sut === 'ollama' ? 11434 : 8000}`, '--url');
  const model = str(values, 'model');
  if (model === undefined || model.trim() === '') throw errors.usage(`--sut ${sut} needs the model's name on the server, e.g. --model ${sut === 'ollama' ? 'llama3.2' : 'meta-llama/Llama-3.1-8B-Instruct'}`, '--model');
  const style = str(values, 'api') ?? 'chat';
  if (style !== 'chat' && style !== 'completions') throw errors.usage(`expected chat or completions, got '${style}'`, '--api');
  const rates = str(values, 'request-rate');
  const conc = str(values, 'concurrency');
  const concurrency = conc !== undefined ? numberList(conc, '--concurrency', true) : rates !== undefined ? [] : [1, 4, 16];
  const requestRates = rates !== undefined ? numberList(rates, '--request-rate', false) : [];
  const requests = str(values, 'requests') === undefined ? 100 : parseIntegerFlag(str(values, 'requests')!, '--requests', 'a positive integer');
  const promptsFile = str(values, 'prompts');
  const inputTokens = str(values, 'input-tokens');
  if (promptsFile !== undefined && inputTokens !== undefined) throw errors.usage('--input-tokens sizes generated prompts; --prompts gives them', '--input-tokens');
  const prompts: PromptSource = promptsFile !== undefined ? { kind: 'file', path: promptsFile } : { kind: 'synthetic', lengths: parseLengthDistribution(inputTokens ?? '128', '--input-tokens') };
  const maxTokens = str(values, 'max-tokens') === undefined ? 256 : parseIntegerFlag(str(values, 'max-tokens')!, '--max-tokens', 'a positive integer');
  const limitsRaw = str(values, 'latency-limits');
  const limits = limitsRaw === undefined ? [] : parseLatencyLimits(limitsRaw);
  const timeoutS = str(values, 'timeout') === undefined ? 300 : parseDurationFlag(str(values, 'timeout')!, '--timeout', '300s');
  const keyVar = str(values, 'api-key-env');
  let apiKey = str(values, 'token');
  if (apiKey !== undefined && keyVar !== undefined) throw errors.usage('give the key once: --token or --api-key-env', '--token');
  if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey)) throw errors.usage('the token must be printable ASCII without spaces', '--token');
  if (keyVar !== undefined) {
    apiKey = ctx.env[keyVar];
    if (apiKey === undefined || apiKey === '') throw errors.usage(`environment variable ${keyVar} is not set`, '--api-key-env');
  }
  const grid = str(values, 'grid');
  if (grid !== undefined) parseGridFlag(grid);
  const seed = str(values, 'seed') === undefined ? 1 : parseIntegerFlag(str(values, 'seed')!, '--seed', 'a non-negative integer');
  const options: LlmBenchOptions = {
    sut,
    url,
    model,
    style,
    concurrency,
    requestRates,
    requests,
    prompts,
    maxTokens,
    ignoreEos: values['ignore-eos'] === true,
    limits,
    seed,
    sensor: str(values, 'sensor') ?? 'auto',
    intervalS: str(values, 'interval') === undefined ? 0.1 : parseDurationFlag(str(values, 'interval')!, '--interval', '50ms'),
    cooldownS: str(values, 'cooldown') === undefined ? 0 : parseDurationFlag(str(values, 'cooldown')!, '--cooldown', '30s'),
    timeouts: { idleS: timeoutS, totalS: Math.max(3600, timeoutS) },
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(str(values, 'hardware') !== undefined ? { hardware: str(values, 'hardware')! } : {}),
    ...(grid !== undefined ? { grid } : {}),
    ...(str(values, 'label') !== undefined ? { label: str(values, 'label')! } : {}),
    runsDir: resolveRunsDir({ flag: str(values, 'runs-dir'), env: ctx.env, cwd: ctx.cwd }),
    cwd: ctx.cwd,
    env: { ...(await defaultSensorEnv()), env: ctx.env },
    verbose: values.verbose === true || ctx.debug === true,
  };
  validateLlmBenchOptions(options);
  return options;
}

export async function runLlmBench(ctx: CliContext, sut: LlmSut, values: Values): Promise<number> {
  const format = parseFormat(str(values, 'format'));
  if (format === 'csv') throw errors.usage('bench prints table or json (analyze --format csv gives the CSV)', '--format');
  const options = await llmOptions(ctx, sut, values);
  const progress = progressReporter(ctx, 'bench');
  const result = await benchLlm({
    ...options,
    onStatus: (line) => { ctx.stderr(`${line}\n`); },
    onProgress: (d, t, what) => { progress.update(d, t, what); },
    signals: process,
  });
  progress.done();
  ctx.stdout(format === 'json' ? renderJson(llmJson(result)) : llmText(result));
  if (result.interrupted !== undefined) return signalExitCode(result.interrupted);
  return result.levels.some((l) => l.level.failed > 0) ? 1 : 0;
}

const limitText = (v: LlmLevelView): string | null => {
  const checks = v.level.limits;
  if (!checks || checks.length === 0) return null;
  return checks.map((c) => `${c.name} ${c.pass ? 'PASS' : 'FAIL'}`).join(', ');
};

export const LLM_COLUMNS: readonly Column<LlmLevelView>[] = [
  { key: 'level', header: 'level', value: (v) => v.level.name },
  { key: 'requests', header: 'requests', value: (v) => v.level.requests, align: 'right' },
  { key: 'failed', header: 'failed', value: (v) => v.level.failed, align: 'right' },
  { key: 'output_tokens', header: 'out tokens', value: (v) => v.level.outputTokens, align: 'right' },
  { key: 'ttft_p50_ms', header: 'TTFT p50 (ms)', value: (v) => v.level.ttftMs?.p50, digits: 1 },
  { key: 'ttft_p99_ms', header: 'TTFT p99 (ms)', value: (v) => v.level.ttftMs?.p99, digits: 1 },
  { key: 'tpot_p50_ms', header: 'TPOT p50 (ms)', value: (v) => v.level.tpotMs?.p50, digits: 2 },
  { key: 'tpot_p99_ms', header: 'TPOT p99 (ms)', value: (v) => v.level.tpotMs?.p99, digits: 2 },
  { key: 'tokens_per_s', header: 'tok/s', value: (v) => (v.level.durationS > 0 ? v.level.outputTokens / v.level.durationS : undefined), digits: 1 },
  { key: 'mean_power_w', header: 'power (W)', value: (v) => v.level.energy?.meanPowerW, digits: 1 },
  { key: 'j_per_output_token', header: 'J/token', value: (v) => v.level.energy?.jPerOutputToken ?? undefined, digits: 4 },
  { key: 'gwp_mg_per_1k_tokens', header: 'mg CO2e/1k tok', value: (v) => v.footprint.gwpMgPer1kTokens ?? undefined, digits: 3 },
  { key: 'limits', header: 'limits (p99)', value: limitText },
];

function llmText(r: LlmBenchResult): string {
  const w = r.workload;
  const lines = [
    `${w.model} at ${w.url} (${w.api}), ${w.requestsPerLevel} requests per level, max ${w.maxTokens ?? 'server default'} output tokens${w.ignoreEos ? ', ignore_eos' : ''}`,
    `energy from sensor ${r.sensor.name}${r.sensor.estimated ? ' — ESTIMATED (no power sensor here), not measured' : ''}${r.interrupted !== undefined ? ` — INTERRUPTED (${r.interrupted}): partial run` : ''}`,
    '',
    renderTable(LLM_COLUMNS, r.levels).trimEnd(),
    '',
  ];
  for (const { level: l, footprint: f } of r.levels) {
    const e = l.energy;
    const parts: string[] = [];
    if (e) {
      parts.push(`${e.window === 'steady' ? 'steady state' : 'whole level'} ${(e.t1S - e.t0S).toFixed(2)} s, ${e.energyJ.toFixed(1)} J, ${e.outputTokens.toFixed(0)} tokens${e.jPerRequest !== null ? `, ${e.jPerRequest.toFixed(3)} J/request` : ''}`);
      parts.push(`prefill ${e.split.prefillJ.toFixed(1)} J / decode ${e.split.decodeJ.toFixed(1)} J${e.split.approximate ? ' (approximate: requests overlapped)' : ''}`);
      if (e.note !== undefined) parts.push(e.note);
    }
    if (l.failed > 0) parts.push(`failed: ${Object.entries(l.outcomes).filter(([k, n]) => k !== 'ok' && n > 0).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    if (l.emptyResponses > 0) parts.push(`${l.emptyResponses} response(s) with no text`);
    if (l.outputTokensSource !== 'usage') parts.push(`output tokens counted from the stream${l.outputTokensSource === 'mixed' ? ' for some requests' : ''} (no usage reported)`);
    if (f.scope === 'operational') parts.push('GWP operational only (hardware unknown: --hardware NAME adds the embodied part)');
    lines.push(`${l.name}: ${parts.join('; ')}`);
  }
  lines.push('', `bundle ${r.bundle.path} (per-request timelines in llm_requests.jsonl); inferprint analyze ${r.bundle.path} --format csv`);
  return `${lines.join('\n')}\n`;
}

function llmJson(r: LlmBenchResult) {
  return {
    bundle: r.bundle.path,
    id: r.bundle.id,
    status: r.manifest.status.kind,
    sensor: r.sensor.name,
    estimated: r.sensor.estimated,
    server: { models: r.server.models, stream_usage: r.server.streamUsage, usage_reported: r.server.usageReported, notes: r.server.notes },
    workload: r.workload,
    levels: r.levels.map((v) => ({
      ...Object.fromEntries(LLM_COLUMNS.filter((c) => c.key !== 'limits').map((c) => [c.key, c.value(v) ?? null])),
      footprint: v.footprint,
    })),
  };
}
