import { errors, InferprintError } from '../errors.js';
import { ENERGY_METHODS, type EnergyMethod } from '../analysis/types.js';
import { EMBODIED_MODEL_IDS, isEmbodiedModelId, type EmbodiedModelId } from '../impact/embodied/index.js';
import { resolveGrid } from '../impact/grid.js';
import { parsePresetId, validatePue } from '../impact/pue.js';
import type { PresetId } from '../impact/types.js';
import { parseDurationS } from '../units/index.js';
import { SENSOR_SPECS } from '../sensors/names.js';
import { parseFormat } from './output.js';
import type { OutputFormat } from './command.js';

/**
 * Flag values shared by several commands, parsed once here so every command rejects bad
 * values the same way: a USAGE error (exit 2) naming the flag.
 */

/** Durations need their unit: a bare `7` (years? seconds?) or `50` (tegrastats' ms?) is ambiguous. */
export function parseDurationFlag(raw: string, flag: string, example: string): number {
  const s = /[a-z]\s*$/i.test(raw) ? parseDurationS(raw) : undefined;
  if (s === undefined || s <= 0) throw errors.usage(`expected a positive duration with its unit, such as ${example}, got '${raw}'`, flag);
  return s;
}

export function parsePueFlag(raw: string): 'auto' | number {
  if (raw === 'auto') return 'auto';
  const v = raw.trim() === '' ? Number.NaN : Number(raw);
  try {
    return validatePue(v);
  } catch {
    throw errors.usage(`PUE must be 'auto' or a number ≥ 1, got '${raw}'`, '--pue');
  }
}

/** The energy method (`analyze --method`, `report --method`). */
export function parseMethodFlag(raw: string): EnergyMethod {
  if ((ENERGY_METHODS as readonly string[]).includes(raw)) return raw as EnergyMethod;
  throw errors.usage(`unknown method '${raw}' (expected ${ENERGY_METHODS.join(' or ')})`, '--method');
}

/** An embodied model id (`analyze --embodied`, `hardware --embodied-model`); `flag` is the one the table passes. */
export function parseEmbodiedFlag(raw: string, flag: string): EmbodiedModelId {
  if (isEmbodiedModelId(raw)) return raw;
  throw errors.usage(`unknown embodied model '${raw}' (expected ${EMBODIED_MODEL_IDS.join(', ')})`, flag);
}

/** `--preset`: the library's check and wording (impact/pue.ts), as a usage error of the flag. */
export function parsePresetFlag(raw: string): PresetId {
  try {
    return parsePresetId(raw);
  } catch (e) {
    if (e instanceof InferprintError) throw errors.usage(e.detail, '--preset');
    throw e;
  }
}

/** A bad --grid is bad usage (exit 2) naming the flag, not an error in some data file. */
export function parseGridFlag(raw: string): string {
  try {
    resolveGrid(raw);
    return raw;
  } catch (e) {
    if (e instanceof InferprintError) throw errors.usage(e.detail, '--grid');
    throw e;
  }
}

/**
 * A whole number written in digits (`--runs 10`, `--port 8000`); `what` completes the message
 * ("expected a positive integer, got 'x'"). Ranges are checked by the caller, where the rule lives.
 */
export function parseIntegerFlag(raw: string, flag: string, what: string): number {
  if (!/^\d+$/.test(raw.trim())) throw errors.usage(`expected ${what}, got '${raw}'`, flag);
  return Number(raw);
}

export type ProviderFlag = 'cpu' | 'cuda' | 'auto';

/** ONNX Runtime's execution provider, as `bench` and `serve-model` take it. */
export function parseProviderFlag(raw: string): ProviderFlag {
  if (raw !== 'cpu' && raw !== 'cuda' && raw !== 'auto') throw errors.usage(`expected cpu, cuda or auto, got '${raw}'`, '--provider');
  return raw;
}

/** A parser for a table entry: a duration with its unit, `example` shown when it is bad. */
export const durationParser = (example: string) => (raw: string, flag: string): number => parseDurationFlag(raw, flag, example);

/** A parser for a table entry: a whole number in digits, `what` completes the message. */
export const integerParser = (what: string) => (raw: string, flag: string): number => parseIntegerFlag(raw, flag, what);


/** A sensor as `--sensor` names it: a sensor's name, `auto` or `replay:FILE` (the same words as the registry's refusal). */
export function parseSensorFlag(raw: string): string {
  if (raw.startsWith('replay:')) {
    if (raw === 'replay:') throw errors.usage('replay needs a file: --sensor replay:FILE', '--sensor');
    return raw;
  }
  if (!(SENSOR_SPECS as readonly string[]).includes(raw)) throw errors.usage(`unknown sensor '${raw}' (expected ${SENSOR_SPECS.join(', ')})`, '--sensor');
  return raw;
}

/** `--format table|json` of the commands that print no CSV: `who` prints table or json, `hint` says where CSV is. */
export const tableOrJsonParser = (who: string, hint = '') => (raw: string): Exclude<OutputFormat, 'csv'> => {
  const format = parseFormat(raw);
  if (format === 'csv') throw errors.usage(`${who} prints table or json${hint}`, '--format');
  return format;
};
