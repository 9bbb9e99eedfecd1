import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { InferprintError } from '../errors.js';
import type { Provenance, SensorName } from '../traces/types.js';

/**
 * The sensor contract. A sensor is a small record (STYLE.md principle 3): its name, a
 * probe saying whether it can run here and why not, and `start`, which begins sampling
 * and pushes readings into a sink until stopped. Everything it touches in the outside
 * world comes through `SensorEnv`, so tests give it fake clocks, processes and /sys trees.
 */

/** Time as the recorder sees it. */
export interface Clock {
  /** Monotonic seconds (performance.now()-like); differences only. */
  monotonicS(): number;
  /** Wall-clock Unix epoch milliseconds (UTC). */
  epochMs(): number;
}

/** The subset of child_process.spawn sensors use; tests may pass a wrapper. */
export type Spawn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface SensorEnv {
  readonly clock: Clock;
  /** File-system root under which `/sys` and `/proc` are read ('/' in production; a fake tree in tests). */
  readonly root: string;
  /** Environment variables (PATH to find nvidia-smi/tegrastats; INFERPRINT_NVML_LIB to point at libnvidia-ml). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly spawn: Spawn;
}

/** What a channel is: lets callers find the GPU, the board total, the CPU package. */
export type ChannelKind = 'gpu' | 'board-total' | 'cpu' | 'soc' | 'memory' | 'package' | 'dram' | 'psys' | 'other';

export interface ChannelInfo {
  readonly name: string;
  readonly kind: ChannelKind;
  /** Hardware name as the sensor reports it (e.g. `NVIDIA H200`), for the hardware database. */
  readonly device?: string;
}

/** What a started sensor measures; complete once `start` has resolved (after its first reading). */
export interface SensorInfo {
  readonly name: SensorName;
  readonly provenance: Provenance;
  readonly channels: readonly ChannelInfo[];
  /** The channel results are about by default: the GPU for GPU sensors, the GPU rail on a Jetson. */
  readonly primaryChannel: string;
  /**
   * When the primary channel is a derived sum (`sum` of every GPU on a multi-GPU host): the
   * channels it adds up, so the impact can say its embodied part counts one device of them.
   */
  readonly primarySums?: readonly string[];
  readonly requestedIntervalS: number;
  /** How often the underlying value changes, when known (e.g. nvidia-smi `power.draw` is a 1 s average). */
  readonly updatePeriodS?: number;
  /** Human-readable facts about the choice (e.g. "power.draw.instant not supported: using power.draw"). */
  readonly notes: readonly string[];
  /**
   * Findings about the run that deserve a warning (e.g. the estimator saw other processes
   * load the machine). May grow until `stop()` resolves: read it after stopping.
   */
  readonly warnings?: readonly string[];
  /**
   * Why consecutive samples can repeat exactly, when the sensor knows better than "it updates
   * slower than sampling" (the estimator: whole ticks of CPU time, an idle load): the
   * recording summary's repeated-values warning names this cause instead.
   */
  readonly repeatCause?: string;
}

/** Where readings go. `tS` is seconds on the recorder's monotonic clock. */
export interface SensorSink {
  power(channel: string, tS: number, powerW: number): void;
  /** A cumulative energy counter reading in J since the sensor started (wrap-around already unfolded). */
  energy(channel: string, tS: number, energyJ: number): void;
  /** The sensor failed while running (a process died, a read failed): the recorder records the gap. */
  fail(error: InferprintError): void;
}

export interface SensorHandle {
  readonly info: SensorInfo;
  /** Stop sampling; resolves once the last reading has been delivered and resources are released. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Requested sampling interval, s. */
  readonly intervalS: number;
  /** Device to sample (GPU index or UUID for NVIDIA sensors); all when absent. */
  readonly device?: string;
  /**
   * The measured process tree, for sensors that can attribute power to processes (the
   * `estimate` sensor); hardware sensors ignore it. `includeRoot`: count the root's own CPU
   * time (a harness measuring itself) or only its descendants' (`measure` wrapping a command).
   */
  readonly processTree?: ProcessTreeTarget;
  /**
   * Whose CPU time the `estimate` sensor charges: `process` (the process tree's; needs
   * `processTree`) or `machine` (every process's). Default: `process` when a tree is given.
   */
  readonly estimateScope?: EstimateScope;
  /**
   * Whether sampling keeps the process alive (default true). `track()` passes false: a program
   * that forgets to stop its tracker must still exit when its own work is done. The first
   * reading (what `start` waits for) always holds the process.
   */
  readonly holdProcess?: boolean;
  /**
   * The hardware the caller names for the run (`--hardware`), a name of the hardware database.
   * Hardware sensors name their own device and ignore it; `replay` reads a study CSV's power
   * unit from it (W or mW) when the file's name tags no device (src/sensors/replay.md).
   */
  readonly hardware?: string;
}

export interface ProcessTreeTarget {
  readonly rootPid: number;
  readonly includeRoot: boolean;
}

export type EstimateScope = 'process' | 'machine';
export const ESTIMATE_SCOPES: readonly EstimateScope[] = ['process', 'machine'];

export type ProbeResult = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: string };

export interface Sensor {
  readonly name: SensorName;
  /** Measured, estimated or replayed, before starting (neither an estimate nor a replay is ever passed off as measured). */
  readonly kind: 'measured' | 'estimated' | 'replayed';
  /** Can this sensor run here? Cheap, no sampling; the reason is shown to the user. */
  probe(env: SensorEnv): Promise<ProbeResult>;
  /**
   * Start sampling. Resolves after the first reading (so channels are known and a broken
   * sensor fails before the workload starts); rejects with a coded error otherwise.
   */
  start(env: SensorEnv, opts: StartOptions, sink: SensorSink): Promise<SensorHandle>;
}
