/**
 * Files a person writes for inferprint in YAML or JSON (YAML 1.2 reads both: the advisor's
 * workload, the campaign plan) fail alike when they are not YAML: a PARSE error naming the file
 * and the line, for a syntax error, a duplicate key or a JSON comma left out alike. The `yaml`
 * package gives a line only with `prettyErrors`, which also writes a code frame into the message
 * over several lines; here the line comes from the error's offset instead, and the message keeps
 * its first line. What parses comes back as plain values with `lineOf`, the line of a key path,
 * for the callers' own errors. Pure (`json-text.ts` is the same for JSON-only files).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { errors } from './errors.js';

/** A key path into the document: map keys and list indexes, `['deployments', 0, 'name']`. */
export type KeyPath = readonly (string | number)[];

export interface YamlText {
  /** The document as plain values (`null` for an empty document or a lone `null`). */
  readonly value: unknown;
  /**
   * The 1-based line of `path`: the line of its key in a mapping, of its item in a list. A path
   * that goes past what the file holds (a missing key) gives the line of the deepest part that
   * is there; undefined only for an empty document.
   */
  readonly lineOf: (path: KeyPath) => number | undefined;
}

/** Aliases expanded at most this many times: a few anchors are fine, a "billion laughs" is refused. */
const MAX_ALIAS_COUNT = 100;

/** Parse a YAML or JSON file's text; invalid text is a PARSE error `file:line: not valid YAML or JSON: …`. */
export function parseYamlText(text: string, file: string): YamlText {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const bad = doc.errors[0];
  if (bad) {
    const line = bad.linePos?.[0].line ?? lines.linePos(bad.pos[0]).line;
    const first = (bad.message.split('\n')[0] ?? bad.code).replace(/ at line \d+, column \d+:?$/, '');
    throw errors.parse({ file, line }, `not valid YAML or JSON: ${first}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (e) {
    // toJS throws for an alias expanded too often (and nothing else the parse let through).
    throw errors.parse({ file }, `not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  return { value, lineOf };
}
