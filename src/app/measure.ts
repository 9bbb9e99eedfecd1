import { isatty } from 'node:tty';
import { spawnGuarded, type GuardedChild } from './child-guard.js';
import { cleanLeftovers } from './leftovers.js';
import { publishLive } from '../measure/io/live-writer.js';
import { constants as osConstants, cpus, freemem, hostname, platform, release, totalmem } from 'node:os';
import { errors } from '../errors.js';
import { genericNote, resolveHardware, type HardwareSpec } from '../impact/hardware.js';
import { computeImpact, type ImpactResult } from '../impact/lca.js';
import { resolveImpactParams, resolveOperationalParams, type DefaultUsed, type ImpactSettings } from '../impact/presets.js';
import { Recorder, type Recording } from '../measure/recorder.js';
import { summarizeRecording, type RecordingSummary } from '../measure/summary.js';
import { chooseSensor } from '../sensors/io/registry.js';
import { checkRunsDirWritable } from './measure-bundle.js';
import type { EstimateScope, SensorEnv } from '../sensors/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { JOULES_PER_KWH } from '../units/index.js';
import type { SchedulerInfo } from '../runs/manifest.js';
import { sensorSumImpactNotes } from '../runs/run-impact.js';
import { schedulerContext } from './scheduler-context.js';

/**
 * `inferprint measure -- CMD`: sample power around any command. The sensor starts first
 * (a missing one fails before the command runs), optional idle windows frame the command,
 * the command runs with inherited stdio, Ctrl-C/SIGTERM are forwarded to it (escalating: a
 * second one sends SIGTERM, a third SIGKILL), it cannot outlive this process (`child-guard.ts`),
 * and whatever happens the run is saved — `completed`, `interrupted` or `failed` — before the
 * exit code of the command is handed back. `completed` means the measurement completed: the command's
 * own result is its exit code (`commandExit`, `workload.exitCode` in the bundle), and a
 * non-zero one is said in a warning. A command that could not be started at all comes back
 * `failed` with `commandExit.spawnError`; the CLI saves no run for it (nothing was measured).
 */

export interface MeasureOptions {
  readonly command: readonly string[];
  readonly sensor: string;
  readonly intervalS: number;
  readonly device?: string;
  /**
   * Whose CPU time the `estimate` sensor charges (other sensors ignore it): `process` (default:
   * the command's process tree, children included) or `machine` (every process).
   */
  readonly estimateScope?: EstimateScope;
  readonly label?: string;
  /**
   * Where the run will be saved: checked writable before anything runs (a measurement that
   * cannot be saved is not started), and its samples are published there for `inferprint
   * serve`'s live view.
   */
  readonly runsDir?: string;
  readonly idleS?: number;
  /** Hardware for the embodied part, when the sensor does not name it (CPU sensors, replays). */
  readonly hardware?: string;
  readonly grid?: string;
  readonly pue?: 'auto' | number;
  readonly lifetimeS?: number;
  readonly cwd: string;
  readonly env: SensorEnv;
  /** Where SIGINT/SIGTERM arrive; `process` in production. */
  readonly signals: NodeJS.EventEmitter;
  /**
   * Whether standard input is a terminal (default `isatty(0)`, which, unlike `process.stdin`, does
   * not open the terminal in this process): the command then stays
   * in the terminal's foreground process group, so it can read it (see `child-guard.ts`).
   */
  readonly stdinIsTTY?: boolean;
  /** One-line status messages (sensor chosen, warnings), to stderr in the CLI. */
  readonly onStatus?: (line: string) => void;
  /**
   * Whether the recording's warnings (`summary.warnings`) also go to `onStatus` (default true).
   * The CLI's table prints them in its summary and passes false then: each warning is printed once.
   */
  readonly statusWarnings?: boolean;
  /** Say every reason for the sensor choice, not the short line (`--verbose`, `--debug`). */
  readonly verbose?: boolean;
}

