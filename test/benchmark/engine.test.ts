import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPerformance, type QuerySampleLibrary, type SystemUnderTest } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, bertMlperfConf, effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';

/** A SUT that completes every query after a fixed delay on a fake clock. */
function fakeWorld(latencyNs: number) {
  let now = 1e12;
  const clocks = { nowNs: () => now, epochMs: () => 1.7e12 + (now - 1e12) / 1e6 };
  const issued: number[][] = [];
  const sut: SystemUnderTest = {
    name: 'fake',
    issueQuery: (samples) => {
      issued.push(samples.map((s) => s.index));
      now += latencyNs;
      return Promise.resolve(samples.map((s) => ({ id: s.id })));
    },
  };
  const loaded: number[] = [];
  const qsl: QuerySampleLibrary = {
    name: 'fake',
    totalSampleCount: BERT_SAMPLE_COUNT,
    performanceSampleCount: BERT_SAMPLE_COUNT,
    loadSamples: (ix) => {
      loaded.push(ix.length);
      return Promise.resolve();
    },
    unloadSamples: () => Promise.resolve(),
  };
  return { clocks, sut, qsl, issued, loaded };
}

test('SingleStream as the study ran it: min = max = 16 queries, ends early on max query count', async () => {
  const w = fakeWorld(2_000_000);
  const settings = effectiveSettings(studySettings('v4.1', 16), BERT_SAMPLE_COUNT, 'v4.1');
  const run = await runPerformance(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
  assert.equal(run.queriesIssued, 16);
  assert.deepEqual(run.end, { kind: 'max-query-count', queryCount: 16 });
  assert.deepEqual(w.loaded, [10833]);
  // The reference's first v4.1 sample indices for these seeds (reference/mlperf-loadgen.md §1.5).
  assert.deepEqual(w.issued.slice(0, 5).map((q) => q[0]), [8143, 6390, 2157, 1292, 9336]);
  assert.equal(run.results.sampleLatency.maxNs, 2_000_000);
  assert.equal(run.results.sampleLatency.meanNs, 2_000_000);
  assert.equal(run.results.validity.minDurationMet, false, 'like every study run: 10 min minimum not met');
  assert.equal(run.results.validity.valid, false);
  assert.ok(run.powerEndEpochMs > run.powerBeginEpochMs);
});

test('a natural end once min queries and min duration are met', async () => {
  const w = fakeWorld(10_000_000);
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'SingleStream'), minDurationMs: 50, minQueryCount: 3, maxQueryCount: 0, singleStreamExpectedLatencyNs: 10_000_000 }, BERT_SAMPLE_COUNT, 'v4.1');
  const run = await runPerformance(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
  assert.deepEqual(run.end, { kind: 'natural' });
  // Issue k happens at k × 10 ms; the end check uses the issue time of the query just issued: ≥ 50 ms at the 6th.
  assert.equal(run.queriesIssued, 6);
});

test('both minimums met on the query that also reaches max_query_count: the natural end, as the reference checks it first', async () => {
  const w = fakeWorld(10_000_000);
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'SingleStream'), minDurationMs: 50, minQueryCount: 6, maxQueryCount: 6, singleStreamExpectedLatencyNs: 10_000_000 }, BERT_SAMPLE_COUNT, 'v4.1');
  const run = await runPerformance(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
  assert.deepEqual(run.end, { kind: 'natural' });
  assert.equal(run.queriesIssued, 6);
});

test('the power window hooks fire around the issue phase only, once each, in order', async () => {
  const w = fakeWorld(1_000_000);
  const events: string[] = [];
  const sut: SystemUnderTest = { name: 'x', issueQuery: (s) => { events.push('issue'); return w.sut.issueQuery(s); } };
  const settings = effectiveSettings(studySettings('v4.1', 3), BERT_SAMPLE_COUNT, 'v4.1');
  await runPerformance(sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks, onPowerWindow: { begin: () => events.push('begin'), end: () => events.push('end') } });
  assert.deepEqual(events, ['begin', 'issue', 'issue', 'issue', 'end']);
});

test('Server: a query that fails stops issuing and rejects the run once the others are done, never an unhandled rejection', async () => {
  const w = fakeWorld(0);
  let n = 0;
  let pending = 0;
  const sut: SystemUnderTest = {
    name: 'flaky',
    issueQuery: async (samples) => {
      const k = ++n;
      pending++;
      await new Promise((r) => setImmediate(r));
      pending--;
      if (k === 3) throw new Error('server said 500');
      return samples.map((s) => ({ id: s.id }));
    },
  };
  // A real clock: arrivals at 2000 QPS are waited for, so several queries overlap.
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'Server'), serverTargetQps: 2000, minQueryCount: 50, maxQueryCount: 50 }, BERT_SAMPLE_COUNT, 'v4.1');
  await assert.rejects(runPerformance(sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' }), /server said 500/);
  assert.equal(pending, 0, 'every query in flight was waited for');
});

test('Offline answered batch by batch: each sample gets its own batch latency; a sample answered twice or never is an error', async () => {
  const w = fakeWorld(0);
  let now = 1e12;
  const clocks = { nowNs: () => now, epochMs: () => 1.7e12 + (now - 1e12) / 1e6 };
  const sut: SystemUnderTest = {
    name: 'batched',
    issueQuery: (samples, complete) => {
      // Three batches of 4, 4 and 2 samples, done 1, 2 and 3 ms after the issue.
      for (let i = 0; i < 8; i += 4) {
        now += 1_000_000;
        complete!(samples.slice(i, i + 4).map((x) => ({ id: x.id })));
      }
      now += 1_000_000;
      return Promise.resolve(samples.slice(8).map((x) => ({ id: x.id })));
    },
  };
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'Offline'), minDurationMs: 0, minQueryCount: 10, maxQueryCount: 0 }, BERT_SAMPLE_COUNT, 'v4.1');
  const run = await runPerformance(sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks });
  assert.deepEqual(Array.from(run.sampleLatenciesNs), [1, 1, 1, 1, 2, 2, 2, 2, 3, 3].map((ms) => ms * 1_000_000));
  assert.equal(run.doneNs[0], 3_000_000, 'the query is done when its last sample is');

  const twice: SystemUnderTest = {
    name: 'twice',
    issueQuery: (samples, complete) => {
      complete!([{ id: samples[0]!.id }]);
      return Promise.resolve(samples.map((x) => ({ id: x.id })));
    },
  };
  await assert.rejects(runPerformance(twice, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks }), /completes one twice/);
  const missing: SystemUnderTest = { name: 'missing', issueQuery: (samples) => Promise.resolve(samples.slice(1).map((x) => ({ id: x.id }))) };
  await assert.rejects(runPerformance(missing, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks }), /1 of 10 samples of a query got no response/);
});
