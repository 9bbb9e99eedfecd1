/**
 * `inferprint serve-model --protocol openai`: the synthetic decoder behind an OpenAI-compatible
 * server (`llm/io/server.ts`), until Ctrl-C or SIGTERM.
 */
import { errors } from '../../errors.js';
import { bindNeedsToken } from '../../serve-model/request-guard.js';
import { serveLlm } from '../../llm/io/server.js';
import { DECODER_PRESET_NAMES, isDecoderPresetName, type DecoderPresetName } from '../../llm/model/synthetic-decoder.js';
import type { CliContext } from '../command.js';
import type { ParsedFlags } from '../spec.js';
import type { SERVE_MODEL_FLAGS, StopSignals } from './serve-model.js';

function preset(raw: string | undefined): DecoderPresetName {
  if (raw === undefined) return 'decoder-tiny';
  const name = raw.replace(/^synthetic:/, '');
  if (!raw.startsWith('synthetic:') || !isDecoderPresetName(name)) {
    throw errors.usage(`with --protocol openai the model is a synthetic decoder: ${DECODER_PRESET_NAMES.map((p) => `synthetic:${p}`).join(' or ')}, got '${raw}'`, '--model');
  }
  return name;
}

/** Its flags parsed by serve-model's table, the ONNX Runtime ones already refused there. */
export async function serveOpenAi(ctx: CliContext, f: ParsedFlags<typeof SERVE_MODEL_FLAGS>, signals: StopSignals): Promise<number> {
  const { values } = f;
  const name = preset(values.model);
  const port = f.get('port');
  const host = f.get('host');
  const token = f.get('token');
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
      ...(values.name !== undefined ? { modelName: values.name } : {}),
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
