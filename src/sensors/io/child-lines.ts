import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { errors, formatWhere, isInferprintError, type InferprintError } from '../../errors.js';
import type { SensorName } from '../../traces/types.js';
import type { SensorEnv, SensorSink, StartOptions } from '../types.js';

/**
 * Child processes for the sensors that read a tool's output (nvidia-smi, tegrastats):
 * find the tool on the PATH the sensor was given (no shell), run one-shot queries, and run
 * one long-lived child whose stdout is split into lines, with the tail of its stderr kept
 * for error messages and its exit reported once. `runLineSensor` adds the sensor life
 * cycle both share: start resolves on the first reading, a child that dies mid-run is a
 * sensor failure, stop kills it (SIGTERM, then SIGKILL after a grace period).
 */

export type PathLookup = { readonly found: true; readonly path: string } | { readonly found: false; readonly reason: string };

/**
 * Find an executable the way `execvp` would, on `env.env.PATH`. Empty PATH entries (the
 * current directory, by POSIX) are skipped on purpose: a sensor never runs whatever
 * `nvidia-smi` happens to sit in the working directory.
 */
export function findOnPath(name: string, env: SensorEnv): PathLookup {
  const dirs = (env.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  let notExecutable: string | undefined;
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(path, constants.X_OK);
      return { found: true, path };
    } catch {
      notExecutable ??= path;
    }
  }
  if (notExecutable !== undefined) return { found: false, reason: `found at ${notExecutable} but not executable (permission denied)` };
  return { found: false, reason: dirs.length === 0 ? 'not found on PATH (PATH is empty)' : 'not found on PATH' };
}

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The process could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: Error;
  /** The last non-blank lines of stderr (at most `STDERR_TAIL_LINES`). */
  readonly stderrTail: readonly string[];
  /** True when `stop` asked for it. */
  readonly requested: boolean;
}

const STDERR_TAIL_LINES = 20;

/**
 * `exited with code 1 <when>: <last stderr line>` — for messages; the stderr line (else
 * `fallbackOutput`, e.g. the last stdout line) is what the tool said.
 */
