import type { PowerUnit } from '../units/index.js';

/** Names of the sensors inferprint reads or whose logs it imports. */
export type SensorName =
  | 'nvml'
  | 'nvidia-smi'
  | 'tegrastats'
  | 'ina3221'
  | 'rapl'
  | 'codecarbon'
  | 'generic'
  | 'estimate'
  | 'replay'
  | 'unknown';

/**
 * Where power figures come from; results say which, and `describeProvenance` (provenance.ts)
 * words it. A replay (`replay:FILE`) plays back a recording made earlier: it measured nothing
 * of the run it is attached to, so it is neither *measured* nor *estimated* but wraps what the
 * recording itself was.
 */
export type Provenance =
  | { readonly kind: 'measured'; readonly sensor: SensorName }
  | { readonly kind: 'estimated'; readonly method: string }
  | { readonly kind: 'replayed'; readonly file: string; readonly original: Provenance };

export type ProvenanceKind = Provenance['kind'];

/** One named power channel (a GPU, a Jetson rail, a package) sampled over time. */
export interface PowerChannel {
  readonly name: string;
  /** Seconds since the trace's origin, strictly increasing. */
  readonly tS: Float64Array;
  /** Watts, same length as `tS`. */
  readonly powerW: Float64Array;
}

export interface TraceSource {
  /** Importer or sensor format, e.g. `thesis-csv`, `nvidia-smi-csv`, `tegrastats`. */
  readonly format: string;
  /** File the trace came from, when it came from a file. */
  readonly path?: string;
  /** Unit the source wrote power in, before conversion to W. */
  readonly unitInSource: PowerUnit;
}

/**
 * A power trace: timestamps in s and power in W, per channel, with where it came from.
 * Every importer and sensor produces one; energy and analysis consume it.
 */
export interface PowerTrace {
  readonly channels: readonly PowerChannel[];
  readonly source: TraceSource;
  readonly provenance: Provenance;
  /** Absolute time of t = 0 as Unix epoch milliseconds (UTC), when the source says. */
  readonly originEpochMs?: number;
}

/** One decoded sample, as importers stream them before a trace is assembled. */
export interface PowerSample {
  readonly channel: string;
  readonly tS: number;
  readonly powerW: number;
  /** 1-based line in the source, for error messages downstream. */
  readonly line: number;
}

/** Per-run energy reported by a tool that does not keep a trace (CodeCarbon, counters). */
export interface EnergyRecord {
  readonly label: string;
  readonly startEpochMs?: number;
  readonly durationS: number;
  readonly energyJ: number;
  /** Components when the source splits them (cpu, gpu, ram). */
  readonly partsJ?: Readonly<Record<string, number>>;
  readonly provenance: Provenance;
  readonly source: { readonly format: string; readonly path?: string; readonly line?: number };
}
