/**
 * The only I/O of the SQuAD pipeline: read the MLPerf `vocab.txt` and `dev-v1.1.json` a user
 * points at, and hand their text to the pure parsers. Each is read through the regular-file
 * rule (a FIFO is refused, not waited on; `/dev/zero` or a folder is refused, not read) with a
 * cap on its size; a missing file is NOT_FOUND.
 */
import { readRegularFileSync } from '../../../io/regular-file.js';
import { parseSquad, type SquadDataset } from '../dataset.js';
import { parseVocab, type Vocab } from '../wordpiece.js';

/**
 * BERT's uncased `vocab.txt` is 231 508 bytes (30 522 tokens); the multilingual one, the largest
 * BERT ships, under 1 MB. 8 MiB holds any WordPiece vocabulary with room to spare.
 */
export const MAX_VOCAB_BYTES = 8 << 20;

/**
 * MLPerf's `dev-v1.1.json` is about 4.9 MB, SQuAD's training set `train-v1.1.json` about 30 MB.
 * 64 MiB holds either with room; the parsed tree is several times the text, so a larger file
 * would cost gigabytes before it is even tokenised.
 */
export const MAX_SQUAD_BYTES = 64 << 20;

function readUtf8(path: string, what: string, maxBytes: number): string {
  const text = readRegularFileSync(path, { links: 'follow', what, maxBytes });
  // A byte-order mark is encoding, not content.
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** Read a WordPiece `vocab.txt` (one token per line, id = line index). */
export function loadVocab(path: string): Vocab {
  return parseVocab(readUtf8(path, 'vocab file', MAX_VOCAB_BYTES), path);
}

/** Read a SQuAD v1.1 JSON file (`dev-v1.1.json`). */
export function loadSquad(path: string): SquadDataset {
  return parseSquad(readUtf8(path, 'SQuAD dataset', MAX_SQUAD_BYTES), path);
}
