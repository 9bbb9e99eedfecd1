/**
 * The byte-level tokenizer of the synthetic decoder: one token per UTF-8 byte (0–255), plus
 * beginning- and end-of-sequence tokens. Nothing to download, every text encodes, and the
 * token count of a prompt is its byte length plus one. Pure.
 */

export const BOS_TOKEN = 256;
export const EOS_TOKEN = 257;
export const VOCAB_SIZE = 258;

const encoder = new TextEncoder();

/** The prompt's tokens: BOS, then its UTF-8 bytes. */
export function encodePrompt(text: string): number[] {
  return [BOS_TOKEN, ...encoder.encode(text)];
}

/** Printable ASCII and newline: the only bytes the synthetic model writes (see `logitBias`). */
export function isPrintableByte(b: number): boolean {
  return (b >= 32 && b <= 126) || b === 10;
}

/** The text of generated tokens (bytes; EOS and BOS write nothing). */
export function decodeTokens(tokens: readonly number[]): string {
  return new TextDecoder().decode(Uint8Array.from(tokens.filter((t) => t < 256)));
}

/**
 * A chat as one prompt, the way chat templates do it for models without one of their own:
 * `role: content` lines, then `assistant: ` for the model to continue.
 */
export function chatPrompt(messages: readonly { readonly role: string; readonly content: string }[]): string {
  return `${messages.map((m) => `${m.role}: ${m.content}`).join('\n')}\nassistant: `;
}
