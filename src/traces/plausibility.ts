/**
 * Plausibility bounds for power traces and run energies (docs/adr/0005-plausibility-checks.md).
 * Pure: numbers in, an error thrown or warning lines out.
 *
 * Two levels:
 * - **Physics** (errors): a value no single power channel can take whatever the device —
 *   non-finite or negative power, power above `MAX_CHANNEL_POWER_W`, a sampling interval
 *   above `MAX_SAMPLE_INTERVAL_S` inside one run, fewer than 2 samples (no duration, so no
 *   energy), a negative or non-finite energy, an energy whose mean power over its duration
 *   is above the power ceiling. Importers and readers refuse these with INVALID_VALUE or
 *   EMPTY_INPUT naming file, line or field and the value seen.
 * - **Device** (warnings): bounds from the hardware database's board power (`tdpW`) — a peak
 *   far above it, a mean above what the board can sustain, a peak far below it — each
 *   naming the likeliest cause (a unit read wrong, the wrong device). A zero-energy run is
 *   always a warning: 0 J is never a measurement of a working device to print as a success.
 *   Warnings travel into the result's notes or warnings; they never change a number.
 */
import { errors, isInferprintError, type Where } from '../errors.js';
import { trapezoidJ } from './energy.js';

/**
 * Highest power one channel can read, W. The largest thing inferprint meters as one channel
 * is a whole rack through a PDU log (NVIDIA GB200 NVL72: about 120 kW, 2024); 1 MW leaves
 * room above any real reading, so this error never refuses a measurement, and still
 * catches overflowed or garbage values (1e300 W) and a kW-class machine logged in mW but
 * read as W. Device-level warnings catch smaller unit slips when the device is known.
 */
export const MAX_CHANNEL_POWER_W = 1e6;

/**
 * Longest sampling interval inside one run, s. Every sensor inferprint reads samples at
 * 1 ms–60 s (NVML, nvidia-smi, tegrastats, RAPL, IPMI/PDU logs at most once a minute);
 * a day without a sample means the clock jumped or the logger stopped, and the trapezoid
 * across it would be a day of invented energy (a 10-year jump at 50 W is 15.8 GJ).
 */
export const MAX_SAMPLE_INTERVAL_S = 86_400;

/**
 * A single sample above 5 × the board power. Boards exceed their TDP only in short
 * excursions (transients of 1.5–2 × on datacenter GPUs, averaged away by the sensors'
 * 10–1000 ms windows); 5 × is never a reading. A mW file read as W is 1000 × off.
 */
export const PEAK_OVER_TDP = 5;

/** A run's mean power above 2 × the board power: no board sustains that (power capping holds it near TDP). */
export const MEAN_OVER_TDP = 2;

/**
 * A run's peak below TDP / 1000. A powered device idles at several % of its TDP (the
 * study's A100 at 34 W of 400 W, Orin's GPU rail at 2.8 W of 60 W); a peak 1000 × below
 * TDP is what a W file read as mW looks like.
 */
export const PEAK_UNDER_TDP = 1e-3;

/** What device-level bounds need from the hardware database. */
export interface DeviceBounds {
  readonly id: string;
  readonly tdpW: number;
}

/** Facts about one run, as far as the source knows them. */
export interface RunFacts {
  /** Names the run in warnings: a file, a bundle, a CodeCarbon row. */
  readonly id: string;
  readonly energyJ: number;
  readonly durationS: number;
  /** Highest power sample, W, when a trace was read. */
  readonly peakW?: number;
  /** Samples integrated, when a trace was read. */
  readonly samples?: number;
}

// ---------------------------------------------------------------------------------------
// Physics: errors

/**
 * One decoded sample against the physics bounds; `prevTS` is the previous sample's time
 * on the same channel (undefined for the first). Throws INVALID_VALUE naming `where`
 * (give it the file and line) and the value seen. Monotonic time is the caller's check.
 */
