import { CACHE_DIR_ENV, parseModelSpec, resolveModel, resolveModelCacheDir } from '../../benchmark/bert/io/model-cache.js';
import { loadOrt } from '../../benchmark/sut/io/ort-load.js';
import { bindNeedsToken } from '../../serve-model/request-guard.js';
import { DEFAULT_MAX_REQUEST_BATCH, DEFAULT_MODEL_NAME, DEFAULT_PORT, serveModel } from '../../serve-model/kserve-server.js';
import { errors } from '../../errors.js';
import type { CliContext, Command } from '../command.js';
import { parseIntegerFlag, parseProviderFlag } from '../flags.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, requireApplicable } from '../spec.js';
import { progressReporter } from '../progress.js';

const positive = (raw: string, flag: string): number => {
  const n = parseIntegerFlag(raw, flag, 'a positive integer');
  if (n < 1) throw errors.usage(`expected a positive integer, got '${raw}'`, flag);
  return n;
};

/** Both protocols' flags; those of ONNX Runtime are refused with --protocol openai. */
export const SERVE_MODEL_FLAGS = defineFlags({
  protocol: {
    type: 'string',
    value: 'kserve|openai',
    default: 'kserve',
    showDefault: false,
    parse: (raw) => parseProtocol(raw),
    help: ['kserve (default): BERT over the KServe v2 protocol; openai: the', 'synthetic decoder over the OpenAI API'],
  },
  model: {
    type: 'string',
    value: 'M',
    help: [
      'kserve: synthetic:bert-tiny|synthetic:bert-base|synthetic:bert-large',
      '(default) or PATH.onnx; openai: synthetic:decoder-tiny (default, 0.7 M',
      'parameters) or synthetic:decoder-small (20 M)',
    ],
  },
  name: { type: 'string', value: 'NAME', help: `model name clients use in /v2/models/NAME (default ${DEFAULT_MODEL_NAME})` },
  host: {
    type: 'string',
    value: 'ADDR',
    default: '127.0.0.1',
    parse: (raw) => parseHost(raw),
    help: ['interface to listen on (default {default}; 0.0.0.0 for every', 'interface, which needs --token)'],
  },
  port: { type: 'string', value: 'N', default: String(DEFAULT_PORT), parse: (raw) => parsePort(raw), help: 'port (default {default}; 0 picks a free one)' },
  token: { type: 'string', value: 'T', parse: (raw) => parseToken(raw), help: 'require Authorization: Bearer T on every request (bench --token T)' },
  provider: { type: 'string', value: 'cpu|cuda|auto', for: ['kserve'], default: 'cpu', parse: parseProviderFlag, help: 'ONNX Runtime provider' },
  'max-batch': { type: 'string', value: 'N', for: ['kserve'], default: '8', parse: positive, help: 'most samples per session run' },
  'max-request-batch': {
    type: 'string',
    value: 'N',
    for: ['kserve'],
    parse: positive,
    help: ["most samples per request, served as Triton's max_batch_size", `(default: the batch the model fixes, else ${DEFAULT_MAX_REQUEST_BATCH})`],
  },
  'cache-dir': { type: 'string', value: 'DIR', for: ['kserve'], help: `synthetic model cache (default $${CACHE_DIR_ENV}, else XDG cache)` },
});

const SPEC = defineCommand({
  flags: SERVE_MODEL_FLAGS,
  mode: (values) => (values.protocol === 'openai' ? 'openai' : 'kserve'),
  refuse: (flag) => `--${flag} is for --protocol kserve (the synthetic decoder runs on the CPU, generated in memory)`,
  args: { kserve: [0, 0], openai: [0, 0] },
});

function parseProtocol(raw: string): 'kserve' | 'openai' {
  if (raw !== 'kserve' && raw !== 'openai') throw errors.usage(`expected kserve or openai, got '${raw}'`, '--protocol');
  return raw;
}

function parsePort(raw: string): number {
  const port = parseIntegerFlag(raw, '--port', 'a port number in 0..65535');
  if (port > 65535) throw errors.usage(`expected a port number in 0..65535, got '${raw}'`, '--port');
  return port;
}

function parseHost(raw: string): string {
  if (raw.trim() === '') throw errors.usage('give an address such as 127.0.0.1 or 0.0.0.0', '--host');
  return raw;
}

