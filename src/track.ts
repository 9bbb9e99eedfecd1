/**
 * `track()`: measure a section of your own program, the library counterpart of
 * `inferprint measure -- CMD` (CodeCarbon's `EmissionsTracker` start/stop, Zeus's
 * `begin_window`/`end_window`):
 *
 * ```ts
 * const t = await track({ hardware: 'H100-NVL', grid: 'FR' });
 * await runInference();
 * const r = await t.stop(); // energy per channel, gCO2e with its parameters and sources
 * ```
 *
 * The sensor comes from the registry `measure` uses (`auto` says why it chose), samples go
 * through the same Recorder and summary, the footprint is `recordImpact`'s (what every reader
 * of a run bundle assesses it with), and the section is saved as a run bundle like a
 * `measure` run. An app-layer adapter: it starts sensors and writes files.
 *
 * Life cycle. `track()` checks every option (hardware, grid, PUE, lifetime, preset, embodied
 * model, a writable runs directory) and starts the sensor before it resolves: a bad option
 * or a missing sensor rejects there, before the code to measure runs. After that nothing
 * rejects on its own: a sensor that dies mid-run is recorded (`status: failed`, a warning)
 * and reported by `stop()`. `stop()` is idempotent (every call gets the same result). A
 * tracker never stopped keeps nothing alive: its process exits when the code being measured
 * is done, and nothing is saved.
 */
import { errors, isInferprintError, type InferprintError } from './errors.js';
import { hostWithGpus, type RunStatus } from './app/measure.js';
import { checkRunsDirWritable, measurementBundle, saveBundleOrFallback } from './app/measure-bundle.js';
import { isEmbodiedModelId, EMBODIED_MODEL_IDS, type EmbodiedModelId } from './impact/embodied/index.js';
import { requireHardware, resolveHardware, type HardwareSpec } from './impact/hardware.js';
import { resolveGrid } from './impact/grid.js';
import type { Range } from './impact/lca.js';
import { parsePresetId, type DefaultUsed, type ImpactSettings, type PresetId } from './impact/presets.js';
import { validatePue } from './impact/pue.js';
import { Recorder, type Recording } from './measure/recorder.js';
import { summarizeRecording, type RecordingSummary } from './measure/summary.js';
import { recordImpact, sensorSumImpactNotes } from './runs/run-impact.js';
import type { RecordedImpact, Workload } from './runs/manifest.js';
import { resolveRunsDir } from './runs/io/runs-dir.js';
import { chooseSensor, type SensorChoice } from './sensors/io/registry.js';
import { type ChannelKind, type Sensor, type SensorEnv } from './sensors/types.js';
import { defaultSensorEnv } from './sensors/io/env.js';
import { describeProvenance } from './traces/provenance.js';
import type { Provenance, SensorName } from './traces/types.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export interface TrackOptions {
  /**
   * `auto` (default: the best sensor here, and why), a sensor by name (`nvml`, `nvidia-smi`,
   * `ina3221`, `tegrastats`, `rapl`, `estimate`), `replay:FILE`, or a `Sensor` of your own.
   */
  readonly sensor?: string | Sensor;
  /** Sampling interval, s (default 0.1, as `inferprint measure`). */
  readonly intervalS?: number;
  /** Device to sample (GPU index or UUID for NVIDIA sensors); all when absent. */
  readonly device?: string;
  /**
   * Hardware for the embodied part (a name or alias of the hardware database), when the sensor
   * does not name it (CPU sensors, replays). An unknown name rejects with UNKNOWN_HARDWARE.
   */
  readonly hardware?: string;
  /** Grid zone (`FR`, `DEU`, `FR-ADEME`, `WORLD`) or gCO2e/kWh as text; default: the preset's (world average). */
  readonly grid?: string;
  /** PUE ≥ 1, or `auto` (default): the preset's value for the hardware's category. */
  readonly pue?: 'auto' | number;
  /** Hardware lifetime, s; default: the preset's (7 years). */
  readonly lifetimeS?: number;
  /** Parameter preset (`default`, or `thesis-2025` for the study's choices). */
  readonly preset?: PresetId;
  readonly embodiedModel?: EmbodiedModelId;
  /** The run's label (default `tracked`). */
  readonly label?: string;
  /**
   * Save the section as a run bundle: `true` (default) in the runs directory `inferprint`
   * uses ($INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs), `{ runsDir }` there,
   * `false` nowhere (the result is all there is).
   */
  readonly save?: boolean | { readonly runsDir?: string };
  /**
   * On SIGINT / SIGTERM, stop and save the run as `interrupted`, then let the signal end the
   * process as it would have. Off by default: a library does not take over signals unasked.
   */
  readonly saveOnSignal?: boolean;
  /** Clock, file-system root, environment variables and spawn for the sensors; default: this machine. */
  readonly env?: SensorEnv;
}

