/**
 * `inferprint serve-model --protocol openai`: the synthetic decoder behind an OpenAI-compatible
 * server (`llm/io/server.ts`), until Ctrl-C or SIGTERM.
 */
import { errors } from '../../errors.js';
import { serveLlm } from '../../llm/io/server.js';
import { DECODER_PRESET_NAMES, isDecoderPresetName, type DecoderPresetName } from '../../llm/model/synthetic-decoder.js';
import type { CliContext } from '../command.js';
import type { ParsedFlags } from '../spec.js';
import { checkToken, waitForStop, type SERVE_MODEL_FLAGS, type StopSignals } from './serve-model.js';

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
  // Said before the model is generated, not after.
  checkToken(ctx, host, token);
  const stop = waitForStop(signals);
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
      await stop.wait();
    } finally {
      await server.close();
      const st = server.stats();
      ctx.stderr(`inferprint serve-model: stopped (${stop.signal() ?? 'closed'}) after ${st.generations} generation(s), ${st.completionTokens} token(s) generated, ${st.failed} failed request(s), ${st.cancelled} cancelled\n`);
    }
    return 0;
  } finally {
    stop.dispose();
  }
}
