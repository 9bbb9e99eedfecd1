import { errors, quote } from '../errors.js';

/**
 * `/proc/stat` CPU time counters (proc(5)): the aggregate `cpu` line holds, in USER_HZ
 * ticks (1/100 s on every mainstream architecture), the time all CPUs together spent in
 * each state since boot:
 *
 *     cpu  user nice system idle iowait irq softirq steal guest guest_nice
 *
 * Pure: text in, numbers out.
 */

export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  /** Time a hypervisor ran something else while this (virtual) CPU wanted to run (Linux ≥ 2.6.11). */
  readonly steal: number;
  /** Time running a guest; already counted in `user` (Linux ≥ 2.6.24). */
  readonly guest: number;
  /** Time running a niced guest; already counted in `nice` (Linux ≥ 2.6.33). */
  readonly guestNice: number;
}

const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;

export interface ProcStat {
  readonly cpu: CpuTimes;
  /** Number of `cpuN` lines: the online logical CPUs. */
  readonly onlineCpus: number;
}

/**
 * Parse `/proc/stat`. The `cpu` line needs at least user, nice, system and idle (every
 * kernel since 2.6 writes more); fields an older kernel does not write are 0, fields a newer
 * one may add after guest_nice are ignored. Any cell that is not a non-negative integer is
 * a PARSE error naming the line and field.
 */
export function parseProcStat(text: string, file = '/proc/stat'): ProcStat {
  let cpu: CpuTimes | undefined;
  let onlineCpus = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('cpu ')) {
      if (cpu !== undefined) throw errors.parse({ file, line: i + 1 }, 'a second aggregate "cpu" line');
      cpu = parseCpuLine(line, file, i + 1);
    } else if (/^cpu\d+ /.test(line)) {
      onlineCpus++;
    }
  }
  if (cpu === undefined) throw errors.parse({ file }, 'no aggregate "cpu" line');
  return { cpu, onlineCpus };
}

function parseCpuLine(line: string, file: string, lineNo: number): CpuTimes {
  const cells = line.trim().split(/\s+/).slice(1);
  if (cells.length < 4) throw errors.truncated({ file, line: lineNo }, `"cpu" line has ${cells.length} fields, expected at least 4 (user nice system idle)`);
  const values: Record<(typeof FIELDS)[number], number> = {
    user: 0,
    nice: 0,
    system: 0,
    idle: 0,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
    guest: 0,
    guestNice: 0,
  };
  FIELDS.forEach((name, k) => {
    const raw = cells[k];
    if (raw === undefined) return;
    if (!/^\d+$/.test(raw)) throw errors.notANumber({ file, line: lineNo, field: name }, raw);
    const v = Number(raw);
    if (!Number.isSafeInteger(v)) throw errors.invalidValue({ file, line: lineNo, field: name }, `tick count ${quote(raw)} is beyond 2^53`);
    values[name] = v;
  });
  return values;
}

/**
 * Ticks of time elapsed, all CPUs together: every state once. `guest` and `guest_nice` are
 * left out because the kernel already counts them in `user` and `nice`.
 */
export function totalTicks(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/**
 * Ticks this machine's CPUs spent doing work: total − idle − iowait − steal. Steal is left
 * out on purpose: it is time the hypervisor gave the physical core to another tenant, so
 * its power is not ours (psutil's `cpu_percent` counts it as busy; on a busy cloud host
 * that would inflate the estimate). Iowait is idle time waiting on a device.
 */
export function busyTicks(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.irq + t.softirq;
}

export type UtilisationResult =
  | { readonly kind: 'ok'; readonly utilisation: number }
  /** No tick elapsed between the two snapshots (read faster than USER_HZ): nothing to say yet. */
  | { readonly kind: 'no-ticks' }
  /** A counter went backwards (a CPU went offline and its counts left the aggregate): start over. */
  | { readonly kind: 'reset' };

/** CPU utilisation in [0, 1] between two snapshots: Δbusy / Δtotal. */
export function cpuUtilisation(prev: CpuTimes, cur: CpuTimes): UtilisationResult {
  for (const f of FIELDS) if (cur[f] < prev[f]) return { kind: 'reset' };
  const dTotal = totalTicks(cur) - totalTicks(prev);
  if (dTotal === 0) return { kind: 'no-ticks' };
  return { kind: 'ok', utilisation: (busyTicks(cur) - busyTicks(prev)) / dTotal };
}
