import { detectGaps, idleBaseline, samplingStats, splitEnergy, windowEnergyJ, type EnergySplit, type Gap } from '../traces/energy.js';
import { resolveHardware } from '../impact/hardware.js';
import { runWarnings, traceProblem } from '../traces/plausibility.js';
import type { PowerChannel } from '../traces/types.js';
import type { ChannelInfo } from '../sensors/types.js';
import type { Recording, Window } from './recorder.js';

/**
 * What a recording says, as numbers: energy per channel over the measured window (the
 * command's span), mean and peak power, the counter energy next to the integrated one,
 * energy per named window, idle baseline, gaps, and warnings about the sensor itself.
 * Pure: the same function serves `measure`, the benchmark harness and re-analysis of a
 * saved bundle.
 */

export interface ChannelSummary {
  readonly name: string;
  readonly kind: ChannelInfo['kind'];
  readonly unit: 'W';
  readonly energyJ: number;
  readonly meanW: number;
  readonly maxW: number;
  readonly minW: number;
  readonly samples: number;
  readonly medianIntervalS: number | null;
  /** Share of consecutive samples that repeat the previous value exactly. */
  readonly repeatedFraction: number;
  /** Median time between value changes: the sensor's effective update period. */
  readonly updatePeriodS: number | null;
}

export interface CounterComparison {
  readonly channel: string;
  /** From the hardware energy counter over the window. */
  readonly counterJ: number;
  /** Integrated from the power samples over the same window. */
  readonly samplesJ: number;
  /** counter − samples, and relative to the counter. */
  readonly differenceJ: number;
  readonly differenceRel: number;
}

export interface WindowSummary extends Window {
  readonly primaryEnergyJ: number;
  readonly perChannel: readonly { readonly channel: string; readonly energyJ: number }[];
}

