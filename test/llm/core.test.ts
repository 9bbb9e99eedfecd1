/**
 * The pure core of the LLM benchmark on constructed timelines: per-request metrics, level
 * statistics (hand-computed percentiles), the steady-state window (ML.ENERGY's definition),
 * tokens inside a window, the prefill/decode split, energy over windows, latency limits,
 * prompts files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregateLevel, per1kTokens } from '../../src/llm/core/aggregate.js';
import { CumulativeEnergy, levelEnergy } from '../../src/llm/core/energy.js';
import { checkLimits, latencyLimitPreset, parseLatencyLimits } from '../../src/llm/core/limits.js';
import { parseLengthDistribution, parsePromptsJsonl, syntheticPrompts } from '../../src/llm/core/prompts.js';
import { distribution, levelStats } from '../../src/llm/core/stats.js';
import { e2eS, interTokenGapsS, outputTokens, parseRecordJson, recordJson, tpotS, ttftS, type RequestRecord } from '../../src/llm/core/timeline.js';
import { phaseIntervals, steadyStateWindow, tokensInWindow } from '../../src/llm/core/window.js';
import { windowEnergyJ } from '../../src/traces/energy.js';
import { thrown } from '../helpers/decode.js';

/** A request that ended well; `usage` tokens when given. */
function req(index: number, client: number | null, sentS: number, tokens: number[], endS: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return { index, client, promptIndex: index, sentS, tokenTimesS: tokens, endS, outcome: 'ok', finishReason: 'stop', usage: null, ...extra };
}

