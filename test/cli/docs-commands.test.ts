/**
 * Every `inferprint ...` command line in README.md and docs/ parses with today's flags (issue 12):
 * the command exists, every flag is known to it and applies to its sub-command or mode, every value
 * passes the flag's parser, and the argument count fits. Parse only, through each command's own
 * spec (src/cli/spec.ts): nothing runs. Placeholders (`DIR`, `<dir>`, `$TOKEN`, `...`) stand for
 * any value. Synopses (`[--format table|csv|json]`, `list|show`) are checked for their names only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCommand } from '../../src/cli/main.js';
import { dryParse } from '../../src/cli/spec.js';
import { isInferprintError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '../..');

export interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** Inline code in prose: `inferprint analyze` alone names the command, it is not a command line. */
  readonly inline: boolean;
}

/** Code block languages whose lines are shell. */
const SHELL_BLOCKS = new Set(['', 'sh', 'bash', 'shell', 'console']);

/** Where an invocation starts in a line: `inferprint`, `./bin/inferprint`, `npx inferprint`, after `;`, `&`, `$(`. */
const INVOCATION = /(?:^|[\s;&|(])(?:\S*\/)?inferprint\s+(?=-{0,2}[a-z][a-z-]*(?:\s|$))/g;

/** The `inferprint ...` command lines of a markdown text: shell code blocks line by line, inline code in the prose. */
export function docCommands(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let block: string | undefined;
  const prose: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const fence = /^\s*```\s*([a-z]*)/.exec(l);
    if (fence) {
      block = block === undefined ? fence[1]! : undefined;
      continue;
    }
    if (block === undefined) {
      prose.push({ line: i + 1, text: l });
      continue;
    }
    if (!SHELL_BLOCKS.has(block)) continue;
    // A line ending in a backslash goes on on the next one.
    let text = l;
    const first = i + 1;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!}`;
    for (const inv of invocations(text)) out.push({ file, line: first, text: inv, inline: false });
  }
  // Inline code may wrap across lines of a paragraph; in tables a `\|` is a `|`.
  const text = prose.map((p) => p.text).join('\n');
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    const line = prose[text.slice(0, m.index).split('\n').length - 1]!.line;
    const code = m[1]!.replace(/\s*\n\s*/g, ' ').replaceAll('\\|', '|');
    // A command is a span that starts with one; `... reinstall inferprint without ...` in a
    // quoted message is prose, not a command.
    if (!/^(?:\S*\/)?inferprint(?:\s|$)/.test(code.trim())) continue;
    for (const inv of invocations(code)) out.push({ file, line, text: inv, inline: true });
  }
  return out;
}

/** Each `inferprint ...` of a shell line (its comment left out), up to the shell operator that ends it. */
function invocations(line: string): string[] {
  const out: string[] = [];
  for (const m of withoutComment(line).matchAll(INVOCATION)) {
    const rest = line.slice(m.index + m[0].length);
    out.push(`inferprint ${rest}`);
  }
  return out;
}

/** A shell line up to its `#` comment (a `#` that starts a word, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Shell words of a command line: quotes removed, ending at `|`, `;`, `&`, `>`, `<`, `)` or a `#` comment. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '(') {
      // `$(...)` and `$((...))` are one word, whatever spaces they hold.
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      word = (word ?? '') + text.slice(i, j + 1);
      i = j;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      word = (word ?? '') + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (word === undefined && c === '#') {
      break;
    } else if (';&><)'.includes(c) || (c === '|' && word === undefined)) {
      // `2>` and `2>&1`: the digit was a file descriptor, not a word.
      if (c === '>' && word !== undefined && /^\d$/.test(word)) word = undefined;
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A value that stands for one: `DIR`, `ZONE`, `N,N,...`, `<dir>`, `$TOKEN`, `…`. */
export function isPlaceholder(raw: string): boolean {
  return /^<.*>$/.test(raw) || raw.startsWith('$') || raw.includes('...') || raw.includes('…') || /^[A-Z][A-Z0-9_]*(\.[a-z]+)?$/.test(raw);
}

/** A synopsis, not a command line: optional parts in brackets or alternatives (`list|show`). */
const isSynopsis = (words: readonly string[]): boolean => words.some((w) => /[[\]]/.test(w) || (/\|/.test(w) && !w.includes('://')));

const GLOBAL_FLAGS = new Set(['--help', '-h', '--debug', '--version']);