export function checkSample(tS: number, powerW: number, prevTS: number | undefined, where: Where, index?: number): void {
  const power = (): Where => field(where, index === undefined ? 'power' : `powerW[${index}]`);
  if (!Number.isFinite(powerW)) throw errors.invalidValue(power(), `power ${powerW} W is not a finite number`);
  if (powerW < 0) throw errors.invalidValue(power(), `negative power ${fmt(powerW)} W: a device draws power, it cannot give it back`);
  if (powerW > MAX_CHANNEL_POWER_W) {
    throw errors.invalidValue(
      power(),
      `power ${fmt(powerW)} W is above ${fmt(MAX_CHANNEL_POWER_W)} W, more than any one power channel can draw (a value in mW or µW read as W, or a corrupt cell?)`,
    );
  }
  if (prevTS !== undefined) {
    const dt = tS - prevTS;
    if (dt > MAX_SAMPLE_INTERVAL_S) {
      throw errors.invalidValue(
        field(where, index === undefined ? 'timestamp' : `tS[${index}]`),
        `${fmt(dt)} s (${humanDuration(dt)}) since the previous sample at t = ${fmt(prevTS)} s: no sensor samples less than once a day, so the clock jumped or the log was stitched; energy across it would be invented`,
      );
    }
  }
}

/** Fewer than 2 samples: no duration, so no energy. Throws EMPTY_INPUT naming `where`. */
export function checkSampleCount(n: number, where: Where, channel?: string): void {
  if (n >= 2) return;
  const on = channel !== undefined ? ` on channel '${channel}'` : '';
  throw errors.tooFewSamples(where, `${n} power sample${n === 1 ? '' : 's'}${on}: energy needs at least 2 (a duration to integrate over); a trace of one sample is not 0 J`);
}

/** A whole trace: every sample (checkSample) and at least 2 of them. */
export function checkTrace(tS: ArrayLike<number>, powerW: ArrayLike<number>, where: Where, channel?: string): void {
  for (let i = 0; i < tS.length; i++) checkSample(tS[i]!, powerW[i]!, i > 0 ? tS[i - 1]! : undefined, where, i);
  checkSampleCount(tS.length, where, channel);
}

/**
 * A run energy from a source that keeps no trace (a manifest, CodeCarbon): finite, not
 * negative, and a mean power over its duration below the power ceiling. Throws
 * INVALID_VALUE naming `where` (the energy field).
 */
export function checkEnergy(energyJ: number, durationS: number, where: Where): void {
  if (!Number.isFinite(energyJ)) throw errors.invalidValue(where, `energy ${energyJ} J is not a finite number`);
  if (energyJ < 0) throw errors.invalidValue(where, `negative energy ${fmt(energyJ)} J: a device draws energy, it cannot give it back`);
  if (!(durationS >= 0 && Number.isFinite(durationS))) throw errors.invalidValue(where, `duration ${durationS} s must be a finite number ≥ 0`);
  if (energyJ > 0 && durationS === 0) throw errors.invalidValue(where, `energy ${fmt(energyJ)} J over a duration of 0 s: infinite power`);
  if (energyJ > MAX_CHANNEL_POWER_W * durationS) {
    throw errors.invalidValue(
      where,
      `energy ${fmt(energyJ)} J over ${fmt(durationS)} s is a mean of ${fmt(energyJ / durationS)} W, above the ${fmt(MAX_CHANNEL_POWER_W)} W any one power channel can draw`,
    );
  }
}

/**
 * The first physics problem of a trace as a sentence, or undefined: for live recordings,
 * where the run happened and is saved whatever its samples say, so problems are warnings.
 */
