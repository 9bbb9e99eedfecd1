import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The README's "Use it as a library" examples, as written: type-checked against the sources
 * (strict, as a user's TypeScript would see them) and run, with the replay sensor standing in
 * for the machine's own and a temporary runs directory.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'inferprint-readme-'));

function librarySection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it as a library\n');
  assert.ok(start >= 0, 'README has a "Use it as a library" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(section: string): string[] {
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const trace = join(work, 'gpu.csv');
// 150 W for 60 s, every 20 ms: as if an H100 were busy.
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 3000 }, (_, i) => `${(i * 0.02).toFixed(2)},150`).join('\n')}\n`);

/** The examples as one module: imports pointed at the sources, the sensor at the replay, and what they leave to the reader. */
function exampleModule(): string {
  const blocks = codeBlocks(librarySection());
  assert.ok(blocks.length >= 2, 'a track() example and an analyze/impact example');
  const code = blocks
    .join('\n')
    .replaceAll("from 'inferprint'", `from ${JSON.stringify(join(ROOT, 'src/index.js'))}`)
    .replace('await track({', `await track({ sensor: ${JSON.stringify(`replay:${trace}`)}, intervalS: 0.02,`);
  assert.match(code, /sensor: "replay:/, 'the example calls track({ … })');
  const prelude = [
    'const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));',
    'const inputs: readonly string[] = ["What is the capital of France?"];',
    'async function loadModel() { await sleep(120); return { run: async (_x: readonly string[]) => { await sleep(120); } }; }',
  ].join('\n');
  // Imports first (an ES module may have them anywhere, but keep it plain).
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  return `${imports.join('\n')}\n${prelude}\n${body.join('\n')}\nexport {};\n`;
}

const file = join(work, 'example.mts');
writeFileSync(file, exampleModule());

void test('the README library examples type-check (strict, NodeNext)', () => {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, typeRoots: [join(ROOT, 'node_modules/@types')] };
  // The example lives outside the project's rootDir.
  delete options.rootDir;
  const program = ts.createProgram([file], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file || d.file === undefined);
  const text = diagnostics.map((d) => `${d.file ? `${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(text, [], `\n${readFileSync(file, 'utf8')}`);
});

void test('the README library examples run: energy, GWP with its range, the analyze row, the coded error', () => {
  const runsDir = join(work, 'runs');
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, INFERPRINT_RUNS_DIR: runsDir }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^\d+\.\d J on gpu in \d+\.\d\d s \(replayed from .*gpu\.csv \(measured by nvidia-smi\)\); loading \d+\.\d J$/m);
  assert.match(out, /^ {2}gpu: \d+\.\d J, mean 150 W, peak 150 W$/m);
  assert.match(out, /^\S+ gCO2e \(range \S+–\S+\), embodied \S+ g$/m);
  // analyze on the run just saved: the H100 NVL row (the hardware given to track()).
  assert.match(out, /^H100-NVL \d/m);
  assert.match(out, /no hardware matches "Graphcore IPU" .*\[UNKNOWN_HARDWARE\]$/m);
  assert.equal(readdirSync(runsDir).filter((n) => !n.startsWith('.')).length, 1, 'the tracked section was saved in $INFERPRINT_RUNS_DIR');
});