/** The sensor a tracker runs, and where its power comes from. */
export interface TrackedSensor {
  readonly name: SensorName;
  readonly provenance: Provenance;
  /** `measured (nvml)`, `estimated (cpu-tdp-utilisation-v1)`, `replayed from FILE (…)`. */
  readonly provenanceText: string;
  /** The choice in one short line. */
  readonly summary: string;
  /** Every reason for the choice. */
  readonly why: string;
  readonly requestedIntervalS: number;
}

export interface ChannelEnergy {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly energyJ: number;
  readonly meanW: number;
  readonly maxW: number;
  readonly minW: number;
  readonly samples: number;
}

/** A named window's energy (`t.end(name)`, and every window in `stop()`'s result). */
export interface WindowEnergy {
  readonly name: string;
  /** Seconds since the tracker started. */
  readonly t0S: number;
  readonly t1S: number;
  readonly durationS: number;
  /** The primary channel's energy over the window, J. */
  readonly energyJ: number;
  readonly channels: readonly { readonly name: string; readonly energyJ: number }[];
  /**
   * False when `end()` answered before a sample after the window's end arrived (a slow or
   * failed sensor): the energy then stops at the last sample, and `stop()`'s figure for the
   * same window is the one to keep.
   */
  readonly complete: boolean;
}

/**
 * The section's footprint, as `recordImpact` assesses it (and as every later reader of the
 * saved run will): `scope` says what it covers.
 */
export type TrackedGwp =
  | {
      readonly scope: 'operational+embodied';
      readonly hardwareId: string;
      readonly model: string;
      /** Operational + embodied, g, with the range the parameters and embodied candidates span. */
      readonly gwpG: Range;
      readonly operationalG: Range;
      readonly embodiedG: Range;
      /** Every parameter used, with its value, source, year and origin. */
      readonly parameters: readonly DefaultUsed[];
      /** What the run is recorded with, to be assessed again the same way. */
      readonly settings: ImpactSettings;
    }
  | {
      readonly scope: 'operational';
      /** Operational part alone, g (no hardware the database knows: no embodied part). */
      readonly gwpG: number;
      readonly operationalG: number;
      readonly reason: string;
      readonly parameters: readonly DefaultUsed[];
      readonly settings: ImpactSettings;
    }
  | { readonly scope: 'none'; readonly reason: string };

export interface TrackResult {
  /** The measurement's outcome: `failed` when the sensor died (see `warnings`), `interrupted` on a signal. */
  readonly status: RunStatus;
  readonly label: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** The tracked section, s. */
  readonly durationS: number;
  /** The primary channel's energy over the section, J (the GPU for GPU sensors). */
  readonly energyJ: number;
  readonly primaryChannel: string;
  readonly sensor: TrackedSensor & { readonly measuredIntervalS: number | null };
  readonly channels: readonly ChannelEnergy[];
  /** Hardware energy counters over the section next to the integrated power (NVML, RAPL). */
  readonly counters: readonly { readonly channel: string; readonly counterJ: number; readonly samplesJ: number; readonly differenceJ: number }[];
  readonly windows: readonly WindowEnergy[];
  readonly gwp: TrackedGwp;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** Where the run bundle was written (absent with `save: false`, or when nowhere took it: see `saveError`). */
  readonly run?: { readonly id: string; readonly path: string };
  /** Why the runs directory refused the bundle (it may then be in a fallback directory: `run`). */
  readonly saveError?: InferprintError;
  /** The raw material, for anything the fields above leave out. */
  readonly recording: Recording;
  readonly summary: RecordingSummary;
}

