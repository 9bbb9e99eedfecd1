/**
 * Parser for LoadGen's `mlperf_log_summary.txt` (v1.1 and v4.1 layouts, every scenario).
 *
 * The file is three banner-delimited sections of `key : value` lines (`MLPerf Results Summary`,
 * `Additional Stats`, `Test Parameters Used`) plus a two-line warnings/errors footer. v4.1 adds
 * an `Early stopping satisfied:` line and an `Early Stopping Result:` bullet block whose long
 * bullets wrap onto lines that start with a single space. Pure: text in, typed record out.
 */
import { errors, isInferprintError, quote, type Where } from '../errors.js';
import { defined, group } from '../defined.js';
import { parseDecimal } from '../traces/parse-number.js';
import { EFFECTIVE_SETTINGS, summaryKey, type SummarySettings } from './settings-table.js';
import {
  MLPERF_MODES,
  MLPERF_SCENARIOS,
  type MlperfAdditionalStats,
  type MlperfConstraints,
  type MlperfEarlyStopping,
  type MlperfHeadline,
  type MlperfMode,
  type MlperfScenario,
  type MlperfSummary,
  type MlperfTestParameters,
} from './types.js';

type Section = 'none' | 'results' | 'stats' | 'params';

const SECTION_TITLES: Readonly<Record<string, Section>> = {
  'MLPerf Results Summary': 'results',
  'Additional Stats': 'stats',
  'Test Parameters Used': 'params',
};

interface Entry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

interface Block {
  readonly title: string;
  readonly lines: string[];
  readonly line: number;
}

const BANNER = /^=+$/;
// `Recommendations:`, `Early Stopping Result:`, `TTFT Early Stopping Result:`: a title and a colon, nothing after.
const BLOCK_TITLE = /^[A-Za-z][A-Za-z -]*:$/;
const PERCENTILE_KEY = /^(\d+(?:\.\d+)?) percentile latency \(ns\)$/;
const TARGET_PERCENTILE_KEY = /^\d+th percentile latency \(ns\)$/;
const NO_WARNINGS = /^No warnings encountered during test\.$/;
const N_WARNINGS = /^(\d+) warnings? encountered\. See detailed log\.$/;
const NO_ERRORS = /^No errors encountered during test\.$/;
const N_ERRORS = /^(\d+) ERRORS? encountered\. See detailed log\.$/;
const UNSIGNED = /^\d+$/;
const EQUALS = 0x3d;
const CAPITAL_N = 0x4e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Which header key carries each scenario's headline metric, across LoadGen versions. */
const HEADLINE_KEYS: Readonly<Record<MlperfScenario, (key: string) => boolean>> = {
  SingleStream: (k) => TARGET_PERCENTILE_KEY.test(k),
  // v4.1 prints the target percentile of per-query latency; v1.1 printed `Samples per query`.
  MultiStream: (k) => TARGET_PERCENTILE_KEY.test(k) || k === 'Samples per query',
  // v1.1 prints `Scheduled samples per second`; v4.1 builds print one or the other depending on token latencies.
  Server: (k) => k === 'Scheduled samples per second' || k === 'Completed samples per second',
  Offline: (k) => k === 'Samples per second',
};

/** Parse the text of an `mlperf_log_summary.txt`. `file` only names the source in errors. */
export function parseSummary(text: string, file?: string): MlperfSummary {
  const name = file ?? '<summary>';
  if (text.trim() === '') throw errors.emptyInput(name);
  // A plain split when there is no CR (LoadGen writes LF): the regex split costs more per file.
  const lines = text.includes('\r') ? text.split(/\r?\n/) : text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  try {
    return interpret(collect(lines, name), lines.length, name, file);
  } catch (e) {
    // A file cut mid-line fails on its last line; say so rather than blame the line's content.
    const last = lines[lines.length - 1] ?? '';
    const complete = NO_ERRORS.test(last) || N_ERRORS.test(last);
    if (isInferprintError(e) && e.code === 'PARSE' && e.where.line === lines.length && !complete) {
      throw errors.truncated(e.where, `summary ends mid-line: ${e.detail}`);
    }
    throw e;
  }
}

interface Collected {
  readonly results: Entry[];
  readonly stats: Entry[];
  readonly params: Entry[];
  readonly blocks: Block[];
  perQuery: boolean;
  warningCount: number | undefined;
  errorCount: number | undefined;
}

