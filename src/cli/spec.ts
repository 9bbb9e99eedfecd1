import { errors } from '../errors.js';
import { parseFlags, type FlagSpec } from './args.js';

/**
 * One declarative table of a command's flags: name, type, value name, default, description,
 * parser and the sub-commands or modes each applies to. The command parses its command line
 * with it, its `--help` option list is generated from it, and `dryParse` checks a command line
 * against it without running anything (the docs' command lines are checked that way), so the
 * help, the parser and the docs cannot drift apart.
 */

interface FlagCommon {
  /** One-letter alias (`-h`); shown nowhere, as before. */
  readonly short?: string;
  /**
   * The description in --help, one string per line as it is printed (continuation lines are
   * indented under the first). `{default}` stands for the default; without it a default is
   * appended as ` (default X)`.
   */
  readonly help: string | readonly string[];
  /** The sub-commands or modes the flag applies to; absent: every one. */
  readonly for?: readonly string[];
  /** Not in the generated option list: described in the prose around it, or with another flag. */
  readonly hidden?: boolean;
  /** The label in --help where it is not `--name VALUE` (two flags that go together). */
  readonly label?: string;
  /** Another label and description in a named help section (bench's served-LLM section). */
  readonly sections?: Readonly<Record<string, { readonly label?: string; readonly help: string | readonly string[] }>>;
}

export interface StringFlagDef<T = unknown> extends FlagCommon {
  readonly type: 'string';
  /** Given several times, the values are kept in order. */
  readonly multiple?: boolean;
  /** The value's name in --help and in the docs: `DURATION`, `auto|X`, `table|csv|json`. */
  readonly value: string;
  /** The text used when the flag is absent, parsed as if it were given, and shown in --help. */
  readonly default?: string;
  /** Whether --help shows the default; false where the description words it otherwise. */
  readonly showDefault?: boolean;
  /** Turns the text into a value, or throws a USAGE error naming `flag` (`--interval`). */
  readonly parse?: (raw: string, flag: string) => T;
}

export interface BooleanFlagDef extends FlagCommon {
  readonly type: 'boolean';
}

export type FlagDef = StringFlagDef | BooleanFlagDef;
export type FlagTable = Readonly<Record<string, FlagDef>>;

type ParsedOf<D> = D extends { readonly parse: (raw: string, flag: string) => infer T } ? T : string;

/** What `get` returns for a flag: its parsed value (or its default's), a list for `multiple`, a boolean for booleans. */
export type FlagValue<D> = D extends { readonly type: 'boolean' }
  ? boolean
  : D extends { readonly multiple: true }
    ? ParsedOf<D>[]
    : D extends { readonly default: string }
      ? ParsedOf<D>
      : ParsedOf<D> | undefined;

/** The text of each flag as given (absent: undefined), the way `util.parseArgs` returns it. */
export type RawValues<F extends FlagTable> = {
  readonly [K in keyof F]?: F[K] extends { readonly type: 'boolean' } ? boolean : F[K] extends { readonly multiple: true } ? string[] : string;
};

/** A table, its literal types kept (so `get` knows each flag's default and parser). */
export function defineFlags<const F extends FlagTable>(flags: F): F {
  return flags;
}

export interface ParsedFlags<F extends FlagTable> {
  readonly values: RawValues<F>;
  readonly positionals: string[];
  /** The flag's value through its parser (its default's when it is absent); a USAGE error naming it when bad. */
  get<K extends keyof F & string>(name: K): FlagValue<F[K]>;
}

/** `util.parseArgs` over the table (unknown flags and missing values are USAGE errors naming the flag). */
export function parseCommandFlags<F extends FlagTable>(argv: readonly string[], flags: F): ParsedFlags<F> {
  const options: Record<string, FlagSpec & { multiple?: boolean }> = {};
  for (const [name, def] of Object.entries(flags)) {
    options[name] = { type: def.type, ...(def.short !== undefined ? { short: def.short } : {}), ...(def.type === 'string' && def.multiple === true ? { multiple: true } : {}) };
  }
  const { values, positionals } = parseFlags(argv, options);
  const raw = values as Record<string, string | string[] | boolean | undefined>;
  return {
    values: raw as RawValues<F>,
    positionals,
    get(name) {
      return valueOf(name, flags[name]!, raw[name]) as FlagValue<F[typeof name]>;
    },
  };
}

