/**
 * `inferprint bench --sut openai|ollama`: a served LLM driven at one or more load levels —
 * closed loops of N clients (`--concurrency 1,4,16`) and/or Poisson arrivals (`--request-rate`)
 * — with power sampled the whole time, as every bench run is. One run bundle holds it all: the
 * trace with a window per level (`c4`) and its steady state (`c4-steady`), the per-level
 * results in `workload.levels` (TTFT, TPOT, ITL, end-to-end, tokens, outcomes, energy per token
 * over the steady state, prefill/decode split, latency limits), and every request's timeline in
 * `llm_requests.jsonl`.
 *
 * Before anything is measured or written, every check is made and fails in one line: the runs
 * directory takes a bundle, the prompts file reads, the server answers, lists the model and
 * streams (`llm/io/prechecks.ts`), the sensor runs. Failed requests during the run are counted by
 * outcome, never dropped; Ctrl-C stops sending, aborts what is in flight and saves the run as
 * interrupted.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { reachesThisMachine } from '../loopback.js';
import { streamRequest, parseServerUrl, DEFAULT_TIMEOUTS, type ClientTimeouts } from '../llm/io/client.js';
import { CumulativeEnergy, levelEnergy } from '../llm/core/energy.js';
import { checkLimits, type LatencyLimit } from '../llm/core/limits.js';
import { describeLengths, parsePromptsJsonl, syntheticPrompts, type LengthDistribution } from '../llm/core/prompts.js';
import { apiOf, isChatApi, requestBody, type LlmSut, type Prompt } from '../llm/core/protocol.js';
import { levelStats } from '../llm/core/stats.js';
import { recordJson, type RequestRecord } from '../llm/core/timeline.js';
import { levelFootprint, type LevelFootprint } from '../llm/impact.js';
import { levelName, runLevel, seededRandom, type LevelSpec } from '../llm/loadgen.js';
import { checkServer, type ServerFacts } from '../llm/io/prechecks.js';
import { Recorder, type Recording } from '../measure/recorder.js';
import { summarizeRecording } from '../measure/summary.js';
import { readRunManifest, writeRunBundle, type WrittenBundle } from '../runs/io/bundle.js';
import type { LlmLevel, LlmWorkload, RunManifest } from '../runs/manifest.js';
import { readRegularFileBytes } from '../io/regular-file.js';
import { chooseSensor } from '../sensors/io/registry.js';
import type { SensorEnv } from '../sensors/types.js';
import { publishLive } from '../measure/io/live-writer.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { hostInfo, impactFor } from './measure.js';
import { checkRunsDirWritable, measurementBundle } from './measure-bundle.js';

export const LLM_REQUESTS_FILE = 'llm_requests.jsonl';

export type PromptSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'synthetic'; readonly lengths: LengthDistribution };

export interface LlmBenchOptions {
  readonly sut: LlmSut;
  readonly url: string;
  readonly model: string;
  /** Chat (`/v1/chat/completions`, `/api/chat`) or plain completions (`/v1/completions`, `/api/generate`). */
  readonly style: 'chat' | 'completions';
  /** Closed-loop levels: clients sending back to back. */
  readonly concurrency: readonly number[];
  /** Open-loop levels: Poisson arrivals, requests/s. */
  readonly requestRates: readonly number[];
  /** Requests per level. */
  readonly requests: number;
  readonly prompts: PromptSource;
  readonly maxTokens?: number;
  readonly ignoreEos: boolean;
  readonly limits: readonly LatencyLimit[];
  /** Seed of the generated prompts and the Poisson arrivals. */
  readonly seed: number;
  readonly sensor: string;
  readonly intervalS: number;
  readonly hardware?: string;
  readonly grid?: string;
  readonly label?: string;
  /** Pause between levels, s, so one level's tail does not heat the next one's start. */
  readonly cooldownS: number;
  readonly timeouts?: ClientTimeouts;
  readonly apiKey?: string;
  readonly runsDir: string;
  readonly cwd: string;
  readonly env: SensorEnv;
  readonly onStatus?: (line: string) => void;
  readonly onProgress?: (done: number, total: number, what: string) => void;
  readonly verbose?: boolean;
  /** Where SIGINT/SIGTERM arrive (`process` from the CLI). */
  readonly signals?: NodeJS.EventEmitter;
  /** Tests: told of every request's first token (to pace a fake server). */
  readonly onToken?: (tS: number) => void;
}