export type RunStatus =
  | { readonly kind: 'completed' }
  | { readonly kind: 'interrupted'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface MeasureResult {
  readonly status: RunStatus;
  /** What the process should exit with: the command's code, 128+n for a signal, non-zero on sensor failure. */
  readonly exitCode: number;
  readonly commandExit: { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly spawnError?: string };
  /** The command's process id (and process group's, unless it ran in the terminal's foreground); absent when it could not start. */
  readonly commandPid?: number;
  /** Every reason for the sensor choice (saved in the bundle's sensor notes). */
  readonly sensorWhy: string;
  /** The choice in one short line. */
  readonly sensorSummary: string;
  readonly recording: Recording;
  readonly summary: RecordingSummary;
  readonly hardware?: HardwareSpec;
  readonly impact?: ImpactResult;
  /** When no hardware is known: the operational part alone, with the grid and PUE used. */
  readonly operationalOnlyG?: number;
  readonly parameters: readonly DefaultUsed[];
  /** What to record so the run is assessed again the same way (`impact.settings`). */
  readonly impactSettings: ImpactSettings;
  readonly notes: readonly string[];
  readonly host: HostInfo;
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly endedAt: string;
}

export interface HostInfo {
  /** GPUs and driver as NVML reports them, when the NVIDIA driver is there. */
  readonly gpus?: readonly { readonly index: number; readonly name: string; readonly uuid?: string }[];
  readonly driverVersion?: string;
  readonly hostname: string;
  readonly os: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly freeMemoryBytes: number;
  /** The batch job around the run (Slurm, OAR), from the environment: `scheduler-context.ts`. */
  readonly scheduler?: SchedulerInfo;
}

export function hostInfo(): HostInfo {
  const c = cpus();
  const scheduler = schedulerContext(process.env);
  return {
    ...(scheduler ? { scheduler } : {}),
    hostname: hostname(),
    os: platform(),
    kernel: release(),
    cpuModel: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
  };
}

const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));

