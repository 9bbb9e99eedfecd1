import { errors } from '../errors.js';
import { chooseChannels, type ChannelRule } from './channels.js';
import { checkSample, checkSampleCount } from './plausibility.js';
import { StreamingEnergy } from './streaming.js';
import type { PowerSample } from './types.js';

export interface StreamedRunEnergy {
  readonly channels: readonly string[];
  readonly energyJ: number;
  readonly durationS: number;
  readonly samples: number;
  readonly gaps: number;
  /** Highest sample of the chosen channels (the largest single-channel peak when several are summed: a lower bound of the sum's peak). */
  readonly peakW: number;
}

/**
 * Integrate a stream of decoded samples without holding the trace: one O(1)-state
 * integrator per channel, then the chosen channel (or the sum of all: energy is linear,
 * so summing per-channel energies is exact even when channels are sampled at different
 * instants). Memory stays bounded however long the trace is. Every sample passes the
 * physics checks of plausibility.ts (naming file and line), and each chosen channel needs
 * 2 samples: a one-sample trace has no duration, so its energy is unknown, not 0 J.
 */
export function integrateStream(samples: Iterable<PowerSample>, rule: ChannelRule, file?: string): StreamedRunEnergy {
  const perChannel = new Map<string, { acc: StreamingEnergy; firstT: number; lastT: number; lastLine: number }>();
  for (const s of samples) {
    let ch = perChannel.get(s.channel);
    if (!ch) {
      ch = { acc: new StreamingEnergy(), firstT: s.tS, lastT: Number.NEGATIVE_INFINITY, lastLine: s.line };
      perChannel.set(s.channel, ch);
    }
    // Checked here, where the line is known, so the error names file and line.
    if (!(s.tS > ch.lastT)) throw errors.nonMonotonic({ file, line: s.line, field: 'timestamp' }, ch.lastT, s.tS);
    checkSample(s.tS, s.powerW, ch.acc.count > 0 ? ch.lastT : undefined, { file, line: s.line });
    ch.lastT = s.tS;
    ch.lastLine = s.line;
    ch.acc.push(s.tS, s.powerW);
  }
  if (perChannel.size === 0) throw errors.emptyInput(file ?? '(trace)', 'no power samples');
  const chosen = chooseChannels([...perChannel.keys()], rule, file);
  let energyJ = 0;
  let count = 0;
  let firstT = Number.POSITIVE_INFINITY;
  let lastT = Number.NEGATIVE_INFINITY;
  let gaps = 0;
  let peakW = 0;
  for (const name of chosen) {
    const { acc, lastLine, firstT: first, lastT: last } = perChannel.get(name)!;
    checkSampleCount(acc.count, { file, line: lastLine }, perChannel.size > 1 ? name : undefined);
    peakW = Math.max(peakW, acc.peakPowerW ?? 0);
    energyJ += acc.energyJ;
    firstT = Math.min(firstT, first);
    lastT = Math.max(lastT, last);
    count += acc.count;
    gaps += acc.gapCount;
  }
  // Several channels: the run lasts from the first sample of any to the last of any (GPUs
  // logged a millisecond apart), as a run that records their sum spans it.
  return { channels: chosen, energyJ, durationS: lastT - firstT, samples: count, gaps, peakW };
}