/** First pass: sort lines into sections, entries and bullet blocks; no interpretation yet. */
function collect(lines: readonly string[], name: string): Collected {
  const at = (line: number, field?: string): Where & { readonly line: number } => ({ file: name, line, field });
  const c: Collected = { results: [], stats: [], params: [], blocks: [], perQuery: false, warningCount: undefined, errorCount: undefined };
  let section: Section = 'none';
  let block: Block | undefined;

  // An index loop: a section banner consumes its next two lines.
  for (let i = 0, raw = lines[0]; raw !== undefined; raw = lines[++i]) {
    const lineNo = i + 1;
    // A banner is `====`, a title, `====`; the title decides the section.
    if (raw.charCodeAt(0) === EQUALS && BANNER.test(raw)) {
      const title = lines[i + 1];
      const close = lines[i + 2];
      const next = title === undefined ? undefined : SECTION_TITLES[title];
      if (title === undefined || close === undefined) {
        throw errors.truncated(at(lineNo), 'summary ends inside a section banner');
      }
      if (next === undefined) {
        if (section === 'none') throw errors.unknownFormat(name, `line ${lineNo + 1}: not an MLPerf summary section ${quote(title)}`);
        throw errors.parse(at(lineNo + 1), `unknown section title ${quote(title)}`);
      }
      if (!BANNER.test(close)) throw errors.parse(at(lineNo + 2), `expected a '====' line after ${quote(title)}`);
      section = next;
      block = undefined;
      i += 2;
      continue;
    }
    const blank = raw.trim() === '';
    if (section === 'none') {
      if (blank) continue;
      throw errors.unknownFormat(name, `line ${lineNo}: expected the "MLPerf Results Summary" banner, found ${quote(raw)}`);
    }
    if (blank) {
      block = undefined;
      continue;
    }
    const footer = readFooter(raw, name, lineNo);
    if (footer !== undefined) {
      if (footer.kind === 'warnings') c.warningCount = footer.count;
      else c.errorCount = footer.count;
      continue;
    }
    if (section === 'results') {
      // Bullet lines and their wrapped continuations all start with a space.
      if (block !== undefined && raw.startsWith(' ')) {
        block.lines.push(raw);
        continue;
      }
      if (BLOCK_TITLE.test(raw)) {
        block = { title: raw.slice(0, -1), lines: [], line: lineNo };
        c.blocks.push(block);
        continue;
      }
      c.results.push(splitEntry(raw, name, lineNo));
    } else if (section === 'stats') {
      // MultiStream prints `Per-query latency:` before its latency lines.
      if (/^Per-query latency:\s*$/.test(raw)) {
        c.perQuery = true;
        continue;
      }
      c.stats.push(splitEntry(raw, name, lineNo));
    } else {
      c.params.push(splitEntry(raw, name, lineNo));
    }
  }
  return c;
}

/** Second pass: typed record, required fields checked. */
function interpret(c: Collected, lastLine: number, name: string, file: string | undefined): MlperfSummary {
  const at = (line: number, field?: string): Where => ({ file: name, line, field });
  const { results, stats, params, blocks, perQuery, warningCount, errorCount } = c;
  // A missing field means a cut file when the errors footer never came, else a malformed one.
  const missing = (field: string): never => {
    if (errorCount === undefined) throw errors.truncated(at(lastLine, field), `summary ends before field '${field}' (no errors footer)`);
    throw errors.parse({ file: name, field }, 'required field missing from the summary');
  };

  const res = indexEntries(results, name);
  const need = (field: string): Entry => res.get(field) ?? missing(field);

  const sutName = need('SUT name').value;
  const scenarioEntry = need('Scenario');
  const scenario = oneOf(MLPERF_SCENARIOS, scenarioEntry, at(scenarioEntry.line, 'Scenario'));
  const modeEntry = need('Mode');
  const mode: MlperfMode = oneOf(MLPERF_MODES, modeEntry, at(modeEntry.line, 'Mode'));
  const headlineEntry = results.find((e) => HEADLINE_KEYS[scenario](e.key)) ?? missing(`${scenario} headline metric`);
  const headline: MlperfHeadline = {
    key: headlineEntry.key,
    value: nonNegativeDecimal(headlineEntry.value, at(headlineEntry.line, headlineEntry.key)),
  };
  const resultEntry = need('Result is');
  if (resultEntry.value !== 'VALID' && resultEntry.value !== 'INVALID') {
    throw errors.parse(at(resultEntry.line, 'Result is'), `expected VALID or INVALID, found ${quote(resultEntry.value)}`);
  }
  const optionalInt = (key: string): number | undefined => {
    const e = res.get(key);
    return e === undefined ? undefined : parseUnsigned(e.value, at(e.line, key));
  };
  const constraints: MlperfConstraints = {
    minDurationMet: yesNo(need('Min duration satisfied'), name),
    minQueriesMet: yesNoSkipped(need('Min queries satisfied'), name),
    earlyStoppingMet: optionalYesNo(res.get('Early stopping satisfied'), name),
    performanceConstraintsMet: optionalYesNo(res.get('Performance constraints satisfied'), name),
  };

  const extra: Record<string, string> = {};
  for (const e of results) if (!RESULT_KEYS.has(e.key) && e.key !== headlineEntry.key) extra[e.key] = e.value;

  let recommendations: string[] = [];
  let earlyStopping: MlperfEarlyStopping | undefined;
  for (const b of blocks) {
    if (b.title === 'Recommendations') recommendations = joinBullets(b.lines);
    else if (b.title === 'Early Stopping Result') earlyStopping = readEarlyStopping(b, name);
    else extra[b.title] = joinBullets(b.lines).join(' ');
  }

  const statsRecord = readStats(stats, perQuery, scenario, headline.key, name, missing);
  const paramsRecord = readParams(params, name, missing);
  const warnings = warningCount ?? missing('warnings footer');
  const errorsCount = errorCount ?? missing('errors footer');
  // Only once the file is known whole: a cut line is TRUNCATED, not inconsistent.
  checkLatencyOrder(stats, name, statsRecord);

  return {
    file,
    sutName,
    scenario,
    mode,
    headline,
    queryCount: optionalInt('Query count'),
    sampleCount: optionalInt('Sample count'),
    resultValid: resultEntry.value === 'VALID',
    constraints,
    recommendations,
    earlyStopping,
    extra,
    stats: statsRecord,
    params: paramsRecord,
    warningCount: warnings,
    errorCount: errorsCount,
  };
}