export interface LlmLevelView {
  readonly level: LlmLevel;
  readonly footprint: LevelFootprint;
}

export interface LlmBenchResult {
  readonly bundle: WrittenBundle;
  readonly manifest: RunManifest;
  readonly workload: LlmWorkload;
  readonly levels: readonly LlmLevelView[];
  readonly sensor: { readonly name: string; readonly estimated: boolean };
  readonly server: ServerFacts;
  /** The signal that stopped the run early, when one did. */
  readonly interrupted?: NodeJS.Signals;
}

/** Flags and values a run cannot start with, as one usage error each. */
export function validateLlmBenchOptions(o: Pick<LlmBenchOptions, 'concurrency' | 'requestRates' | 'requests' | 'maxTokens' | 'intervalS' | 'cooldownS' | 'sut' | 'ignoreEos'>): void {
  if (o.concurrency.length === 0 && o.requestRates.length === 0) throw errors.usage('give at least one load level: --concurrency 1,4,16 and/or --request-rate 2', '--concurrency');
  for (const c of o.concurrency) if (!Number.isSafeInteger(c) || c < 1) throw errors.usage(`concurrency levels are positive integers, got ${c}`, '--concurrency');
  if (new Set(o.concurrency).size !== o.concurrency.length) throw errors.usage('a concurrency level appears twice', '--concurrency');
  for (const r of o.requestRates) if (!(r > 0) || !Number.isFinite(r)) throw errors.usage(`request rates are positive numbers of requests/s, got ${r}`, '--request-rate');
  if (new Set(o.requestRates).size !== o.requestRates.length) throw errors.usage('a request rate appears twice', '--request-rate');
  if (!Number.isSafeInteger(o.requests) || o.requests < 1) throw errors.usage(`expected a positive number of requests per level, got ${o.requests}`, '--requests');
  if (o.maxTokens !== undefined && (!Number.isSafeInteger(o.maxTokens) || o.maxTokens < 1)) throw errors.usage(`expected a positive token count, got ${o.maxTokens}`, '--max-tokens');
  if (!(o.intervalS > 0)) throw errors.usage('expected a positive interval', '--interval');
  if (!(o.cooldownS >= 0)) throw errors.usage('expected a non-negative cooldown', '--cooldown');
  if (o.ignoreEos && o.sut === 'ollama') throw errors.usage("Ollama has no ignore_eos option: fix output lengths with --max-tokens and prompts that do not end early, or use an OpenAI-compatible server (vLLM, llama.cpp)", '--ignore-eos');
}

/** The levels in the order they run: closed loops by increasing concurrency, then Poisson rates by increasing rate. */
export function plannedLevels(o: Pick<LlmBenchOptions, 'concurrency' | 'requestRates' | 'requests'>): LevelSpec[] {
  return [
    ...[...o.concurrency].sort((a, b) => a - b).map((c) => ({ mode: 'closed' as const, concurrency: c })),
    ...[...o.requestRates].sort((a, b) => a - b).map((r) => ({ mode: 'poisson' as const, requestRate: r })),
  ].map((load) => ({ name: levelName(load), load, requests: o.requests }));
}

/**
 * Largest prompts file read: 256 MiB. It is read whole, decoded to one string and parsed, so the
 * cap keeps that string well under V8's longest (2^29 - 24 UTF-16 units, about 512 Mi) and the
 * memory bounded, while holding far more prompts than a run sends (some 250 000 prompts of 1 kB;
 * a run sends levels × --requests of them). The same cap as the request timelines bench writes
 * (`MAX_LLM_REQUESTS_BYTES`, app/inputs.ts).
 */
