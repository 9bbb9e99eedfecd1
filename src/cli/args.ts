import { parseArgs } from 'node:util';
import { errors } from '../errors.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}
export type FlagValues<O extends Record<string, FlagSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

/**
 * `util.parseArgs` in strict mode, with its TypeErrors turned into USAGE errors (exit 2)
 * that name the flag. Every command parses its flags through here.
 */
export function parseFlags<O extends Record<string, FlagSpec>>(
  argv: readonly string[],
  options: O,
): { values: FlagValues<O>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
    throw errors.usage(msg.replace(/\. To specify a positional argument.*$/, ''), flag);
  }
}
