import { errors } from '../errors.js';
import { checkSample } from './plausibility.js';
import type { PowerChannel, PowerSample, PowerTrace, Provenance, TraceSource } from './types.js';

/** A growable Float64Array: traces are appended sample by sample without boxing numbers. */
export class Float64Growable {
  private buf = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  last(): number | undefined {
    return this.length > 0 ? this.buf[this.length - 1] : undefined;
  }
  toArray(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Assembles a PowerTrace from decoded samples, checking the invariants every consumer
 * relies on: per channel, timestamps strictly increase, every sample is physically
 * possible (plausibility.ts: finite, non-negative power below the ceiling, no day-long
 * interval). The file importers add that some channel has the 2 samples energy needs.
 */
export class TraceBuilder {
  private readonly channels = new Map<string, { t: Float64Growable; p: Float64Growable }>();
  constructor(private readonly file?: string) {}

  add(s: PowerSample): void {
    let ch = this.channels.get(s.channel);
    if (!ch) {
      ch = { t: new Float64Growable(), p: new Float64Growable() };
      this.channels.set(s.channel, ch);
    }
    const prev = ch.t.last();
    if (prev !== undefined && !(s.tS > prev)) {
      throw errors.nonMonotonic({ file: this.file, line: s.line, field: 'timestamp' }, prev, s.tS);
    }
    checkSample(s.tS, s.powerW, prev, { file: this.file, line: s.line });
    ch.t.push(s.tS);
    ch.p.push(s.powerW);
  }

  addAll(samples: Iterable<PowerSample>): this {
    for (const s of samples) this.add(s);
    return this;
  }

  get sampleCount(): number {
    let n = 0;
    for (const ch of this.channels.values()) n += ch.t.length;
    return n;
  }

  build(source: TraceSource, provenance: Provenance, originEpochMs?: number): PowerTrace {
    if (this.sampleCount === 0) throw errors.emptyInput(this.file ?? source.path ?? '(trace)', 'no power samples');
    const channels: PowerChannel[] = [...this.channels].map(([name, { t, p }]) => ({
      name,
      tS: t.toArray(),
      powerW: p.toArray(),
    }));
    return originEpochMs === undefined ? { channels, source, provenance } : { channels, source, provenance, originEpochMs };
  }
}
