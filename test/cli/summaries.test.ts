// A command's one-line summary was written twice, in main.ts's table (the top-level help) and in
// the command object (read by nothing), and the two had drifted: `import` and `serve-model` said
// less at the top level than they do. Now the one place is src/cli/summaries.ts: the top-level
// help lists it, each command's --help opens with it, and `inferprint --help` still loads no
// command module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCommand, runCli } from '../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false, env: { NO_COLOR: '1' } });
  return { code, out, err };
}

/** The `Commands:` list of the top-level help: each name and the summary printed beside it. */
function listed(help: string): [string, string][] {
  const lines = help.split('\n');
  const from = lines.indexOf('Commands:') + 1;
  assert.ok(from > 0, help);
  const to = lines.indexOf('', from);
  return lines.slice(from, to).map((l) => {
    const m = /^ {2}(\S+) +(\S.*)$/.exec(l);
    assert.ok(m, `a command line: '${l}'`);
    return [m[1]!, m[2]!];
  });
}

test("every command's summary in `inferprint --help` is the one its own --help opens with", async () => {
  const top = await cli(['--help']);
  assert.equal(top.code, 0);
  const commands = listed(top.out);
  assert.deepEqual(
    commands.map(([name]) => name),
    ['analyze', 'measure', 'bench', 'campaign', 'serve-model', 'import', 'hardware', 'runs', 'sql', 'report', 'advise', 'serve'],
  );
  for (const [name, summary] of commands) {
    const own = await cli([name, '--help']);
    assert.equal(own.code, 0, `${name} --help: ${own.err}`);
    const [first, blank] = own.out.split('\n');
    assert.equal(first, `inferprint ${name} — ${summary}`, `${name} --help opens with its summary`);
    assert.equal(blank, '');
    // The command behind the name is the one its help is (a loader pointing at another command fails here).
    const command = (await loadCommand(name))!;
    assert.equal(command.name, name);
    assert.ok(own.out.endsWith(command.help));
    // `-h` is the same.
    assert.equal((await cli([name, '-h'])).out, own.out);
  }
});

test('the two summaries that had drifted say what the commands do', async () => {
  const commands = new Map(listed((await cli(['--help'])).out));
  assert.equal(commands.get('import'), 'bring power logs, CodeCarbon files, MLPerf logs, the study dataset or other bundles into the runs store');
  assert.equal(commands.get('serve-model'), 'serve a BERT model over the KServe v2 protocol (Triton-compatible), or a synthetic LLM over the OpenAI API, for benchmarks');
});

test('`inferprint --help` loads no command module (commands load lazily)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-help-lazy-'));
  try {
    const log = join(dir, 'loaded.log');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/src/cli/commands/')) appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const main = JSON.stringify(pathToFileURL(join(ROOT, 'src/cli/main.ts')).href);
    const script = `import { appendFileSync } from 'node:fs';
import { runCli } from ${main};
let out = '';
const code = await runCli(['--help'], { stdout: (s) => { out += s; }, stderr: () => undefined, isTTY: false, env: {} });
appendFileSync(${JSON.stringify(log)}, 'MARK\\n');
const hw = await runCli(['hardware', '--help'], { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} });
console.log(JSON.stringify({ code, hw, out }));
`;
    const file = join(dir, 'child.mts');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(dir, 'register.mjs'), file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; hw: number; out: string };
    assert.equal(result.code, 0);
    assert.match(result.out, /^ {2}bench +the study campaign/m);
    const [before, after] = readFileSync(log, 'utf8').split('MARK\n');
    assert.equal(before, '', 'inferprint --help loaded a command module');
    // The hook does see command modules: `hardware --help`, run after, loads its own.
    assert.equal(result.hw, 0);
    assert.match(after!, /\/src\/cli\/commands\/hardware\.ts$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
