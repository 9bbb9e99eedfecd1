/**
 * Energy of a power stream, one sample at a time, in bounded memory: for live sensors
 * (`inferprint measure`) and for traces too long to hold (10^7+ samples).
 *
 * State is O(1) plus three Float64Arrays of `medianBlock` entries and at most `maxGapsKept`
 * gap records; `push` allocates nothing (a Gap object is created only when a gap is found).
 *
 * Energy: the same trapezoid with the same Neumaier compensation, in the same order, as
 * `trapezoidJ`, so both give the same number for the same samples.
 *
 * Gaps: judged against the median of a block of recent intervals. The first `medianBlock`
 * intervals are held back and judged together once their median is known (or, if the
 * stream ends sooner, when `gaps` is read); after that each interval is judged against the
 * median of the previous complete block, refreshed every `medianBlock` intervals. So for
 * streams of up to `medianBlock` + 1 samples the gaps are exactly `detectGaps`'s, and for
 * longer ones the reference follows changes of the sensor's rate (a step to a slower rate
 * is reported as gaps for at most one block, then becomes the new normal). The first
 * block's intervals are also judged against the mean of the other intervals, as
 * `detectGaps` does, so a short stream with one long hole (3 samples, 100 000 s) reports
 * it; later blocks need not, as a hole cannot move the median of `medianBlock` intervals.
 * Block medians are found by selection, not sorting, so `push` is O(1) amortised
 * (~35–80 ns a sample).
 */
import { errors, type Where } from '../errors.js';
import { gapParameters, isGap, makeGap, othersMeanS, type Gap } from './energy.js';

export interface StreamingEnergyOptions {
  /** Gap factor (default 5, see DEFAULT_GAP_FACTOR in energy.ts). */
  readonly gapFactor?: number;
  /** Minimum gap duration, s (default 0). */
  readonly minGapS?: number;
  /** Intervals per median block (default 256, ≥ 1). */
  readonly medianBlock?: number;
  /** Gap records kept (default 1000); later ones are still counted in gapCount and gapTotalS. */
  readonly maxGapsKept?: number;
  /** Names the source in error messages. */
  readonly where?: Where;
}

export interface StreamingSnapshot {
  readonly count: number;
  readonly energyJ: number;
  readonly durationS: number;
  /** energyJ / durationS; the single sample's power for one sample; null before any sample. */
  readonly meanPowerW: number | null;
  readonly peakPowerW: number | null;
  readonly minPowerW: number | null;
  /** Current reference median interval, s; null before two samples. */
  readonly medianIntervalS: number | null;
  readonly gaps: readonly Gap[];
  readonly gapCount: number;
  readonly gapTotalS: number;
}

export class StreamingEnergy {
  private readonly factor: number;
  private readonly minGapS: number;
  private readonly blockSize: number;
  private readonly maxGapsKept: number;
  private readonly where: Where;

  private n = 0;
  private tFirst = 0;
  private tLast = 0;
  private pLast = 0;
  private sum = 0;
  private comp = 0;
  private peak = -Infinity;
  private min = Infinity;

  /** Intervals of the block being filled. */
  private readonly block: Float64Array;
  /** Start times of the first block's intervals, judged once its median is known. */
  private readonly warmStartS: Float64Array;
  private readonly scratch: Float64Array;
  private blockFill = 0;
  /** Median of the last complete block; NaN while the first block fills. */
  private medianS = Number.NaN;

  private readonly kept: Gap[] = [];
  private gapCountCommitted = 0;
  private gapTotalCommittedS = 0;

  constructor(options: StreamingEnergyOptions = {}) {
    this.where = options.where ?? {};
    const { factor, minGapS } = gapParameters({ factor: options.gapFactor, minGapS: options.minGapS }, this.where);
    this.factor = factor;
    this.minGapS = minGapS;
    this.blockSize = options.medianBlock ?? 256;
    this.maxGapsKept = options.maxGapsKept ?? 1000;
    if (!(Number.isInteger(this.blockSize) && this.blockSize >= 1)) {
      throw errors.invalidValue({ ...this.where, field: 'medianBlock' }, `median block ${this.blockSize} must be an integer ≥ 1`);
    }
    if (!(Number.isInteger(this.maxGapsKept) && this.maxGapsKept >= 0)) {
      throw errors.invalidValue({ ...this.where, field: 'maxGapsKept' }, `maxGapsKept ${this.maxGapsKept} must be an integer ≥ 0`);
    }
    this.block = new Float64Array(this.blockSize);
    this.warmStartS = new Float64Array(this.blockSize);
    this.scratch = new Float64Array(this.blockSize);
  }

