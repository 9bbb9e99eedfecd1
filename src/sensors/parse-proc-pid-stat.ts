import { errors, quote } from '../errors.js';

/**
 * `/proc/<pid>/stat` (proc(5)): one line, `pid (comm) state ppid ... utime stime cutime
 * cstime ... starttime ...`. The times are in USER_HZ ticks (1/100 s), like `/proc/stat`:
 *
 * - `utime`, `stime` (fields 14, 15): CPU time of the process itself, all its threads;
 * - `cutime`, `cstime` (16, 17): CPU time of its children that have exited *and been waited
 *   for*, their own waited-for children included — so a process tree's CPU time survives
 *   its members exiting, as long as their parents reap them.
 *
 * `comm` may hold spaces and parentheses: fields are counted after the last `)`. Pure.
 */

export interface PidStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
  /** Start time after boot, in ticks: with `pid`, it tells a process from a later one that reused its pid. */
  readonly starttime: number;
}

/** Fields after `comm`, 0-based: state is field 3 of proc(5), so field n is at n − 3. */
const AT = { state: 0, ppid: 1, utime: 11, stime: 12, cutime: 13, cstime: 14, starttime: 19 } as const;

export function parsePidStat(text: string, file = '/proc/<pid>/stat'): PidStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw errors.parse({ file }, 'no "(comm)" field');
  const pidRaw = text.slice(0, open).trim();
  if (!/^\d+$/.test(pidRaw)) throw errors.notANumber({ file, field: 'pid' }, pidRaw);
  const rest = text.slice(close + 1).trim().split(/\s+/);
  if (rest.length <= AT.starttime) throw errors.truncated({ file }, `${rest.length + 2} fields, expected at least ${AT.starttime + 3}`);
  const int = (name: keyof typeof AT): number => {
    const raw = rest[AT[name]]!;
    // cutime/cstime are signed in the kernel's format; a negative value never occurs for them in practice.
    if (!/^-?\d+$/.test(raw)) throw errors.notANumber({ file, field: name }, raw);
    const v = Number(raw);
    if (!Number.isSafeInteger(v)) throw errors.invalidValue({ file, field: name }, `${quote(raw)} is beyond 2^53`);
    return v;
  };
  return {
    pid: Number(pidRaw),
    comm: text.slice(open + 1, close),
    state: rest[AT.state]!,
    ppid: int('ppid'),
    utime: int('utime'),
    stime: int('stime'),
    cutime: int('cutime'),
    cstime: int('cstime'),
    starttime: int('starttime'),
  };
}

/** Ticks of CPU time this process accounts for: its own and its reaped children's. */
export function treeTicksOf(s: PidStat, includeOwn = true): number {
  return (includeOwn ? s.utime + s.stime : 0) + s.cutime + s.cstime;
}
