/**
 * BERT's tokenizer, as the MLPerf BERT reference runs it: Hugging Face `BertTokenizer(vocab.txt)`
 * (uncased by default) = BasicTokenizer (clean, CJK spacing, whitespace split, lower-case and strip
 * accents, split on punctuation) followed by greedy longest-match-first WordPiece.
 *
 * Python semantics matter here because the reference answers are character-exact: Python iterates
 * code points (not UTF-16 units), `str.split()` splits on its own whitespace set, and
 * `unicodedata.category` decides controls, marks and punctuation. Each helper below mirrors one of
 * those so the same text yields the same tokens. Pure: no I/O.
 */
import { errors } from '../../errors.js';

/** The special tokens of BERT vocabularies; HF never splits or lower-cases them. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
/** Tokens the SQuAD pipeline cannot work without (padding uses the literal id 0, as the reference). */
const REQUIRED_TOKENS = ['[UNK]', '[CLS]', '[SEP]'] as const;

/** A WordPiece vocabulary: token → id, where the id is the 0-based line index in `vocab.txt`. */
export interface Vocab {
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
}

/**
 * Parse `vocab.txt` text: one token per line, id = line index. Lines end at `\n`, `\r\n` or `\r`
 * (Python's universal newlines, as HF's `load_vocab` reads them); the rest of the line, spaces
 * included, is the token. A duplicate token or a missing [UNK]/[CLS]/[SEP] is an error.
 */
export function parseVocab(text: string, file: string): Vocab {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw errors.emptyInput(file, 'vocabulary has no tokens');
  const ids = new Map<string, number>();
  lines.forEach((token, index) => {
    const first = ids.get(token);
    if (first !== undefined) {
      throw errors.invalidValue({ file, line: index + 1 }, `duplicate token ${JSON.stringify(token)} (first on line ${first + 1})`);
    }
    ids.set(token, index);
  });
  for (const required of REQUIRED_TOKENS) {
    if (!ids.has(required)) throw errors.invalidValue({ file, field: required }, `vocabulary has no ${required} token`);
  }
  return { tokens: lines, ids };
}

// ---------------------------------------------------------------------------------------------
// Character classes, as BERT's tokenization.py defines them (on code points).

const ZS = /^\p{Zs}$/u;
const CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const PUNCT = /^\p{P}$/u;
const NONSPACING_MARK = /\p{Mn}/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** BERT `_is_whitespace`: space, tab, LF, CR, or category Zs. */
export function isBertWhitespace(ch: string): boolean {
  if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') return true;
  const cp = ch.codePointAt(0)!;
  return cp >= 0x80 && ZS.test(ch);
}

/** BERT `_is_control`: categories Cc and Cf, except tab, LF and CR (which count as whitespace). */
export function isBertControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return cp < 0x20 || cp === 0x7f;
  return CONTROL.test(ch);
}

/**
 * BERT `_is_punctuation`: every non-alphanumeric printable ASCII character (so `$`, `^`, `` ` ``
 * count, though Unicode files them under S*), plus every Unicode P* category.
 */
export function isBertPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  if (cp < 0x80) return false;
  return PUNCT.test(ch);
}

/** BERT `_is_chinese_char`: the CJK Unified Ideographs blocks (not Japanese kana or Hangul). */
export function isCjkChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's `str.isspace()` set (what a bare `str.split()` splits on); differs from JS `\s`. */
export function isPythonWhitespace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp >= 0x1c && cp <= 0x20) ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Python's `text.split()` with no argument: runs of whitespace separate, no empty pieces. */
export function pythonSplit(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (isPythonWhitespace(cp)) {
      if (start >= 0) out.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
    i += width;
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

// ---------------------------------------------------------------------------------------------
// BasicTokenizer

/** Drop NUL, U+FFFD and control characters; turn every whitespace character into a space. */
export function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isBertControl(ch)) continue;
    out += isBertWhitespace(ch) ? ' ' : ch;
  }
  return out;
}

/** Put spaces around CJK ideographs so each becomes its own word (they carry no spaces). */
export function spaceCjkChars(text: string): string {
  let out = '';
  for (const ch of text) out += isCjkChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

/** NFD, then remove the nonspacing marks (Mn): "Zürich" → "Zurich", "Ångström" → "Angstrom". */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(NONSPACING_MARK, '');
}