/** The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + osConstants.signals[signal];
}

export async function measure(opts: MeasureOptions): Promise<MeasureResult> {
  if (opts.command.length === 0) throw errors.usage('give the command to measure after --, e.g. inferprint measure -- python infer.py', 'CMD');
  const status = opts.onStatus ?? (() => undefined);
  // A run that cannot be saved is refused now, not discovered after the workload has run.
  if (opts.runsDir !== undefined) {
    await checkRunsDirWritable(opts.runsDir);
    await cleanLeftovers(opts.runsDir, status);
  }
  const startedAt = new Date(opts.env.clock.epochMs()).toISOString();
  const choice = await chooseSensor(opts.sensor, opts.env);
  const sensor =
    opts.runsDir !== undefined
      ? publishLive(choice.sensor, { runsDir: opts.runsDir, ...(opts.label !== undefined ? { label: opts.label } : {}), onError: (e) => { status(`inferprint: live view off: ${e.message}`); } })
      : choice.sensor;
  const rec = await Recorder.start({
    sensor,
    env: opts.env,
    intervalS: opts.intervalS,
    ...(opts.device !== undefined ? { device: opts.device } : {}),
    // The command will be this process's child: its tree is our descendants, not our own sampling.
    processTree: { rootPid: process.pid, includeRoot: false },
    estimateScope: opts.estimateScope ?? 'process',
    ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}),
  });
  const every = `every ${Math.round(opts.intervalS * 1000)} ms`;
  status(opts.verbose === true ? `inferprint: sensor ${rec.info.name}, ${every} (${choice.why})` : `inferprint: sensor ${choice.summary}, ${every}`);

  let interrupted: NodeJS.Signals | undefined;
  let child: GuardedChild | undefined;
  let lastSent: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
    // Forward to the command; its own exit then ends the run, and the run is still saved. A
    // command that ignores it gets SIGTERM at the next signal, then SIGKILL, which it cannot ignore.
    if (!child || child.child.exitCode !== null || child.child.signalCode !== null) return;
    const send: NodeJS.Signals = lastSent === undefined ? sig : lastSent !== 'SIGTERM' && lastSent !== 'SIGKILL' ? 'SIGTERM' : 'SIGKILL';
    child.signal(send);
    const next = send === 'SIGKILL' ? '' : send === 'SIGTERM' ? ' (again: SIGKILL)' : ' (again: SIGTERM)';
    status(lastSent === undefined ? `inferprint: ${sig}: forwarded to the command${next}` : `inferprint: ${sig} again: sent ${send} to the command${next}`);
    lastSent = send;
  };
  const onInt = () => { onSignal('SIGINT'); };
  const onTerm = () => { onSignal('SIGTERM'); };
  opts.signals.on('SIGINT', onInt);
  opts.signals.on('SIGTERM', onTerm);

  let commandExit: MeasureResult['commandExit'] = { code: null, signal: null };
  try {
    if (opts.idleS && !interrupted) {
      // The baseline must lie within the primary channel's data, which may start an interval
      // after the sensor (the estimator's cpu channel): wait for it, within reason.
      await rec.whenSampled(rec.info.primaryChannel, Math.max(1, 5 * opts.intervalS));
      await rec.window('idle-before', () => sleep(opts.idleS!));
    }
    if (!interrupted) {
      rec.beginWindow('full');
      commandExit = await new Promise((resolve) => {
        const [cmd, ...args] = opts.command;
        const guarded = spawnGuarded(cmd!, args, { cwd: opts.cwd, env: process.env, stdio: 'inherit', foreground: opts.stdinIsTTY ?? isatty(0) });
        child = guarded;
        guarded.child.once('error', (e: NodeJS.ErrnoException) => {
          guarded.release();
          resolve({ code: e.code === 'ENOENT' ? 127 : 126, signal: null, spawnError: `${cmd!}: ${spawnErrorWords(e)}` });
        });
        guarded.child.once('exit', (code, signal) => {
          guarded.release();
          resolve({ code, signal });
        });
      });
      rec.endWindow('full');
    }
    if (opts.idleS && !interrupted && commandExit.spawnError === undefined) await rec.window('idle-after', () => sleep(opts.idleS!));
  } finally {
    opts.signals.off('SIGINT', onInt);
    opts.signals.off('SIGTERM', onTerm);
  }
  const recording = await rec.stop();
  const summary = summarizeRecording(recording, 'full', opts.hardware !== undefined ? { hardware: opts.hardware } : {});
  const endedAt = new Date(opts.env.clock.epochMs()).toISOString();

  const runStatus: RunStatus = interrupted
    ? { kind: 'interrupted', signal: interrupted }
    : commandExit.spawnError !== undefined
      ? { kind: 'failed', code: 'COMMAND', message: commandExit.spawnError }
      : recording.failure
        ? { kind: 'failed', code: recording.failure.error.code, message: recording.failure.error.detail }
        : { kind: 'completed' };

  const fromSignal = commandExit.signal ? signalExitCode(commandExit.signal) : undefined;
  const cmdCode = commandExit.code ?? fromSignal ?? (interrupted ? signalExitCode(interrupted) : 1);
  const exitCode = recording.failure && cmdCode === 0 ? 1 : cmdCode;
  // `completed` is about the measurement; a command that failed must not read as a success.
  const commandFailure = commandOutcome(commandExit, interrupted);
  if (commandFailure !== undefined) status(`inferprint: warning: ${commandFailure}; the measurement itself ${runStatus.kind === 'completed' ? 'completed' : 'did not complete'}`);

  const notes: string[] = [...rec.info.notes];
  const host = await hostWithGpus(opts.env);
  const impactParts = impactFor(opts, recording, summary, notes);
  if (opts.statusWarnings !== false) for (const w of summary.warnings) status(`inferprint: warning: ${w}`);
  const commandPid = child?.child.pid;
  return {
    status: runStatus,
    exitCode,
    commandExit,
    ...(commandPid !== undefined ? { commandPid } : {}),
    sensorWhy: choice.why,
    sensorSummary: choice.summary,
    recording,
    summary,
    ...impactParts,
    notes,
    host,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt,
    endedAt,
  };
}

/** Why the command could not be started, as a shell says it (127: not found, 126: found but not runnable). */
function spawnErrorWords(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'command not found';
  if (e.code === 'EACCES') return 'permission denied (not an executable file)';
  return e.message;
}