export const MAX_PROMPTS_BYTES = 256 << 20;

interface LoadedPrompts {
  readonly prompts: Prompt[];
  readonly record: Readonly<Record<string, unknown>>;
}

async function loadPrompts(o: LlmBenchOptions, needed: number): Promise<LoadedPrompts> {
  if (o.prompts.kind === 'synthetic') {
    const { prompts } = syntheticPrompts(needed, o.prompts.lengths, o.seed);
    return { prompts, record: { source: 'synthetic', inputTokens: describeLengths(o.prompts.lengths), unit: 'words (about one token each in BPE vocabularies)', seed: o.seed, count: prompts.length } };
  }
  const path = resolvePath(o.cwd, o.prompts.path);
  // A regular file only (a FIFO would block the open, /dev/zero never end), at most
  // MAX_PROMPTS_BYTES; a missing one is NOT_FOUND ("prompts file does not exist").
  const bytes = await readRegularFileBytes(path, { links: 'follow', what: 'prompts file', maxBytes: MAX_PROMPTS_BYTES });
  const prompts = parsePromptsJsonl(bytes.toString('utf8'), path);
  return { prompts, record: { source: 'file', path, sha256: createHash('sha256').update(bytes).digest('hex'), count: prompts.length } };
}

const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

export async function benchLlm(opts: LlmBenchOptions): Promise<LlmBenchResult> {
  validateLlmBenchOptions(opts);
  const status = opts.onStatus ?? (() => undefined);
  const baseUrl = parseServerUrl(opts.url, opts.sut);
  const api = apiOf(opts.sut, opts.style);
  const levels = plannedLevels(opts);
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;

  // ── every check before anything is measured or written ──
  const loaded = await loadPrompts(opts, levels.length * opts.requests);
  if (!isChatApi(api) && loaded.prompts.some((p) => p.kind === 'chat')) {
    throw errors.usage(`${opts.prompts.kind === 'file' ? opts.prompts.path : 'the prompts'} holds chat messages: they need the chat API (leave out --api completions)`, '--api');
  }
  await checkRunsDirWritable(opts.runsDir);
  const clock = opts.env.clock;
  const facts = await checkServer({
    baseUrl,
    api,
    model: opts.model,
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    ignoreEos: opts.ignoreEos,
    timeouts,
    ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
    nowS: () => clock.monotonicS(),
  });
  for (const n of facts.notes) status(`inferprint bench: ${n}`);
  const choice = await chooseSensor(opts.sensor, opts.env);
  const notes: string[] = [...facts.notes.map((n) => `server: ${n}`)];
  const host = baseUrl.hostname;
  if (!reachesThisMachine(host, hostname())) {
    const line = `power is measured on this machine (${hostname()}) while the server is at ${host}: unless that is this machine, the energy is not the server's (run bench on the serving machine, or measure the server there)`;
    notes.push(line);
    status(`inferprint bench: warning: ${line}`);
  }
  status(`inferprint bench: sensor ${opts.verbose === true ? `${choice.sensor.name} (${choice.why})` : choice.summary}; ${opts.model} at ${baseUrl.href.replace(/\/$/, '')} (${api}); levels ${levels.map((l) => l.name).join(', ')}, ${opts.requests} requests each`);

  // ── the measured run ──
  const label = opts.label ?? `llm-${opts.model}`;
  const startedAt = new Date(clock.epochMs()).toISOString();
  const rec = await Recorder.start({
    sensor: publishLive(choice.sensor, { runsDir: opts.runsDir, label }),
    env: opts.env,
    intervalS: opts.intervalS,
    // The server is usually another process: an estimate charges the whole machine's CPU time.
    processTree: { rootPid: process.pid, includeRoot: true },
    estimateScope: 'machine',
    // A replayed study CSV takes its W/mW unit from the device; --hardware names it when the file name does not.
    ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}),
  });
  const agent = baseUrl.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const abort = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => (): void => {
    if (interrupted !== undefined) {
      // A second signal: the process gets its default behaviour back, and the signal again.
      opts.signals?.off('SIGINT', onInt);
      opts.signals?.off('SIGTERM', onTerm);
      if (opts.signals === process) process.kill(process.pid, sig);
      return;
    }
    interrupted = sig;
    status(`inferprint bench: ${sig}: stopping — requests in flight are aborted and the run is saved as interrupted`);
    abort.abort();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  opts.signals?.on('SIGINT', onInt);
  opts.signals?.on('SIGTERM', onTerm);
  const results: { spec: LevelSpec; records: RequestRecord[] }[] = [];
  let recording: Recording;
  try {
    // Level windows must lie within the primary channel's samples (the estimator's first comes an interval late).
    await rec.whenSampled(rec.info.primaryChannel, Math.max(1, 5 * opts.intervalS));
    rec.beginWindow('full');
    const random = seededRandom(opts.seed ^ 0x5bd1e995);
    const stopRequested = (): boolean => interrupted !== undefined;
    const total = levels.length * opts.requests;
    let done = 0;
    for (const [k, spec] of levels.entries()) {
      if (k > 0 && opts.cooldownS > 0) await sleep(opts.cooldownS);
      // Read through a function: the signal handler sets it while this loop awaits.
      if (stopRequested()) break;
      rec.beginWindow(spec.name);
      const records = await runLevel({
        level: spec,
        prompts: loaded.prompts,
        promptOffset: k * opts.requests,
        send: (prompt) =>
          streamRequest({
            baseUrl,
            api,
            body: requestBody(api, prompt, { model: opts.model, ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}), ignoreEos: opts.ignoreEos, streamUsage: facts.streamUsage }),
            nowS: () => rec.nowS(),
            timeouts,
            agent,
            signal: abort.signal,
            ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
            ...(opts.onToken ? { onToken: opts.onToken } : {}),
          }),
        nowS: () => rec.nowS(),
        sleepS: sleep,
        random,
        stopped: stopRequested,
        onRecord: () => {
          done++;
          opts.onProgress?.(done, total, spec.name);
        },
      });
      rec.endWindow(spec.name);
      results.push({ spec, records });
      const failed = records.filter((r) => r.outcome !== 'ok').length;
      if (failed > 0) status(`inferprint bench: warning: ${spec.name}: ${failed} of ${records.length} request(s) failed (${describeOutcomes(records)})`);
    }
    rec.endWindow('full');
  } finally {
    opts.signals?.off('SIGINT', onInt);
    opts.signals?.off('SIGTERM', onTerm);
    agent.destroy();
    recording = await rec.stop();
  }

  // ── results ──
  const primary = recording.channels.find((c) => c.name === recording.info.primaryChannel);
  const energy = primary && primary.tS.length >= 2 ? new CumulativeEnergy(primary.tS, primary.powerW) : undefined;
  const llmLevels: LlmLevel[] = [];
  const extraWindows: { name: string; t0S: number; t1S: number }[] = [];
  for (const { spec, records } of results) {
    const stats = levelStats(records);
    const loadShape = spec.load.mode === 'closed' ? { mode: 'closed' as const, clients: Math.min(spec.load.concurrency, records.length) } : { mode: 'poisson' as const };
    const e = energy ? levelEnergy(records, loadShape, energy) : undefined;
    if (e?.window === 'steady') extraWindows.push({ name: `${spec.name}-steady`, t0S: e.t0S, t1S: e.t1S });
    if (e?.note !== undefined) status(`inferprint bench: ${spec.name}: ${e.note}`);
    llmLevels.push({
      name: spec.name,
      load: spec.load.mode,
      ...(spec.load.mode === 'closed' ? { concurrency: spec.load.concurrency } : { requestRate: spec.load.requestRate }),
      ...stats,
      ...(e ? { energy: e } : {}),
      ...(opts.limits.length > 0 ? { limits: checkLimits(opts.limits, stats.ttftMs, stats.tpotMs) } : {}),
    });
  }
  const withSteady: Recording = { ...recording, windows: [...recording.windows, ...extraWindows].sort((a, b) => a.t0S - b.t0S || a.name.localeCompare(b.name)) };
  const summary = summarizeRecording(withSteady);
  const impactNotes = [...recording.info.notes];
  const impact = impactFor(opts, withSteady, summary, impactNotes);
  const runStatus = interrupted
    ? ({ kind: 'interrupted', signal: interrupted } as const)
    : recording.failure
      ? ({ kind: 'failed', code: recording.failure.error.code, message: recording.failure.error.detail } as const)
      : ({ kind: 'completed' } as const);
  const workload: LlmWorkload = {
    kind: 'llm',
    sut: opts.sut,
    api,
    url: baseUrl.href.replace(/\/$/, ''),
    model: opts.model,
    requestsPerLevel: opts.requests,
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    ignoreEos: opts.ignoreEos,
    streamUsage: facts.streamUsage,
    prompts: loaded.record,
    ...(opts.limits.length > 0 ? { latencyLimits: opts.limits.map((l) => ({ name: l.name, ...(l.ttftMs !== undefined ? { ttftMs: l.ttftMs } : {}), ...(l.tpotMs !== undefined ? { tpotMs: l.tpotMs } : {}), source: l.source })) } : {}),
    levels: llmLevels,
  };
  const lines = results.flatMap(({ spec, records }) => records.map((r) => JSON.stringify(recordJson(spec.name, r))));
  const input = measurementBundle(
    {
      recording: withSteady,
      summary,
      sensorWhy: choice.why,
      startedAt,
      endedAt: new Date(clock.epochMs()).toISOString(),
      status: runStatus,
      host: hostInfo(),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      ...impact,
      notes: impactNotes,
    },
    workload,
    label,
    [{ name: LLM_REQUESTS_FILE, role: 'llm_requests', content: lines.length > 0 ? `${lines.join('\n')}\n` : '' }],
  );
  const bundle = await writeRunBundle(opts.runsDir, { ...input, manifest: { ...input.manifest, notes: [...notes, ...LEVEL_NOTES] } });
  const manifest = await readRunManifest(bundle.path);
  const written = manifest.workload as LlmWorkload;
  return {
    bundle,
    manifest,
    workload: written,
    levels: written.levels.map((level) => ({ level, footprint: safeFootprint(manifest, level) })),
    sensor: { name: choice.sensor.name, estimated: choice.sensor.kind === 'estimated' },
    server: facts,
    ...(interrupted !== undefined ? { interrupted } : {}),
  };
}

/** What every LLM run's numbers mean, recorded with it. */
const LEVEL_NOTES = [
  'per level: latency statistics over the requests that ended well; tokens over every request (failed ones included); energy per token over the steady-state window (all clients have their first token → the first client has no next request)',
];

function safeFootprint(m: RunManifest, level: LlmLevel): LevelFootprint {
  try {
    return levelFootprint(m, level);
  } catch (e) {
    if (!isInferprintError(e)) throw e;
    return { scope: 'none', gwpMg: null, operationalMg: null, embodiedMg: null, gwpMgPer1kTokens: null, operationalMgPer1kTokens: null, embodiedMgPer1kTokens: null, reason: e.detail };
  }
}

/** `3 http-error (HTTP 429 Too Many Requests), 1 truncated`. */
export function describeOutcomes(records: readonly RequestRecord[]): string {
  const byKind = new Map<string, { n: number; example: string | undefined }>();
  for (const r of records) {
    if (r.outcome === 'ok') continue;
    const e = byKind.get(r.outcome) ?? { n: 0, example: r.detail };
    e.n++;
    byKind.set(r.outcome, e);
  }
  return [...byKind].map(([k, { n, example }]) => `${n} ${k}${example !== undefined ? ` (${example})` : ''}`).join(', ');
}
