/**
 * `inferprint bench --sut openai|ollama`: the served-LLM branch of `bench` — its flags, the
 * call to `app/bench-llm.ts`, and the table. Loaded by `bench.ts` only when `--sut` names an
 * LLM server.
 */
import { benchLlm, validateLlmBenchOptions, type LlmBenchOptions, type LlmBenchResult, type LlmLevelView, type PromptSource } from '../../app/bench-llm.js';
import { signalExitCode } from '../../app/measure.js';
import { errors } from '../../errors.js';
import type { LlmSut } from '../../llm/core/protocol.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { defaultSensorEnv } from '../../sensors/io/env.js';
import type { CliContext } from '../command.js';
import { renderJson, renderTable, type Column } from '../output.js';
import { progressReporter } from '../progress.js';
import type { BenchFlags } from './bench.js';

/**
 * The options of a served-LLM benchmark from the command line, parsed by bench's flag table
 * (which has already refused the campaign's flags that mean nothing for a served LLM).
 */
export async function llmOptions(ctx: CliContext, sut: LlmSut, f: BenchFlags): Promise<LlmBenchOptions> {
  const { values } = f;
  const url = values.url;
  if (url === undefined) throw errors.usage(`--sut ${sut} needs the server's URL, e.g. --url http://127.0.0.1:${sut === 'ollama' ? 11434 : 8000}`, '--url');
  const model = values.model;
  if (model === undefined || model.trim() === '') throw errors.usage(`--sut ${sut} needs the model's name on the server, e.g. --model ${sut === 'ollama' ? 'llama3.2' : 'meta-llama/Llama-3.1-8B-Instruct'}`, '--model');
  const style = f.get('api');
  const requestRates = f.get('request-rate');
  const concurrency = f.get('concurrency') ?? (requestRates !== undefined ? [] : [1, 4, 16]);
  const requests = f.get('requests');
  const promptsFile = values.prompts;
  if (promptsFile !== undefined && values['input-tokens'] !== undefined) throw errors.usage('--input-tokens sizes generated prompts; --prompts gives them', '--input-tokens');
  const prompts: PromptSource = promptsFile !== undefined ? { kind: 'file', path: promptsFile } : { kind: 'synthetic', lengths: f.get('input-tokens') };
  const maxTokens = f.get('max-tokens');
  const limits = f.get('latency-limits') ?? [];
  const timeoutS = f.get('timeout');
  const keyVar = values['api-key-env'];
  let apiKey = f.get('token');
  if (apiKey !== undefined && keyVar !== undefined) throw errors.usage('give the key once: --token or --api-key-env', '--token');
  if (keyVar !== undefined) {
    apiKey = ctx.env[keyVar];
    if (apiKey === undefined || apiKey === '') throw errors.usage(`environment variable ${keyVar} is not set`, '--api-key-env');
  }
  const grid = values.grid;
  f.get('grid');
  const seed = f.get('seed') ?? 1;
  const options: LlmBenchOptions = {
    sut,
    url,
    model,
    style,
    concurrency,
    requestRates: requestRates ?? [],
    requests,
    prompts,
    maxTokens,
    ignoreEos: values['ignore-eos'] === true,
    limits,
    seed,
    sensor: f.get('sensor'),
    intervalS: f.get('interval'),
    cooldownS: f.get('cooldown') ?? 0,
    timeouts: { idleS: timeoutS, totalS: Math.max(3600, timeoutS) },
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(values.hardware !== undefined ? { hardware: values.hardware } : {}),
    ...(grid !== undefined ? { grid } : {}),
    ...(values.label !== undefined ? { label: values.label } : {}),
    runsDir: resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd }),
    cwd: ctx.cwd,
    env: { ...(await defaultSensorEnv()), env: ctx.env },
    verbose: values.verbose === true || ctx.debug === true,
  };
  validateLlmBenchOptions(options);
  return options;
}

export async function runLlmBench(ctx: CliContext, sut: LlmSut, f: BenchFlags): Promise<number> {
  const format = f.get('format');
  const options = await llmOptions(ctx, sut, f);
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