const CONSTRAINT_KEYS = ['Min duration satisfied', 'Min queries satisfied', 'Early stopping satisfied', 'Performance constraints satisfied'];
/** The results section's keys read into typed fields (the headline's key too); the rest go to `extra`. */
const RESULT_KEYS: ReadonlySet<string> = new Set(['SUT name', 'Scenario', 'Mode', 'Result is', 'Query count', 'Sample count', ...CONSTRAINT_KEYS]);

/** `key : value`; the file and line only name an error (no `Where` made for each of the ~60 lines of a summary). */
function splitEntry(raw: string, file: string, line: number): Entry {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw errors.parse({ file, line }, `expected 'key : value', found ${quote(raw)}`);
  return { key: raw.slice(0, colon).trim(), value: raw.slice(colon + 1).trim(), line };
}

function indexEntries(entries: readonly Entry[], file: string): Map<string, Entry> {
  const byKey = new Map<string, Entry>();
  for (const e of entries) {
    if (byKey.has(e.key)) throw errors.parse({ file, line: e.line, field: e.key }, 'key appears twice');
    byKey.set(e.key, e);
  }
  return byKey;
}

function readFooter(raw: string, file: string, line: number): { kind: 'warnings' | 'errors'; count: number } | undefined {
  // Footers start with `No ` or a count: every other line is turned away before four regexes.
  const first = raw.charCodeAt(0);
  if (first !== CAPITAL_N && !(first >= DIGIT_0 && first <= DIGIT_9)) return undefined;
  const where: Where = { file, line };
  if (NO_WARNINGS.test(raw)) return { kind: 'warnings', count: 0 };
  if (NO_ERRORS.test(raw)) return { kind: 'errors', count: 0 };
  const w = N_WARNINGS.exec(raw);
  if (w) return { kind: 'warnings', count: parseUnsigned(group(w, 1), where) };
  const e = N_ERRORS.exec(raw);
  if (e) return { kind: 'errors', count: parseUnsigned(group(e, 1), where) };
  return undefined;
}

function oneOf<T extends string>(allowed: readonly T[], e: Entry, where: Where): T {
  const found = allowed.find((a) => a === e.value);
  if (found === undefined) throw errors.parse(where, `unknown value ${quote(e.value)} (expected one of ${allowed.join(', ')})`);
  return found;
}

function yesNo(e: Entry, file: string): boolean {
  const v = e.value.toLowerCase();
  if (v === 'yes') return true;
  if (v === 'no') return false;
  throw errors.parse({ file, line: e.line, field: e.key }, `expected Yes or NO, found ${quote(e.value)}`);
}

function yesNoSkipped(e: Entry, file: string): boolean | 'skipped' {
  return e.value.toLowerCase() === 'skipped' ? 'skipped' : yesNo(e, file);
}