/** Split a word before and after every punctuation character; punctuation becomes its own token. */
export function splitOnPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (isBertPunctuation(ch)) {
      if (current !== '') out.push(current);
      out.push(ch);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

export interface BasicTokenizerOptions {
  /** Lower-case and strip accents (BERT uncased). Default true. */
  readonly lowerCase?: boolean;
  /** Tokens kept whole, neither lower-cased nor split (HF passes the special tokens). Default none. */
  readonly neverSplit?: ReadonlySet<string>;
}

/**
 * BERT's BasicTokenizer: clean, space CJK, whitespace-split, lower-case + strip accents, split
 * on punctuation, whitespace-split again. `get_final_text` uses it with no `neverSplit` (the
 * original Google/NVIDIA class); the full tokenizer passes the special tokens (the HF class).
 */
export function basicTokenize(text: string, options: BasicTokenizerOptions = {}): string[] {
  const lowerCase = options.lowerCase ?? true;
  const neverSplit = options.neverSplit;
  // Printable ASCII has no control, CJK or accented character: skip those passes (most text).
  const ascii = PRINTABLE_ASCII.test(text);
  const words = pythonSplit(ascii ? text : spaceCjkChars(cleanText(text)));
  const pieces: string[] = [];
  for (const word of words) {
    if (neverSplit?.has(word) === true) {
      pieces.push(word);
      continue;
    }
    const normalized = !lowerCase ? word : ascii ? word.toLowerCase() : stripAccents(word.toLowerCase());
    for (const piece of splitOnPunctuation(normalized)) pieces.push(piece);
  }
  // The reference joins with spaces and splits again; this only matters if a piece contained
  // whitespace, which lower-casing and NFD never produce, but it costs little to stay exact.
  return pythonSplit(pieces.join(' '));
}

// ---------------------------------------------------------------------------------------------
// WordPiece

export interface WordpieceOptions {
  readonly unkToken?: string;
  /** Words longer than this many code points become [UNK] (HF default 100). */
  readonly maxInputCharsPerWord?: number;
}

/**
 * Greedy longest-match-first WordPiece of one word: take the longest vocabulary prefix, then the
 * longest `##`-prefixed continuation, and so on. A word that cannot be covered, or is longer than
 * `maxInputCharsPerWord` code points, becomes a single [UNK].
 */
export function wordpieceTokenize(word: string, vocab: Vocab, options: WordpieceOptions = {}): string[] {
  const unk = options.unkToken ?? '[UNK]';
  const maxChars = options.maxInputCharsPerWord ?? 100;
  // UTF-16 offset of each code point boundary, so substrings never cut a surrogate pair.
  const bounds: number[] = [];
  for (let i = 0; i < word.length; ) {
    bounds.push(i);
    i += word.codePointAt(i)! > 0xffff ? 2 : 1;
  }
  const n = bounds.length;
  bounds.push(word.length);
  if (n > maxChars) return [unk];
  const out: string[] = [];
  let start = 0;
  while (start < n) {
    let end = n;
    let piece: string | undefined;
    while (start < end) {
      const sub = word.slice(bounds[start], bounds[end]);
      const candidate = start > 0 ? `##${sub}` : sub;
      if (vocab.ids.has(candidate)) {
        piece = candidate;
        break;
      }
      end -= 1;
    }
    if (piece === undefined) return [unk];
    out.push(piece);
    start = end;
  }
  return out;
}

export interface BertTokenizerOptions extends WordpieceOptions {
  readonly lowerCase?: boolean;
}

/** The full tokenizer: text → WordPiece tokens → ids. */
export interface BertTokenizer {
  readonly vocab: Vocab;
  readonly lowerCase: boolean;
  tokenize(text: string): string[];
  /** Ids of tokens; a token not in the vocabulary maps to [UNK]'s id (as HF does). */
  convertTokensToIds(tokens: readonly string[]): Int32Array;
}

/**
 * HF `BertTokenizer(vocab.txt)`: special tokens present in the vocabulary are cut out of the text
 * first and kept whole; the rest goes through BasicTokenizer then WordPiece.
 */
export function createBertTokenizer(vocab: Vocab, options: BertTokenizerOptions = {}): BertTokenizer {
  const lowerCase = options.lowerCase ?? true;
  const unkToken = options.unkToken ?? '[UNK]';
  const unkId = vocab.ids.get(unkToken);
  if (unkId === undefined) throw errors.invalidValue({ field: 'unkToken' }, `vocabulary has no ${unkToken} token`);
  const specials = new Set<string>(SPECIAL_TOKENS.filter((t) => vocab.ids.has(t)));
  const specialPattern =
    specials.size > 0 ? new RegExp(`(${[...specials].map((t) => t.replace(/[[\]]/g, '\\$&')).join('|')})`) : undefined;
  const wordpieceOptions: WordpieceOptions = { unkToken, maxInputCharsPerWord: options.maxInputCharsPerWord ?? 100 };

  function tokenizeSegment(text: string, out: string[]): void {
    for (const word of basicTokenize(text, { lowerCase, neverSplit: specials })) {
      if (specials.has(word)) out.push(word);
      else for (const piece of wordpieceTokenize(word, vocab, wordpieceOptions)) out.push(piece);
    }
  }

  return {
    vocab,
    lowerCase,
    tokenize(text: string): string[] {
      const out: string[] = [];
      if (specialPattern === undefined) {
        tokenizeSegment(text, out);
        return out;
      }
      // split() with a capturing group keeps the separators at odd indices.
      text.split(specialPattern).forEach((segment, i) => {
        if (i % 2 === 1) out.push(segment);
        else if (segment !== '') tokenizeSegment(segment, out);
      });
      return out;
    },
    convertTokensToIds(tokens: readonly string[]): Int32Array {
      const ids = new Int32Array(tokens.length);
      tokens.forEach((t, i) => {
        ids[i] = vocab.ids.get(t) ?? unkId;
      });
      return ids;
    },
  };
}