export interface Tracker extends AsyncDisposable {
  readonly sensor: TrackedSensor;
  /** Where `stop()` saves the run; undefined with `save: false`. */
  readonly runsDir: string | undefined;
  /** Seconds since the tracker started. */
  elapsedS(): number;
  /** Open a named window (Zeus's `begin_window`); windows may overlap, one name open at a time. */
  begin(name: string): void;
  /**
   * Close a window and give its energy, once the sensor has a sample after its end (within
   * a few intervals); the window is also in `stop()`'s result and in the saved run.
   */
  end(name: string): Promise<WindowEnergy>;
  /** Stop sampling, assess, save; every call gets the same result. Never rejects for a sensor that died mid-run. */
  stop(): Promise<TrackResult>;
  /** `await using t = await track()`: stops (and saves) on scope exit. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The window that spans the tracked section itself, as `measure`'s spans the command. */
export const TRACKED_WINDOW = 'full';
const DEFAULT_INTERVAL_S = 0.1;
const DEFAULT_LABEL = 'tracked';

interface Checked {
  readonly intervalS: number;
  readonly hardware?: HardwareSpec;
  readonly settings: ImpactSettings;
  readonly runsDir?: string;
}

/** Every option checked before anything starts: a typo is a coded error naming the option, not a failure at `stop()`. */
function checkOptions(opts: TrackOptions): Checked {
  const intervalS = opts.intervalS ?? DEFAULT_INTERVAL_S;
  if (typeof intervalS !== 'number' || !Number.isFinite(intervalS) || intervalS <= 0) {
    throw errors.invalidValue({ field: 'intervalS' }, `sampling interval ${String(intervalS)} s must be a finite number > 0`);
  }
  const hardware = opts.hardware !== undefined ? requireHardware(opts.hardware, { field: 'hardware' }) : undefined;
  const settings: { -readonly [K in keyof ImpactSettings]: ImpactSettings[K] } = { preset: parsePresetId(opts.preset ?? 'default', { field: 'preset' }) };
  if (opts.grid !== undefined) {
    resolveGrid(opts.grid, { field: 'grid' });
    settings.grid = { value: opts.grid, why: `given by the user (${opts.grid})` };
  }
  if (opts.pue !== undefined && opts.pue !== 'auto') {
    if (typeof opts.pue !== 'number') throw errors.invalidValue({ field: 'pue' }, `PUE ${JSON.stringify(opts.pue)} is neither 'auto' nor a number`);
    settings.pue = { value: validatePue(opts.pue, { field: 'pue' }), why: 'given by the user' };
  }
  if (opts.lifetimeS !== undefined) {
    if (typeof opts.lifetimeS !== 'number' || !Number.isFinite(opts.lifetimeS) || opts.lifetimeS <= 0) {
      throw errors.invalidValue({ field: 'lifetimeS' }, `lifetime ${String(opts.lifetimeS)} s must be a finite number > 0`);
    }
    settings.lifetimeS = { value: opts.lifetimeS, why: 'given by the user' };
  }
  if (opts.embodiedModel !== undefined) {
    if (!isEmbodiedModelId(opts.embodiedModel)) {
      throw errors.invalidValue({ field: 'embodiedModel' }, `unknown embodied model ${JSON.stringify(opts.embodiedModel)} (expected ${EMBODIED_MODEL_IDS.join(', ')})`);
    }
    settings.embodiedModel = { value: opts.embodiedModel, why: 'given by the user' };
  }
  if (hardware) {
    // Resolve once now with the hardware given, so a model that cannot describe it fails here.
    recordImpact(settings, hardware, { energyJ: 0, durationS: 0 });
  }
  const save: unknown = opts.save ?? true;
  let runsDir: string | undefined;
  if (save === true) runsDir = resolveRunsDir({ env: process.env });
  else if (typeof save === 'object' && save !== null) {
    const dir = (save as { runsDir?: unknown }).runsDir;
    if (dir !== undefined && (typeof dir !== 'string' || dir.trim() === '')) throw errors.invalidValue({ field: 'save.runsDir' }, 'runsDir must be a directory path');
    runsDir = resolveRunsDir({ flag: dir, env: process.env });
  } else if (save !== false) throw errors.invalidValue({ field: 'save' }, 'save must be true, false or { runsDir }');
  return { intervalS, ...(hardware ? { hardware } : {}), settings, ...(runsDir !== undefined ? { runsDir } : {}) };
}

async function chooseFor(sensor: string | Sensor, env: SensorEnv): Promise<SensorChoice> {
  if (typeof sensor === 'string') return chooseSensor(sensor, env);
  const probe = await sensor.probe(env);
  if (!probe.ok) throw errors.sensorUnavailable(sensor.name, probe.reason);
  return { sensor, summary: `${sensor.name} (given by the caller)`, why: `given by the caller (${probe.detail})`, passedOver: [] };
}

/**
 * Start tracking: check the options, choose and start the sensor, open the section. Rejects
 * with a coded error (`InferprintError`: UNKNOWN_HARDWARE, UNKNOWN_ZONE, INVALID_VALUE,
 * SENSOR_UNAVAILABLE, IO for a runs directory that cannot be written) before anything runs.
 */
export async function track(opts: TrackOptions = {}): Promise<Tracker> {
  const checked = checkOptions(opts);
  if (checked.runsDir !== undefined) await checkRunsDirWritable(checked.runsDir);
  const env = opts.env ?? (await defaultSensorEnv());
  const choice = await chooseFor(opts.sensor ?? 'auto', env);
  const startedAt = new Date(env.clock.epochMs()).toISOString();
  // A program that forgets stop() must still exit: the sampler does not hold the process.
  const rec = await Recorder.start({ sensor: choice.sensor, env, intervalS: checked.intervalS, holdProcess: false, ...(opts.device !== undefined ? { device: opts.device } : {}), ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}) });
  rec.beginWindow(TRACKED_WINDOW);
  return new SectionTracker(rec, choice, checked, env, startedAt, opts.label ?? DEFAULT_LABEL, opts.saveOnSignal === true);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