/** Why a documented command line does not parse, or undefined when it does. */
export async function checkDocCommand(c: DocCommand): Promise<string | undefined> {
  const words = shellWords(c.text);
  const [, name, ...argv] = words;
  if (name === undefined) return 'no command';
  if (GLOBAL_FLAGS.has(name) || name === '-v') return undefined;
  const command = await loadCommand(name);
  if (!command) return `unknown command '${name}'`;
  const { spec } = command;
  if (argv.length === 0 && c.inline) return undefined;
  if (argv.some((a) => a === '--help' || a === '-h')) return undefined;
  const args = argv.filter((a) => a !== '--debug');
  if (isSynopsis(args)) {
    // Names only: every flag known, every sub-command among the alternatives known.
    const dd = args.indexOf('--');
    for (const [i, w] of (dd >= 0 ? args.slice(0, dd) : args).entries()) {
      for (const part of w.replace(/[[\]]/g, '').split('|')) {
        const flag = /^--?([a-z][a-z0-9-]*)/.exec(part)?.[1];
        if (flag !== undefined && !GLOBAL_FLAGS.has(`--${flag}`) && !Object.hasOwn(spec.flags, flag)) return `unknown flag '--${flag}'`;
        if (i === 0 && spec.subcommands && flag === undefined && !isPlaceholder(part) && part !== '' && !spec.subcommands.includes(part)) return `unknown subcommand '${part}'`;
      }
    }
    return undefined;
  }
  try {
    dryParse(spec, args, { isPlaceholder });
    return undefined;
  } catch (e) {
    if (isInferprintError(e)) return e.message;
    throw e;
  }
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? markdownFiles(join(dir, d.name)) : d.name.endsWith('.md') ? [join(dir, d.name)] : []));
}

test('every inferprint command line in README.md and docs/ parses with the CLI of today', async () => {
  const files = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
  const found = files.flatMap((f) => docCommands(relative(ROOT, f), readFileSync(f, 'utf8')));
  // The docs show many: a regression in the extraction would otherwise pass silently.
  assert.ok(found.length >= 60, `found ${found.length} command lines`);
  const failures: string[] = [];
  for (const c of found) {
    const why = await checkDocCommand(c);
    if (why !== undefined) failures.push(`${c.file}:${c.line}: ${c.text.slice(0, 120)}\n    ${why}`);
  }
  assert.deepEqual(failures, []);
});

test('the docs check catches what it is for: unknown command, unknown flag, missing and bad values', async () => {
  const at = (text: string, inline = false): Promise<string | undefined> => checkDocCommand({ file: 'x.md', line: 1, text, inline });
  // The two of issue 12: `hardware show --embodied` (the flag is --embodied-model), and a command that is not one.
  assert.match((await at('inferprint hardware show H100 --embodied die-area-v1')) ?? '', /--embodied/);
  assert.match((await at('inferprint measures -- true')) ?? '', /unknown command 'measures'/);
  assert.match((await at('inferprint analyze DATA --grid')) ?? '', /--grid/);
  assert.match((await at('inferprint analyze DATA --method simpson')) ?? '', /--method/);
  assert.match((await at('inferprint analyze DATA --lifetime 7')) ?? '', /--lifetime/);
  assert.match((await at('inferprint hardware list|show NAME [--embodied M]', true)) ?? '', /unknown flag '--embodied'/);
  assert.match((await at('inferprint runs list|remove', true)) ?? '', /unknown subcommand 'remove'/);
  assert.match((await at('inferprint bench --concurrency 1,4')) ?? '', /--concurrency/);
  // Placeholders and names alone are fine; so are shell pieces around the command.
  assert.equal(await at('inferprint analyze PATH/TO/thesis --method thesis --format csv > t.csv'), undefined);
  assert.equal(await at('inferprint analyze RUNS_DIR --grid ZONE --lifetime DURATION'), undefined);
  assert.equal(await at('inferprint campaign', true), undefined);
  assert.equal(await at('inferprint serve-model --token "$TOKEN" & sleep 3'), undefined);
  assert.deepEqual(
    docCommands('x.md', '```sh\n./bin/inferprint bench --sut openai \\\n  --url U --model M # note\n```\nsee `inferprint import bundle\nPATH --runs-dir DIR` and `inferprint/measure`\n').map((c) => [c.line, c.text.trim(), c.inline]),
    [
      [2, 'inferprint bench --sut openai    --url U --model M # note', false],
      [5, 'inferprint import bundle PATH --runs-dir DIR', true],
    ],
  );
});