export interface RecordingSummary {
  /** The window results are about (`full`: the command's span), or the whole recording. */
  readonly window: Window;
  readonly primaryChannel: string;
  readonly primaryEnergyJ: number;
  readonly channels: readonly ChannelSummary[];
  readonly counters: readonly CounterComparison[];
  readonly windows: readonly WindowSummary[];
  /**
   * Idle split of the primary channel when an idle window exists and its samples cover it (else
   * a warning says why there is none). `idleWindow` is the window the idle power came from and
   * `t0S`–`t1S` the part of it the samples cover.
   */
  readonly idle?: EnergySplit & { readonly idlePowerW: number; readonly idleWindow: string; readonly t0S: number; readonly t1S: number };
  readonly gaps: readonly (Gap & { readonly channel: string })[];
  readonly requestedIntervalS: number;
  readonly measuredIntervalS: number | null;
  readonly warnings: readonly string[];
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The most frequent value (the first to reach the top count), for saying which value repeats; '?' without samples. */
function modeOf(xs: ArrayLike<number> | undefined): string {
  if (xs === undefined || xs.length === 0) return '?';
  const counts = new Map<number, number>();
  let best = xs[0]!;
  for (let i = 0; i < xs.length; i++) {
    const n = (counts.get(xs[i]!) ?? 0) + 1;
    counts.set(xs[i]!, n);
    if (n > counts.get(best)!) best = xs[i]!;
  }
  return Number(best.toPrecision(4)).toString();
}

function energyIn(ch: PowerChannel, w: Window): number {
  if (ch.tS.length < 2) return 0;
  return windowEnergyJ(ch.tS, ch.powerW, w.t0S, w.t1S, { clamp: true });
}

function channelSummary(ch: PowerChannel, info: ChannelInfo | undefined, w: Window): ChannelSummary {
  const n = ch.tS.length;
  let maxW = Number.NEGATIVE_INFINITY;
  let minW = Number.POSITIVE_INFINITY;
  let repeats = 0;
  const changes: number[] = [];
  let lastChange = n > 0 ? ch.tS[0]! : 0;
  for (let i = 0; i < n; i++) {
    const p = ch.powerW[i]!;
    if (p > maxW) maxW = p;
    if (p < minW) minW = p;
    if (i > 0) {
      if (p === ch.powerW[i - 1]) repeats++;
      else {
        changes.push(ch.tS[i]! - lastChange);
        lastChange = ch.tS[i]!;
      }
    }
  }
  const energyJ = energyIn(ch, w);
  const span = Math.min(w.t1S, n > 0 ? ch.tS[n - 1]! : 0) - Math.max(w.t0S, n > 0 ? ch.tS[0]! : 0);
  return {
    name: ch.name,
    kind: info?.kind ?? 'other',
    unit: 'W',
    energyJ,
    meanW: span > 0 ? energyJ / span : n > 0 ? ch.powerW[0]! : Number.NaN,
    maxW: n > 0 ? maxW : Number.NaN,
    minW: n > 0 ? minW : Number.NaN,
    samples: n,
    medianIntervalS: n > 1 ? samplingStats(ch.tS).medianIntervalS : null,
    repeatedFraction: n > 1 ? repeats / (n - 1) : 0,
    updatePeriodS: median(changes),
  };
}

function counterIn(c: Recording['counters'][number], w: Window): number | undefined {
  if (c.tS.length < 2) return undefined;
  // Counters are cumulative: interpolate at the window's edges like power, then subtract.
  const at = (t: number): number => {
    const tS = c.tS;
    if (t <= tS[0]!) return c.energyJ[0]!;
    const n = tS.length;
    if (t >= tS[n - 1]!) return c.energyJ[n - 1]!;
    let i = 0;
    while (tS[i + 1]! < t) i++;
    const f = (t - tS[i]!) / (tS[i + 1]! - tS[i]!);
    return c.energyJ[i]! + f * (c.energyJ[i + 1]! - c.energyJ[i]!);
  };
  return at(w.t1S) - at(w.t0S);
}

/** Idle windows in order of preference: the one before the command is the cleaner baseline. */
const IDLE_WINDOWS = ['idle-before', 'idle-after'] as const;

/**
 * Least share of an idle window the primary channel's samples must cover for its mean power to
 * stand for the window. The estimator's first `cpu` value is stamped half an interval after
 * it starts, and the last one half an interval before it stops: an idle window is rarely covered
 * to its edges, so the baseline is the mean over the covered part — provided that is most of it.
 */
export const MIN_IDLE_COVERAGE = 0.5;

const sec = (t: number): string => t.toFixed(3);

function idleSplit(rec: Recording, totalJ: number, window: Window, warnings: string[]): RecordingSummary['idle'] {
  const wanted = IDLE_WINDOWS.flatMap((name) => rec.windows.filter((w) => w.name === name));
  if (wanted.length === 0) return undefined;
  const primary = rec.info.primaryChannel;
  const pch = rec.channels.find((c) => c.name === primary);
  const n = pch?.tS.length ?? 0;
  if (!pch || n < 2) {
    warnings.push(`no idle baseline: the primary channel '${primary}' has ${n} sample${n === 1 ? '' : 's'}, too few to give a mean power`);
    return undefined;
  }
  const first = pch.tS[0]!;
  const last = pch.tS[n - 1]!;
  const refused: string[] = [];
  for (const w of wanted) {
    const t0S = Math.max(w.t0S, first);
    const t1S = Math.min(w.t1S, last);
    const lengthS = w.t1S - w.t0S;
    if (lengthS > 0 && t1S - t0S >= MIN_IDLE_COVERAGE * lengthS) {
      const base = idleBaseline(pch.tS, pch.powerW, [t0S, t1S]);
      const durationS = window.t1S - window.t0S;
      const split = splitEnergy(totalJ, durationS, base.meanPowerW);
      if (split.dynamicJ < 0) warnings.push(negativeAboveIdle(split.dynamicJ, base.meanPowerW, w.name, durationS > 0 ? totalJ / durationS : 0));
      return { ...split, idlePowerW: base.meanPowerW, idleWindow: w.name, t0S, t1S };
    }
    refused.push(`'${w.name}' ${sec(w.t0S)}–${sec(w.t1S)} s`);
  }
  warnings.push(
    `no idle baseline: the primary channel '${primary}' has samples from ${sec(first)} to ${sec(last)} s, less than ${MIN_IDLE_COVERAGE * 100} % of ${refused.join(' or ')} (lengthen the idle windows or shorten the sampling interval)`,
  );
  return undefined;
}

export interface SummaryOptions {
  /**
   * The hardware the caller names for the run (`--hardware`): its board power bounds the
   * plausibility warnings, as it is the hardware the impact is computed for; without it, the
   * device the sensor names, if any. A replay or a CPU sensor names none, and a trace read
   * 1000 × off would otherwise pass unremarked.
   */
  readonly hardware?: string;
}

/**
 * The warning for an above-idle energy below zero: the number is kept (it is what the
 * arithmetic gives, and hiding it would hide the problem), and this says what it means.
 */
export function negativeAboveIdle(dynamicJ: number, idlePowerW: number, idleWindow: string, runMeanW: number): string {
  return (
    `above-idle energy is negative (${dynamicJ.toFixed(3)} J): the idle window '${idleWindow}' drew ${idlePowerW.toFixed(2)} W on average, more than the run's ${runMeanW.toFixed(2)} W, ` +
    'so it is no baseline of this device at rest (other load during the idle capture, a device still busy or cooling down, or a replayed trace whose idle and load do not line up); ' +
    "the above-idle figure is not the command's own energy: use the total, or capture the idle again"
  );
}

export function summarizeRecording(rec: Recording, windowName = 'full', options: SummaryOptions = {}): RecordingSummary {
  const info = rec.info;
  const window = rec.windows.find((w) => w.name === windowName) ?? { name: 'recording', t0S: 0, t1S: rec.durationS };
  const infoOf = (name: string) => info.channels.find((c) => c.name === name);
  const channels = rec.channels.map((ch) => channelSummary(ch, infoOf(ch.name), window));
  const primary = channels.find((c) => c.name === info.primaryChannel) ?? channels[0];
  const pch = rec.channels.find((c) => c.name === info.primaryChannel);
  // Run-level findings of the sensor itself come first (e.g. other processes loading the machine).
  const warnings: string[] = [...(info.warnings ?? [])];

  const counters: CounterComparison[] = [];
  for (const c of rec.counters) {
    const counterJ = counterIn(c, window);
    const ch = rec.channels.find((x) => x.name === c.channel);
    if (counterJ === undefined || !ch) continue;
    const samplesJ = energyIn(ch, window);
    counters.push({ channel: c.channel, counterJ, samplesJ, differenceJ: counterJ - samplesJ, differenceRel: counterJ !== 0 ? (counterJ - samplesJ) / counterJ : 0 });
  }

  const gaps = rec.channels.flatMap((ch) => (ch.tS.length > 2 ? detectGaps(ch.tS).map((g) => ({ ...g, channel: ch.name })) : []));
  if (rec.failure) {
    const lastT = Math.max(0, ...rec.channels.map((c) => (c.tS.length ? c.tS[c.tS.length - 1]! : 0)));
    warnings.push(`the sensor failed at ${rec.failure.tS.toFixed(3)} s: ${rec.failure.error.detail} — no data after ${lastT.toFixed(3)} s`);
    for (const ch of rec.channels) {
      gaps.push({ channel: ch.name, index: ch.tS.length - 1, startS: lastT, endS: rec.durationS, durationS: rec.durationS - lastT, ratioToMedian: Number.POSITIVE_INFINITY });
    }
  }
  if (gaps.length > 0 && !rec.failure) warnings.push(`${gaps.length} sampling gap(s) over 5 × the median interval were bridged linearly`);

  const measuredIntervalS = primary?.medianIntervalS ?? null;
  if (measuredIntervalS !== null && measuredIntervalS > 1.5 * info.requestedIntervalS) {
    warnings.push(`sampling ran every ${(measuredIntervalS * 1000).toFixed(0)} ms, slower than the ${(info.requestedIntervalS * 1000).toFixed(0)} ms asked for`);
  }
  const update = info.updatePeriodS ?? primary?.updatePeriodS ?? null;
  // A sensor that knows why its values repeat says so (the estimator: whole ticks of CPU time,
  // an idle load); for the others, the usual cause is an update period longer than sampling.
  if (primary && primary.repeatedFraction > 0.5 && (info.repeatCause !== undefined || primary.updatePeriodS !== null)) {
    const share = `${(primary.repeatedFraction * 100).toFixed(0)} % of samples`;
    warnings.push(
      info.repeatCause !== undefined
        ? `the sensor repeats values (${share}, most often ${modeOf(pch?.powerW)} W): ${info.repeatCause}`
        : `the sensor repeats values (${share}): it updates about every ${((primary.updatePeriodS ?? 0) * 1000).toFixed(0)} ms, slower than sampling`,
    );
  }
  const windows: WindowSummary[] = rec.windows.map((w) => {
    const perChannel = rec.channels.map((ch) => ({ channel: ch.name, energyJ: energyIn(ch, w) }));
    if (update !== null && w.t1S - w.t0S < update) {
      warnings.push(`window '${w.name}' (${((w.t1S - w.t0S) * 1000).toFixed(0)} ms) is shorter than the sensor's update period (${(update * 1000).toFixed(0)} ms): its energy is poorly resolved`);
    }
    return { ...w, perChannel, primaryEnergyJ: perChannel.find((p) => p.channel === info.primaryChannel)?.energyJ ?? 0 };
  });

  warnings.push(...plausibilityWarnings(rec, primary, window, options.hardware));

  const idle = idleSplit(rec, primary?.energyJ ?? 0, window, warnings);

  return {
    window,
    primaryChannel: info.primaryChannel,
    primaryEnergyJ: primary?.energyJ ?? 0,
    channels,
    counters,
    windows,
    ...(idle ? { idle } : {}),
    gaps,
    requestedIntervalS: info.requestedIntervalS,
    measuredIntervalS,
    warnings,
  };
}

/**
 * Physics and device bounds (traces/plausibility.ts) as warnings: the run happened and is
 * saved whatever its samples say, so nothing is refused here, but a zero energy or a peak
 * far above the board power is said, never printed as a plain result.
 */
function plausibilityWarnings(rec: Recording, primary: ChannelSummary | undefined, window: Window, named: string | undefined): string[] {
  const out: string[] = [];
  for (const ch of rec.channels) {
    const problem = traceProblem(ch.tS, ch.powerW);
    if (problem !== undefined) out.push(`channel ${ch.name}, ${problem}`);
  }
  if (!primary) return out;
  const device = named ?? rec.info.channels.find((c) => c.name === primary.name)?.device;
  const hardware = device !== undefined ? resolveHardware(device) : undefined;
  const tS = rec.channels.find((c) => c.name === primary.name)?.tS ?? [];
  let inWindow = 0;
  for (const t of tS) if (t >= window.t0S && t <= window.t1S) inWindow++;
  const facts = {
    id: `channel ${primary.name} in window '${window.name}'`,
    energyJ: primary.energyJ,
    durationS: window.t1S - window.t0S,
    samples: inWindow,
    ...(primary.samples > 0 ? { peakW: primary.maxW } : {}),
  };
  out.push(...runWarnings([facts], hardware));
  return out;
}