function optionalYesNo(e: Entry | undefined, file: string): boolean | undefined {
  return e === undefined ? undefined : yesNo(e, file);
}

/** Non-negative integer that fits in a double exactly (latencies, counts). */
function parseUnsigned(raw: string, where: Where): number {
  if (!UNSIGNED.test(raw)) throw errors.notANumber(where, raw);
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) throw errors.invalidValue(where, `integer ${raw} exceeds 2^53`);
  return v;
}

/**
 * A decimal that cannot be negative: every number a summary prints is a latency, a rate, a count
 * or a probability. A minus sign is corruption (it would pass for a latency in the study's table).
 */
function nonNegativeDecimal(raw: string, where: Where): number {
  const v = parseDecimal(raw, where);
  if (v < 0) throw errors.invalidValue(where, `expected a non-negative number, found ${v}`);
  return v;
}

/** Bullets (` * text`) with their wrapped continuation lines joined by single spaces. */
function joinBullets(lines: readonly string[]): string[] {
  const bullets: string[] = [];
  for (const l of lines) {
    const text = l.trim();
    const prev = bullets.at(-1);
    if (l.startsWith(' * ') || prev === undefined) bullets.push(text.replace(/^\* /, ''));
    else bullets[bullets.length - 1] = `${prev} ${text}`;
  }
  return bullets;
}

function readEarlyStopping(b: Block, file: string): MlperfEarlyStopping {
  const bullets = joinBullets(b.lines);
  // Bullets may wrap, so a bullet's index is not its line: errors name the block's title line.
  const where: Where = { file, line: b.line, field: 'Early Stopping Result' };
  const estimatesNs: Record<string, number> = {};
  let queriesProcessed: number | undefined;
  let queriesDiscarded: number | undefined;
  let queriesNeeded: number | undefined;
  for (const text of bullets) {
    let m: RegExpExecArray | null;
    if ((m = /^Processed at least (\d+) queries \((\d+)\)\.$/.exec(text))) {
      queriesNeeded = parseUnsigned(group(m, 1), where);
      queriesProcessed = parseUnsigned(group(m, 2), where);
    } else if ((m = /^Only processed (\d+) queries\.$/.exec(text))) {
      queriesProcessed = parseUnsigned(group(m, 1), where);
    } else if ((m = /^Need to process at least (\d+) queries for early stopping\.$/.exec(text))) {
      queriesNeeded = parseUnsigned(group(m, 1), where);
    } else if ((m = /^Would discard (\d+) highest latency queries\.$/.exec(text))) {
      queriesDiscarded = parseUnsigned(group(m, 1), where);
    } else if ((m = /^Early stopping (\d+(?:\.\d+)?)th percentile estimate: (\d+)$/.exec(text))) {
      estimatesNs[group(m, 1)] = parseUnsigned(group(m, 2), where);
    }
  }
  return { lines: [...b.lines], bullets, text: bullets.join(' '), queriesProcessed, queriesDiscarded, queriesNeeded, estimatesNs };
}

/** The stats read into typed fields; the others go to `other`. */
const TYPED_STATS: ReadonlySet<string> = new Set(['QPS w/ loadgen overhead', 'QPS w/o loadgen overhead', 'Min latency (ns)', 'Max latency (ns)', 'Mean latency (ns)']);

function readStats(
  entries: readonly Entry[],
  perQuery: boolean,
  scenario: MlperfScenario,
  headlineKey: string,
  file: string,
  missing: (field: string) => never,
): MlperfAdditionalStats {
  const byKey = indexEntries(entries, file);
  const num = (e: Entry): number => nonNegativeDecimal(e.value, { file, line: e.line, field: e.key });
  const int = (e: Entry): number => parseUnsigned(e.value, { file, line: e.line, field: e.key });
  const needInt = (key: string): number => int(byKey.get(key) ?? missing(key));
  const optNum = (key: string): number | undefined => {
    const e = byKey.get(key);
    return e === undefined ? undefined : num(e);
  };

  const percentilesNs: Record<string, number> = {};
  const other: Record<string, number> = {};
  let samplesPerSecond: MlperfHeadline | undefined;
  for (const e of entries) {
    const p = PERCENTILE_KEY.exec(e.key);
    if (p) percentilesNs[group(p, 1)] = int(e);
    else if ((e.key === 'Completed samples per second' || e.key === 'Scheduled samples per second') && e.key !== headlineKey) {
      samplesPerSecond = { key: e.key, value: num(e) };
    } else if (!TYPED_STATS.has(e.key)) other[e.key] = num(e);
  }
  const qpsWith = optNum('QPS w/ loadgen overhead');
  const qpsWithout = optNum('QPS w/o loadgen overhead');
  // The study's latency and throughput come from these lines; SingleStream always prints them.
  if (scenario === 'SingleStream') {
    if (qpsWith === undefined) missing('QPS w/ loadgen overhead');
    if (qpsWithout === undefined) missing('QPS w/o loadgen overhead');
  }
  return {
    qpsWithLoadgenOverhead: qpsWith,
    qpsWithoutLoadgenOverhead: qpsWithout,
    samplesPerSecond,
    perQuery,
    minLatencyNs: needInt('Min latency (ns)'),
    maxLatencyNs: needInt('Max latency (ns)'),
    meanLatencyNs: needInt('Mean latency (ns)'),
    percentilesNs,
    other,
  };
}