function parseToken(raw: string): string {
  if (!/^[\x21-\x7e]+$/.test(raw)) throw errors.usage('the token must be printable ASCII without spaces', '--token');
  return raw;
}

const HELP = `Usage: inferprint serve-model [options]

Serves a BERT SQuAD model on ONNX Runtime over the KServe v2 inference protocol (the one
Triton and KServe speak), until Ctrl-C or SIGTERM. Run it on the machine to benchmark (a GPU
box), then drive it from another machine with the HTTP system under test; wrap it in
'inferprint measure' to measure that machine's power while it serves.

With --protocol openai it serves instead a small synthetic decoder-only transformer (random
weights, byte-level tokenizer, greedy decoding with a key/value cache, generated on the spot:
nothing is downloaded) as an OpenAI-compatible server: /v1/models, /v1/completions and
/v1/chat/completions, streamed over server-sent events with usage, max_tokens and ignore_eos.
It is what 'inferprint bench --sut openai' is tried and tested against.

Options:
${optionLines(SERVE_MODEL_FLAGS, { width: 25 })}

Who may call it: without --token, only this machine, by the names localhost, 127.0.0.1,
[::1] or the --host address (other Host headers get 421, so a web page cannot reach it by
DNS rebinding); request bodies must be application/json or application/octet-stream (415
otherwise, so a page cannot post a form to it). Off loopback a token is required. Keep it on
127.0.0.1 and reach it through an SSH tunnel, or add --token on a private network.

Limits, checked before any inference: a body over 1 MiB + 96 bytes × max_batch_size ×
sequence length (413); JSON nested deeper than 32 levels, a batch over max_batch_size, a
sequence longer than the model's positions, token or segment ids outside the model's tables,
masks other than 0/1 (400).

Example, a served LLM on this machine (two terminals):
  inferprint serve-model --protocol openai --port 8000
  inferprint bench --sut openai --url http://127.0.0.1:8000 --model synthetic-decoder-tiny --concurrency 1,4 --requests 32 --max-tokens 64

Example (on the GPU box, then on the client):
  inferprint measure --sensor nvml -- inferprint serve-model --model model.onnx --provider cuda
  ssh -N -L 8000:127.0.0.1:8000 gpu-box &
  inferprint bench --sut http --url http://127.0.0.1:8000 --model-name ${DEFAULT_MODEL_NAME}
`;

/** What the command waits on to stop: `process` in the CLI, an emitter in tests. */
export interface StopSignals {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** A wait for the first SIGINT or SIGTERM; one that arrives before `wait()` (while the model loads) is honoured at once. */
export interface StopWait {
  /** The signal that stopped the server, if one came. */
  readonly signal: () => string | undefined;
  /** Resolves on the first signal (at once if one already came). */
  readonly wait: () => Promise<void>;
  /** Stops listening. */
  readonly dispose: () => void;
}

export function waitForStop(signals: StopSignals): StopWait {
  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  const onInt = (): void => {
    stopSignal ??= 'SIGINT';
    wake?.();
  };
  const onTerm = (): void => {
    stopSignal ??= 'SIGTERM';
    wake?.();
  };
  signals.once('SIGINT', onInt);
  signals.once('SIGTERM', onTerm);
  return {
    signal: () => stopSignal,
    wait: () => (stopSignal === undefined ? new Promise<void>((resolve) => (wake = resolve)) : Promise.resolve()),
    dispose: () => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
    },
  };
}

/** The token's checks, said before a model is generated or loaded: a short one is noted, a non-loopback bind without one refused. */
export function checkToken(ctx: CliContext, host: string, token: string | undefined): void {
  if (token !== undefined && token.length < 16) ctx.stderr('inferprint serve-model: note: a token shorter than 16 characters is easy to guess\n');
  if (bindNeedsToken(host) && token === undefined) throw errors.usage(`refusing to serve on non-loopback address ${host} without a token: anyone who can reach it could run inference on this machine (add --token, e.g. --token $(openssl rand -hex 16))`, '--host');
}

