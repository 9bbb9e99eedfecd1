/**
 * `mlperf_log_accuracy.json` in LoadGen's exact bytes (logging.cc `LogAccuracy`,
 * `WriteAccuracyHeaderLocked` / `WriteAccuracyFooterLocked`), and a strict reader for it.
 *
 * The file is `[`, then one entry per response, each `\n{ "seq_id" : N, "qsl_idx" : N, "data" : "HEX" }`
 * with a `,` before every entry but the first, then `\n]\n`. `data` is the response's bytes in
 * upper-case hex (`Bin2Hex`), empty for a response without data. A run with no logged response
 * (every performance run with the default accuracy-log probability 0) gives the 4 bytes `[\n]\n`.
 * Later LoadGen releases append `, "token_count" : N` for language models; the reader accepts it.
 *
 * Pure: entries in, text out, and back.
 */
import { errors } from '../../errors.js';

/** One logged response. */
export interface AccuracyRecord {
  readonly seqId: number;
  readonly qslIdx: number;
  readonly data: Uint8Array;
  /** Only in logs of token-based benchmarks (LLMs); BERT never has it. */
  readonly tokenCount?: number | undefined;
}

export const EMPTY_ACCURACY_LOG = '[\n]\n';

/** ASCII codes of '0'–'9', 'A'–'F': `Bin2Hex` writes upper case. */
const HEX_CODES = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const ascii = new TextDecoder();

/** Bytes as upper-case hex, as LoadGen's `LogBinaryAsHexString` writes them. */
export function toUpperHex(bytes: Uint8Array): string {
  // Through a byte buffer: a BERT response is 3 072 bytes and a dev-set run has 10 833 of them.
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[2 * i] = HEX_CODES[b >> 4]!;
    out[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  return ascii.decode(out);
}

function checkId(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw errors.invalidValue({ field }, `expected a non-negative integer, got ${value}`);
}

/** One entry's text, without the separator before it. */
export function formatAccuracyEntry(r: AccuracyRecord): string {
  checkId(r.seqId, 'seq_id');
  checkId(r.qslIdx, 'qsl_idx');
  let text = `{ "seq_id" : ${r.seqId}, "qsl_idx" : ${r.qslIdx}, "data" : "${toUpperHex(r.data)}"`;
  if (r.tokenCount !== undefined) {
    checkId(r.tokenCount, 'token_count');
    text += `, "token_count" : ${r.tokenCount}`;
  }
  return `${text} }`;
}

/** The text of `mlperf_log_accuracy.json` for these responses, in the order given (completion order). */
export function writeAccuracyLog(records: Iterable<AccuracyRecord>): string {
  const parts: string[] = ['['];
  let first = true;
  for (const r of records) {
    parts.push(first ? '\n' : ',\n', formatAccuracyEntry(r));
    first = false;
  }
  parts.push('\n]\n');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Reading

const ENTRY = /^\{ "seq_id" : (\d+), "qsl_idx" : (\d+), "data" : "([^"]*)"(?:, "token_count" : (\d+))? \}(,?)$/;
const FIELDS = ['seq_id', 'qsl_idx', 'data', 'token_count'] as const;

/** Which field of a malformed entry line is at fault: the first that is not where LoadGen puts it. */
function faultyField(line: string): string {
  const expected = [/^\{ "seq_id" : \d+, /, /^\{ "seq_id" : \d+, "qsl_idx" : \d+, /, /^\{ "seq_id" : \d+, "qsl_idx" : \d+, "data" : "[^"]*"/];
  for (let i = 0; i < expected.length; i++) if (!expected[i]!.test(line)) return FIELDS[i]!;
  return line.includes('"token_count"') ? 'token_count' : 'data';
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 70) return code - 55; // A-F
  if (code >= 97 && code <= 102) return code - 87; // a-f: the scoring script's bytes.fromhex takes them too
  return -1;
}

/** Hex text → bytes; `where` names the entry in errors. */
export function fromHex(hex: string, where: { file?: string | undefined; line?: number | undefined } = {}): Uint8Array {
  if (hex.length % 2 !== 0) throw errors.parse({ ...where, field: 'data' }, `odd number of hex digits (${hex.length})`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? 2 * i : 2 * i + 1;
      throw errors.parse({ ...where, field: 'data' }, `not a hex digit at position ${at}: ${JSON.stringify(hex[at])}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function safeInt(text: string, where: { file: string; line: number }, field: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw errors.invalidValue({ ...where, field }, `${text} is beyond 2^53`);
  return v;
}

/**
 * Read `mlperf_log_accuracy.json` as LoadGen writes it: one entry per line, in its layout, commas
 * between entries, `]` on the last line. Anything else is refused with the file, the line and the
 * field at fault (a file cut short by a crashed run lacks its `]`: TRUNCATED). `file` is used in
 * messages only.
 */
export function parseAccuracyLog(text: string, file: string): AccuracyRecord[] {
  if (text === '') throw errors.emptyInput(file);
  const lines = text.split('\n');
  // The footer ends with a newline; accept a file whose final newline was stripped.
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== '[') throw errors.parse({ file, line: 1 }, `expected '[' (the accuracy log's first line), got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  const last = lines.length;
  if (last < 2 || lines[last - 1] !== ']') {
    throw errors.truncated({ file, line: last }, "no closing ']' line: the run that wrote this log did not finish");
  }
  const out: AccuracyRecord[] = [];
  for (let i = 1; i < last - 1; i++) {
    const line = lines[i]!;
    const where = { file, line: i + 1 };
    const m = ENTRY.exec(line);
    if (m === null) throw errors.parse({ ...where, field: faultyField(line) }, `not an accuracy-log entry: ${JSON.stringify(line.slice(0, 60))}${line.length > 60 ? '…' : ''}`);
    const isLastEntry = i === last - 2;
    if (isLastEntry && m[5] === ',') throw errors.parse(where, "a ',' after the last entry");
    if (!isLastEntry && m[5] !== ',') throw errors.parse(where, "no ',' between this entry and the next");
    out.push({
      seqId: safeInt(m[1]!, where, 'seq_id'),
      qslIdx: safeInt(m[2]!, where, 'qsl_idx'),
      data: fromHex(m[3]!, where),
      ...(m[4] !== undefined ? { tokenCount: safeInt(m[4], where, 'token_count') } : {}),
    });
  }
  return out;
}