class SectionTracker implements Tracker {
  readonly sensor: TrackedSensor;
  private result: Promise<TrackResult> | undefined;
  private interrupted: NodeJS.Signals | undefined;
  private readonly signalHandlers: { readonly signal: NodeJS.Signals; readonly handler: () => void }[] = [];

  constructor(
    private readonly rec: Recorder,
    private readonly choice: SensorChoice,
    private readonly checked: Checked,
    private readonly env: SensorEnv,
    private readonly startedAt: string,
    private readonly label: string,
    saveOnSignal: boolean,
  ) {
    const info = rec.info;
    this.sensor = {
      name: info.name,
      provenance: info.provenance,
      provenanceText: describeProvenance(info.provenance),
      summary: choice.summary,
      why: choice.why,
      requestedIntervalS: info.requestedIntervalS,
    };
    if (saveOnSignal) {
      for (const signal of SIGNALS) {
        const handler = (): void => {
          this.interrupted ??= signal;
          void this.stop().finally(() => {
            // Then end as the signal would have, unless someone else listens and decides.
            if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
          });
        };
        process.once(signal, handler);
        this.signalHandlers.push({ signal, handler });
      }
    }
  }

  get runsDir(): string | undefined {
    return this.checked.runsDir;
  }

  elapsedS(): number {
    return this.rec.nowS();
  }

  begin(name: string): void {
    if (this.result) throw errors.usage(`window '${name}': the tracker is already stopped`);
    if (name === TRACKED_WINDOW) throw errors.usage(`window name '${TRACKED_WINDOW}' is the tracked section itself: choose another`);
    this.rec.beginWindow(name);
  }

  async end(name: string): Promise<WindowEnergy> {
    if (this.result) throw errors.usage(`window '${name}': the tracker is already stopped`);
    if (name === TRACKED_WINDOW) throw errors.usage(`window name '${TRACKED_WINDOW}' is the tracked section itself: stop() closes it`);
    const w = this.rec.endWindow(name);
    const info = this.rec.info;
    // The energy at the window's end is interpolated from the next sample: wait for it, within reason.
    const complete = await this.rec.whenSampled(info.primaryChannel, Math.max(1, 5 * info.requestedIntervalS) + (info.updatePeriodS ?? 0), w.t1S);
    const s = summarizeRecording(this.rec.snapshot(), name);
    return windowEnergy(s.windows.find((x) => x.name === name && x.t0S === w.t0S) ?? { ...w, primaryEnergyJ: 0, perChannel: [] }, complete);
  }

