import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, resolve } from 'node:path';
import type { InferprintError } from '../../src/errors.js';
import type { SensorEnv, SensorSink } from '../../src/sensors/types.js';

/** The fake `nvidia-smi` and `tegrastats` executables. */
export const FAKE_BIN = resolve(import.meta.dirname, 'bin');

export interface Spawned {
  readonly command: string;
  readonly args: readonly string[];
  readonly child: ChildProcess;
}

/**
 * A sensor environment with the fakes first on PATH (in the env object handed to the
 * sensor, never in process.env), the real clock, and a spawn that records every process
 * started, so tests can count children and inspect how they ended.
 */
export function fakeToolEnv(vars: Readonly<Record<string, string>> = {}, opts: { path?: string; root?: string } = {}): { env: SensorEnv; spawned: Spawned[] } {
  const spawned: Spawned[] = [];
  const env: SensorEnv = {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root: opts.root ?? '/nonexistent-root',
    env: { ...process.env, PATH: opts.path ?? `${FAKE_BIN}:${process.env.PATH ?? ''}`, ...vars },
    spawn: (command, args, options) => {
      const child = spawn(command, [...args], options);
      spawned.push({ command, args, child });
      return child;
    },
  };
  return { env, spawned };
}

/** A sink that keeps every reading per channel and every failure. */
export class CollectingSink implements SensorSink {
  readonly samples = new Map<string, { tS: number[]; powerW: number[] }>();
  readonly failures: InferprintError[] = [];
  private waiters: ((e: InferprintError) => void)[] = [];

  power(channel: string, tS: number, powerW: number): void {
    let s = this.samples.get(channel);
    if (!s) {
      s = { tS: [], powerW: [] };
      this.samples.set(channel, s);
    }
    s.tS.push(tS);
    s.powerW.push(powerW);
  }
  energy(): void {
    throw new Error('these sensors report no energy counter');
  }
  fail(error: InferprintError): void {
    this.failures.push(error);
    for (const w of this.waiters) w(error);
    this.waiters = [];
  }
  /** The first failure, when it comes. */
  nextFailure(): Promise<InferprintError> {
    const first = this.failures[0];
    if (first) return Promise.resolve(first);
    return new Promise((r) => this.waiters.push(r));
  }
  /** Resolves once `channel` has at least `n` readings. */
  async waitFor(channel: string, n: number): Promise<void> {
    while ((this.samples.get(channel)?.tS.length ?? 0) < n) await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves once the child has exited, with how. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => { r({ code, signal }); }));
}

/** `inferprint ARGS` in this process, in `cwd`, with the fake tools first on its PATH and `env` added; output collected. */
export async function cliWithFakeTools(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const { runCli } = await import('../../src/cli/main.js');
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    env: { PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, ...env },
    cwd,
    isTTY: false,
  });
  return { code, out, err };
}
