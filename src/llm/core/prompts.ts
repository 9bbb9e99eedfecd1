/**
 * The prompts of an LLM benchmark: read from a JSONL dataset file, or generated to an
 * input-length distribution. Pure: the caller reads the file.
 *
 * A dataset line is one of
 *   "a prompt"                                        a JSON string
 *   {"prompt": "a prompt"}  or  {"text": "..."}       an object with the prompt text
 *   {"messages": [{"role": "user", "content": "..."}, ...]}   a conversation (chat APIs)
 *   [{"role": "user", "content": "..."}, ...]         the same, bare
 * Blank lines are skipped; anything else stops the benchmark before it starts, with the file
 * and line named.
 *
 * Generated prompts are words drawn with a seed from a list of short, common English words,
 * each a single token in the BPE vocabularies of the usual models (Llama, Mistral, GPT), so a
 * prompt of N words is about N tokens there (a byte-level model counts its bytes). What the
 * server counted is recorded beside the target (`usage.prompt_tokens`).
 */
import { errors, quote } from '../../errors.js';
import { mulberry32 } from '../../seeded-random.js';
import type { ChatMessage, Prompt } from './protocol.js';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function messagesOf(v: unknown, file: string, line: number): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw errors.parse({ file, line, field: 'messages' }, 'expected a non-empty list of {role, content}');
  return v.map((m: unknown, i) => {
    if (!isObj(m) || typeof m.role !== 'string' || typeof m.content !== 'string') {
      throw errors.parse({ file, line, field: `messages[${i}]` }, 'expected {"role": "...", "content": "..."} with string values');
    }
    return { role: m.role, content: m.content };
  });
}

/** The prompts of a JSONL dataset (`text` is the file's content, `file` names it in errors). */
export function parsePromptsJsonl(text: string, file: string): Prompt[] {
  const out: Prompt[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.replace(/\r$/, '').trim();
    if (s === '') return;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw errors.parse({ file, line }, `not JSON (${e instanceof Error ? e.message : String(e)}): ${quote(s)}`);
    }
    if (typeof v === 'string') {
      if (v === '') throw errors.parse({ file, line }, 'empty prompt');
      out.push({ kind: 'text', text: v });
    } else if (Array.isArray(v)) {
      out.push({ kind: 'chat', messages: messagesOf(v, file, line) });
    } else if (isObj(v)) {
      if (v.messages !== undefined) out.push({ kind: 'chat', messages: messagesOf(v.messages, file, line) });
      else {
        const t = v.prompt ?? v.text;
        if (typeof t !== 'string' || t === '') throw errors.parse({ file, line, field: v.prompt !== undefined ? 'prompt' : 'text' }, 'expected "prompt", "text" (a non-empty string) or "messages"');
        out.push({ kind: 'text', text: t });
      }
    } else {
      throw errors.parse({ file, line }, `expected a prompt string, an object with "prompt" or "messages", or a list of messages, got ${quote(s)}`);
    }
  });
  if (out.length === 0) throw errors.emptyInput(file, 'no prompt in the file');
  return out;
}

/** Input lengths: one value, or a uniform range of whole numbers. */
export type LengthDistribution = { readonly kind: 'fixed'; readonly tokens: number } | { readonly kind: 'uniform'; readonly min: number; readonly max: number };

/** `128` or `64-256`. */
export function parseLengthDistribution(raw: string, flag: string): LengthDistribution {
  const fixed = /^\s*(\d+)\s*$/.exec(raw);
  if (fixed) {
    const n = Number(fixed[1]);
    if (n < 1) throw errors.usage(`expected at least 1 token, got '${raw}'`, flag);
    return { kind: 'fixed', tokens: n };
  }
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw);
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min < 1 || max < min) throw errors.usage(`expected MIN-MAX with 1 ≤ MIN ≤ MAX, got '${raw}'`, flag);
    return { kind: 'uniform', min, max };
  }
  throw errors.usage(`expected a token count such as 128 or a range such as 64-256, got '${raw}'`, flag);
}

export function describeLengths(d: LengthDistribution): string {
  return d.kind === 'fixed' ? `${d.tokens}` : `${d.min}-${d.max}`;
}

/** Words that are one token in common BPE vocabularies (each with its leading space). */
const WORDS = (
  'the of and to in is it that for on with as was at by be this are from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'
).split(' ');

/** `count` prompts of the given lengths in words (≈ tokens), reproducible from `seed`; every prompt differs, so no server can serve one from a prefix cache of another. */
export function syntheticPrompts(count: number, lengths: LengthDistribution, seed: number): { readonly prompts: Prompt[]; readonly targetTokens: number[] } {
  const rand = mulberry32(seed);
  const prompts: Prompt[] = [];
  const targetTokens: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = lengths.kind === 'fixed' ? lengths.tokens : lengths.min + Math.floor(rand() * (lengths.max - lengths.min + 1));
    const words: string[] = [];
    for (let k = 0; k < n; k++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
    prompts.push({ kind: 'text', text: words.join(' ') });
    targetTokens.push(n);
  }
  return { prompts, targetTokens };
}
