/**
 * The only I/O of the SQuAD pipeline: read the MLPerf `vocab.txt` and `dev-v1.1.json` a user
 * points at, and hand their text to the pure parsers.
 */
import { readFileSync } from 'node:fs';
import { errors } from '../../../errors.js';
import { parseSquad, type SquadDataset } from '../dataset.js';
import { parseVocab, type Vocab } from '../wordpiece.js';

function readUtf8(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' || code === 'ENOTDIR' ? errors.notFound(path, 'file') : errors.io(path, e);
  }
  // A byte-order mark is encoding, not content.
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** Read a WordPiece `vocab.txt` (one token per line, id = line index). */
export function loadVocab(path: string): Vocab {
  return parseVocab(readUtf8(path), path);
}

/** Read a SQuAD v1.1 JSON file (`dev-v1.1.json`). */
export function loadSquad(path: string): SquadDataset {
  return parseSquad(readUtf8(path), path);
}