export function describeExit(exit: ChildExit, when = '', fallbackOutput?: string): string {
  const how =
    exit.spawnError !== undefined
      ? `could not be started (${exit.spawnError.message})`
      : exit.signal !== null
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code ?? '?'}`;
  const head = when === '' ? how : `${how} ${when}`;
  const said = exit.stderrTail.at(-1) ?? fallbackOutput;
  return said !== undefined && said !== '' ? `${head}: ${said}` : head;
}

export interface LineChild {
  readonly pid: number | undefined;
  /** Settles once the process has exited and its stdout has been read to the end. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs: number): Promise<ChildExit>;
  /**
   * Whether the child (and its pipes) keep this process alive. A sampler, once running, does
   * not: the work it measures does. `stop` holds the process again until the child is gone.
   */
  holdProcess(hold: boolean): void;
}

/** What `ref`/`unref` need; a child's pipes are sockets, and test doubles may have neither. */
type Refable = { ref?: () => unknown; unref?: () => unknown } | null | undefined;

function setHold(handles: readonly Refable[], hold: boolean): void {
  for (const h of handles) {
    if (hold) h?.ref?.();
    else h?.unref?.();
  }
}

export interface LineChildOptions {
  readonly env: SensorEnv;
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The complete stdout lines of one read (newline and `\r` removed), the 1-based number of
   * the first, and the monotonic time the read arrived. Must not throw.
   */
  readonly onLines: (lines: readonly string[], firstLineNo: number, arrivalS: number) => void;
}

/** Spawn `command` through `env.spawn` and hand its stdout over line by line. */
export function spawnLines(opts: LineChildOptions): LineChild {
  const { env } = opts;
  let requested = false;
  let stderrTail: string[] = [];
  let stderrPartial = '';
  let stdoutPartial = '';
  let lineNo = 0;
  let exitedFlag = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let settle!: (exit: ChildExit) => void;
  const exited = new Promise<ChildExit>((resolve) => {
    settle = (exit) => {
      if (killTimer !== undefined) clearTimeout(killTimer);
      exitedFlag = true;
      resolve(exit);
    };
  });

  const keepStderr = (chunk: string): void => {
    const parts = (stderrPartial + chunk).split('\n');
    stderrPartial = parts.pop() ?? '';
    for (const p of parts) {
      const t = p.trim();
      if (t !== '') stderrTail.push(t);
    }
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail = stderrTail.slice(-STDERR_TAIL_LINES);
    // A tool that never ends its stderr lines cannot grow this without bound.
    if (stderrPartial.length > 4096) stderrPartial = stderrPartial.slice(-4096);
  };
  const finalStderr = (): string[] => {
    const t = stderrPartial.trim();
    return t === '' ? stderrTail : [...stderrTail, t].slice(-STDERR_TAIL_LINES);
  };

  let child: ChildProcess;
  try {
    child = env.spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env.env } });
  } catch (e) {
    const spawnError = e instanceof Error ? e : new Error(String(e));
    settle({ code: null, signal: null, spawnError, stderrTail: [], requested: false });
    return { pid: undefined, exited, stop: () => exited, holdProcess: () => undefined };
  }

  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const arrivalS = env.clock.monotonicS();
    const parts = (stdoutPartial + chunk).split('\n');
    stdoutPartial = parts.pop() ?? '';
    if (parts.length === 0) return;
    const first = lineNo + 1;
    lineNo += parts.length;
    opts.onLines(
      parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p)),
      first,
      arrivalS,
    );
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', keepStderr);
  child.on('error', (e) => {
    // Emitted when the spawn fails (no pid) or a signal cannot be sent; only the first ends the child.
    if (child.pid === undefined && !exitedFlag) settle({ code: null, signal: null, spawnError: e, stderrTail: finalStderr(), requested });
  });
  // 'close' comes after 'exit' once stdout and stderr are drained: every line has been handed over.
  child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
    if (!exitedFlag) settle({ code, signal, stderrTail: finalStderr(), requested });
  });

  const handles = (): Refable[] => [child, child.stdout as Refable, child.stderr as Refable];
  return {
    pid: child.pid,
    exited,
    holdProcess(hold) {
      setHold(handles(), hold);
    },
    stop(graceMs) {
      // Until the child is gone and its output read, this process must stay to hear it.
      setHold(handles(), true);
      if (!requested && !exitedFlag) {
        requested = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => {
          child.kill('SIGKILL');
        }, graceMs);
      }
      requested = true;
      return exited;
    },
  };
}

export interface RunResult {
  readonly exit: ChildExit;
  readonly stdout: string;
  readonly timedOut: boolean;
}

/** Bound on what a one-shot query may print (the longest, `--help-query-gpu`, is ~60 kB). */
const MAX_QUERY_OUTPUT = 4 * 1024 * 1024;

/** Run a one-shot command to its end (killed after `timeoutMs`), collecting stdout. */
export async function runOnce(env: SensorEnv, command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  const out: string[] = [];
  let size = 0;
  const child = spawnLines({
    env,
    command,
    args,
    onLines: (lines) => {
      for (const l of lines) {
        size += l.length + 1;
        if (size <= MAX_QUERY_OUTPUT) out.push(l);
      }
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop(200);
  }, timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  return { exit, stdout: out.join('\n'), timedOut };
}

export interface LineSensorOptions {
  readonly sensor: SensorName;
  readonly env: SensorEnv;
  readonly command: string;
  readonly args: readonly string[];
  /** Reject start when no reading has arrived after this long, s. */
  readonly firstReadingTimeoutS: number;
  /** Grace between SIGTERM and SIGKILL when stopping, ms. */
  readonly killGraceMs: number;
  /**
   * Decode the lines of one stdout read and deliver their readings to the sink; returns
   * how many readings were delivered. Throws a coded error for a line it cannot read.
   */
  readonly decode: (lines: readonly string[], firstLineNo: number, arrivalS: number) => number;
  /** Where failures after the first reading go (the sensor sink's `fail`). */
  readonly fail: (e: InferprintError) => void;
  /** StartOptions.holdProcess: false lets the process exit while the child runs, once it has given its first reading. */
  readonly holdProcess?: boolean | undefined;
}

export interface LineSensorRun {
  /** Resolves on the first reading; rejects (SENSOR_UNAVAILABLE) if the child exits, a line fails or the timeout passes first. */
  readonly firstReading: Promise<void>;
  readonly pid: number | undefined;
  /** Kill the child and resolve once it is gone and every line it wrote has been decoded. */
  stop(): Promise<void>;
}

function causeText(e: unknown): string {
  if (isInferprintError(e)) {
    const at = formatWhere(e.where);
    return at ? `${at}: ${e.detail}` : e.detail;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * The life cycle of a sensor fed by one child process. States: starting → running (first
 * reading) → stopping (stop called) or failed. A failure while starting rejects
 * `firstReading`; while running it goes to `fail` once (the recorder records the gap)
 * and the child is killed. Lines still arriving while stopping are delivered; a line that
 * cannot be read then is ignored, as the child is being killed mid-write.
 */
export function runLineSensor(opts: LineSensorOptions): LineSensorRun {
  type State = 'starting' | 'running' | 'stopping' | 'failed';
  let state: State = 'starting';
  let resolveFirst!: () => void;
  let rejectFirst!: (e: InferprintError) => void;
  const firstReading = new Promise<void>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  const timer = setTimeout(() => {
    failWith(`no reading from ${opts.command} within ${opts.firstReadingTimeoutS} s`, '');
    void child.stop(opts.killGraceMs);
  }, opts.firstReadingTimeoutS * 1000);

  const failWith = (starting: string, running: string): void => {
    if (state === 'starting') {
      state = 'failed';
      clearTimeout(timer);
      rejectFirst(errors.sensorUnavailable(opts.sensor, starting));
    } else if (state === 'running') {
      state = 'failed';
      opts.fail(errors.sensorFailed(opts.sensor, running));
    }
  };

  const child = spawnLines({
    env: opts.env,
    command: opts.command,
    args: opts.args,
    onLines: (lines, firstLineNo, arrivalS) => {
      if (state === 'failed') return;
      let delivered: number;
      try {
        delivered = opts.decode(lines, firstLineNo, arrivalS);
      } catch (e) {
        if (state === 'stopping') return;
        const why = causeText(e);
        failWith(why, why);
        void child.stop(opts.killGraceMs);
        return;
      }
      if (delivered > 0 && state === 'starting') {
        state = 'running';
        clearTimeout(timer);
        if (opts.holdProcess === false) child.holdProcess(false);
        resolveFirst();
      }
    },
  });

  void child.exited.then((exit) => {
    if (exit.requested) return;
    failWith(`${opts.command} ${describeExit(exit, 'before the first reading')}`, `${opts.command} ${describeExit(exit, 'during the run')}`);
  });

  return {
    firstReading,
    pid: child.pid,
    async stop() {
      clearTimeout(timer);
      if (state === 'starting' || state === 'running') state = 'stopping';
      await child.stop(opts.killGraceMs);
    },
  };
}

/** What a line sensor's `start` checks before anything runs: the interval, the tool on the PATH. */
export interface LineToolStart {
  /** The tool's path. */
  readonly exe: string;
  /** The interval in the whole milliseconds both tools take. */
  readonly intervalMs: number;
  /** Says so when rounding changed the interval, naming the tool's flag; undefined when it did not. */
  readonly roundedNote: string | undefined;
}

/**
 * The first steps of `start` for a sensor that runs `tool` (nvidia-smi `-lms`, tegrastats
 * `--interval`): a positive interval (else a usage error on `--interval`), the tool on the
 * PATH (else SENSOR_UNAVAILABLE), the interval rounded to whole milliseconds.
 */
export function prepareLineTool(sensor: SensorName, tool: string, intervalFlag: string, env: SensorEnv, opts: StartOptions): LineToolStart {
  if (!(Number.isFinite(opts.intervalS) && opts.intervalS > 0)) throw errors.usage(`sampling interval must be positive, got ${opts.intervalS}`, '--interval');
  const exe = findOnPath(tool, env);
  if (!exe.found) throw errors.sensorUnavailable(sensor, `${tool} ${exe.reason}`);
  const intervalMs = Math.max(1, Math.round(opts.intervalS * 1000));
  const roundedNote = intervalMs !== opts.intervalS * 1000 ? `interval rounded to ${intervalMs} ms (${tool} ${intervalFlag} takes whole milliseconds)` : undefined;
  return { exe: exe.path, intervalMs, roundedNote };
}

/** A line sensor's own options: how long to wait for the first sample, how long to wait after SIGTERM. */
export interface LineSensorTuning {
  /** Longest wait for the first line, s; default max(2 s, 20 × interval). */
  readonly firstSampleTimeoutS?: number | undefined;
  /** Grace between SIGTERM and SIGKILL on stop, ms; default 500. */
  readonly killGraceMs?: number | undefined;
}

/**
 * Run the sensor's child (`runLineSensor`) with the defaults both line sensors use, failures
 * after the first reading going to the sink, and wait for its first reading; a child that gives
 * none is stopped before the error goes up.
 */
export async function startLineSensor(
  o: { readonly sensor: SensorName; readonly env: SensorEnv; readonly command: string; readonly args: readonly string[]; readonly opts: StartOptions; readonly sink: SensorSink; readonly decode: LineSensorOptions['decode'] },
  tuning: LineSensorTuning,
): Promise<LineSensorRun> {
  const run = runLineSensor({
    sensor: o.sensor,
    env: o.env,
    command: o.command,
    args: o.args,
    firstReadingTimeoutS: tuning.firstSampleTimeoutS ?? Math.max(2, 20 * o.opts.intervalS),
    killGraceMs: tuning.killGraceMs ?? 500,
    holdProcess: o.opts.holdProcess,
    fail: (e) => {
      o.sink.fail(e);
    },
    decode: o.decode,
  });
  try {
    await run.firstReading;
  } catch (e) {
    await run.stop();
    throw e;
  }
  return run;
}
