/**
 * `inferprint serve-model --protocol openai`: the synthetic decoder behind an OpenAI-compatible
 * server (`llm/server.ts`), until Ctrl-C or SIGTERM.
 */
import { errors } from '../../errors.js';
import { bindNeedsToken } from '../../benchmark/sut/request-guard.js';
import { serveLlm } from '../../llm/server.js';
import { DECODER_PRESET_NAMES, isDecoderPresetName, type DecoderPresetName } from '../../llm/model/synthetic-decoder.js';
import type { CliContext } from '../command.js';
import { parseIntegerFlag } from '../flags.js';
import type { StopSignals } from './serve-model.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

function preset(raw: string | undefined): DecoderPresetName {
  if (raw === undefined) return 'decoder-tiny';
  const name = raw.replace(/^synthetic:/, '');
  if (!raw.startsWith('synthetic:') || !isDecoderPresetName(name)) {
    throw errors.usage(`with --protocol openai the model is a synthetic decoder: ${DECODER_PRESET_NAMES.map((p) => `synthetic:${p}`).join(' or ')}, got '${raw}'`, '--model');
  }
  return name;
}

export async function serveOpenAi(ctx: CliContext, values: Values, signals: StopSignals): Promise<number> {
  for (const flag of ['provider', 'max-batch', 'max-request-batch', 'cache-dir'] as const) {
    if (values[flag] !== undefined) throw errors.usage(`--${flag} is for --protocol kserve (the synthetic decoder runs on the CPU, generated in memory)`, `--${flag}`);
  }
  const name = preset(typeof values.model === 'string' ? values.model : undefined);
  const port = typeof values.port === 'string' ? parseIntegerFlag(values.port, '--port', 'a port number in 0..65535') : 8000;
  if (port > 65535) throw errors.usage(`expected a port number in 0..65535, got '${String(values.port)}'`, '--port');
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  if (host.trim() === '') throw errors.usage('give an address such as 127.0.0.1 or 0.0.0.0', '--host');
  const token = typeof values.token === 'string' ? values.token : undefined;
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) throw errors.usage('the token must be printable ASCII without spaces', '--token');
  if (token !== undefined && token.length < 16) ctx.stderr('inferprint serve-model: note: a token shorter than 16 characters is easy to guess\n');
  // Said before the model is generated, not after.
  if (bindNeedsToken(host) && token === undefined) throw errors.usage(`refusing to serve on non-loopback address ${host} without a token: anyone who can reach it could run inference on this machine (add --token, e.g. --token $(openssl rand -hex 16))`, '--host');
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
  try {
    const server = await serveLlm({
      preset: name,
      host,
      port,
      ...(typeof values.name === 'string' ? { modelName: values.name } : {}),
      ...(token !== undefined ? { token } : {}),
      onServerError: (message) => {
        ctx.stderr(`inferprint serve-model: ${message}\n`);
      },
    });
    try {
      const s = server.session;
      ctx.stdout(
        [
          `serving model '${server.modelName}' at ${server.url} (OpenAI API: ${server.url}/v1/chat/completions, /v1/completions, /v1/models)`,
          ...(server.host === '0.0.0.0' || server.host === '::' ? ["  listening on every interface: clients use this machine's name or address"] : []),
          `  synthetic ${s.preset}: ${s.config.layers} layers × ${s.config.hidden}, ${s.config.heads} heads, ${s.parameters} parameters (random weights: the text means nothing), context ${s.config.maxPositions} tokens`,
          `  byte-level tokens, greedy decoding with a key/value cache; onnxruntime ${s.ortVersion} on the CPU`,
          `benchmark it with: inferprint bench --sut openai --url ${server.url} --model ${server.modelName} --concurrency 1,4 --requests 32 --max-tokens 64${token !== undefined ? ' --token …' : ''}`,
          'stop with Ctrl-C',
          '',
        ].join('\n'),
      );
      if (stopSignal === undefined) await new Promise<void>((resolve) => (wake = resolve));
    } finally {
      await server.close();
      const st = server.stats();
      ctx.stderr(`inferprint serve-model: stopped (${stopSignal ?? 'closed'}) after ${st.generations} generation(s), ${st.completionTokens} token(s) generated, ${st.failed} failed request(s), ${st.cancelled} cancelled\n`);
    }
    return 0;
  } finally {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  }
}