/**
 * What the command itself did, when that was not a success the user asked to stop: `the command
 * exited with code 3`, `the command was ended by SIGKILL`. Undefined for exit code 0, for a
 * command that could not start (its own status, `failed`, says so) and for a run the user
 * interrupted (`interrupted` says so).
 */
export function commandOutcome(exit: MeasureResult['commandExit'], interrupted?: NodeJS.Signals): string | undefined {
  if (exit.spawnError !== undefined || interrupted !== undefined) return undefined;
  if (exit.signal !== null) return `the command was ended by ${exit.signal}`;
  if (exit.code !== null && exit.code !== 0) return `the command exited with code ${exit.code}`;
  return undefined;
}

/**
 * The impact of the measured window: full LCA when the hardware is known, else the operational
 * part alone; with the settings to record, so every later reader assesses the run the same way.
 */
export function impactFor(
  opts: Pick<MeasureOptions, 'hardware' | 'grid' | 'pue' | 'lifetimeS'>,
  rec: Recording,
  summary: RecordingSummary,
  notes: string[],
): Pick<MeasureResult, 'hardware' | 'impact' | 'operationalOnlyG' | 'parameters' | 'impactSettings'> {
  const sensed = rec.info.channels.find((c) => c.name === rec.info.primaryChannel)?.device;
  const name = opts.hardware ?? sensed;
  const hardware = name !== undefined ? resolveHardware(name) : undefined;
  if (opts.hardware !== undefined && !hardware) throw errors.unknownHardware(opts.hardware, { flag: '--hardware' });
  const durationS = summary.window.t1S - summary.window.t0S;
  const given = {
    ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
    ...(opts.pue !== undefined ? { pue: opts.pue } : {}),
  };
  if (hardware) {
    const generic = name !== undefined ? genericNote(name, hardware) : undefined;
    if (generic !== undefined) notes.push(generic);
    notes.push(...sensorSumImpactNotes(rec.info, hardware));
    const { params, used, settings } = resolveImpactParams({ preset: 'default', hardware, ...given, ...(opts.lifetimeS !== undefined ? { lifetimeS: opts.lifetimeS } : {}) });
    return { hardware, impact: computeImpact({ energyJ: summary.primaryEnergyJ, durationS, params }), parameters: used, impactSettings: settings };
  }
  notes.push(
    name !== undefined
      ? `'${name}' is not in the hardware database: embodied part left out (pass --hardware NAME)`
      : 'the sensor names no hardware: embodied part left out (pass --hardware NAME)',
  );
  const op = resolveOperationalParams({ preset: 'default', ...given });
  return { operationalOnlyG: (summary.primaryEnergyJ / JOULES_PER_KWH) * op.gridGPerKwh * op.pue, parameters: op.used, impactSettings: op.settings };
}

/** The host, plus its NVIDIA GPUs and driver when NVML answers (whatever sensor measured). */
export async function hostWithGpus(env: SensorEnv): Promise<HostInfo> {
  const base = hostInfo();
  try {
    const { readNvmlSnapshot } = await import('../sensors/io/nvml.js');
    const snap = await readNvmlSnapshot(env);
    return {
      ...base,
      gpus: snap.gpus.map((g) => ({ index: g.index, name: g.name, uuid: g.uuid })),
      ...(snap.driverVersion !== undefined ? { driverVersion: snap.driverVersion } : {}),
    };
  } catch {
    return base; // no NVIDIA driver here: nothing to add
  }
}
