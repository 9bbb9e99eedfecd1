// onnxruntime-node is an optional dependency (ADR 0016). With the package made unresolvable (a
// module-resolution hook in a child process answers as Node does for a package that is not
// installed), the commands that need it fail with one coded line saying how to install it, and
// `analyze` and the library entry never ask for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
const src = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);

const EXPECTED = 'onnxruntime-node is not installed; the ONNX Runtime system under test needs it: npm install onnxruntime-node (or reinstall inferprint without --omit=optional) [DEPENDENCY_MISSING]';

/** A folder with the hook (and its registration) that hides onnxruntime-node and logs who asked for it. */
function hidingHook(dir: string): { register: string; log: string } {
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/')) {
    appendFileSync(${JSON.stringify(join(dir, 'asked.log'))}, specifier + ' from ' + context.parentURL + '\\n');
    // Node's own error for a package that is not installed.
    const e = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  return { register: join(dir, 'register.mjs'), log: join(dir, 'asked.log') };
}

/** Runs `script` (TypeScript, ESM) in a child with onnxruntime-node hidden; its last stdout line parsed as JSON. */
function runHidden(dir: string, script: string): { result: Record<string, unknown>; asked: string } {
  const hook = hidingHook(dir);
  const file = join(dir, 'child.mts');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', hook.register, file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, timeout: 120_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { result: JSON.parse(last) as Record<string, unknown>, asked: existsSync(hook.log) ? readFileSync(hook.log, 'utf8') : '' };
}

