import { SUM_CHANNEL } from '../traces/channels.js';
import type { ChannelInfo } from './types.js';

/**
 * The summed channel of the GPU sensors (nvml, nvidia-smi) on a host with two or more GPUs:
 * like RAPL's `packages` for CPU sockets, a derived channel that adds every GPU up and is the
 * run's primary, so an 8-GPU server running a sharded model is counted whole, not as gpu0.
 * It has the name `import … --channel sum` gives its sum (`SUM_CHANNEL`). Pure.
 */

export { SUM_CHANNEL };

export interface SummedGpu {
  /** Channel name, `gpu<index>`. */
  readonly channel: string;
  /** Product name as the driver reports it. */
  readonly name: string;
}

/** The sum channel, the notes saying what it adds up, and the channels it sums (for SensorInfo.primarySums). */
export function describeGpuSum(gpus: readonly SummedGpu[]): { readonly channel: ChannelInfo; readonly notes: readonly string[]; readonly sums: readonly string[] } {
  const names = new Set(gpus.map((g) => g.name));
  // The sum names the hardware only when every GPU is the same model: it is what the
  // impact's embodied part is looked up by, and a mixed host has no one model to name.
  const device = names.size === 1 ? gpus[0]!.name : undefined;
  const notes = [`${SUM_CHANNEL} = ${gpus.map((g) => g.channel).join(' + ')} (all ${gpus.length} GPUs): the primary channel`];
  if (device === undefined) {
    notes.push(`the GPUs are of different models (${[...names].join(', ')}): ${SUM_CHANNEL} names no hardware (pass --hardware NAME for the embodied part)`);
  }
  return {
    channel: { name: SUM_CHANNEL, kind: 'gpu', ...(device !== undefined ? { device } : {}) },
    notes,
    sums: gpus.map((g) => g.channel),
  };
}

/**
 * Groups the lines of `nvidia-smi --query-gpu=… -lms N` into cycles and adds them up. The tool
 * prints one line per GPU per cycle, in its enumeration order (the order of
 * `--query-gpu=index,…`), each line stamped on its own (about 1 ms apart): a cycle is the run
 * of lines whose GPUs come in that order; a GPU at or before the previous one's place starts a
 * new cycle. A complete cycle gives one sum sample at its last line's time; a cycle missing a
 * GPU (a dropped line) gives none and is counted, never summed without that GPU.
 */
export class GpuCycleSum {
  private readonly place: ReadonlyMap<string, number>;
  private pending = new Map<string, number>();
  private lastPlace = -1;
  private lastTS = 0;
  private incomplete = 0;

  constructor(order: readonly string[]) {
    this.place = new Map(order.map((c, i) => [c, i]));
  }

  /** Cycles that ended with a GPU's line missing (the one still open at the end is not counted). */
  get droppedCycles(): number {
    return this.incomplete;
  }

  /** One GPU's line; returns the cycle's sum when this line completes it. */
  add(channel: string, tS: number, powerW: number): { readonly tS: number; readonly powerW: number } | undefined {
    const at = this.place.get(channel);
    if (at === undefined) return undefined;
    if (at <= this.lastPlace) {
      if (this.pending.size > 0) this.incomplete++;
      this.pending = new Map();
    }
    this.pending.set(channel, powerW);
    this.lastPlace = at;
    this.lastTS = tS;
    if (this.pending.size < this.place.size) return undefined;
    let sum = 0;
    for (const w of this.pending.values()) sum += w;
    this.pending = new Map();
    this.lastPlace = -1;
    return { tS: this.lastTS, powerW: sum };
  }
}

/** The warning for cycles left out of the sum, undefined when there were none. */
export function droppedCyclesWarning(dropped: number, gpus: number): string | undefined {
  if (dropped === 0) return undefined;
  const them = dropped === 1 ? 'it' : 'them';
  return `${dropped} nvidia-smi cycle${dropped === 1 ? '' : 's'} missed a GPU's line: no ${SUM_CHANNEL} sample for ${them} (a sum of fewer than ${gpus} GPUs would undercount); the ${SUM_CHANNEL} trace is bridged linearly over ${them}`;
}
