import { errors } from '../errors.js';
import type { ChannelKindName } from './channels.js';
import type { CodeCarbonRecord } from './parse-codecarbon.js';

/**
 * A CodeCarbon run as power channels. CodeCarbon keeps per-run totals only (energy per
 * component, duration) and the *last* measured power of each component, not a series, so the
 * only honest trace is its mean power: each component a constant `energy ÷ duration` over
 * `[0, duration]`, two samples. Its integral is the component's energy (to rounding), and the
 * energies themselves are kept exactly as CodeCarbon wrote them (converted kWh → J).
 *
 * Channels: `cpu`, `gpu`, `ram` for each component with energy above zero, and `total`
 * (CodeCarbon's `energy_consumed`: CPU + GPU + RAM, not a board or wall measurement), the
 * default primary channel so that a run's headline energy is CodeCarbon's own. Pure.
 *
 * CodeCarbon multiplies every energy by its `pue` setting before writing it; the channels here
 * are the IT side (each energy divided by that PUE), so the PUE is applied once, downstream,
 * like every other run's.
 */

export interface MeanPowerChannel {
  readonly name: string;
  readonly kind: ChannelKindName;
  readonly energyJ: number;
  /** `energyJ / durationS`. */
  readonly powerW: number;
}

export interface CodeCarbonMeanPower {
  readonly durationS: number;
  readonly channels: readonly MeanPowerChannel[];
  /** Components the file lists with zero energy (left out of `channels`). */
  readonly zeroParts: readonly string[];
}

export const CODECARBON_TOTAL_CHANNEL = 'total';

const PART_KINDS: Readonly<Record<string, ChannelKindName>> = { cpu: 'cpu', gpu: 'gpu', ram: 'memory' };

export function codecarbonMeanPower(r: CodeCarbonRecord): CodeCarbonMeanPower {
  const where = { file: r.source.path, line: r.source.line, field: 'duration' };
  // Energy spread over no time is no power at all: refuse rather than divide by zero.
  if (!(r.durationS > 0)) throw errors.invalidValue(where, `duration ${r.durationS} s: a run needs a duration to turn its energy into power`);
  const d = r.durationS;
  const pue = r.pue ?? 1;
  const channels: MeanPowerChannel[] = [];
  const zeroParts: string[] = [];
  for (const [part, kind] of Object.entries(PART_KINDS)) {
    const reported = r.partsJ?.[part];
    if (reported === undefined) continue;
    const e = reported / pue;
    if (e > 0) channels.push({ name: part, kind, energyJ: e, powerW: e / d });
    else zeroParts.push(part);
  }
  channels.push({ name: CODECARBON_TOTAL_CHANNEL, kind: 'other', energyJ: r.energyJ / pue, powerW: r.energyJ / pue / d });
  return { durationS: d, channels, zeroParts };
}

/** `1 x NVIDIA A100-SXM4-40GB` → { count: 1, name: 'NVIDIA A100-SXM4-40GB' }; a bare name counts one. */
export function parseCodeCarbonGpuModel(raw: string): { readonly count: number; readonly name: string } | undefined {
  const m = /^\s*(\d+)\s*x\s+(.+?)\s*$/.exec(raw);
  if (m) return Number(m[1]) > 0 ? { count: Number(m[1]), name: m[2]! } : undefined;
  const name = raw.trim();
  return name === '' ? undefined : { count: 1, name };
}
