/**
 * The closed set of errors inferprint reports. Every message is built here, so wording
 * stays consistent and every error names where it happened (file, line, field or flag).
 * Only the CLI entry turns an error into an exit code: 2 for bad usage, 1 otherwise.
 */

export type ErrorCode =
  | 'USAGE' // bad command line: unknown flag, missing argument, malformed value
  | 'NOT_FOUND' // a path the user named does not exist
  | 'EMPTY_INPUT' // a file with no content, or a header and no data
  | 'PARSE' // a line or cell that cannot be read
  | 'INVALID_VALUE' // read fine, but the value is impossible (NaN, negative power, ...)
  | 'NON_MONOTONIC' // timestamps that do not increase
  | 'UNKNOWN_UNIT' // a unit the importer does not know
  | 'TRUNCATED' // a file that ends in the middle of a record
  | 'UNKNOWN_FORMAT' // input whose layout matches no importer
  | 'UNKNOWN_HARDWARE' // a device name no alias resolves
  | 'UNKNOWN_ZONE' // a grid zone the table does not have
  | 'NO_DATA' // nothing to analyse after discovery
  | 'SENSOR_UNAVAILABLE' // a sensor cannot run here (no binary, no library, no permission)
  | 'SENSOR_FAILED' // a sensor died while sampling
  | 'IO' // the operating system refused a read or write
  | 'LOCKED' // another process holds it (a campaign being run)
  | 'DEPENDENCY_MISSING' // an optional package the command needs is not installed (onnxruntime-node)
  | 'INTERNAL'; // a bug: an invariant that should hold did not

/** Where an error happened; every part optional, printed in a fixed order. */
export interface Where {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly field?: string | undefined;
  readonly flag?: string | undefined;
}

export class InferprintError extends Error {
  override readonly name = 'InferprintError';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly where: Where = {},
    options?: { cause?: unknown },
  ) {
    super(formatMessage(code, detail, where), options);
  }
  get exitCode(): 1 | 2 {
    return this.code === 'USAGE' ? 2 : 1;
  }
}

export function formatWhere(where: Where): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file}:${where.line}` : where.file);
  else if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.field !== undefined) parts.push(`field '${where.field}'`);
  if (where.flag !== undefined) parts.push(`flag ${where.flag}`);
  return parts.join(' ');
}

function formatMessage(code: ErrorCode, detail: string, where: Where): string {
  // File names and details come from input (a header cell, a file name): escaped, so no byte
  // of a file can move the cursor, recolour or retitle the terminal the message is printed on.
  const at = escapeControl(formatWhere(where));
  // One line, always: newlines in details (e.g. a quoted cell) would break log parsers.
  const oneLine = escapeControl(detail.replace(/\s*[\r\n]\s*/g, ' '));
  return at ? `${at}: ${oneLine} [${code}]` : `${oneLine} [${code}]`;
}

/**
 * Characters a terminal acts on rather than shows: C0 controls but tab (ESC starts ANSI
 * sequences), DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph
 * separators, and the bidirectional overrides that make text read differently from its bytes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character written as a visible escape (`\u001b`), so text that
 * came from input can be printed safely. Idempotent: its output holds no control character.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Quote a raw cell for a message, shortened so one bad line cannot flood the terminal; control characters escaped. */
export function quote(raw: string, max = 40): string {
  const s = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  return escapeControl(JSON.stringify(s));
}

/** Constructors for every error, so messages are written once. */
export const errors = {
  usage: (detail: string, flag?: string) => new InferprintError('USAGE', detail, { flag }),
  notFound: (file: string, what = 'path') => new InferprintError('NOT_FOUND', `${what} does not exist`, { file }),
  emptyInput: (file: string, detail = 'file is empty') => new InferprintError('EMPTY_INPUT', detail, { file }),
  tooFewSamples: (where: Where, detail: string) => new InferprintError('EMPTY_INPUT', detail, where),
  headerOnly: (file: string) => new InferprintError('EMPTY_INPUT', 'header but no data rows', { file, line: 1 }),
  parse: (where: Where, detail: string) => new InferprintError('PARSE', detail, where),
  notANumber: (where: Where, raw: string) => new InferprintError('PARSE', `not a number: ${quote(raw)}`, where),
  invalidValue: (where: Where, detail: string) => new InferprintError('INVALID_VALUE', detail, where),
  nonMonotonic: (where: Where, prev: number, next: number) =>
    new InferprintError('NON_MONOTONIC', `timestamp ${next} does not increase after ${prev}`, where),
  unknownUnit: (where: Where, unit: string, known: readonly string[]) =>
    new InferprintError('UNKNOWN_UNIT', `unknown unit ${quote(unit)} (expected one of ${known.join(', ')})`, where),
  truncated: (where: Where, detail: string) => new InferprintError('TRUNCATED', detail, where),
  unknownFormat: (file: string, detail: string) => new InferprintError('UNKNOWN_FORMAT', detail, { file }),
  unknownHardware: (name: string, where: Where = {}, hint = '') =>
    new InferprintError('UNKNOWN_HARDWARE', `no hardware matches ${quote(name)}${hint ? `; ${hint}` : ''} (see: inferprint hardware list)`, where),
  unknownZone: (zone: string, where: Where = {}) =>
    new InferprintError('UNKNOWN_ZONE', `no grid factor for zone ${quote(zone)} (give an ISO code such as FR, DEU, or a number in gCO2e/kWh)`, where),
  noData: (detail: string, where: Where = {}) => new InferprintError('NO_DATA', detail, where),
  sensorUnavailable: (sensor: string, reason: string) => new InferprintError('SENSOR_UNAVAILABLE', `sensor ${sensor} unavailable: ${reason}`, { flag: '--sensor' }),
  sensorFailed: (sensor: string, reason: string) => new InferprintError('SENSOR_FAILED', `sensor ${sensor} failed: ${reason}`),
  notRegularFile: (file: string, detail: string) => new InferprintError('INVALID_VALUE', detail, { file }),
  tooLarge: (file: string, sizeBytes: number, maxBytes: number, what: string) =>
    new InferprintError('INVALID_VALUE', `${sizeBytes} bytes, more than the ${maxBytes} bytes ${what} may hold`, { file }),
  lineTooLong: (where: Where, maxChars: number) =>
    new InferprintError('PARSE', `line longer than ${maxChars} characters: not a text log this reader knows (lines are capped so a file without line breaks cannot exhaust memory)`, where),
  io: (file: string, cause: unknown) =>
    new InferprintError('IO', cause instanceof Error ? cause.message : String(cause), { file }, { cause }),
  locked: (file: string, detail: string) => new InferprintError('LOCKED', detail, { file }),
  dependencyMissing: (pkg: string, purpose: string, install: string) =>
    new InferprintError('DEPENDENCY_MISSING', `${pkg} is not installed; ${purpose} needs it: ${install}`),
  internal: (detail: string) => new InferprintError('INTERNAL', detail),
  /** The same error with what was done about it appended, e.g. an import that undid its writes. */
  withOutcome: (e: InferprintError, outcome: string) => new InferprintError(e.code, `${e.detail}; ${outcome}`, e.where, { cause: e }),
} as const;

export function isInferprintError(e: unknown): e is InferprintError {
  return e instanceof InferprintError;
}
