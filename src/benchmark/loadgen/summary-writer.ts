/**
 * `mlperf_log_summary.txt` in LoadGen's exact text (v4.1 results.cc `LogSummary`, v1.1
 * loadgen.cc, `TestSettingsInternal::LogSummary`, and the warnings/errors footer of
 * logging.cc), so the study's tooling and ours read our runs as they read real ones.
 *
 * Number formatting is where byte-exactness is won or lost. LoadGen prints doubles through
 * `std::ostream` (`%g`, 6 significant digits: `target_qps : 161.29`) or `DoubleToString`
 * (`std::fixed`, 2 decimals: the QPS lines, `99.90`); glibc rounds the exact binary value and
 * breaks exact ties to even, where JavaScript's `toFixed`/`toPrecision` break them upwards.
 * `formatFixed` and `formatDouble` reproduce glibc from the double's exact decimal expansion.
 * Booleans print as 0/1 here (the generic stream template), integers and seeds raw. Pure.
 */
import { errors } from '../../errors.js';
import type { EarlyStoppingOutcome, LatencyStats, PerformanceResults } from './results.js';
import type { EffectiveSettings } from './settings.js';
import { EFFECTIVE_SETTINGS } from '../../mlperf/settings-table.js';

// ---------------------------------------------------------------------------------------------
// C number formatting

/** |x| = n / 10^scale exactly (every finite double is a finite decimal). */
function exactDecimal(x: number): { readonly n: bigint; readonly scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expBits === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (mant === 0n) return { n: 0n, scale: 0 };
  while ((mant & 1n) === 0n && e < 0) {
    mant >>= 1n;
    e++;
  }
  if (e >= 0) return { n: mant << BigInt(e), scale: 0 };
  // m / 2^k = m · 5^k / 10^k
  return { n: mant * 5n ** BigInt(-e), scale: -e };
}

/** n / 10^drop rounded half to even (drop ≤ 0 scales up, exactly). */
function roundDropping(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const p = 10n ** BigInt(drop);
  let q = n / p;
  const twice = 2n * (n % p);
  if (twice > p || (twice === p && (q & 1n) === 1n)) q += 1n;
  return q;
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** `printf("%.<digits>f", x)` as glibc prints it (C++ `DoubleToString(x, digits)`). */
export function formatFixed(x: number, digits = 2): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const { n, scale } = exactDecimal(x);
  const q = roundDropping(n, scale - digits).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? q : `${q.slice(0, q.length - digits)}.${q.slice(q.length - digits)}`;
  return signOf(x) + body;
}