test('the ONNX Runtime SUT without onnxruntime-node: one DEPENDENCY_MISSING line saying how to install it', () => {
  const dir = tempDir('ort-missing-');
  try {
    const { result, asked } = runHidden(
      dir,
      `import { openOrtSut } from ${src('benchmark/sut/io/onnxruntime.ts')};
import { openDecoderSession } from ${src('llm/io/decoder-session.ts')};
const out = {};
for (const [name, open] of [['ort', () => openOrtSut({ modelPath: ${JSON.stringify(join(ROOT, 'package.json'))} })], ['decoder', () => openDecoderSession({ preset: 'decoder-tiny' })]]) {
  try { await open(); out[name] = 'opened'; } catch (e) { out[name] = { code: e.code, message: e.message }; }
}
console.log(JSON.stringify(out));
`,
    );
    assert.deepEqual(result.ort, { code: 'DEPENDENCY_MISSING', message: EXPECTED });
    assert.deepEqual(result.decoder, {
      code: 'DEPENDENCY_MISSING',
      message: 'onnxruntime-node is not installed; serve-model --protocol openai (the synthetic decoder-tiny) needs it: npm install onnxruntime-node (or reinstall inferprint without --omit=optional) [DEPENDENCY_MISSING]',
    });
    // The hook was really in the way (the test would pass vacuously otherwise).
    assert.match(asked, /^onnxruntime-node from .*ort-load\.ts$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench without onnxruntime-node exits 1 with that line, before generating a model', () => {
  const dir = tempDir('ort-missing-bench-');
  try {
    const runs = join(dir, 'runs');
    const cache = join(dir, 'cache');
    const { result } = runHidden(
      dir,
      `import { runCli } from ${src('cli/main.ts')};
let err = '';
const code = await runCli(['bench', '--model', 'synthetic:bert-tiny', '--queries', '16', '--runs', '1', '--sensor', 'estimate', '--runs-dir', ${JSON.stringify(runs)}, '--cache-dir', ${JSON.stringify(cache)}], { stdout: () => undefined, stderr: (s) => { err += s; }, isTTY: false, env: { NO_COLOR: '1' } });
console.log(JSON.stringify({ code, err }));
`,
    );
    assert.equal(result.code, 1);
    const lines = String(result.err).trim().split('\n');
    assert.equal(lines.at(-1), `inferprint bench: ${EXPECTED}`);
    assert.equal(lines.filter((l) => l.includes('DEPENDENCY_MISSING')).length, 1);
    assert.equal(existsSync(cache), false, 'no model generated for a runtime that is not there');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The Slurm task path (`bench --campaign-file F --task I`, what every array task runs) checked
// the package only when the run opened its session: each task first generated the model (minutes
// for bert-large, on every node) and made the runs directory, then failed.
test('bench --campaign-file F --task I without onnxruntime-node exits 1 with that line, before generating a model or writing anything', () => {
  const dir = tempDir('ort-missing-task-');
  try {
    const runs = join(dir, 'runs');
    const cache = join(dir, 'cache');
    const file = join(dir, 'campaign.json');
    writeFileSync(
      file,
      JSON.stringify({
        schema: 'inferprint.campaign/1',
        id: '20261201T000000Z-ab12',
        createdAt: '2026-12-01T00:00:00.000Z',
        model: 'synthetic:bert-tiny',
        scenario: 'SingleStream',
        release: 'v4.1',
        queryCounts: [16],
        runs: 1,
        seed: 1,
        sensor: 'estimate',
        intervalS: 0.1,
        cooldownS: 0,
        planned: [{ key: 'q16-r1', queryCount: 16, repetition: 1 }],
        finished: [],
      }),
    );
    const { result } = runHidden(
      dir,
      `import { runCli } from ${src('cli/main.ts')};
let err = '';
const code = await runCli(['bench', '--campaign-file', ${JSON.stringify(file)}, '--task', '0', '--runs-dir', ${JSON.stringify(runs)}, '--cache-dir', ${JSON.stringify(cache)}], { stdout: () => undefined, stderr: (s) => { err += s; }, isTTY: false, env: { NO_COLOR: '1' } });
console.log(JSON.stringify({ code, err }));
`,
    );
    assert.equal(result.code, 1, String(result.err));
    const lines = String(result.err).trim().split('\n');
    assert.equal(lines.at(-1), `inferprint bench: ${EXPECTED}`);
    assert.equal(lines.filter((l) => l.includes('DEPENDENCY_MISSING')).length, 1);
    assert.equal(existsSync(cache), false, 'no model generated for a runtime that is not there');
    assert.equal(existsSync(runs), false, 'nothing written in the runs directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve-model without onnxruntime-node exits 1 with that line, before generating a model', () => {
  const dir = tempDir('ort-missing-serve-');
  try {
    const cache = join(dir, 'cache');
    const { result } = runHidden(
      dir,
      `import { runCli } from ${src('cli/main.ts')};
let err = '';
const code = await runCli(['serve-model', '--model', 'synthetic:bert-tiny', '--port', '0', '--cache-dir', ${JSON.stringify(cache)}], { stdout: () => undefined, stderr: (s) => { err += s; }, isTTY: false, env: { NO_COLOR: '1' } });
console.log(JSON.stringify({ code, err }));
`,
    );
    assert.equal(result.code, 1);
    const lines = String(result.err).trim().split('\n');
    assert.equal(lines.at(-1), 'inferprint serve-model: onnxruntime-node is not installed; serve-model needs it: npm install onnxruntime-node (or reinstall inferprint without --omit=optional) [DEPENDENCY_MISSING]');
    assert.equal(existsSync(cache), false, 'no model generated for a runtime that is not there');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("analyze, the library entry and bench's module never ask for onnxruntime-node (it can be left out of the install)", () => {
  const dir = tempDir('ort-missing-analyze-');
  try {
    // A thesis-layout dataset of two runs: enough for analyze to compute energy and GWP.
    const data = join(dir, 'data_T4_v1.1');
    mkdirSync(join(data, 'FULL'), { recursive: true });
    for (const run of [1, 2]) writeFileSync(join(data, 'FULL', `consommation_energie_single_T4_QC_16_${run}.csv`), 'timestamp,gpu_power\n0,30\n0.5,40\n1,35\n1.5,32\n');
    const { result, asked } = runHidden(
      dir,
      `import { createRequire } from 'node:module';
import { runCli } from ${src('cli/main.ts')};
await import(${src('index.ts')});
// bench's application module too (campaign status loads it): the package is loaded when a session opens, not before.
await import(${src('app/bench.ts')});
let out = '';
let err = '';
const code = await runCli(['analyze', ${JSON.stringify(data)}, '--format', 'csv'], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false, env: { NO_COLOR: '1' } });
// CommonJS modules loaded so far, however they were reached (onnxruntime-node is CommonJS).
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('onnxruntime'));
console.log(JSON.stringify({ code, rows: out.trim().split('\\n').length - 1, err, loaded }));
`,
    );
    assert.equal(result.code, 0, String(result.err));
    assert.equal(result.rows, 1);
    assert.deepEqual(result.loaded, []);
    assert.equal(asked, '', 'onnxruntime-node was asked for');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