/**
 * LoadGen computes every latency line from one sorted list (percentile p = sorted[floor(n·p)],
 * an integer mean), so min ≤ mean ≤ max and min ≤ p50 ≤ p90 ≤ … ≤ max always hold in a
 * summary it wrote. A file where they do not was edited or corrupted, and the study's
 * latency column (the mean of `Max latency`) would average nonsense: INVALID_VALUE naming
 * the file, the line and both fields.
 */
function checkLatencyOrder(entries: readonly Entry[], file: string, stats: MlperfAdditionalStats): void {
  const byKey = indexEntries(entries, file);
  const { minLatencyNs: minNs, maxLatencyNs: maxNs, meanLatencyNs: meanNs, percentilesNs } = stats;
  const MIN = 'Min latency (ns)';
  const MAX = 'Max latency (ns)';
  const lineOf = (key: string): number | undefined => byKey.get(key)?.line;
  const fail = (key: string, detail: string): never => {
    throw errors.invalidValue({ file, line: lineOf(key), field: key }, `${detail}: LoadGen's latencies always satisfy min ≤ mean, percentiles ≤ max (edited or corrupt summary?)`);
  };
  if (minNs > maxNs) fail(MIN, `${MIN} ${minNs} is above ${MAX} ${maxNs} (line ${lineOf(MAX)})`);
  if (meanNs < minNs || meanNs > maxNs) fail('Mean latency (ns)', `Mean latency (ns) ${meanNs} is outside [${MIN} ${minNs}, ${MAX} ${maxNs}]`);
  let prev: { key: string; ns: number } = { key: MIN, ns: minNs };
  for (const p of Object.keys(percentilesNs).sort((a, b) => Number(a) - Number(b))) {
    const key = `${p} percentile latency (ns)`;
    const ns = defined(percentilesNs[p], `percentile ${p}`);
    if (ns < prev.ns) fail(key, `${key} ${ns} is below ${prev.key} ${prev.ns}`);
    if (ns > maxNs) fail(key, `${key} ${ns} is above ${MAX} ${maxNs}`);
    prev = { key, ns };
  }
}

/** Test parameters both v1.1 and v4.1 print, in their order: the settings table's `summary` lines. */
const PARAMS = EFFECTIVE_SETTINGS.filter((spec): spec is SummarySpec => 'summary' in spec).map((spec) => ({ ...spec, line: summaryKey(spec.summary) }));
type SummarySpec = Extract<(typeof EFFECTIVE_SETTINGS)[number], { readonly summary: string }>;

function readParams(entries: readonly Entry[], file: string, missing: (field: string) => never): MlperfTestParameters {
  const byKey = indexEntries(entries, file);
  const raw: Record<string, string> = {};
  for (const e of entries) raw[e.key] = e.value;
  const typed: Record<string, number | bigint | boolean> = {};
  for (const { line: key, field: prop, kind } of PARAMS) {
    const e = byKey.get(key) ?? missing(key);
    const where: Where = { file, line: e.line, field: key };
    switch (kind) {
      case 'int':
        typed[prop] = parseUnsigned(e.value, where);
        break;
      case 'double':
        typed[prop] = nonNegativeDecimal(e.value, where);
        break;
      case 'seed':
        // uint64 seeds exceed 2^53: Number() would round them and break sample reproduction.
        if (!UNSIGNED.test(e.value)) throw errors.notANumber(where, e.value);
        typed[prop] = BigInt(e.value);
        break;
      case 'bool':
        // LoadGen prints bools through its generic template: 0 or 1.
        if (e.value !== '0' && e.value !== '1') throw errors.parse(where, `expected 0 or 1, found ${quote(e.value)}`);
        typed[prop] = e.value === '1';
        break;
    }
  }
  // Every summary setting was set above, by the table that defines the type.
  return { ...(typed as SummarySettings), raw };
}
