import { errors, type InferprintError } from '../errors.js';
import { Float64Growable } from '../traces/builder.js';
import type { PowerChannel } from '../traces/types.js';
import type { Clock, Sensor, SensorEnv, SensorHandle, SensorInfo, StartOptions } from '../sensors/types.js';

/**
 * A recording: one sensor sampling into per-channel arrays on a time axis that starts at
 * 0 when the recording starts, plus named windows that may overlap (as Zeus's
 * begin_window/end_window), so a harness can mark load and compute phases while the
 * sensor runs. This is the in-process library API behind `inferprint measure`.
 */

export interface Window {
  readonly name: string;
  readonly t0S: number;
  readonly t1S: number;
}

export interface CounterSeries {
  readonly channel: string;
  readonly tS: Float64Array;
  /** Cumulative J since the sensor started. */
  readonly energyJ: Float64Array;
}

export interface SensorFailure {
  readonly tS: number;
  readonly error: InferprintError;
}

export interface Recording {
  readonly info: SensorInfo;
  /** Unix epoch ms (UTC) of t = 0. */
  readonly originEpochMs: number;
  readonly durationS: number;
  readonly channels: readonly PowerChannel[];
  readonly counters: readonly CounterSeries[];
  readonly windows: readonly Window[];
  /** Set when the sensor died mid-run: no data after `tS`. */
  readonly failure?: SensorFailure;
  /** Readings a sensor delivered out of order (not after the previous one): dropped, counted. */
  readonly droppedOutOfOrder: number;
}

export interface RecorderOptions extends StartOptions {
  readonly sensor: Sensor;
  readonly env: SensorEnv;
}

class Series {
  readonly t = new Float64Growable();
  readonly v = new Float64Growable();
}

export class Recorder {
  private readonly power = new Map<string, Series>();
  private readonly energy = new Map<string, Series>();
  private readonly open = new Map<string, number>();
  private readonly closed: Window[] = [];
  private failure: SensorFailure | undefined;
  private dropped = 0;
  /** Callers of `whenSampled` waiting for a channel's power sample at or after `atS`. */
  private sampledWaiters: { readonly channel: string; readonly atS: number; readonly done: (sampled: boolean) => void }[] = [];
  private handle: SensorHandle | undefined;
  private stopped = false;
  private stopping = false;
  private readonly clock: Clock;
  private readonly t0: number;
  private readonly originEpochMs: number;

  private constructor(private readonly opts: RecorderOptions) {
    this.clock = opts.env.clock;
    this.t0 = this.clock.monotonicS();
    this.originEpochMs = this.clock.epochMs();
  }

  /** Start the sensor; rejects (with the sensor's coded error) before anything else runs. */
  static async start(opts: RecorderOptions): Promise<Recorder> {
    const r = new Recorder(opts);
    r.handle = await opts.sensor.start(opts.env, opts, {
      power: (ch, tS, w) => {
        r.push(r.power, ch, tS, w);
      },
      energy: (ch, tS, j) => {
        r.push(r.energy, ch, tS, j);
      },
      fail: (error) => {
        r.failure ??= { tS: r.nowS(), error };
        for (const w of [...r.sampledWaiters]) w.done(false);
      },
    });
    return r;
  }

  get info(): SensorInfo {
    if (!this.handle) throw errors.internal('recorder used before its sensor started');
    return this.handle.info;
  }

  /** Seconds since the recording started. */
  nowS(): number {
    return this.clock.monotonicS() - this.t0;
  }

  /** Open a named window now; windows may overlap, but one name is open once at a time. */
  beginWindow(name: string): void {
    if (this.open.has(name)) throw errors.usage(`window '${name}' is already open`);
    this.open.set(name, this.nowS());
  }

  endWindow(name: string): Window {
    const t0S = this.open.get(name);
    if (t0S === undefined) throw errors.usage(`window '${name}' was never opened`);
    this.open.delete(name);
    const w = { name, t0S, t1S: this.nowS() };
    this.closed.push(w);
    return w;
  }

  /** Run `fn` inside a window that closes however `fn` ends. */
  async window<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    this.beginWindow(name);
    try {
      return await fn();
    } finally {
      this.endWindow(name);
    }
  }

  /**
   * Resolves true once `channel` has a power sample, false after `timeoutS` without one (or when
   * the sensor fails or the recording stops first). A sensor's channels need not all start with
   * its first reading: the estimator's `cpu` needs two /proc/stat readings for a utilisation, so
   * its first value comes one interval later, stamped at that interval's midpoint. A baseline
   * window (`idle-before`) opened before then would start before the channel's data.
   *
   * With `atS` (seconds on the recording's axis), waits for a sample at or after that time
   * instead: the energy of a window that just closed is interpolated at its end from the
   * sample after it.
   */
  whenSampled(channel: string, timeoutS: number, atS = Number.NEGATIVE_INFINITY): Promise<boolean> {
    const last = this.power.get(channel)?.t.last();
    if (last !== undefined && last >= atS) return Promise.resolve(true);
    if (this.stopping || this.failure) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (sampled: boolean): void => {
        clearTimeout(timer);
        this.sampledWaiters = this.sampledWaiters.filter((w) => w.done !== finish);
        resolve(sampled);
      };
      const timer = setTimeout(() => {
        finish(false);
      }, timeoutS * 1000);
      this.sampledWaiters.push({ channel, atS, done: finish });
    });
  }

  /**
   * Everything recorded so far, without stopping: closed windows only, copies of the samples.
   * For a result in the middle of a run (the energy of a window that just closed).
   */
  snapshot(): Recording {
    return this.recording();
  }

  /** Stop the sensor and hand back everything recorded. Windows still open are closed now. */
  async stop(): Promise<Recording> {
    if (this.stopping) throw errors.usage('recording already stopped');
    this.stopping = true;
    for (const w of [...this.sampledWaiters]) w.done(false);
    // Samples a sensor delivers while it stops (a final reading, what fell due since its last
    // tick) still count; nothing after that does.
    await this.handle?.stop();
    this.stopped = true;
    for (const name of [...this.open.keys()]) this.endWindow(name);
    return this.recording();
  }

  private recording(): Recording {
    const toChannel = ([name, s]: [string, Series]): PowerChannel => ({ name, tS: s.t.toArray(), powerW: s.v.toArray() });
    return {
      info: this.info,
      originEpochMs: this.originEpochMs,
      durationS: this.nowS(),
      channels: [...this.power].map(toChannel),
      counters: [...this.energy].map(([channel, s]) => ({ channel, tS: s.t.toArray(), energyJ: s.v.toArray() })),
      windows: [...this.closed].sort((a, b) => a.t0S - b.t0S || a.name.localeCompare(b.name)),
      ...(this.failure ? { failure: this.failure } : {}),
      droppedOutOfOrder: this.dropped,
    };
  }

  private push(map: Map<string, Series>, channel: string, tAbsS: number, value: number): void {
    if (this.stopped || this.failure) return;
    const tS = tAbsS - this.t0;
    let s = map.get(channel);
    if (!s) {
      s = new Series();
      map.set(channel, s);
    }
    const last = s.t.last();
    if (last !== undefined && !(tS > last)) {
      this.dropped++;
      return;
    }
    s.t.push(tS);
    s.v.push(value);
    if (map === this.power) for (const w of this.sampledWaiters.filter((x) => x.channel === channel && tS >= x.atS)) w.done(true);
  }
}
