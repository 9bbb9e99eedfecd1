/**
 * The energy of a load level from the run's power trace and its request timelines: over the
 * steady-state window (or, when the level has none, over the whole level, and it says so),
 * joules per output token, joules per request, mean power, and a prefill/decode split. Pure.
 *
 * Energy over any span comes from the cumulative trapezoid of the primary channel (exact for
 * piecewise-linear power, as `windowEnergyJ`), so the thousands of spans of a prefill/decode
 * split cost a binary search each.
 */
import { errors } from '../../errors.js';
import type { LlmLevelEnergy } from '../../runs/manifest.js';
import { levelStats } from './stats.js';
import { outputTokens, type RequestRecord } from './timeline.js';
import { phaseIntervals, steadyStateWindow, tokensInWindow, type Interval, type LoadShape } from './window.js';

/** ∫P dt from the first sample to any time, by the trapezoid rule; spans outside the samples are clamped to them. */
export class CumulativeEnergy {
  private readonly cum: Float64Array;

  constructor(
    private readonly tS: ArrayLike<number>,
    private readonly powerW: ArrayLike<number>,
  ) {
    const n = tS.length;
    if (n !== powerW.length) throw errors.invalidValue({ field: 'powerW' }, `${powerW.length} power values for ${n} times`);
    this.cum = new Float64Array(n);
    for (let i = 1; i < n; i++) {
      const dt = tS[i]! - tS[i - 1]!;
      if (!(dt > 0)) throw errors.nonMonotonic({ field: 'tS' }, tS[i - 1]!, tS[i]!);
      this.cum[i] = this.cum[i - 1]! + 0.5 * (powerW[i]! + powerW[i - 1]!) * dt;
    }
  }

  get startS(): number {
    return this.tS.length > 0 ? this.tS[0]! : Number.NaN;
  }

  get endS(): number {
    return this.tS.length > 0 ? this.tS[this.tS.length - 1]! : Number.NaN;
  }

  /** Energy from the first sample to `t` (clamped to the sampled range), J. */
  at(t: number): number {
    const n = this.tS.length;
    if (n < 2 || t <= this.tS[0]!) return 0;
    if (t >= this.tS[n - 1]!) return this.cum[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.tS[mid]! <= t) lo = mid;
      else hi = mid;
    }
    const t0 = this.tS[lo]!;
    const p0 = this.powerW[lo]!;
    const p1 = this.powerW[hi]!;
    const pt = p0 + ((p1 - p0) * (t - t0)) / (this.tS[hi]! - t0);
    return this.cum[lo]! + 0.5 * (p0 + pt) * (t - t0);
  }

  between(t0S: number, t1S: number): number {
    return this.at(t1S) - this.at(t0S);
  }

  /** Share of [t0S, t1S] the samples cover (1 when it lies inside them). */
  coverage(t0S: number, t1S: number): number {
    if (!(t1S > t0S)) return 1;
    const a = Math.max(t0S, this.startS);
    const b = Math.min(t1S, this.endS);
    return b > a ? (b - a) / (t1S - t0S) : 0;
  }
}

/** The manifest's record of a level's energy (one type: what is computed is what is written and read back). */
export type LevelEnergy = LlmLevelEnergy;

const sumOver = (e: CumulativeEnergy, spans: readonly Interval[]): number => spans.reduce((s, [a, b]) => s + e.between(a, b), 0);

/** The energy figures of one level, or undefined when it sent nothing. */
export function levelEnergy(records: readonly RequestRecord[], load: LoadShape, energy: CumulativeEnergy): LevelEnergy | undefined {
  if (records.length === 0) return undefined;
  const levelT0 = Math.min(...records.map((r) => r.sentS));
  const levelT1 = Math.max(...records.map((r) => r.endS));
  const steady = steadyStateWindow(records, load);
  const [t0S, t1S] = steady.kind === 'steady' ? [steady.t0S, steady.t1S] : [levelT0, levelT1];
  const energyJ = energy.between(t0S, t1S);
  const tokens = tokensInWindow(records, t0S, t1S);
  const stats = levelStats(records);
  const okTokens = records.filter((r) => r.outcome === 'ok');
  const meanOut = okTokens.length > 0 ? okTokens.reduce((s, r) => s + outputTokens(r).tokens, 0) / okTokens.length : null;
  const perToken = tokens > 0 ? energyJ / tokens : null;
  const phases = phaseIntervals(records);
  const levelJ = energy.between(levelT0, levelT1);
  const prefillJ = sumOver(energy, phases.prefill);
  const decodeJ = sumOver(energy, phases.decode);
  return {
    window: steady.kind === 'steady' ? 'steady' : 'level',
    t0S,
    t1S,
    energyJ,
    meanPowerW: t1S > t0S ? energyJ / (t1S - t0S) : 0,
    outputTokens: tokens,
    jPerOutputToken: perToken,
    jPerRequest: perToken !== null && meanOut !== null ? perToken * meanOut : null,
    levelEnergyJ: levelJ,
    levelDurationS: stats.durationS,
    split: { prefillJ, decodeJ, idleJ: Math.max(0, levelJ - prefillJ - decodeJ), approximate: phases.overlapping },
    coverage: Math.min(energy.coverage(t0S, t1S), energy.coverage(levelT0, levelT1)),
    ...(steady.kind === 'none' ? { note: `no steady state (${steady.reason}): figures over the whole level` } : {}),
  };
}
