/** The load of a level with an injected request and clock: closed loops never exceed N in flight; Poisson arrivals follow their seed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamResult } from '../../src/llm/io/client.js';
import { levelName, runLevel, seededRandom } from '../../src/llm/loadgen.js';
import { plannedLevels, validateLlmBenchOptions } from '../../src/app/bench-llm.js';
import { thrown } from '../helpers/decode.js';
import { VirtualClock } from './fakes.js';

const prompts = [0, 1, 2].map((i) => ({ kind: 'text' as const, text: `p${i}` }));
const done = (sentS: number): StreamResult => ({ sentS, tokenTimesS: [sentS + 0.1], endS: sentS + 0.2, outcome: 'ok', finishReason: 'stop', usage: null });

test('closed loop: N clients, never more than N in flight, every request once, prompts in order from the offset', async () => {
  let inFlight = 0;
  let most = 0;
  const used: number[] = [];
  const records = await runLevel({
    level: { name: 'c4', load: { mode: 'closed', concurrency: 4 }, requests: 11 },
    prompts,
    promptOffset: 2,
    send: async (_, promptIndex) => {
      used.push(promptIndex);
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      inFlight--;
      return done(0);
    },
    nowS: () => 0,
    sleepS: () => Promise.resolve(),
    random: seededRandom(1),
  });
  assert.equal(most, 4);
  assert.deepEqual(records.map((r) => r.index), [...Array(11).keys()]);
  assert.deepEqual(records.map((r) => r.promptIndex), [...Array(11).keys()].map((i) => (2 + i) % 3));
  assert.deepEqual(new Set(records.map((r) => r.client)), new Set([0, 1, 2, 3]));
  assert.equal(used.length, 11);
  // Fewer requests than clients: only as many clients as requests.
  const few = await runLevel({ level: { name: 'c16', load: { mode: 'closed', concurrency: 16 }, requests: 3 }, prompts, promptOffset: 0, send: () => Promise.resolve(done(0)), nowS: () => 0, sleepS: () => Promise.resolve(), random: seededRandom(1) });
  assert.equal(few.length, 3);
});

test('open loop: arrivals at the seeded Poisson times, sent without waiting for answers; mean gap ≈ 1/rate', async () => {
  const clock = new VirtualClock();
  const rate = 8;
  const records = await runLevel({
    level: { name: 'r8', load: { mode: 'poisson', requestRate: rate }, requests: 2000 },
    prompts,
    promptOffset: 0,
    send: () => Promise.resolve(done(clock.t)),
    nowS: clock.nowS,
    sleepS: (s) => {
      clock.advance(s);
      return Promise.resolve();
    },
    random: seededRandom(42),
  });
  const rand = seededRandom(42);
  let due = 0;
  records.forEach((r, i) => {
    if (i > 0) due += -Math.log(1 - rand()) / rate;
    assert.ok(Math.abs(r.scheduledS! - due) < 1e-9);
    assert.ok(Math.abs(r.sentS - due) < 1e-9);
    assert.equal(r.client, null);
  });
  const meanGap = records[records.length - 1]!.scheduledS! / (records.length - 1);
  assert.ok(Math.abs(meanGap - 1 / rate) < 0.05 / rate, `mean gap ${meanGap}`);
});

test('a stop request ends the dispatching; what was sent is kept', async () => {
  let n = 0;
  const records = await runLevel({
    level: { name: 'c2', load: { mode: 'closed', concurrency: 2 }, requests: 100 },
    prompts,
    promptOffset: 0,
    send: () => {
      n++;
      return Promise.resolve(done(0));
    },
    nowS: () => 0,
    sleepS: () => Promise.resolve(),
    random: seededRandom(1),
    stopped: () => n >= 5,
  });
  assert.ok(records.length >= 5 && records.length <= 6, `${records.length}`);
});

test('levels: names, order (closed by concurrency, then rates), and refused options', () => {
  assert.equal(levelName({ mode: 'closed', concurrency: 16 }), 'c16');
  assert.equal(levelName({ mode: 'poisson', requestRate: 2.5 }), 'r2.5');
  assert.deepEqual(plannedLevels({ concurrency: [16, 1, 4], requestRates: [2, 0.5], requests: 9 }).map((l) => l.name), ['c1', 'c4', 'c16', 'r0.5', 'r2']);
  const base = { concurrency: [1], requestRates: [], requests: 10, intervalS: 0.1, cooldownS: 0, sut: 'openai' as const, ignoreEos: false };
  assert.equal(thrown(() => { validateLlmBenchOptions({ ...base, concurrency: [] }); }).where.flag, '--concurrency');
  assert.equal(thrown(() => { validateLlmBenchOptions({ ...base, concurrency: [4, 4] }); }).where.flag, '--concurrency');
  assert.equal(thrown(() => { validateLlmBenchOptions({ ...base, requestRates: [0] }); }).where.flag, '--request-rate');
  assert.equal(thrown(() => { validateLlmBenchOptions({ ...base, requests: 0 }); }).where.flag, '--requests');
  assert.equal(thrown(() => { validateLlmBenchOptions({ ...base, sut: 'ollama', ignoreEos: true }); }).where.flag, '--ignore-eos');
});