export function createServeModelCommand(signals: StopSignals): Command {
  return {
    name: 'serve-model',
    help: HELP,
    spec: SPEC,
    async run(ctx) {
      const f = parseCommandFlags(ctx.argv, SERVE_MODEL_FLAGS);
      const { values, positionals } = f;
      if (positionals.length > 0) throw errors.usage(`unexpected argument '${positionals[0]!}'`);
      const protocol = f.get('protocol');
      requireApplicable(SPEC, values, protocol);
      if (protocol === 'openai') {
        const { serveOpenAi } = await import('./serve-model-openai.js');
        return serveOpenAi(ctx, f, signals);
      }
      const spec = parseModelSpec(values.model ?? 'synthetic:bert-large');
      const port = f.get('port');
      const provider = f.get('provider');
      const maxBatch = f.get('max-batch');
      const maxRequestBatch = f.get('max-request-batch');
      const token = f.get('token');
      const host = f.get('host');
      checkToken(ctx, host, token);
      const cacheDir = resolveModelCacheDir({ flag: values['cache-dir'], env: ctx.env, cwd: ctx.cwd }).path;
      // A missing onnxruntime-node is said before a model is generated (minutes for BERT-Large).
      await loadOrt('serve-model');

      // Stop requests that arrive while the model loads are honoured once it is up.
      const stop = waitForStop(signals);
      try {
        const progress = progressReporter(ctx, 'model');
        const model = await resolveModel(spec, { cacheDir, cwd: ctx.cwd, verify: 'size', onProgress: (done, total) => { progress.update(done, total, 'generating'); } });
        progress.done();
        const server = await serveModel({
          modelPath: model.path,
          host,
          port,
          provider,
          maxBatchSize: maxBatch,
          ...(maxRequestBatch !== undefined ? { maxRequestBatch } : {}),
          ...(token !== undefined ? { token } : {}),
          ...(values.name !== undefined ? { modelName: values.name } : {}),
          onServerError: (message) => {
            ctx.stderr(`inferprint serve-model: ${message}\n`);
          },
        });
        try {
          const { ort } = server;
          const loadS = ort.phases.load.endS - ort.phases.load.startS;
          const warmupS = ort.phases.warmup.endS - ort.phases.warmup.startS;
          ctx.stdout(
            [
              `serving model '${server.modelName}' at ${server.url} (KServe v2: ${server.url}/v2/models/${server.modelName})`,
              ...(server.host === '0.0.0.0' || server.host === '::' ? ['  listening on every interface: clients use this machine\'s name or address'] : []),
              `  file ${ort.modelPath}`,
              `  onnxruntime ${ort.ortVersion}, provider ${ort.provider} (${ort.providerNote}); loaded in ${loadS.toFixed(2)} s, warmed up in ${warmupS.toFixed(2)} s`,
              `  inputs ${ort.io.inputIds}, ${ort.io.inputMask}, ${ort.io.segmentIds} (${ort.io.inputType}); binary tensor data and JSON`,
              `  limits: ${server.maxRequestBatch} samples per request, ${server.maxBodyBytes} bytes per body${limitsText(server.limits)}${token !== undefined ? '; token required' : ''}`,
              ...server.notes.map((n) => `  note: ${n}`),
              `benchmark it with: inferprint bench --sut http --url ${server.url} --model-name ${server.modelName}${token !== undefined ? ' --token …' : ''}`,
              `stop with Ctrl-C`,
              '',
            ].join('\n'),
          );
          await stop.wait();
        } finally {
          await server.close();
          const s = server.stats();
          ctx.stderr(`inferprint serve-model: stopped (${stop.signal() ?? 'closed'}) after ${s.inferRequests} inference request(s), ${s.samples} sample(s), ${s.failed} failed request(s)\n`);
        }
        return 0;
      } finally {
        stop.dispose();
      }
    },
  };
}

function limitsText(l: { readonly vocabSize?: number; readonly typeVocabSize?: number; readonly maxPositions?: number }): string {
  return [
    l.maxPositions !== undefined ? `, sequences up to ${l.maxPositions}` : '',
    l.vocabSize !== undefined ? `, token ids below ${l.vocabSize}` : '',
    l.typeVocabSize !== undefined ? `, segment ids below ${l.typeVocabSize}` : '',
  ].join('');
}

export const serveModelCommand: Command = createServeModelCommand(process);
