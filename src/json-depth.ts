/**
 * How deeply a JSON text nests, measured in one pass without parsing it. `JSON.parse` copes
 * with deep nesting, but everything recursive after it does not: `JSON.stringify` when a value
 * is written back, `Array.prototype.flat`, any tree walk. 100 000 `[` overflow the stack there,
 * far from the input that caused it. Readers of untrusted JSON (run manifests, KServe request
 * bodies) refuse texts deeper than their format can need, before parsing. Pure.
 */

/** Deepest `[`/`{` nesting of a JSON text (strings skipped); stops counting once past `stopAt`. */
export function jsonDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > stopAt) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