/** `printf("%.<precision>g", x)` as glibc prints it; the default `std::ostream << double` is precision 6. */
export function formatDouble(x: number, precision = 6): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const p = Math.max(1, precision);
  if (x === 0) return `${signOf(x)}0`;
  const { n, scale } = exactDecimal(x);
  const len = n.toString().length;
  let exp = len - 1 - scale;
  let q = roundDropping(n, len - p);
  if (q >= 10n ** BigInt(p)) {
    // Rounding carried into a new digit (999999.5 → 1e+06): one more power of ten.
    q /= 10n;
    exp += 1;
  }
  const digits = q.toString();
  const strip = (frac: string): string => frac.replace(/0+$/, '');
  let body: string;
  if (exp < p && exp >= -4) {
    const int = exp >= 0 ? digits.slice(0, exp + 1) : '0';
    const frac = strip(exp >= 0 ? digits.slice(exp + 1) : '0'.repeat(-exp - 1) + digits);
    body = frac === '' ? int : `${int}.${frac}`;
  } else {
    const frac = strip(digits.slice(1));
    const mantissa = frac === '' ? digits.slice(0, 1) : `${digits.slice(0, 1)}.${frac}`;
    body = `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return signOf(x) + body;
}

/** `DoubleToString(p * 100)`: the `99.90` of percentile keys. */
export function percentileLabel(percentile: number): string {
  return formatFixed(percentile * 100, 2);
}

/** `DoubleToString(p * 100, 0)`: the `90` of `90th percentile`. */
export function percentileTitle(percentile: number): string {
  return formatFixed(percentile * 100, 0);
}

/**
 * The early-stopping recommendation text exactly as LoadGen builds it: bullets separated by
 * newlines, long ones wrapped onto lines starting with a space. The summary prints it as is;
 * the detail log's `early_stopping_result` is the same with newlines turned into spaces.
 */
export function earlyStoppingText(outcome: EarlyStoppingOutcome): string {
  if (outcome.scenario === 'Server') {
    const s = outcome.server;
    if (s.met) return ' * Run successful.';
    return (
      ` * Run unsuccessful.\n * Processed ${s.queriesIssued} queries.\n` +
      ` * Would need to run at least ${s.queriesNeeded - s.queriesIssued} more queries,\n with the run being successful if every additional\n query were under latency.`
    );
  }
  const target = outcome.target;
  if (target.kind === 'too-few') {
    return ` * Only processed ${target.queriesIssued} queries.\n * Need to process at least ${target.queriesNeeded} queries for early stopping.`;
  }
  let text =
    ` * Processed at least ${target.queriesNeeded} queries (${target.queriesIssued}).\n` +
    ` * Would discard ${target.discarded} highest latency queries.\n` +
    ` * Early stopping ${percentileTitle(target.percentile)}th percentile estimate: ${target.estimateNs}`;
  if (outcome.scenario === 'SingleStream' && outcome.multiStream !== undefined) {
    const ms = outcome.multiStream;
    text +=
      ms.kind === 'too-few'
        ? `\n * Not enough queries processed for ${percentileTitle(ms.percentile)}th percentile\n early stopping estimate (would need to process at\n least ${ms.queriesNeeded} total queries).`
        : `\n * Early stopping ${percentileTitle(ms.percentile)}th percentile estimate: ${ms.estimateNs}`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// The summary

export interface SummaryInput {
  readonly sutName: string;
  readonly settings: EffectiveSettings;
  /** From `computeResults`; its `release` picks the v1.1 or v4.1 layout. */
  readonly results: PerformanceResults;
  /** Entries logged with is_warning / is_error during the run (the footer counts them). */
  readonly warningCount: number;
  readonly errorCount: number;
  /**
   * Print `Query count :` and `Sample count :` after `Mode`. The study's Orin build of
   * `4.1 @ 379ee5345a` (rebuilt 2025-05-22) prints them; the A100 build of the same commit,
   * and the Orin build behind its one VALID run, do not. Off by default.
   */
  readonly headerCounts?: boolean | undefined;
}

const BANNER = '================================================';
const yesNo = (b: boolean): string => (b ? 'Yes' : 'NO');
const zeroOne = (b: boolean): string => (b ? '1' : '0');

function latencyLines(stats: LatencyStats): string[] {
  return [
    `Min latency (ns)                : ${stats.minNs}`,
    `Max latency (ns)                : ${stats.maxNs}`,
    `Mean latency (ns)               : ${stats.meanNs}`,
    ...stats.percentiles.map((p) => `${percentileLabel(p.percentile)} percentile latency (ns)   : ${p.latencyNs}`),
  ];
}

/** The `Test Parameters Used` block (`TestSettingsInternal::LogSummary`), the same in v1.1 and v4.1. */
export function testParameterLines(s: EffectiveSettings): string[] {
  const lines: string[] = [];
  for (const spec of EFFECTIVE_SETTINGS) {
    if (!('summary' in spec)) continue;
    const v = s[spec.field];
    // The value's C++ type decides its text: doubles in %g, bools as 0/1 (the generic template).
    const text = typeof v === 'boolean' ? zeroOne(v) : spec.kind === 'double' && typeof v === 'number' ? formatDouble(v) : String(v);
    lines.push(`${spec.summary}${text}`);
  }
  return lines;
}

/** The two footer lines logging.cc appends when the summary file is closed. */
export function footerLines(warningCount: number, errorCount: number): [string, string] {
  for (const [field, v] of [['warningCount', warningCount], ['errorCount', errorCount]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw errors.invalidValue({ field }, `expected a non-negative integer, got ${v}`);
  }
  const warnings =
    warningCount === 0
      ? 'No warnings encountered during test.'
      : `${warningCount} ${warningCount === 1 ? 'warning' : 'warnings'} encountered. See detailed log.`;
  const errs =
    errorCount === 0 ? 'No errors encountered during test.' : `${errorCount} ${errorCount === 1 ? 'ERROR' : 'ERRORS'} encountered. See detailed log.`;
  return [warnings, errs];
}

/** The text of `mlperf_log_summary.txt`, ending with a newline. */
export function writeSummary(input: SummaryInput): string {
  const { settings: s, results: r } = input;
  const v41 = r.release === 'v4.1';
  if (s.scenario !== r.scenario) {
    throw errors.invalidValue({ field: 'scenario' }, `settings are for ${s.scenario} but results for ${r.scenario}`);
  }
  const tp = r.throughput;
  const out: string[] = [BANNER, 'MLPerf Results Summary', BANNER, `SUT name : ${input.sutName}`, `Scenario : ${s.scenario}`, `Mode     : ${s.mode}`];
  if (input.headerCounts === true) out.push(`Query count : ${r.queriesIssued}`, `Sample count : ${r.sampleCount}`);

  // Headline metric.
  switch (tp.scenario) {
    case 'SingleStream':
      out.push(`${percentileTitle(r.sampleLatency.target.percentile)}th percentile latency (ns) : ${r.sampleLatency.target.latencyNs}`);
      break;
    case 'MultiStream': {
      const q = r.queryLatency;
      if (q === undefined) throw errors.invalidValue({ field: 'queryLatency' }, 'MultiStream results need per-query latencies');
      out.push(`${percentileTitle(q.target.percentile)}th percentile latency (ns) : ${q.target.latencyNs}`);
      break;
    }
    case 'Server':
      // v4.1 headlines the completed rate (its official metric); v1.1 the scheduled one.
      out.push(
        v41
          ? `Completed samples per second    : ${formatFixed(tp.completedSamplesPerSecond)}`
          : `Scheduled samples per second : ${formatFixed(tp.scheduledSamplesPerSecond)}`,
      );
      break;
    case 'Offline':
      out.push(`Samples per second: ${formatDouble(tp.samplesPerSecond)}`);
      break;
  }

  const v = r.validity;
  out.push(`Result is : ${v.valid ? 'VALID' : 'INVALID'}`);
  if (s.scenario === 'Server') out.push(`  Performance constraints satisfied : ${yesNo(v.perfConstraintsMet)}`);
  out.push(`  Min duration satisfied : ${yesNo(v.minDurationMet)}`, `  Min queries satisfied : ${yesNo(v.minQueriesMet)}`);
  if (v41) out.push(`  Early stopping satisfied: ${yesNo(v.earlyStoppingMet ?? true)}`);
  if (!v.valid) {
    out.push('Recommendations:');
    for (const rec of r.recommendations) out.push(` * ${rec}`);
  }
  if (v41 && s.scenario !== 'Offline') {
    if (r.earlyStopping === undefined) throw errors.invalidValue({ field: 'earlyStopping' }, `a v4.1 ${s.scenario} summary needs the early-stopping result`);
    out.push('Early Stopping Result:', earlyStoppingText(r.earlyStopping));
  }

  out.push('', BANNER, 'Additional Stats', BANNER);
  if (tp.scenario === 'SingleStream') {
    out.push(
      `QPS w/ loadgen overhead         : ${formatFixed(tp.qpsWithLoadgenOverhead)}`,
      `QPS w/o loadgen overhead        : ${formatFixed(tp.qpsWithoutLoadgenOverhead)}`,
      '',
    );
  } else if (tp.scenario === 'Server') {
    out.push(
      v41
        ? `Scheduled samples per second : ${formatFixed(tp.scheduledSamplesPerSecond)}`
        : `Completed samples per second    : ${formatFixed(tp.completedSamplesPerSecond)}`,
      '',
    );
  }
  if (tp.scenario === 'MultiStream') {
    out.push('Per-query latency:  ', ...latencyLines(r.queryLatency!));
  } else {
    out.push(...latencyLines(r.sampleLatency));
  }

  out.push('', BANNER, 'Test Parameters Used', BANNER, ...testParameterLines(s));
  const [warnings, errs] = footerLines(input.warningCount, input.errorCount);
  out.push('', warnings, '', errs);
  return `${out.join('\n')}\n`;
}
