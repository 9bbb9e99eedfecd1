/**
 * The measured command as a child that cannot outlive `measure` (ADR 0009).
 *
 * Node cannot ask the kernel to kill a child when its parent dies (`prctl(PR_SET_PDEATHSIG)`
 * needs native code), so a `kill -9` of `measure` used to leave the command running, unmeasured,
 * for as long as it liked. Here:
 *
 * - The command starts in a process group of its own (Node's `detached`: a new session), so
 *   one signal reaches it and everything it started: the escalation of repeated Ctrl-C, and the
 *   guard below.
 * - A guard, `sh` running a few lines, starts beside it, detached too (a Ctrl-C or a kill of
 *   `measure`'s group does not reach it). Its standard input is a pipe whose only writer is
 *   `measure` (Node opens descriptors close-on-exec, so the command does not inherit it). When
 *   the command ends normally `measure` writes `done` and the guard exits. When `measure` dies
 *   in any way, `kill -9` included, the kernel closes the pipe, the guard reads end-of-file and
 *   sends SIGTERM to the command's group, then SIGKILL to what is left after 5 s. No polling, no
 *   pid that could be reused: the pipe is the parent's lifetime.
 * - When standard input is a terminal the command stays in the terminal's foreground group
 *   instead (a process in another session cannot open `/dev/tty`, so password prompts and
 *   interactive tools would break; the terminal's own Ctrl-C reaches it there): the guard then
 *   signals the command's own process only, and its children are reached by the terminal's
 *   signals alone (coreutils `timeout --foreground` makes the same trade).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

/** Seconds between the guard's SIGTERM and its SIGKILL. */
export const GUARD_GRACE_S = 5;

/**
 * The guard: wait for a line or end-of-file on stdin; `done` means the command ended and all is
 * well; anything else means `measure` is gone. `$1` is `-PGID` (a group) or `PID`.
 */
const GUARD_SCRIPT = `read -r line
[ "$line" = done ] && exit 0
kill -s TERM -- "$1" 2>/dev/null || exit 0
i=0
while [ "$i" -lt ${GUARD_GRACE_S} ] && kill -s 0 -- "$1" 2>/dev/null; do sleep 1; i=$((i + 1)); done
kill -s KILL -- "$1" 2>/dev/null
exit 0`;

export interface GuardedSpawnOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdio?: StdioOptions;
  /**
   * Keep the command in this process's group (stdin is a terminal): it can read the terminal,
   * and the guard can reach only its own process. Default: its own group.
   */
  readonly foreground: boolean;
}

export interface GuardedChild {
  readonly child: ChildProcess;
  /** Whether the command leads a process group of its own (signals reach its whole tree). */
  readonly ownGroup: boolean;
  /** Send a signal to the command: its whole group when it has one, else its process. */
  signal(sig: NodeJS.Signals): void;
  /** The command ended: stand the guard down (idempotent). */
  release(): void;
}

/** Spawn `cmd args` with a guard that ends it if this process dies first. */
export function spawnGuarded(cmd: string, args: readonly string[], opts: GuardedSpawnOptions): GuardedChild {
  const ownGroup = !opts.foreground && process.platform !== 'win32';
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: opts.stdio ?? 'inherit', detached: ownGroup });
  let guard: ChildProcess | undefined;
  if (child.pid !== undefined && process.platform !== 'win32') {
    const target = ownGroup ? `-${child.pid}` : String(child.pid);
    guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'inferprint-guard', target], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // Neither the guard nor its pipe keep this process alive; a guard that cannot start is no reason to fail the run.
    guard.on('error', () => undefined);
    guard.stdin?.on('error', () => undefined);
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  let released = false;
  return {
    child,
    ownGroup,
    signal(sig) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (ownGroup) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // The group is gone already: nothing left to signal.
      }
    },
    release() {
      if (released) return;
      released = true;
      if (guard?.stdin && !guard.stdin.destroyed) guard.stdin.end('done\n');
    },
  };
}