function valueOf(name: string, def: FlagDef, given: string | string[] | boolean | undefined): unknown {
  if (def.type === 'boolean') return given === true;
  const parse = (s: string): unknown => (def.parse ? def.parse(s, `--${name}`) : s);
  if (def.multiple === true) return (Array.isArray(given) ? given : def.default !== undefined ? [def.default] : []).map(parse);
  const text = typeof given === 'string' ? given : def.default;
  return text === undefined ? undefined : parse(text);
}

// ---------------------------------------------------------------------------------------
// Sub-commands and modes

/**
 * A command's whole command line: its flags, its sub-commands (the first positional) or how a
 * command line picks its mode, and what a flag given in the wrong one is told.
 */
export interface CommandSpec<F extends FlagTable = FlagTable> {
  readonly flags: F;
  /** The first positional names one of these (`hardware list|show`). */
  readonly subcommands?: readonly string[];
  /** The mode of a command line whose flags choose it (bench: campaign, llm or task). */
  mode?(values: RawValues<F>, positionals: readonly string[]): string;
  /** The one-line refusal of a flag that does not apply in `mode` (the flag itself is named by the error). */
  refuse(flag: string, mode: string): string;
  /**
   * How many positionals each sub-command or mode takes (after the sub-command): [least, most],
   * most absent for any number. Key '' when the command has neither. Checked by `dryParse`;
   * commands check their own, in their own words.
   */
  readonly args?: Readonly<Record<string, readonly [number, number?]>>;
  /**
   * Options end at the first positional: it and every word after it are arguments, whatever they
   * look like (`measure ls -la`: the command to run and its own options), as `time`, `env` and
   * `nice` read theirs. `--` still ends the options too. Absent: options may follow positionals.
   */
  readonly stopAtFirstPositional?: boolean;
}

/** A command line cut where its options end (see `splitAtOptionsEnd`). */
export interface OptionsCut {
  /** The words parsed as options (and, without stopAtFirstPositional, positionals among them). */
  readonly options: readonly string[];
  /** The words after `--` (itself left out), or from the first positional on; undefined when the line has neither. */
  readonly rest: readonly string[] | undefined;
}

/**
 * Where a command line's options end: at `--`, and with `stopAtFirstPositional` at the first
 * positional too. A flag's value is skipped as `util.parseArgs` takes it (`--label x`, `-o x`;
 * not `--label=x`), so a value is never taken for the first positional.
 */
export function splitAtOptionsEnd(spec: Pick<CommandSpec, 'flags' | 'stopAtFirstPositional'>, argv: readonly string[]): OptionsCut {
  const shortType = (c: string | undefined) => Object.values(spec.flags).find((d) => d.short !== undefined && d.short === c)?.type;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return { options: argv.slice(0, i), rest: argv.slice(i + 1) };
    if (a.startsWith('--')) {
      if (!a.includes('=') && spec.flags[a.slice(2)]?.type === 'string') i++;
    } else if (a.startsWith('-') && a !== '-') {
      // `-l x`; in a group, a string flag first takes the rest of the word as its value, last the next word.
      if (a.length === 2 ? shortType(a[1]) === 'string' : shortType(a[1]) !== 'string' && shortType(a[a.length - 1]) === 'string') i++;
    } else if (spec.stopAtFirstPositional === true) {
      return { options: argv.slice(0, i), rest: argv.slice(i) };
    }
  }
  return { options: argv, rest: undefined };
}

/** The command spec, its table's literal types kept. */
export function defineCommand<const F extends FlagTable>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** The first flag given (in the order given) that does not apply in `mode`. */
export function misappliedFlag(flags: FlagTable, values: Readonly<Record<string, unknown>>, mode: string): string | undefined {
  return Object.keys(values).find((k) => values[k] !== undefined && flags[k]?.for !== undefined && !flags[k].for.includes(mode));
}

/** Refuse, in the command's words, a flag given that does not apply in `mode`. */
export function requireApplicable<F extends FlagTable>(spec: CommandSpec<F>, values: RawValues<F>, mode: string): void {
  const bad = misappliedFlag(spec.flags, values, mode);
  if (bad !== undefined) throw errors.usage(spec.refuse(bad, mode), `--${bad}`);
}

/** What a command line is, as far as its flags tell without running it. */
export interface DryParse {
  readonly mode: string;
  readonly positionals: readonly string[];
}