  /** Add one sample; time must increase strictly, both values must be finite. */
  push(tS: number, powerW: number): void {
    if (!Number.isFinite(tS)) throw errors.invalidValue({ ...this.where, field: `tS[${this.n}]` }, `timestamp ${tS} is not a finite number`);
    if (!Number.isFinite(powerW)) throw errors.invalidValue({ ...this.where, field: `powerW[${this.n}]` }, `power ${powerW} W is not a finite number`);
    if (this.n === 0) {
      this.tFirst = tS;
    } else {
      if (!(tS > this.tLast)) throw errors.nonMonotonic({ ...this.where, field: `tS[${this.n}]` }, this.tLast, tS);
      const dt = tS - this.tLast;
      const area = 0.5 * (this.pLast + powerW) * dt;
      const s = this.sum + area;
      this.comp += Math.abs(this.sum) >= Math.abs(area) ? this.sum - s + area : area - s + this.sum;
      this.sum = s;
      this.addInterval(this.n - 1, this.tLast, tS, dt);
    }
    // Updated only after every check passed, so a refused sample leaves no trace.
    if (powerW > this.peak) this.peak = powerW;
    if (powerW < this.min) this.min = powerW;
    this.tLast = tS;
    this.pLast = powerW;
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  get energyJ(): number {
    return this.sum + this.comp;
  }

  get durationS(): number {
    return this.n === 0 ? 0 : this.tLast - this.tFirst;
  }

  get meanPowerW(): number | null {
    if (this.n === 0) return null;
    const d = this.durationS;
    return d > 0 ? this.energyJ / d : this.pLast;
  }

  get peakPowerW(): number | null {
    return this.n === 0 ? null : this.peak;
  }

  get minPowerW(): number | null {
    return this.n === 0 ? null : this.min;
  }

  get medianIntervalS(): number | null {
    if (!Number.isNaN(this.medianS)) return this.medianS;
    return this.blockFill === 0 ? null : this.provisionalMedian();
  }

  /** Gaps found so far (at most maxGapsKept), including the held-back first block judged against its current median. */
  get gaps(): readonly Gap[] {
    return this.pending().gaps;
  }

  /** All gaps, counting those beyond maxGapsKept. */
  get gapCount(): number {
    return this.pending().count;
  }

  /** Total duration of all gaps, s. */
  get gapTotalS(): number {
    return this.pending().totalS;
  }

  snapshot(): StreamingSnapshot {
    const p = this.pending();
    return {
      count: this.n,
      energyJ: this.energyJ,
      durationS: this.durationS,
      meanPowerW: this.meanPowerW,
      peakPowerW: this.peakPowerW,
      minPowerW: this.minPowerW,
      medianIntervalS: this.medianIntervalS,
      gaps: p.gaps,
      gapCount: p.count,
      gapTotalS: p.totalS,
    };
  }

  private addInterval(index: number, startS: number, endS: number, dt: number): void {
    const warming = Number.isNaN(this.medianS);
    if (warming) this.warmStartS[this.blockFill] = startS;
    else if (isGap(dt, this.medianS, this.factor, this.minGapS)) this.commitGap(index, startS, endS);
    this.block[this.blockFill++] = dt;
    if (this.blockFill < this.blockSize) return;
    this.scratch.set(this.block);
    this.medianS = medianInPlace(this.scratch);
    if (warming) {
      // The first block's intervals are judged now, in order, against their own median and the mean of the others.
      const firstIndex = index - (this.blockSize - 1);
      const spanS = endS - this.tFirst;
      for (let k = 0; k < this.blockSize; k++) {
        const d = this.block[k]!;
        if (isGap(d, this.medianS, this.factor, this.minGapS, othersMeanS(spanS, d, this.blockSize))) this.commitGap(firstIndex + k, this.warmStartS[k]!, this.warmEndS(k, endS));
      }
    }
    this.blockFill = 0;
  }

  private commitGap(index: number, startS: number, endS: number): void {
    this.gapCountCommitted++;
    this.gapTotalCommittedS += endS - startS;
    if (this.kept.length < this.maxGapsKept) this.kept.push(makeGap(index, startS, endS, this.medianS));
  }

  /** End of held-back interval k: the next one's start (intervals are contiguous), or `lastEndS` for the newest. */
  private warmEndS(k: number, lastEndS: number): number {
    return k + 1 < this.blockFill ? this.warmStartS[k + 1]! : lastEndS;
  }

  private provisionalMedian(): number {
    const part = this.scratch.subarray(0, this.blockFill);
    part.set(this.block.subarray(0, this.blockFill));
    return medianInPlace(part);
  }

  /** Committed gaps plus, while the first block is still filling, its intervals judged against its median so far. */
  private pending(): { gaps: readonly Gap[]; count: number; totalS: number } {
    if (!Number.isNaN(this.medianS) || this.blockFill === 0) {
      return { gaps: this.kept.slice(), count: this.gapCountCommitted, totalS: this.gapTotalCommittedS };
    }
    const medianS = this.provisionalMedian();
    const gaps = this.kept.slice();
    let count = this.gapCountCommitted;
    let totalS = this.gapTotalCommittedS;
    // Sample index of the first held-back interval: the stream's intervals so far are n − 1.
    const firstIndex = this.n - 1 - this.blockFill;
    const spanS = this.tLast - this.tFirst;
    for (let k = 0; k < this.blockFill; k++) {
      const d = this.block[k]!;
      if (!isGap(d, medianS, this.factor, this.minGapS, othersMeanS(spanS, d, this.blockFill))) continue;
      count++;
      totalS += d;
      if (gaps.length < this.maxGapsKept) gaps.push(makeGap(firstIndex + k, this.warmStartS[k]!, this.warmEndS(k, this.tLast), medianS));
    }
    return { gaps, count, totalS };
  }
}

/**
 * Median of `a` (type-7: the mean of the two middle values for an even count, as
 * `quantileSorted(sorted, 0.5)`), by Hoare's selection in O(n) on average instead of a sort,
 * which keeps `push` O(1) amortised. Reorders `a`.
 */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const k = (n - 1) >>> 1;
  select(a, k);
  const lower = a[k]!;
  if (n % 2 === 1) return lower;
  // After selection every element right of k is ≥ a[k]; the upper middle is their minimum.
  let upper = Infinity;
  for (let i = k + 1; i < n; i++) if (a[i]! < upper) upper = a[i]!;
  return lower + 0.5 * (upper - lower);
}

/** Reorder `a` so that a[k] is the k-th smallest, with smaller-or-equal values left of it. */
function select(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median-of-three pivot guards against the sorted and reversed blocks a steady sensor produces.
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and everything strictly between j and i equals pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
