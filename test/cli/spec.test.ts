/**
 * The flag tables (src/cli/spec.ts): one per command, from which its parser, its defaults and
 * its --help option list come (issue 12). Each command's help shows every flag of its table and
 * no flag it lacks; a flag is refused, naming it, in the sub-command or mode it does not apply to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCommand } from '../../src/cli/main.js';
import { defineFlags, dryParse, flagHelp, optionLines, parseCommandFlags, splitAtOptionsEnd } from '../../src/cli/spec.js';
import { isInferprintError } from '../../src/errors.js';

const COMMANDS = ['analyze', 'measure', 'bench', 'campaign', 'serve-model', 'import', 'hardware', 'runs', 'sql', 'report', 'advise', 'serve'];

/** A usage error (exit 2) whose message names `flag`. */
const usage = (flag: string) => (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.exitCode === 2 && e.message.includes(flag);

test("every command's --help shows each flag of its table, and names no flag the table lacks", async () => {
  for (const name of COMMANDS) {
    const command = (await loadCommand(name))!;
    const { flags } = command.spec;
    for (const [flag, def] of Object.entries(flags)) {
      if (def.hidden === true) continue;
      assert.match(command.help, new RegExp(`--${flag}\\b`), `${name} --help shows --${flag}`);
    }
    // The hand-written parts: its synopses (`inferprint runs list [--last N]`) and the option lines.
    const own = command.help.split('\n').filter((l) => l.includes(`inferprint ${name} `) || /^ {2}--/.test(l));
    for (const line of own) {
      if (/^ {2}inferprint (?!\S+ \S)/.test(line) && !line.includes(`inferprint ${name} `)) continue;
      const head = line.includes(`inferprint ${name} `) ? line.slice(line.indexOf(`inferprint ${name} `)).split(/ -- | \|\| | ; /)[0]! : line.trim().split(/ {2,}/)[0]!;
      for (const m of head.matchAll(/(?:^|[\s[(|,])--([a-z][a-z0-9-]*)/g)) {
        const flag = m[1]!;
        if (!['help', 'debug', 'version'].includes(flag)) assert.ok(Object.hasOwn(flags, flag), `${name} --help: '${line.trim()}' names --${flag}, which its table has`);
      }
    }
  }
});

test('help lines come from the table: label, description column, default appended or placed', () => {
  const flags = defineFlags({
    interval: { type: 'string', value: 'DURATION', default: '100ms', help: 'sampling interval' },
    port: { type: 'string', value: 'N', default: '8000', help: 'port (default {default}; 0 picks a free one)' },
    'a-very-long-flag-name': { type: 'string', value: 'VALUE', help: ['first line', 'second line'] },
    quiet: { type: 'boolean', help: 'say less' },
    secret: { type: 'boolean', hidden: true, help: 'not listed' },
  });
  assert.deepEqual(flagHelp(flags.interval), ['sampling interval (default 100ms)']);
  assert.equal(
    optionLines(flags, { width: 22 }),
    [
      '  --interval DURATION',
      '                      sampling interval (default 100ms)',
      '  --port N            port (default 8000; 0 picks a free one)',
      '  --a-very-long-flag-name VALUE',
      '                      first line',
      '                      second line',
      '  --quiet             say less',
    ].join('\n'),
  );
});

test('values: the parser runs on the given text or on the default; a bad one is a usage error naming the flag', () => {
  const flags = defineFlags({
    runs: { type: 'string', value: 'K', default: '10', parse: (raw: string) => Number(raw), help: 'repetitions' },
    tag: { type: 'string', value: 'T', multiple: true, help: 'repeatable' },
  });
  const none = parseCommandFlags([], flags);
  assert.equal(none.get('runs'), 10);
  assert.deepEqual(none.get('tag'), []);
  const some = parseCommandFlags(['--runs', '3', '--tag', 'a', '--tag', 'b', 'pos'], flags);
  assert.equal(some.get('runs'), 3);
  assert.deepEqual(some.get('tag'), ['a', 'b']);
  assert.deepEqual(some.positionals, ['pos']);
  assert.throws(() => parseCommandFlags(['--nope'], flags), usage('--nope'));
  assert.throws(() => parseCommandFlags(['--runs'], flags), usage('--runs'));
});

test('a flag is refused, named, in the sub-command or mode it does not apply to', async () => {
  const specs = Object.fromEntries(await Promise.all(COMMANDS.map(async (n) => [n, (await loadCommand(n))!.spec] as const)));
  const spec = (name: string) => specs[name]!;
  const bench = spec('bench');
  assert.equal(dryParse(bench, ['--sut', 'openai', '--url', 'http://h:8000', '--model', 'm', '--concurrency', '1,4']).mode, 'openai');
  assert.throws(() => dryParse(bench, ['--concurrency', '1,4']), (e: unknown) => usage('--concurrency')(e) && /served LLMs/.test((e as Error).message));
  assert.throws(() => dryParse(bench, ['--sut', 'ollama', '--queries', '16']), (e: unknown) => usage('--queries')(e) && /not for --sut ollama/.test((e as Error).message));
  assert.throws(() => dryParse(bench, ['--campaign-file', 'f.json', '--task', '0', '--runs', '3']), (e: unknown) => usage('--runs')(e) && /cannot change that/.test((e as Error).message));
  assert.throws(() => dryParse(bench, ['--task', 'x', '--campaign-file', 'f.json']), usage('--task'));
  assert.throws(() => dryParse(bench, ['--queries', '16,x']), usage('--queries'));
  assert.throws(() => dryParse(bench, ['--format', 'csv']), usage('--format'));
  assert.throws(() => dryParse(spec('campaign'), ['status', 'ID', '--executor', 'local']), usage("'campaign status'"));
  assert.throws(() => dryParse(spec('runs'), ['show', 'ID', '--last', '3']), usage("'runs show'"));
  assert.throws(() => dryParse(spec('runs'), ['list', '--since', 'someday']), usage('--since'));
  assert.throws(() => dryParse(spec('hardware'), ['show', 'A100', '--category', 'edge']), usage('--category'));
  assert.throws(() => dryParse(spec('serve-model'), ['--protocol', 'openai', '--max-batch', '4']), usage('--max-batch'));
  assert.throws(() => dryParse(spec('measure'), ['--sensor', 'nvlm', '--', 'true']), usage('--sensor'));
  assert.throws(() => dryParse(spec('measure'), ['--sensor', 'nvml']), /needs 1 argument/);
  assert.equal(dryParse(spec('measure'), ['--sensor', 'replay:trace.csv', '--', 'true']).positionals.length, 1);
  assert.throws(() => dryParse(spec('import'), ['nvidia-smi-log', 'x.csv']), /unknown subcommand 'nvidia-smi-log'/);
});

test("measure's options end at the command: its own options are its, -- still accepted", async () => {
  const spec = async (name: string) => (await loadCommand(name))!.spec;
  const measure = await spec('measure');
  assert.deepEqual(dryParse(measure, ['--sensor', 'estimate', 'ls', '-la']).positionals, ['ls', '-la']);
  assert.deepEqual(dryParse(measure, ['--sensor', 'estimate', 'echo', '--label', 'x']).positionals, ['echo', '--label', 'x']);
  assert.deepEqual(dryParse(measure, ['--label', 'run', '--', 'echo', '--label', 'x']).positionals, ['echo', '--label', 'x']);
  // The command's own `--` is its argument, not the end of measure's options.
  assert.deepEqual(dryParse(measure, ['echo', '--', 'x']).positionals, ['echo', '--', 'x']);
  assert.throws(() => dryParse(measure, ['--bogus', 'ls']), usage('--bogus'));
  // A command where no other has stopAtFirstPositional: options may still follow positionals.
  assert.deepEqual(dryParse(await spec('analyze'), ['DIR', '--format', 'csv']).positionals, ['DIR']);
});

test('splitAtOptionsEnd: a flag value is never the first positional; --name=value and short groups as parseArgs reads them', () => {
  const flags = defineFlags({ label: { type: 'string', value: 'L', help: '', short: 'l' }, verbose: { type: 'boolean', help: '', short: 'v' } });
  const cut = (argv: string[]) => splitAtOptionsEnd({ flags, stopAtFirstPositional: true }, argv);
  assert.deepEqual(cut(['--label', 'ls', 'cmd', '-x']), { options: ['--label', 'ls'], rest: ['cmd', '-x'] });
  assert.deepEqual(cut(['--label=ls', 'cmd']), { options: ['--label=ls'], rest: ['cmd'] });
  assert.deepEqual(cut(['-l', 'ls', 'cmd']), { options: ['-l', 'ls'], rest: ['cmd'] });
  assert.deepEqual(cut(['-lls', 'cmd']), { options: ['-lls'], rest: ['cmd'] });
  assert.deepEqual(cut(['-vl', 'ls', 'cmd']), { options: ['-vl', 'ls'], rest: ['cmd'] });
  assert.deepEqual(cut(['--verbose', 'cmd', '--label', 'x']), { options: ['--verbose'], rest: ['cmd', '--label', 'x'] });
  assert.deepEqual(cut(['--verbose', '--', '--label']), { options: ['--verbose'], rest: ['--label'] });
  assert.deepEqual(cut(['--verbose']), { options: ['--verbose'], rest: undefined });
  assert.deepEqual(splitAtOptionsEnd({ flags }, ['a', '--verbose', 'b']), { options: ['a', '--verbose', 'b'], rest: undefined });
});

test('the CLI answers a bad flag value with exit 2 and one line naming the flag', async () => {
  const { runCli } = await import('../../src/cli/main.js');
  for (const argv of [['bench', '--runs', 'ten'], ['serve', '--port', '99999'], ['advise', 'w.yaml', '--draws', '-1'], ['report', '--scale', '0']]) {
    let err = '';
    const code = await runCli(argv, { stdout: () => undefined, stderr: (s) => (err += s), env: {}, cwd: '/nonexistent' });
    assert.equal(code, 2, `${argv.join(' ')}: ${err}`);
    assert.equal(err.trim().split('\n').length, 1, err);
    assert.match(err, new RegExp(argv[argv.length - 2]!), err);
  }
});
