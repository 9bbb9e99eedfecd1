/**
 * The served-LLM part of `bench`'s flag table and of its --help: small, so `bench` loads the LLM
 * code only when `--sut` asks for it (the parsers below are of the pure LLM core).
 */
import { errors } from '../../errors.js';
import { parseLatencyLimits } from '../../llm/core/limits.js';
import { parseLengthDistribution } from '../../llm/core/prompts.js';
import { durationParser, integerParser } from '../flags.js';
import { defineFlags, optionLines, type FlagTable } from '../spec.js';

/** The modes of `bench` a served LLM runs in: its `--sut`. */
export const LLM_MODES = ['openai', 'ollama'];

/** Comma-separated numbers (`1,4,16`, `0.5,2`), whole ones when `integer`. */
export function numberList(raw: string, flag: string, integer: boolean): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const re = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (parts.some((p) => !re.test(p))) throw errors.usage(`expected ${integer ? 'positive integers' : 'positive numbers'} separated by commas, got '${raw}'`, flag);
  return parts.map(Number);
}

/** The flags only the LLM branch takes (bench.ts adds them to its table; they are refused elsewhere). */
export const LLM_FLAGS = defineFlags({
  api: {
    type: 'string',
    value: 'chat|completions',
    for: LLM_MODES,
    default: 'chat',
    parse: (raw) => {
      if (raw !== 'chat' && raw !== 'completions') throw errors.usage(`expected chat or completions, got '${raw}'`, '--api');
      return raw;
    },
    help: ['chat (default: /v1/chat/completions, /api/chat) or completions', '(/v1/completions, /api/generate)'],
    showDefault: false,
  },
  concurrency: {
    type: 'string',
    value: 'N,N,...',
    for: LLM_MODES,
    parse: (raw, flag) => numberList(raw, flag, true),
    help: ['closed-loop levels: N clients, each sending its next request when its', 'last one ends (default 1,4,16 unless --request-rate is given)'],
  },
  'request-rate': { type: 'string', value: 'R,...', for: LLM_MODES, parse: (raw, flag) => numberList(raw, flag, false), help: 'open-loop levels: Poisson arrivals at R requests/s' },
  requests: { type: 'string', value: 'N', for: LLM_MODES, default: '100', parse: integerParser('a positive integer'), help: 'requests per level' },
  prompts: { type: 'string', value: 'FILE', for: LLM_MODES, help: 'JSONL: one prompt per line ("text", {"prompt": ...} or {"messages": [...]})' },
  'input-tokens': {
    type: 'string',
    value: 'N|A-B',
    for: LLM_MODES,
    default: '128',
    parse: (raw, flag) => parseLengthDistribution(raw, flag),
    help: ['without --prompts: generated prompts of N (or A to B) words, about one', 'token each for BPE tokenizers'],
  },
  'max-tokens': { type: 'string', value: 'N', for: LLM_MODES, default: '256', parse: integerParser('a positive integer'), help: 'most output tokens per request' },
  'ignore-eos': { type: 'boolean', for: LLM_MODES, help: 'ask the server to go on past end-of-sequence (vLLM, llama.cpp; not Ollama)' },
  'latency-limits': {
    type: 'string',
    value: 'L',
    for: LLM_MODES,
    parse: (raw, flag) => parseLatencyLimits(raw, flag),
    help: [
      "MLPerf's TTFT/TPOT limits by name (llama2-70b, llama2-70b-interactive,",
      'llama3.1-8b, llama3.1-8b-interactive, ...) and/or ttft=500ms,tpot=50ms;',
      'pass/fail on the p99',
    ],
  },
  timeout: { type: 'string', value: 'DURATION', for: LLM_MODES, default: '300s', parse: durationParser('300s'), help: 'longest silence from the server before a request counts as timed out' },
  // Described with --token.
  'api-key-env': { type: 'string', value: 'VAR', for: LLM_MODES, hidden: true, help: "reads the server's key from a variable" },
});

/** The section's flags, in order; those shared with the campaign have their own words there (`sections.llm`). */
const SECTION = ['sut', 'url', 'model', 'api', 'concurrency', 'request-rate', 'requests', 'prompts', 'input-tokens', 'max-tokens', 'ignore-eos', 'latency-limits', 'timeout', 'token', 'cooldown', 'seed'];

/** The served-LLM section of `bench --help`, from bench's whole table. */
export function llmHelp(flags: FlagTable): string {
  return `
Served LLMs (--sut openai|ollama): energy per token, TTFT and TPOT of a model behind an
OpenAI-compatible server (vLLM, llama.cpp's llama-server, TGI, Ollama's /v1, inferprint
serve-model --protocol openai) or Ollama's native API, at one or more load levels, in one run
bundle. Power is measured on this machine: run it on the serving machine (GPU box, Jetson).
${optionLines(flags, { width: 25, names: SECTION, section: 'llm' })}
  --sensor, --interval, --hardware, --grid, --label, --runs-dir, --format table|json as above

Exit code: 0 when every request ended well, 1 when some failed (they are counted in the run),
128+n when stopped by a signal.
`;
}
