/**
 * The plan file: the issue's example reads as written, defaults are bench's, and every fault is
 * one coded error naming the file, the line and the key path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlan } from '../../src/campaign/plan.js';
import { isInferprintError } from '../../src/errors.js';

const D = { seed: 20_250_522 };

const ISSUE_EXAMPLE = `name: study-mini
targets:
  - { name: cpu, executor: slurm, partition: debug, exclusive: true }   # or executor: local
runs:
  model: synthetic:bert-tiny
  scenario: SingleStream
  queries: [16, 32]
  repetitions: 2
  sensor: estimate
`;

test("the issue's example plan reads as written", () => {
  const p = parsePlan(ISSUE_EXAMPLE, 'plan.yaml', D);
  assert.equal(p.name, 'study-mini');
  assert.deepEqual(p.targets, [{ name: 'cpu', executor: 'slurm', partition: 'debug', exclusive: true, sbatchArgs: [], setup: [] }]);
  assert.equal(p.runs.model, 'synthetic:bert-tiny');
  assert.equal(p.runs.scenario, 'SingleStream');
  assert.deepEqual(p.runs.queryCounts, [16, 32]);
  assert.equal(p.runs.repetitions, 2);
  assert.equal(p.runs.sensor, 'estimate');
  // bench's defaults for what the plan leaves out
  assert.equal(p.runs.seed, 20_250_522);
  assert.equal(p.runs.intervalS, 0.1);
  assert.equal(p.runs.cooldownS, 0);
});

test('JSON plans read too, and every target key maps to its field', () => {
  const p = parsePlan(
    JSON.stringify({
      name: 'gpu-study',
      targets: [
        { name: 'a100', partition: 'gpu', constraint: 'a100', gres: 'gpu:1', account: 'proj', qos: 'normal', time_limit: '01:30:00', exclusive: false, max_parallel: 4, cpus_per_task: 8, mem: '32G', sbatch_args: ['--reservation=study'], setup: 'module load nodejs', sensor: 'nvml', provider: 'cuda', hardware: 'A100-PCIE-40GB' },
        { name: 'here', executor: 'local' },
      ],
      runs: { model: 'synthetic:bert-large', queries: 16, repetitions: 10, cooldown: '30s', interval: '50ms', seed: 7, grid: 'FR', label: 'x' },
    }),
    'plan.json',
    D,
  );
  assert.deepEqual(p.targets[0], {
    name: 'a100', executor: 'slurm', partition: 'gpu', constraint: 'a100', gres: 'gpu:1', account: 'proj', qos: 'normal', timeLimit: '01:30:00', exclusive: false, maxParallel: 4, cpusPerTask: 8, mem: '32G',
    sbatchArgs: ['--reservation=study'], setup: ['module load nodejs'], sensor: 'nvml', provider: 'cuda', hardware: 'A100-PCIE-40GB',
  });
  assert.equal(p.targets[1]!.executor, 'local');
  assert.equal(p.targets[1]!.exclusive, true, 'exclusive by default');
  assert.deepEqual(p.runs.queryCounts, [16]);
  assert.equal(p.runs.cooldownS, 30);
  assert.equal(p.runs.intervalS, 0.05);
  assert.equal(p.runs.seed, 7);
});

test('a served model: sut http with its url and model name', () => {
  const p = parsePlan('name: s\ntargets: [{name: a, executor: local}]\nruns: {sut: http, url: "http://gpu:8000", model_name: bert, queries: [16]}\n', 'p.yaml', D);
  assert.deepEqual(p.runs.http, { url: 'http://gpu:8000', modelName: 'bert' });
  assert.equal(p.runs.model, 'kserve:bert@http://gpu:8000');
});

const BASE = (runs: string, targets = '  - { name: cpu, partition: debug }') => `name: t\ntargets:\n${targets}\nruns:\n${runs}`;

// [case, plan text, expected code, expected message fragment (file:line field 'path')]
const BAD: readonly [string, string, string, RegExp][] = [
  ['no runs: an empty query list', BASE('  model: synthetic:bert-tiny\n  queries: []\n'), 'INVALID_VALUE', /^plan\.yaml:6 field 'runs\.queries': no query counts: the plan has no runs/],
  ['no runs section', 'name: t\ntargets: [{ name: cpu }]\n', 'PARSE', /field 'runs': required/],
  ['no targets', 'name: t\ntargets: []\nruns: { model: synthetic:bert-tiny }\n', 'INVALID_VALUE', /^plan\.yaml:2 field 'targets': no targets/],
  ['a misspelt key', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu, partition: debug, max_paralel: 2 }'), 'PARSE', /^plan\.yaml:3 field 'targets\[0\]\.max_paralel': unknown key \(expected one of name, executor/],
  ['max_parallel 0', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu, max_parallel: 0 }'), 'INVALID_VALUE', /field 'targets\[0\]\.max_parallel': expected a positive integer, got 0/],
  ['an unknown executor', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu, executor: pbs }'), 'INVALID_VALUE', /field 'targets\[0\]\.executor': expected one of slurm, local, got 'pbs'/],
  ['a Slurm time that is not one', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu, time_limit: "2 hours" }'), 'INVALID_VALUE', /field 'targets\[0\]\.time_limit': '2 hours' is not a Slurm time/],
  ['exclusive as text', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu, exclusive: "no" }'), 'PARSE', /field 'targets\[0\]\.exclusive': expected true or false, got 'no'/],
  ['two targets with one name', BASE('  model: synthetic:bert-tiny\n', '  - { name: cpu }\n  - { name: cpu }'), 'INVALID_VALUE', /^plan\.yaml:4 field 'targets\[1\]\.name': target 'cpu' appears twice/],
  ['a target name that cannot name a file', BASE('  model: synthetic:bert-tiny\n', '  - { name: "../x" }'), 'INVALID_VALUE', /field 'targets\[0\]\.name': '\.\.\/x' is not a plain name/],
  ['a query count twice', BASE('  model: synthetic:bert-tiny\n  queries: [16, 16]\n'), 'INVALID_VALUE', /field 'runs\.queries\[1\]': query count 16 appears twice/],
  ['a query count that is not a number', BASE('  model: synthetic:bert-tiny\n  queries: [16, x]\n'), 'PARSE', /field 'runs\.queries\[1\]': expected a positive integer, got 'x'/],
  ['no model', BASE('  queries: [16]\n'), 'PARSE', /field 'runs\.model': required/],
  ['an unknown sensor', BASE('  model: synthetic:bert-tiny\n  sensor: wattmeter\n'), 'INVALID_VALUE', /field 'runs\.sensor': unknown sensor 'wattmeter'/],
  ['Server without its rate', BASE('  model: synthetic:bert-tiny\n  scenario: Server\n'), 'PARSE', /field 'runs\.target_qps': required for the Server scenario/],
  ['a rate outside Server', BASE('  model: synthetic:bert-tiny\n  target_qps: 10\n'), 'INVALID_VALUE', /field 'runs\.target_qps': target_qps is the Server scenario's arrival rate/],
  ['a bad cooldown', BASE('  model: synthetic:bert-tiny\n  cooldown: soon\n'), 'PARSE', /field 'runs\.cooldown': expected a duration such as 30s/],
  ['not YAML', 'name: t\ntargets: [{ name: cpu\nruns: {}\n', 'PARSE', /^plan\.yaml:3: not valid YAML or JSON/],
  ['a key twice', 'name: t\nname: u\n', 'PARSE', /^plan\.yaml:2: not valid YAML or JSON: Map keys must be unique/],
  ['an empty file', '', 'EMPTY_INPUT', /the plan is empty/],
];

for (const [what, text, code, message] of BAD) {
  test(`a bad plan is one coded error naming line and key path: ${what}`, () => {
    assert.throws(
      () => parsePlan(text, 'plan.yaml', D),
      (e: unknown) => {
        assert.ok(isInferprintError(e), String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      },
    );
  });
}
