/**
 * `bench --sut openai|ollama` as a whole against fakes: failed requests are recorded in the run and
 * make the exit code 1; Ctrl-C saves a partial run as interrupted; Ollama's native API end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLlm, MAX_PROMPTS_BYTES, type LlmBenchOptions } from '../../src/app/bench-llm.js';
import { runCli } from '../../src/cli/main.js';
import { parseManifestText, type LlmWorkload } from '../../src/runs/manifest.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { cliInChild, mkfifo } from '../hardening/helpers.js';
import { chunk, okStream, sseHead, startFake } from './fakes.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-llm-app-'));
const trace = join(dir, gpuTraceName());
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 2000 }, (_, i) => `${(i * 0.01).toFixed(2)},${120 + (i % 10)}`).join('\n')}\n`);

async function options(url: string, runsDir: string, extra: Partial<LlmBenchOptions> = {}): Promise<LlmBenchOptions> {
  return {
    sut: 'openai',
    url,
    model: 'fake',
    style: 'chat',
    concurrency: [2],
    requestRates: [],
    requests: 8,
    prompts: { kind: 'synthetic', lengths: { kind: 'fixed', tokens: 8 } },
    maxTokens: 8,
    ignoreEos: false,
    limits: [],
    seed: 1,
    sensor: `replay:${trace}`,
    intervalS: 0.02,
    cooldownS: 0,
    runsDir,
    cwd: dir,
    env: await defaultSensorEnv(),
    ...extra,
  };
}

test('HTTP 429 in the middle of a level: the run is saved with the failures by kind, and bench exits 1', async () => {
  const fake = await startFake({
    script: (r, res) => {
      // Request 0 is the pre-check's test generation.
      if (r.index === 4 || r.index === 5) {
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end('{"error": "too many requests"}');
        return;
      }
      okStream(res, { tokens: ['a', 'b', 'c'], chat: true });
    },
  });
  try {
    let out = '';
    let err = '';
    const runsDir = join(dir, 'runs-429');
    const code = await runCli(['bench', '--sut', 'openai', '--url', fake.url, '--model', 'fake', '--concurrency', '2', '--requests', '8', '--max-tokens', '8', '--sensor', `replay:${trace}`, '--interval', '20ms', '--runs-dir', runsDir], {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      env: {},
    });
    assert.equal(code, 1);
    assert.match(err, /warning: c2: 2 of 8 request\(s\) failed \(2 http-error \(HTTP 429 Too Many Requests: too many requests\)\)/);
    assert.match(out, /c2: .*failed: 2 http-error/);
    const bundle = /bundle (\S+) /.exec(out)![1]!;
    const w = parseManifestText(readFileSync(join(bundle, 'manifest.json'), 'utf8')).workload as LlmWorkload;
    assert.deepEqual([w.levels[0]!.succeeded, w.levels[0]!.failed, w.levels[0]!.outcomes['http-error']], [6, 2, 2]);
    assert.equal(w.levels[0]!.outputTokens, 18);
  } finally {
    await fake.close();
  }
});

test('Ctrl-C stops sending, aborts what is in flight, and saves the partial run as interrupted', async () => {
  const fake = await startFake({
    script: async (r, res) => {
      sseHead(res);
      for (let i = 0; i < (r.index === 0 ? 1 : 50); i++) {
        res.write(chunk('x', true));
        await new Promise((done) => setTimeout(done, 10));
        if (res.destroyed) return;
      }
      res.end('data: [DONE]\n\n');
    },
  });
  try {
    const signals = new EventEmitter();
    let fired = false;
    const r = await benchLlm({
      ...(await options(fake.url, join(dir, 'runs-int'), { concurrency: [1, 2], requests: 6 })),
      signals,
      // Ctrl-C on the level's first token, while its request is certainly in flight (a timer
      // after it could fire, on a loaded machine, between two requests).
      onToken: () => {
        if (!fired) {
          fired = true;
          signals.emit('SIGINT');
        }
      },
    });
    assert.equal(r.interrupted, 'SIGINT');
    assert.deepEqual(r.manifest.status, { kind: 'interrupted', signal: 'SIGINT' });
    assert.deepEqual(r.workload.levels.map((l) => l.name), ['c1']);
    const l = r.workload.levels[0]!;
    assert.ok(l.outcomes.aborted! >= 1, JSON.stringify(l.outcomes));
    assert.ok(l.requests < 6);
  } finally {
    await fake.close();
  }
});

test('Ollama native API: usage from the done line, a level measured, URL recorded', async () => {
  const fake = await startFake({
    models: ['llama3.2:latest'],
    script: (_, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const t of ['He', 'll', 'o']) res.write(`${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: t }, done: false })}\n`);
      res.end(`${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 12, eval_count: 3 })}\n`);
    },
  });
  try {
    const r = await benchLlm(await options(fake.url, join(dir, 'runs-ollama'), { sut: 'ollama', model: 'llama3.2', concurrency: [1], requests: 4 }));
    assert.equal(r.workload.api, 'ollama-chat');
    assert.equal(r.workload.streamUsage, false);
    assert.equal(r.server.usageReported, true);
    const l = r.workload.levels[0]!;
    assert.deepEqual([l.succeeded, l.outputTokens, l.inputTokens, l.outputTokensSource], [4, 12, 48, 'usage']);
    assert.equal(fake.requests.at(-1)!.path, '/api/chat');
    assert.deepEqual(fake.requests.at(-1)!.body.options, { temperature: 0, num_predict: 8 });
  } finally {
    await fake.close();
  }
});

test('a server with a token: bench --token reaches it; without, the pre-check says 401 in one line', async () => {
  const { serveLlm } = await import('../../src/llm/io/server.js');
  const token = 'bench-test-token-0123456789';
  const server = await serveLlm({ preset: 'decoder-tiny', port: 0, token });
  try {
    const run = async (extra: string[], env: Record<string, string> = {}) => {
      let err = '';
      const code = await runCli(['bench', '--sut', 'openai', '--url', server.url, '--model', server.modelName, '--concurrency', '1', '--requests', '2', '--max-tokens', '4', '--sensor', `replay:${trace}`, '--runs-dir', join(dir, 'runs-token'), ...extra], {
        stdout: () => undefined,
        stderr: (s) => (err += s),
        env,
      });
      return { code, err };
    };
    const denied = await run([]);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /\/v1\/models flag --url: the model list answered HTTP 401: this server requires a token/);
    assert.equal((await run(['--token', token])).code, 0);
    assert.equal((await run(['--api-key-env', 'MY_KEY'], { MY_KEY: token })).code, 0);
    assert.equal((await run(['--api-key-env', 'UNSET_KEY'])).code, 2);
  } finally {
    await server.close();
  }
});

test('a prompts file is read as a regular file, its SHA-256 that of its bytes on disk', async () => {
  const fake = await startFake({
    script: (_, res) => {
      okStream(res, { tokens: ['a', 'b'], chat: true });
    },
  });
  try {
    // A Latin-1 byte (0xE9, not UTF-8: read as U+FFFD) and no final newline: the hash is of the
    // bytes as on disk, which a hash of the decoded text re-encoded would not give.
    const bytes = Buffer.concat([Buffer.from('"un caf'), Buffer.from([0xe9]), Buffer.from('"\n{"prompt": "Énergie par jeton — 1 J = 1 W·s"}')]);
    writeFileSync(join(dir, 'prompts-ok.jsonl'), bytes);
    assert.notEqual(createHash('sha256').update(bytes.toString('utf8')).digest('hex'), createHash('sha256').update(bytes).digest('hex'));
    const r = await benchLlm(await options(fake.url, join(dir, 'runs-prompts'), { prompts: { kind: 'file', path: 'prompts-ok.jsonl' }, concurrency: [1], requests: 2 }));
    assert.deepEqual(r.workload.prompts, { source: 'file', path: join(dir, 'prompts-ok.jsonl'), sha256: createHash('sha256').update(bytes).digest('hex'), count: 2 });
    assert.equal(r.workload.levels[0]!.succeeded, 2);
  } finally {
    await fake.close();
  }
});

test('a FIFO, a folder or a file over the cap given as --prompts is refused in one line, not waited on or read', { timeout: 180_000 }, (t) => {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-llm-prompts-'));
  try {
    mkdirSync(join(root, 'a-folder.jsonl'));
    // Sparse: its size is over the cap without a byte written; refused on its size before a read.
    writeFileSync(join(root, 'huge.jsonl'), '');
    truncateSync(join(root, 'huge.jsonl'), MAX_PROMPTS_BYTES + 1);
    const fifo = join(root, 'pipe.jsonl');
    const hasFifo = mkfifo(fifo);
    // Port 9 (discard) is not listened on: the prompts are read, and refused, before the server is tried.
    const bench = (prompts: string): string[] => ['bench', '--sut', 'openai', '--url', 'http://127.0.0.1:9', '--model', 'm', '--prompts', prompts, '--sensor', 'estimate', '--runs-dir', join(root, 'runs')];
    // In a child: before the fix a FIFO blocked the open for good (the child is then killed and the test fails, it does not hang).
    const [folder, huge, pipe] = cliInChild([bench(join(root, 'a-folder.jsonl')), bench(join(root, 'huge.jsonl')), ...(hasFifo ? [bench(fifo)] : [])]);
    for (const r of [folder!, huge!, ...(pipe ? [pipe] : [])]) {
      assert.equal(r.code, 1, r.err);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
    assert.match(folder!.err, /a-folder\.jsonl: prompts file is a directory, not a regular file.*\[INVALID_VALUE\]/);
    assert.match(huge!.err, new RegExp(`huge\\.jsonl: ${MAX_PROMPTS_BYTES + 1} bytes, more than the ${MAX_PROMPTS_BYTES} bytes a prompts file may hold.*\\[INVALID_VALUE\\]`));
    if (!hasFifo) {
      t.skip('mkfifo is not available here: the FIFO case did not run');
      return;
    }
    assert.match(pipe!.err, /pipe\.jsonl: prompts file is a FIFO \(named pipe\), not a regular file.*\[INVALID_VALUE\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a server on another loopback address (127.0.1.1, Debian\'s name for the machine) is this machine: no warning that the power is elsewhere', async (t) => {
  let fake: Awaited<ReturnType<typeof startFake>>;
  try {
    fake = await startFake({ host: '127.0.1.1' });
  } catch (e) {
    // Linux routes all of 127.0.0.0/8 to the loopback interface; macOS only 127.0.0.1 unless aliased.
    t.skip(`cannot listen on 127.0.1.1 here (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  try {
    const said: string[] = [];
    const r = await benchLlm(await options(fake.url, join(dir, 'runs-loopback'), { concurrency: [1], requests: 2, onStatus: (line) => said.push(line) }));
    assert.equal(r.workload.levels[0]!.succeeded, 2);
    assert.doesNotMatch(said.join('\n'), /power is measured on this machine/);
    assert.ok(!r.manifest.notes?.some((n) => /power is measured on this machine/.test(n)), JSON.stringify(r.manifest.notes));
  } finally {
    await fake.close();
  }
});

test('bench --sut openai replaying a study CSV whose name tags no device: --hardware gives the replay its unit (W for a GPU)', async () => {
  const untagged = join(dir, 'server-power.csv');
  writeFileSync(untagged, `timestamp,gpu_power\n${Array.from({ length: 2000 }, (_, i) => `${(i * 0.01).toFixed(2)},150`).join('\n')}\n`);
  const fake = await startFake({
    script: (_r, res) => {
      okStream(res, { tokens: ['a', 'b'], chat: true });
    },
  });
  try {
    const r = await benchLlm(await options(fake.url, join(dir, 'runs-untagged'), { sensor: `replay:${untagged}`, hardware: 'H100-NVL', concurrency: [1], requests: 2 }));
    const gpu = r.manifest.energy?.perChannel.find((c) => c.channel === 'gpu');
    assert.ok(gpu && Math.abs(gpu.meanW - 150) < 1e-9, `read in W, as an H100 logs it: ${gpu?.meanW} W`);
  } finally {
    await fake.close();
  }
});
