/**
 * Incremental parsers for the two streaming formats LLM servers speak: server-sent events
 * (OpenAI-compatible servers: vLLM, llama.cpp, TGI, Ollama's /v1) and newline-delimited JSON
 * (Ollama's native /api). Text goes in as it arrives, in pieces cut anywhere; whole events come
 * out. At the end of the stream each says whether something was left half-received — a stream
 * cut mid-event, which the client records as a truncation instead of dropping it. Pure.
 *
 * SSE as the WHATWG HTML standard defines it (§9.2.6): lines end with CRLF, LF or CR; `data:`
 * lines of one event are joined with LF; a blank line dispatches the event; lines starting with
 * `:` are comments (keep-alive pings); `event:` names the event; other fields are ignored.
 */

export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  private line = '';
  /** The previous piece ended with CR: an LF starting the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private event = '';
  private fields = 0;

  /** Feed decoded text; returns the events completed by it, in order. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let i = 0;
    if (this.afterCr && text.startsWith('\n')) i = 1;
    this.afterCr = false;
    let start = i;
    for (; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.line += text.slice(start, i);
      this.takeLine(out);
      if (ch === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.afterCr = true;
      }
      start = i + 1;
    }
    this.line += text.slice(start);
    return out;
  }

  /** Whether the stream stopped inside an event: a line without its end, or fields without the blank line that dispatches them. */
  get pending(): boolean {
    return this.line !== '' || this.fields > 0;
  }

  private takeLine(out: SseEvent[]): void {
    const line = this.line;
    this.line = '';
    if (line === '') {
      if (this.fields > 0 && this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.event = '';
      this.fields = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.fields++;
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.event = value;
  }
}

/** Newline-delimited JSON: one value per line; blank lines ignored; CRLF accepted. */
export class NdjsonLineParser {
  private line = '';

  push(text: string): string[] {
    const parts = (this.line + text).split('\n');
    this.line = parts.pop()!;
    return parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  }

  /** A last line without its newline. Ollama ends every line with one, so this is a cut stream — unless it parses whole (`takeRest`). */
  get pending(): boolean {
    return this.line.trim() !== '';
  }

  /** The unterminated last line, taken out of the parser. */
  takeRest(): string {
    const rest = this.line;
    this.line = '';
    return rest;
  }
}