export interface DryParseOptions {
  /** A value that stands for one (`DIR`, `<dir>`, `$TOKEN`): its flag is known and given, its parser is not run. */
  readonly isPlaceholder?: (raw: string) => boolean;
}

/**
 * Check a command line against the spec without running anything: flags known and given their
 * values, the sub-command known, every flag applies to the sub-command or mode, every value
 * passes its parser, and the positional count. Throws the USAGE error the command would.
 */
export function dryParse(spec: CommandSpec, argv: readonly string[], options: DryParseOptions = {}): DryParse {
  const cut = splitAtOptionsEnd(spec, argv);
  const parsed = parseCommandFlags(cut.options, spec.flags);
  let positionals = parsed.positionals;
  let mode = '';
  if (spec.subcommands) {
    const [sub, ...rest] = positionals;
    if (sub === undefined || !spec.subcommands.includes(sub)) {
      throw errors.usage(sub === undefined ? `expected a subcommand: ${spec.subcommands.join(', ')}` : `unknown subcommand '${sub}' (expected ${spec.subcommands.join(', ')})`);
    }
    mode = sub;
    positionals = rest;
  } else if (spec.mode) {
    mode = spec.mode(parsed.values, positionals);
  }
  requireApplicable(spec, parsed.values, mode);
  const given = parsed.values as Readonly<Record<string, string | string[] | boolean | undefined>>;
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const texts = typeof value === 'boolean' ? [] : Array.isArray(value) ? value : [value];
    if (texts.some((t) => options.isPlaceholder?.(t) === true)) continue;
    parsed.get(name);
  }
  const [least, most] = spec.args?.[mode] ?? [0, undefined];
  if (cut.rest !== undefined) positionals = [...positionals, ...cut.rest];
  if (positionals.length < least) throw errors.usage(`${mode === '' ? 'the command' : `'${mode}'`} needs ${least} argument(s), got ${positionals.length}`);
  if (most !== undefined && positionals.length > most) throw errors.usage(`unexpected argument '${positionals[most]!}'`);
  return { mode, positionals };
}

// ---------------------------------------------------------------------------------------
// --help

export interface OptionListLayout {
  /** The column descriptions start at; a longer label puts its description on the next line. */
  readonly width: number;
  /** The flags listed, in order; default: every flag of the table not hidden. */
  readonly names?: readonly string[];
  /** A named section: each flag's description for it where it has one. */
  readonly section?: string;
}

const lines = (text: string | readonly string[]): readonly string[] => (typeof text === 'string' ? text.split('\n') : text);

/** `--name VALUE`, or the flag's own label. */
export function flagLabel(name: string, def: FlagDef): string {
  return def.label ?? (def.type === 'string' ? `--${name} ${def.value}` : `--${name}`);
}

/** The description lines of a flag, its default in them. */
export function flagHelp(def: FlagDef, section?: string): readonly string[] {
  const text = [...lines((section !== undefined ? def.sections?.[section]?.help : undefined) ?? def.help)];
  if (def.type !== 'string' || def.default === undefined) return text;
  const joined = text.join('\n');
  if (joined.includes('{default}')) return joined.replaceAll('{default}', def.default).split('\n');
  if (def.showDefault === false) return text;
  text[text.length - 1] = `${text[text.length - 1]!} (default ${def.default})`;
  return text;
}

/** The option list of --help: two spaces, the label, the description from `width` on. */
export function optionLines(flags: FlagTable, layout: OptionListLayout): string {
  const names = layout.names ?? Object.keys(flags).filter((n) => flags[n]!.hidden !== true);
  const out: string[] = [];
  for (const name of names) {
    const def = flags[name];
    if (def === undefined) throw new Error(`help lists --${name}, which the table does not have`);
    const label = `  ${(layout.section !== undefined ? def.sections?.[layout.section]?.label : undefined) ?? flagLabel(name, def)}`;
    const [first = '', ...rest] = flagHelp(def, layout.section);
    const pad = ' '.repeat(layout.width);
    if (first === '') out.push(label);
    else if (label.length + 2 <= layout.width) out.push(`${label.padEnd(layout.width)}${first}`);
    else out.push(label, `${pad}${first}`);
    for (const l of rest) out.push(`${pad}${l}`);
  }
  return out.join('\n');
}