export function traceProblem(tS: ArrayLike<number>, powerW: ArrayLike<number>): string | undefined {
  try {
    for (let i = 0; i < tS.length; i++) checkSample(tS[i]!, powerW[i]!, i > 0 ? tS[i - 1]! : undefined, {}, i);
  } catch (e) {
    if (isInferprintError(e)) return `${e.where.field ?? 'sample'}: ${e.detail}`;
    throw e;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Device and result level: warnings

/** RunFacts of a trace held in memory (the study's method loads whole runs). */
export function traceFacts(id: string, tS: ArrayLike<number>, powerW: ArrayLike<number>): RunFacts {
  const n = tS.length;
  let peakW = 0;
  for (let i = 0; i < n; i++) if (powerW[i]! > peakW) peakW = powerW[i]!;
  return { id, energyJ: n > 1 ? trapezoidJ(tS, powerW) : 0, durationS: n > 1 ? tS[n - 1]! - tS[0]! : 0, peakW, samples: n };
}

/**
 * Warning lines about the runs of one group (repetitions of one workload on one device),
 * one line per kind of problem naming the worst run and how many more share it. `device`
 * undefined: only the zero-energy check (there is no TDP to compare with).
 */
export function runWarnings(runs: readonly RunFacts[], device: DeviceBounds | undefined): string[] {
  const out: string[] = [];
  const more = (n: number) => (n > 1 ? ` (and ${n - 1} more run${n > 2 ? 's' : ''})` : '');

  const zero = runs.filter((r) => r.energyJ === 0);
  if (zero.length > 0) out.push(`${zeroEnergyLine(zero[0]!)}${more(zero.length)}`);

  if (device === undefined || !(device.tdpW > 0)) return out;
  const tdp = `${device.id} (TDP ${fmt(device.tdpW)} W)`;

  const high = worst(runs.filter((r) => r.peakW !== undefined && r.peakW > PEAK_OVER_TDP * device.tdpW), (r) => r.peakW!);
  if (high) out.push(`peak ${fmt(high.run.peakW!)} W on ${tdp} in ${high.run.id}${more(high.count)}: power written in mW read as W?`);

  const meanOf = (r: RunFacts) => (r.durationS > 0 ? r.energyJ / r.durationS : Number.NaN);
  const sustained = worst(runs.filter((r) => meanOf(r) > MEAN_OVER_TDP * device.tdpW), meanOf);
  // A peak already flagged explains the mean; say the mean only when it is the news.
  if (sustained && !high) {
    out.push(
      `mean ${fmt(meanOf(sustained.run))} W on ${tdp} over ${sustained.run.id}${more(sustained.count)}, ${fmt(meanOf(sustained.run) / device.tdpW)} × its board power: the wrong device, several devices summed, or a unit read wrong?`,
    );
  }

  const low = worst(
    runs.filter((r) => r.energyJ > 0 && r.peakW !== undefined && r.peakW < PEAK_UNDER_TDP * device.tdpW),
    (r) => -r.peakW!,
  );
  if (low) out.push(`peak ${fmt(low.run.peakW!)} W on ${tdp} in ${low.run.id}${more(low.count)}: power written in W read as mW?`);
  return out;
}

/** The warning for a run whose energy is exactly 0 J, saying what the run held. */
export function zeroEnergyLine(r: RunFacts): string {
  const what =
    r.samples !== undefined && r.samples < 2
      ? `${r.samples} sample${r.samples === 1 ? '' : 's'}: shorter than the sampling interval, or the sensor stalled; nothing could be integrated`
      : r.durationS === 0
        ? 'a duration of 0 s'
        : `every sample over ${fmt(r.durationS)} s reads 0 W`;
  return `energy is 0 J: ${r.id} (${what}) — not a measurement of a working device; check the channel, the unit and the sensor`;
}

function worst(runs: readonly RunFacts[], key: (r: RunFacts) => number): { run: RunFacts; count: number } | undefined {
  if (runs.length === 0) return undefined;
  let best = runs[0]!;
  for (const r of runs) if (key(r) > key(best)) best = r;
  return { run: best, count: runs.length };
}

// ---------------------------------------------------------------------------------------
// Formatting

/** A number for a message: 6 significant digits, no float noise (50000, 0.02, 1e+300). */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Seconds in the unit a person reads: 27.8 h, 3.2 days, 10.0 years. */
export function humanDuration(s: number): string {
  const day = 86_400;
  if (s >= 365.25 * day) return `${(s / (365.25 * day)).toFixed(1)} years`;
  if (s >= day) return `${(s / day).toFixed(1)} days`;
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${fmt(s)} s`;
}

/** The sample's field, under the caller's field when it gave one (`trace.powerW[3]`). */
function field(where: Where, name: string): Where {
  return { ...where, field: where.field !== undefined ? `${where.field}.${name}` : name };
}