const close = (a: number, b: number, tol = 1e-9): void => { assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`); };

test('per-request metrics: TTFT, every gap, TPOT over the reported tokens, end-to-end', () => {
  const r = req(0, 0, 10, [10.5, 10.6, 10.8, 11.1], 11.2);
  close(ttftS(r)!, 0.5);
  assert.deepEqual(interTokenGapsS(r).map((g) => Math.round(g * 1000)), [100, 200, 300]);
  close(tpotS(r)!, 0.6 / 3);
  close(e2eS(r), 1.2);
  assert.deepEqual(outputTokens(r), { tokens: 4, source: 'stream' });
  // A server that bundles tokens in chunks: usage says 7 tokens, so TPOT divides by 6.
  const bundled = { ...r, usage: { promptTokens: 3, completionTokens: 7 } };
  assert.deepEqual(outputTokens(bundled), { tokens: 7, source: 'usage' });
  close(tpotS(bundled)!, 0.6 / 6);
  // No token: no TTFT, no TPOT (never a zero).
  const empty = req(1, 0, 0, [], 0.3);
  assert.equal(ttftS(empty), null);
  assert.equal(tpotS(empty), null);
  assert.equal(tpotS(req(2, 0, 0, [0.1], 0.2)), null);
});

test('a record survives its JSONL line; a bad line says what is wrong', () => {
  const r = req(3, 1, 0.25, [0.5, 0.75], 1, { outcome: 'http-error', httpStatus: 429, detail: 'HTTP 429', finishReason: null, usage: { promptTokens: 5, completionTokens: null } });
  const back = parseRecordJson(JSON.parse(JSON.stringify(recordJson('c4', r))));
  assert.deepEqual(back, { level: 'c4', record: r });
  assert.equal(parseRecordJson({ level: 'c4', i: 0, sent_s: 0, end_s: 1, tokens_s: [], outcome: 'exploded' }), "'outcome' must be one of ok, http-error, truncated, timeout, connection, protocol, aborted");
});

test('level statistics: outcomes counted, latency over the requests that ended well, type-7 percentiles', () => {
  const records = [
    req(0, 0, 0, [1, 2], 2, { usage: { promptTokens: 10, completionTokens: 2 } }),
    req(1, 1, 0, [2, 3], 3, { usage: { promptTokens: 10, completionTokens: 2 } }),
    req(2, 0, 2, [5, 6], 6, { usage: { promptTokens: 10, completionTokens: 2 } }),
    req(3, 1, 3, [7, 9], 9, { usage: { promptTokens: 10, completionTokens: 2 } }),
    req(4, 0, 6, [6.5], 6.6, { outcome: 'truncated', detail: 'mid-event', finishReason: null }),
    req(5, 1, 9, [], 9.1, { outcome: 'http-error', httpStatus: 500, finishReason: null }),
  ];
  const s = levelStats(records);
  assert.equal(s.requests, 6);
  assert.equal(s.succeeded, 4);
  assert.equal(s.failed, 2);
  assert.deepEqual(s.outcomes, { ok: 4, 'http-error': 1, truncated: 1, timeout: 0, connection: 0, protocol: 0, aborted: 0 });
  assert.deepEqual(s.finishReasons, { stop: 4, none: 2 });
  // The truncated request's one token was generated: it counts, from the stream.
  assert.equal(s.outputTokens, 9);
  assert.equal(s.outputTokensSource, 'mixed');
  assert.equal(s.inputTokens, 40);
  close(s.durationS, 9.1);
  // TTFTs 1, 2, 3, 4 s: p50 2.5 s, p90 = 3 + 0.7 = 3.7 s, p99 = 3 + 0.97 = 3.97 s (numpy's linear).
  const t = s.ttftMs!;
  assert.deepEqual([t.count, t.mean, t.p50, t.max], [4, 2500, 2500, 4000]);
  close(t.p90, 3700);
  close(t.p99, 3970);
  // TPOT: (last − first) / (2 − 1) = 1, 1, 1, 2 s.
  assert.equal(s.tpotMs!.max, 2000);
  close(s.tpotMs!.p50, 1000);
  assert.equal(distribution([]), null);
});

/**
 * Two clients, five requests:
 *   client 0: [0 → tokens 1, 2, 3 → 3], [3 → 4, 5 → 5], [5 → 5.5, 6 → 6]
 *   client 1: [0 → 1.5, 2.5 → 2.5], [2.5 → 3, 4, 4.5 → 4.5]   (then no request left)
 * Every client has its first token at max(1, 1.5) = 1.5; the first client out of requests is
 * client 1, at 4.5: the steady state is [1.5, 4.5].
 */
const TWO_CLIENTS: RequestRecord[] = [
  req(0, 0, 0, [1, 2, 3], 3),
  req(1, 1, 0, [1.5, 2.5], 2.5),
  req(2, 1, 2.5, [3, 4, 4.5], 4.5),
  req(3, 0, 3, [4, 5], 5),
  req(4, 0, 5, [5.5, 6], 6),
];

test('steady state, closed loop: from every client\'s first token to the first client without a next request', () => {
  assert.deepEqual(steadyStateWindow(TWO_CLIENTS, { mode: 'closed', clients: 2 }), { kind: 'steady', t0S: 1.5, t1S: 4.5 });
  // One client: from its first token to its last request's end.
  assert.deepEqual(steadyStateWindow(TWO_CLIENTS.filter((r) => r.client === 0), { mode: 'closed', clients: 1 }), { kind: 'steady', t0S: 1, t1S: 6 });
});

test('no steady state: a client that never got a token, fewer requests than clients, clients out of work before the ramp-up ends', () => {
  const silent = TWO_CLIENTS.map((r) => (r.client === 1 ? { ...r, tokenTimesS: [] } : r));
  const a = steadyStateWindow(silent, { mode: 'closed', clients: 2 });
  assert.ok(a.kind === 'none');
  assert.match(a.reason, /client 1 never received a token/);
  assert.match(JSON.stringify(steadyStateWindow(TWO_CLIENTS, { mode: 'closed', clients: 3 })), /client 2 sent no request/);
  // Client 1 is done at 0.8, before client 0 has its first token at 1.
  const short = [req(0, 0, 0, [1, 2], 2), req(1, 1, 0, [0.5], 0.8)];
  const c = steadyStateWindow(short, { mode: 'closed', clients: 2 });
  assert.ok(c.kind === 'none');
  assert.match(c.reason, /send more requests per level/);
  assert.deepEqual(steadyStateWindow([], { mode: 'closed', clients: 1 }), { kind: 'none', reason: 'no request was sent' });
});

test('steady state, open loop: first token of the first request to the last arrival', () => {
  const poisson = [req(0, null, 0, [0.4, 0.9], 1), req(1, null, 0.7, [1.2], 1.5), req(2, null, 1.1, [1.6, 2], 2.2)];
  assert.deepEqual(steadyStateWindow(poisson, { mode: 'poisson' }), { kind: 'steady', t0S: 0.4, t1S: 1.1 });
});

test('tokens in a window: chunks inside it, each its share of its request\'s reported tokens', () => {
  // In [1.5, 4.5]: request 0: 2, 3; request 1: 1.5, 2.5; request 2: 3, 4, 4.5; request 3: 4 → 8 chunks.
  assert.equal(tokensInWindow(TWO_CLIENTS, 1.5, 4.5), 8);
  // Request 2 reports 6 tokens over its 3 chunks: 2 each.
  const withUsage = TWO_CLIENTS.map((r) => (r.index === 2 ? { ...r, usage: { promptTokens: null, completionTokens: 6 } } : r));
  assert.equal(tokensInWindow(withUsage, 1.5, 4.5), 11);
});

test('prefill/decode: exact at each request\'s first token without overlap, marked approximate with it', () => {
  const sequential = [req(0, 0, 0, [0.5, 1, 2], 2), req(1, 0, 2, [2.2, 2.6], 3)];
  const p = phaseIntervals(sequential);
  assert.deepEqual(p, { prefill: [[0, 0.5], [2, 2.2]], decode: [[0.5, 2], [2.2, 3]], overlapping: false });
  const o = phaseIntervals(TWO_CLIENTS);
  assert.equal(o.overlapping, true);
  // Any request waiting for its first token makes the time prefill: [0, 1.5], [2.5, 3], [3, 4] (request 3), [5, 5.5].
  assert.deepEqual(o.prefill, [[0, 1.5], [2.5, 4], [5, 5.5]]);
  assert.deepEqual(o.decode, [[1.5, 2.5], [4, 5], [5.5, 6]]);
});

test('cumulative energy equals the trapezoid over any window inside the trace', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ dt: fc.double({ min: 0.001, max: 1, noNaN: true }), p: fc.double({ min: 0, max: 700, noNaN: true }) }), { minLength: 2, maxLength: 40 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (samples, a, b) => {
        const tS: number[] = [];
        let t = 0;
        for (const s of samples) tS.push((t += s.dt));
        const powerW = samples.map((s) => s.p);
        const span = tS[tS.length - 1]! - tS[0]!;
        const [t0, t1] = [tS[0]! + Math.min(a, b) * span, tS[0]! + Math.max(a, b) * span];
        const e = new CumulativeEnergy(tS, powerW);
        close(e.between(t0, t1), windowEnergyJ(tS, powerW, t0, t1), 1e-9);
      },
    ),
  );
});

test('level energy on a constant 100 W: J per token, J per request, the split and the coverage, by hand', () => {
  const tS = Array.from({ length: 101 }, (_, i) => i * 0.1);
  const energy = new CumulativeEnergy(tS, tS.map(() => 100));
  const e = levelEnergy(TWO_CLIENTS, { mode: 'closed', clients: 2 }, energy)!;
  assert.equal(e.window, 'steady');
  close(e.energyJ, 300); // 100 W × 3 s
  close(e.meanPowerW, 100);
  assert.equal(e.outputTokens, 8);
  close(e.jPerOutputToken!, 37.5);
  // ML.ENERGY's energy per generation: J/token × mean output tokens of a request (12 tokens / 5).
  close(e.jPerRequest!, 37.5 * 2.4);
  close(e.levelEnergyJ, 600);
  close(e.split.prefillJ, 100 * (1.5 + 1.5 + 0.5));
  close(e.split.decodeJ, 100 * (1 + 1 + 0.5));
  close(e.split.idleJ, 0);
  assert.equal(e.split.approximate, true);
  assert.equal(e.coverage, 1);
  // Without a steady state the whole level is used, and it says so.
  const whole = levelEnergy([req(0, 0, 0, [1, 2], 2), req(1, 1, 0, [0.5], 0.8)], { mode: 'closed', clients: 2 }, energy)!;
  assert.equal(whole.window, 'level');
  assert.match(whole.note!, /^no steady state \(.*\): figures over the whole level$/);
  close(whole.energyJ, 200);
});

test('latency limits: MLPerf presets by either spelling, user limits, pass/fail on p99', () => {
  assert.deepEqual(latencyLimitPreset('llama3.1-8b-interactive'), latencyLimitPreset('llama3_1-8b-interactive'));
  const ls = parseLatencyLimits('llama2-70b,llama2-70b-interactive,llama3.1-8b,ttft=0.5s,tpot=30ms');
  assert.deepEqual(
    ls.map((l) => [l.name, l.ttftMs, l.tpotMs]),
    [
      ['llama2-70b', 2000, 200],
      ['llama2-70b-interactive', 450, 40],
      ['llama3_1-8b', 2000, 100],
      ['user', 500, 30],
    ],
  );
  assert.match(ls[0]!.source, /mlperf\.conf/);
  assert.equal(thrown(() => parseLatencyLimits('gpt-5')).where.flag, '--latency-limits');
  const d = (p99: number) => ({ count: 10, mean: p99 / 2, p50: p99 / 2, p90: p99, p99, max: p99 });
  const [c] = checkLimits([latencyLimitPreset('llama2-70b')!], d(1999), d(201));
  assert.deepEqual({ ttft: c!.ttftPass, tpot: c!.tpotPass, pass: c!.pass }, { ttft: true, tpot: false, pass: false });
  // No request ended well: nothing to meet a limit with.
  assert.equal(checkLimits([latencyLimitPreset('llama2-70b')!], null, null)[0]!.pass, false);
  assert.equal(checkLimits([{ name: 'user', ttftMs: 100, source: 'user' }], d(50), null)[0]!.tpotPass, null);
});

test('prompts: every line form; a bad line is one error naming the file and line', () => {
  const text = ['"plain"', '', '{"prompt": "p"}', '{"text": "t"}', '{"messages": [{"role": "user", "content": "m"}]}', '[{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]'].join('\n');
  const ps = parsePromptsJsonl(text, 'p.jsonl');
  assert.equal(ps.length, 5);
  assert.deepEqual(ps[4], { kind: 'chat', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] });
  const bad = thrown(() => parsePromptsJsonl('"ok"\n{"prompt": "x",}\n', '/data/p.jsonl'));
  assert.equal(bad.code, 'PARSE');
  assert.match(bad.message, /^\/data\/p\.jsonl:2: not JSON/);
  assert.match(thrown(() => parsePromptsJsonl('{"messages": [{"role": "user"}]}', 'p.jsonl')).message, /^p\.jsonl:1 field 'messages\[0\]'/);
  assert.equal(thrown(() => parsePromptsJsonl('\n\n', 'p.jsonl')).code, 'EMPTY_INPUT');
});

test('generated prompts: reproducible from the seed, every one different, lengths as asked', () => {
  const lengths = parseLengthDistribution('4-9', '--input-tokens');
  const a = syntheticPrompts(50, lengths, 3);
  assert.deepEqual(syntheticPrompts(50, lengths, 3), a);
  assert.notDeepEqual(syntheticPrompts(50, lengths, 4).prompts, a.prompts);
  assert.equal(new Set(a.prompts.map((p) => (p.kind === 'text' ? p.text : ''))).size, 50);
  a.prompts.forEach((p, i) => { assert.equal(p.kind === 'text' ? p.text.split(' ').length : 0, a.targetTokens[i]); });
  assert.ok(a.targetTokens.every((n) => n >= 4 && n <= 9));
  assert.equal(thrown(() => parseLengthDistribution('9-4', '--input-tokens')).code, 'USAGE');
});

test('several runs of a level: percentiles pooled over every request, J per token the ratio of the sums', () => {
  const energyOf = (energyJ: number, tokens: number) => ({
    window: 'steady' as const, t0S: 0, t1S: 1, energyJ, meanPowerW: energyJ, outputTokens: tokens, jPerOutputToken: energyJ / tokens, jPerRequest: 1,
    levelEnergyJ: energyJ, levelDurationS: 1, split: { prefillJ: 1, decodeJ: 2, idleJ: 0, approximate: false }, coverage: 1,
  });
  const a = [req(0, 0, 0, [1, 2], 2), req(1, 0, 2, [3, 4], 4)];
  const b = [req(0, 0, 0, [3, 4], 4), req(1, 0, 4, [8, 9], 9)];
  const levelOf = (records: RequestRecord[], energyJ: number, tokens: number) => ({ name: 'c1', load: 'closed' as const, concurrency: 1, ...levelStats(records), energy: energyOf(energyJ, tokens) });
  const runs = [
    { id: 'a', level: levelOf(a, 10, 4), records: a },
    { id: 'b', level: levelOf(b, 30, 4), records: b },
  ];
  const s = aggregateLevel('m', 'openai-chat', runs, [latencyLimitPreset('llama2-70b')!]);
  assert.equal(s.runs, 2);
  assert.equal(s.requests, 4);
  assert.equal(s.latencySource, 'requests');
  // TTFTs 1, 1, 3, 4 s pooled: p50 = 2 s (not the mean of each run's 1 and 3.5).
  close(s.ttftMs!.p50, 2000);
  close(s.jPerOutputToken!, 40 / 8);
  close(s.jPerRequest!, 5 * 2);
  assert.equal(s.limits[0]!.ttftPass, false);
  const without = aggregateLevel('m', 'openai-chat', runs.map(({ id, level: l }) => ({ id, level: l })), []);
  assert.equal(without.latencySource, 'mean-of-runs');
  close(without.ttftMs!.p50, (1000 + 3500) / 2);
  const per1k = per1kTokens(s, 2, { gwp: 0.002, operational: 0.0015, embodied: 0.0005 });
  // 2 mg over a mean window of 4 tokens: 500 mg per 1 000 tokens.
  close(per1k.gwpMgPer1kTokens!, 500);
  close(per1k.embodiedMgPer1kTokens!, 125);
});