  stop(): Promise<TrackResult> {
    this.result ??= this.finish();
    return this.result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async finish(): Promise<TrackResult> {
    for (const { signal, handler } of this.signalHandlers) process.off(signal, handler);
    this.rec.endWindow(TRACKED_WINDOW);
    let recording: Recording;
    try {
      recording = await this.rec.stop();
    } catch (e) {
      throw isInferprintError(e) ? e : errors.sensorFailed(this.rec.info.name, `could not be stopped: ${e instanceof Error ? e.message : String(e)}`);
    }
    const summary = summarizeRecording(recording, TRACKED_WINDOW, this.checked.hardware !== undefined ? { hardware: this.checked.hardware.id } : {});
    const endedAt = new Date(this.env.clock.epochMs()).toISOString();
    const status: RunStatus = this.interrupted
      ? { kind: 'interrupted', signal: this.interrupted }
      : recording.failure
        ? { kind: 'failed', code: recording.failure.error.code, message: recording.failure.error.detail }
        : { kind: 'completed' };
    const info = recording.info;
    const warnings = [...summary.warnings];
    const notes = [...info.notes, `tracked section of process ${process.pid} (inferprint track()): the workload is the code between track() and stop(), not the whole command`];

    const sensed = info.channels.find((c) => c.name === info.primaryChannel)?.device;
    const hardware = this.checked.hardware ?? (sensed !== undefined ? resolveHardware(sensed) : undefined);
    const durationS = summary.window.t1S - summary.window.t0S;
    let recorded: RecordedImpact | undefined;
    let gwp: TrackedGwp;
    try {
      recorded = recordImpact(this.checked.settings, hardware, { energyJ: summary.primaryEnergyJ, durationS }, sensorSumImpactNotes(info, hardware));
      gwp = toGwp(recorded, hardware, sensed);
    } catch (e) {
      // Checked at start for the hardware given; a device the sensor named may still not suit the model asked for.
      const why = isInferprintError(e) ? e.message : String(e);
      gwp = { scope: 'none', reason: why };
      warnings.push(`no footprint: ${why}`);
    }
    for (const n of recorded?.notes ?? []) if (!notes.includes(n)) notes.push(n);

    let run: TrackResult['run'];
    let saveError: InferprintError | undefined;
    if (this.checked.runsDir !== undefined) {
      const workload: Workload = { kind: 'command', argv: [process.argv0, ...process.argv.slice(1)], cwd: process.cwd() };
      const input = measurementBundle(
        {
          recording,
          summary,
          sensorWhy: this.choice.why,
          startedAt: this.startedAt,
          endedAt,
          status,
          host: await hostWithGpus(this.env),
          tool: { name: TOOL_NAME, version: TOOL_VERSION },
          ...(hardware ? { hardware } : {}),
          parameters: [],
          // Replaced below by the whole recorded impact block.
          impactSettings: this.checked.settings,
          notes,
        },
        workload,
        this.label,
      );
      const impact: RecordedImpact = { ...(recorded ?? { settings: this.checked.settings }), warnings, notes };
      const outcome = await saveBundleOrFallback({ ...input, manifest: { ...input.manifest, impact } }, this.checked.runsDir, process.cwd());
      if (outcome.kind !== 'saved') {
        saveError = outcome.error;
        warnings.push(
          outcome.kind === 'fallback'
            ? `the runs directory refused the run (${outcome.error.message}); saved in ${outcome.bundle.path} instead: inferprint import bundle ${outcome.bundle.path}`
            : `the run could not be saved anywhere: ${outcome.error.message}`,
        );
      }
      if (outcome.kind !== 'unsaved') run = { id: outcome.bundle.id, path: outcome.bundle.path };
    }

    return {
      status,
      label: this.label,
      startedAt: this.startedAt,
      endedAt,
      durationS,
      energyJ: summary.primaryEnergyJ,
      primaryChannel: summary.primaryChannel,
      sensor: { ...this.sensor, measuredIntervalS: summary.measuredIntervalS },
      channels: summary.channels.map((c) => ({ name: c.name, kind: c.kind, energyJ: c.energyJ, meanW: c.meanW, maxW: c.maxW, minW: c.minW, samples: c.samples })),
      counters: summary.counters.map((c) => ({ channel: c.channel, counterJ: c.counterJ, samplesJ: c.samplesJ, differenceJ: c.differenceJ })),
      windows: summary.windows.filter((w) => w.name !== TRACKED_WINDOW).map((w) => windowEnergy(w, true)),
      gwp,
      warnings,
      notes,
      ...(run ? { run } : {}),
      ...(saveError ? { saveError } : {}),
      recording,
      summary,
    };
  }
}

function windowEnergy(w: RecordingSummary['windows'][number], complete: boolean): WindowEnergy {
  return {
    name: w.name,
    t0S: w.t0S,
    t1S: w.t1S,
    durationS: w.t1S - w.t0S,
    energyJ: w.primaryEnergyJ,
    channels: w.perChannel.map((p) => ({ name: p.channel, energyJ: p.energyJ })),
    complete,
  };
}

function toGwp(recorded: RecordedImpact, hardware: HardwareSpec | undefined, sensed: string | undefined): TrackedGwp {
  const settings = recorded.settings ?? { preset: 'default' };
  const parameters = recorded.parameters ?? [];
  if (hardware && recorded.result) {
    const r = recorded.result;
    return { scope: 'operational+embodied', hardwareId: hardware.id, model: r.model, gwpG: r.gwpG, operationalG: r.operationalG, embodiedG: r.embodiedG, parameters, settings };
  }
  const reason =
    sensed !== undefined
      ? `'${sensed}' is not in the hardware database: embodied part left out (pass hardware: NAME)`
      : 'the sensor names no hardware: embodied part left out (pass hardware: NAME)';
  const g = recorded.operationalOnlyG ?? 0;
  return { scope: 'operational', gwpG: g, operationalG: g, reason, parameters, settings };
}
