/**
 * JSON files read by inferprint (run manifests, campaign files, SQuAD, MLPerf metadata) fail
 * alike when they are not JSON: a PARSE error naming the file and, where V8's message gives a
 * position, the line. Pure.
 */
import { errors } from './errors.js';

/** Parse a JSON file's text; invalid JSON is a PARSE error `file:line: not valid JSON: …`. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const line = lineOfJsonError(text, message);
    throw errors.parse({ file, ...(line !== undefined ? { line } : {}) }, `not valid JSON: ${message}`);
  }
}

/** The 1-based line of a JSON.parse error: from the "position N" V8 puts in most messages, or the last line. */
function lineOfJsonError(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  const atEnd = message.includes('end of JSON input');
  if (m === null && !atEnd) return undefined;
  const position = m === null ? text.length : Math.min(Number(m[1]), text.length);
  let line = 1;
  for (let i = 0; i < position; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
