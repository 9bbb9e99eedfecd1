import { errors, isInferprintError } from '../../errors.js';
import { parsePidStat, treeTicksOf, type PidStat } from '../parse-proc-pid-stat.js';
import { hostPath, listSysDir, readSysText, type SysfsReader } from './sysfs.js';
import type { ProcessTreeTarget } from '../types.js';

/**
 * The CPU time of a process tree, read from `/proc`: the root and every live descendant,
 * each counting its own time (`utime + stime`) and its reaped children's (`cutime +
 * cstime`), so members that exited and were waited for are still counted — through their
 * parent. The root's own time counts only when `includeRoot` (a harness measuring itself);
 * `measure` counts its descendants only (the command), not its own sampling.
 *
 * Descendants are found through `/proc/<pid>/task/<tid>/children` (one small read per
 * thread of each member: cheap enough for 10 ms polling); on a kernel without that file
 * (CONFIG_PROC_CHILDREN off) through a scan of every `/proc/<pid>/stat` for parent links.
 * proc(5) warns that `children` can miss a process forked or exiting during the read: a
 * miss makes the total dip for one tick, which the estimator's never-decreasing count
 * absorbs.
 */

export interface TreeSnapshot {
  /** USER_HZ ticks of CPU time of the tree since its members started (root's own only if included). */
  readonly ticks: number;
  /** Processes found alive in the tree, the root included. */
  readonly members: number;
}

export type TreeWalk = 'children' | 'scan';

const isNotFound = (e: unknown): boolean => isInferprintError(e) && e.code === 'NOT_FOUND';

export class ProcessTreeReader {
  private walk: TreeWalk | undefined;
  /** Scan mode: every stat this snapshot's scan read, so that no member's is read twice. */
  private scanned = new Map<number, PidStat>();

  constructor(
    private readonly reader: SysfsReader,
    private readonly root: string,
    readonly target: ProcessTreeTarget,
  ) {}

  /** How descendants are found: decided on the first read. */
  get how(): TreeWalk | undefined {
    return this.walk;
  }

  /** One snapshot. The root must exist (NOT_FOUND naming its stat file otherwise); descendants that vanish mid-read are skipped. */
  async read(): Promise<TreeSnapshot> {
    const rootStat = await this.stat(this.target.rootPid, true);
    if (rootStat === undefined) throw errors.internal('root process stat missing'); // stat(…, true) throws instead
    this.scanned.clear();
    let ticks = treeTicksOf(rootStat, this.target.includeRoot);
    let members = 1;
    const seen = new Set<number>([this.target.rootPid]);
    const queue = await this.childrenOf([this.target.rootPid]);
    while (queue.length > 0) {
      const pid = queue.shift()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const s = this.scanned.get(pid) ?? (await this.stat(pid, false));
      if (s === undefined) continue; // exited between listing and reading: its time moves to its parent's cutime
      ticks += treeTicksOf(s);
      members++;
      if (this.walk === 'children') queue.push(...(await this.childrenOf([pid])));
    }
    return { ticks, members };
  }

  private async stat(pid: number, required: boolean): Promise<PidStat | undefined> {
    const file = hostPath(this.root, `/proc/${pid}/stat`);
    try {
      return parsePidStat(await readSysText(this.reader, file, { what: `process ${pid}` }), file);
    } catch (e) {
      if (!required && isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * Children of `pids`. In `children` mode, those of each pid; in `scan` mode, every
   * descendant of the root at once (the BFS then has nothing more to expand).
   */
  private async childrenOf(pids: readonly number[]): Promise<number[]> {
    if (this.walk === undefined) {
      const probe = hostPath(this.root, `/proc/${this.target.rootPid}/task/${this.target.rootPid}/children`);
      try {
        await readSysText(this.reader, probe);
        this.walk = 'children';
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.walk = 'scan';
      }
    }
    if (this.walk === 'scan') return this.scanDescendants();
    const out: number[] = [];
    for (const pid of pids) {
      for (const tid of await listSysDir(this.reader, hostPath(this.root, `/proc/${pid}/task`))) {
        let text: string;
        try {
          text = await readSysText(this.reader, hostPath(this.root, `/proc/${pid}/task/${tid}/children`));
        } catch (e) {
          if (isNotFound(e)) continue; // the thread ended
          throw e;
        }
        for (const c of text.trim().split(/\s+/)) if (/^\d+$/.test(c)) out.push(Number(c));
      }
    }
    return out;
  }

  /** Every live descendant of the root, from the parent links of all `/proc/<pid>/stat`. */
  private async scanDescendants(): Promise<number[]> {
    const byParent = new Map<number, number[]>();
    for (const name of await listSysDir(this.reader, hostPath(this.root, '/proc'))) {
      if (!/^\d+$/.test(name)) continue;
      const s = await this.stat(Number(name), false).catch((e: unknown) => {
        // A process may be gone, or its stat unreadable (hidepid): either way it is not ours to count.
        if (isInferprintError(e)) return undefined;
        throw e;
      });
      if (s === undefined) continue;
      this.scanned.set(s.pid, s);
      const list = byParent.get(s.ppid) ?? [];
      list.push(s.pid);
      byParent.set(s.ppid, list);
    }
    const out: number[] = [];
    const stack = [...(byParent.get(this.target.rootPid) ?? [])];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      out.push(pid);
      stack.push(...(byParent.get(pid) ?? []));
    }
    return out;
  }
}
