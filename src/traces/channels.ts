import { errors } from '../errors.js';
import { boardTotalRailName, gpuRailName, tegrastatsRailKinds } from './parse-tegrastats.js';

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
