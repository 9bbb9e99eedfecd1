// YAML or JSON files a person writes (the advisor's workload, the campaign plan) are read by one
// function, src/yaml-text.ts: text that is not YAML is a PARSE error naming the file and the
// line, for a syntax error, a duplicate key and a JSON comma left out alike. Before, the
// workload reader gave no line at all (`w.yaml: not valid YAML or JSON: Flow map …`), since the
// `yaml` package gives one only with `prettyErrors`; the plan reader had its own fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkloadText } from '../src/advise/workload.js';
import { parsePlan } from '../src/campaign/plan.js';
import { runCli } from '../src/cli/main.js';
import { isInferprintError, type InferprintError } from '../src/errors.js';
import { parseYamlText } from '../src/yaml-text.js';
import { MINIMAL_PLAN, MINIMAL_WORKLOAD } from './helpers/user-files.js';

function thrown(fn: () => unknown): InferprintError {
  try {
    fn();
  } catch (e) {
    if (isInferprintError(e)) return e;
    throw e;
  }
  assert.fail('accepted');
}

const WORKLOAD = MINIMAL_WORKLOAD;
const PLAN = MINIMAL_PLAN;

/** The same mistakes in each file kind: the text, the line the error must name, and its words. */
const MISTAKES = {
  workload: [
    // The flow map opened on line 3 is not closed: the parser finds it where `}` should be, line 4.
    ['unclosed flow map', WORKLOAD.replace('latency_ms: 130 }', 'latency_ms: 130'), 4, /Flow map in block collection must be sufficiently indented and end with a \}/],
    ['duplicate key', WORKLOAD.replace('    service_ms: 2\n', '    service_ms: 2\n    placement: dedicated\n'), 10, /Map keys must be unique/],
    ['JSON missing a comma', '{\n  "users": 1000,\n  "queries_per_user_per_day": 10\n  "slo": { "percentile": 90, "latency_ms": 130 }\n}\n', 3, /Implicit keys need to be on a single line/],
  ],
  plan: [
    ['unclosed flow map', PLAN.replace('executor: local }', 'executor: local'), 4, /Flow map in block collection must be sufficiently indented and end with a \}/],
    ['duplicate key', PLAN.replace('  repetitions: 1\n', '  repetitions: 1\n  queries: [32]\n'), 8, /Map keys must be unique/],
    // After a `]` the parser sees the next item begin without a comma: line 4, where the comma is needed before.
    ['JSON missing a comma', '{\n  "name": "mini",\n  "targets": [{ "name": "here", "executor": "local" }]\n  "runs": { "model": "synthetic:bert-tiny" }\n}\n', 4, /Missing , between flow map items/],
    ['JSON missing a comma after a number', '{\n  "name": "mini",\n  "seed": 1\n  "runs": { "model": "synthetic:bert-tiny" }\n}\n', 3, /Implicit keys need to be on a single line/],
  ],
} as const;

const readers = {
  workload: (text: string) => parseWorkloadText(text, 'w.yaml'),
  plan: (text: string) => parsePlan(text, 'w.yaml', { seed: 1 }),
};

for (const kind of ['workload', 'plan'] as const) {
  test(`${kind}: a syntax error, a duplicate key and a JSON comma left out each name their line (PARSE, exit 1, one line)`, () => {
    for (const [what, text, line, words] of MISTAKES[kind]) {
      const e = thrown(() => readers[kind](text));
      assert.equal(e.code, 'PARSE', `${what}: ${e.message}`);
      assert.equal(e.exitCode, 1);
      assert.equal(e.where.line, line, `${what}: ${e.message}`);
      assert.ok(!e.message.includes('\n'), `${what}: one line`);
      assert.match(e.message, new RegExp(`^w\\.yaml:${line}: not valid YAML or JSON: `), what);
      assert.match(e.message, words, what);
      // The same function gives the same answer: one rule for both readers.
      assert.equal(thrown(() => parseYamlText(text, 'w.yaml')).message, e.message, what);
    }
  });
}

test('the CLI: advise and campaign submit name the line of a syntax error and exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-yaml-text-'));
  try {
    writeFileSync(join(dir, 'syntax2.yaml'), WORKLOAD.replace('latency_ms: 130 }', 'latency_ms: 130'));
    writeFileSync(join(dir, 'p_syn.yaml'), PLAN.replace('executor: local }', 'executor: local'));
    const run = async (args: string[]) => {
      let err = '';
      const code = await runCli(args, { stdout: () => {}, stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
      return { code, err };
    };
    const advise = await run(['advise', 'syntax2.yaml', '--runs-dir', join(dir, 'runs')]);
    assert.equal(advise.code, 1, advise.err);
    assert.match(advise.err, /^inferprint advise: syntax2\.yaml:4: not valid YAML or JSON: Flow map in block collection .*\[PARSE\]$/m);
    const plan = await run(['campaign', 'submit', 'p_syn.yaml', '--dry-run', '--runs-dir', join(dir, 'runs')]);
    assert.equal(plan.code, 1, plan.err);
    assert.match(plan.err, /p_syn\.yaml:4: not valid YAML or JSON: Flow map in block collection .*\[PARSE\]$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what parses: plain values, and the line of a key path (the key\'s line; a missing key gives its deepest present parent\'s)', () => {
  const y = parseYamlText('a: 1\nb:\n  c: [x, y]\n  d:\n    - e: 2\n    - e: 3\n', 'f.yaml');
  assert.deepEqual(y.value, { a: 1, b: { c: ['x', 'y'], d: [{ e: 2 }, { e: 3 }] } });
  assert.equal(y.lineOf([]), 1);
  assert.equal(y.lineOf(['a']), 1);
  assert.equal(y.lineOf(['b']), 2);
  assert.equal(y.lineOf(['b', 'd', 1, 'e']), 6);
  assert.equal(y.lineOf(['b', 'd', 1, 'missing']), 6);
  assert.equal(y.lineOf(['b', 'nope']), 2);
  assert.equal(parseYamlText('', 'f.yaml').value, null);
  // JSON is YAML 1.2: read alike, with lines.
  const j = parseYamlText('{\n  "a": 1,\n  "b": [1, 2]\n}\n', 'f.json');
  assert.deepEqual(j.value, { a: 1, b: [1, 2] });
  assert.equal(j.lineOf(['b']), 3);
});

test('an alias expanded too often (a "billion laughs") is a coded PARSE error, not a raw exception', () => {
  const bomb = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
  for (const read of [() => parseYamlText(bomb, 'w.yaml'), () => parseWorkloadText(bomb, 'w.yaml'), () => parsePlan(bomb, 'w.yaml', { seed: 1 })]) {
    const e = thrown(read);
    assert.equal(e.code, 'PARSE');
    assert.match(e.message, /^w\.yaml: not valid YAML or JSON: Excessive alias count/);
  }
});
