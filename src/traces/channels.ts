import { errors } from '../errors.js';
import { boardTotalRailName, gpuRailName, tegrastatsRailKinds } from './parse-tegrastats.js';
import type { PowerChannel } from './types.js';

/**
 * Which channel(s) of a trace a result is about. Default: the only channel, else the GPU
 * rail (Jetson logs); several GPUs must be chosen explicitly. `total`: the board input rail. `sum`: every
 * channel added up. Any other value names a channel.
 */
export type ChannelRule = string | undefined;

export function chooseChannels(names: readonly string[], rule: ChannelRule, source = 'trace'): string[] {
  if (rule === 'sum') return [...names];
  if (rule === undefined && names.length > 1 && gpuRailName(names) === undefined) {
    // Several GPUs (or unnamed rails): picking one silently would misreport the others.
    throw errors.usage(`${source} has ${names.length} channels (${names.join(', ')}): choose one with --channel NAME, or --channel sum`, '--channel');
  }
  const wanted =
    rule === undefined || rule === 'gpu'
      ? names.length === 1
        ? names[0]
        : gpuRailName(names)
      : rule === 'total'
        ? boardTotalRailName(names)
        : rule;
  if (wanted === undefined || !names.includes(wanted)) {
    throw errors.usage(`${source} has no channel '${rule ?? 'gpu'}' (channels: ${names.join(', ')}; or 'sum')`, '--channel');
  }
  return [wanted];
}

export type ChannelKindName = 'gpu' | 'board-total' | 'cpu' | 'soc' | 'memory' | 'package' | 'dram' | 'psys' | 'other';

/**
 * What a channel of an imported trace is, from its name: `gpu<N>` (nvidia-smi, NVML) and the
 * study's `gpu` are GPUs, `total` its board total, Jetson rails as tegrastats names them.
 */
export function channelKinds(names: readonly string[]): { readonly name: string; readonly kind: ChannelKindName }[] {
  const rails = tegrastatsRailKinds(names);
  return names.map((name, i) => ({
    name,
    kind: /^gpu\d*$/i.test(name) ? 'gpu' : name === 'total' ? 'board-total' : (rails[i]?.kind ?? 'other'),
  }));
}

/**
 * The name of the channel that holds the sum of the channels `--channel sum` chose, when a
 * run records it (`import ... --channel sum`): like RAPL's `packages` (all CPU sockets), a
 * derived channel the manifest can name as its primary.
 */
export const SUM_CHANNEL = 'sum';

/**
 * The channels added up, sample by sample, for plots and for the trace of a summed primary:
 * at every instant of any of them inside the span all of them cover, each linearly
 * interpolated there (exact for piecewise-linear power; channels sampled at the same
 * instants are simply added). Outside that span some channel has no samples, so the sum is
 * not known there and not made up. Energy is not taken from this trace but from the
 * channels' own energies (see `integrateStream`): summed, they count each channel over its
 * whole span, ends included. Undefined when the channels share less than two instants of
 * overlap (they were not running at the same time).
 */
export function sumChannels(channels: readonly PowerChannel[], name = SUM_CHANNEL): PowerChannel | undefined {
  if (channels.length === 0) return undefined;
  const lo = Math.max(...channels.map((c) => c.tS[0]!));
  const hi = Math.min(...channels.map((c) => c.tS[c.tS.length - 1]!));
  if (!(hi > lo)) return undefined;
  const instants = [...new Set(channels.flatMap((c) => Array.from(c.tS).filter((t) => t >= lo && t <= hi)))].sort((a, b) => a - b);
  const tS = Float64Array.from(instants);
  const powerW = new Float64Array(tS.length);
  for (const c of channels) {
    let j = 0;
    for (let i = 0; i < tS.length; i++) {
      const t = tS[i]!;
      while (j + 1 < c.tS.length && c.tS[j + 1]! <= t) j++;
      const t0 = c.tS[j]!;
      powerW[i]! += t === t0 || j + 1 >= c.tS.length ? c.powerW[j]! : c.powerW[j]! + ((c.powerW[j + 1]! - c.powerW[j]!) * (t - t0)) / (c.tS[j + 1]! - t0);
    }
  }
  return { name, tS, powerW };
}
