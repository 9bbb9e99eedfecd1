/**
 * One process at a time runs a campaign. Two `bench --resume` of one campaign would each run the
 * runs the other has not finished yet, and the campaign would end with more bundles than planned.
 *
 * The lock is a file `<campaigns dir>/<id>.lock`, created with `open(…, 'wx')` (O_CREAT|O_EXCL:
 * atomic, also on NFS v3+), holding the holder's pid, host and start time. It is removed on every
 * way out the process controls (success, error, Ctrl-C: `releaseSync` is for a signal handler that
 * is about to end the process). A process killed outright leaves it behind: a lock whose pid is
 * not alive on this host is stale, and is taken over with a note. A lock from another host cannot
 * be checked from here, so it is refused with the command that removes it.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errnoCode } from '../io/fs-errors.js';
import { errors } from '../errors.js';

export const LOCK_SCHEMA = 'inferprint.campaign-lock/1';

export interface LockHolder {
  readonly schema: typeof LOCK_SCHEMA;
  readonly campaignId: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export interface CampaignLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Remove the lock if it is still this process's. Safe to call more than once. */
  release(): Promise<void>;
  /** The same, synchronously: for a signal handler about to end the process. */
  releaseSync(): void;
}

export interface LockEnv {
  readonly pid: number;
  readonly host: string;
  readonly now: () => Date;
  /** Whether a process of this host is alive (default: `process.kill(pid, 0)`). */
  readonly isAlive: (pid: number) => boolean;
}

export function defaultLockEnv(): LockEnv {
  return { pid: process.pid, host: hostname(), now: () => new Date(), isAlive: pidAlive };
}

/** `kill(pid, 0)`: no signal sent, only the check. EPERM means it exists but is someone else's. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

export const lockPath = (campaignsDir: string, id: string): string => join(campaignsDir, `${id}.lock`);

/**
 * Take the campaign's lock, or fail with a one-line error naming its holder. A stale lock (its pid
 * not alive on this host) is taken over and `onNote` says so.
 */
export async function acquireCampaignLock(campaignsDir: string, id: string, opts: { readonly onNote?: (line: string) => void; readonly env?: LockEnv } = {}): Promise<CampaignLock> {
  const env = opts.env ?? defaultLockEnv();
  const path = lockPath(campaignsDir, id);
  const holder: LockHolder = { schema: LOCK_SCHEMA, campaignId: id, pid: env.pid, host: env.host, startedAt: env.now().toISOString() };
  const text = `${JSON.stringify(holder)}\n`;
  try {
    await mkdir(campaignsDir, { recursive: true });
  } catch (e) {
    throw errors.io(campaignsDir, e);
  }
  // Two tries: the second after taking over a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      return lockHandle(path, holder, text);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw errors.io(path, e);
    }
    const seen = await readHolder(path);
    if (seen === 'gone') continue; // released between our open and our read
    if (seen === 'unreadable') throw errors.locked(path, `campaign ${id} has a lock file that is not inferprint's (or is being written); if no bench runs it, remove it: rm ${path}`);
    if (seen.holder.host !== env.host) {
      throw errors.locked(path, `campaign ${id} is being run by pid ${seen.holder.pid} on ${seen.holder.host} since ${seen.holder.startedAt}; if that process is gone, remove the lock: rm ${path}`);
    }
    if (seen.holder.pid === env.pid || env.isAlive(seen.holder.pid)) {
      throw errors.locked(path, `campaign ${id} is being run by pid ${seen.holder.pid} on ${seen.holder.host} since ${seen.holder.startedAt}; wait for it or stop it (kill -INT ${seen.holder.pid})`);
    }
    await takeOver(path, seen.text);
    opts.onNote?.(`inferprint bench: took over the stale lock of campaign ${id} (pid ${seen.holder.pid} on ${seen.holder.host}, since ${seen.holder.startedAt}, is no longer running)`);
  }
  throw errors.locked(path, `campaign ${id}: another process took its lock while a stale one was being replaced; try again`);
}

async function readHolder(path: string): Promise<{ holder: LockHolder; text: string } | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 'gone';
    throw errors.io(path, e);
  }
  try {
    const j = JSON.parse(text) as Partial<LockHolder>;
    if (j.schema === LOCK_SCHEMA && typeof j.pid === 'number' && typeof j.host === 'string' && typeof j.startedAt === 'string' && typeof j.campaignId === 'string') return { holder: j as LockHolder, text };
  } catch {
    // falls through: not a lock this tool wrote (or one caught half-written)
  }
  return 'unreadable';
}

/**
 * Move the stale lock aside (rename is atomic), then check that what moved is the stale lock seen.
 * If another process replaced it in between, its fresh lock is put back (`link` fails if a third
 * one exists meanwhile: then that one stands) and this process refuses.
 */
async function takeOver(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return; // someone else removed it: try to create ours
    throw errors.io(path, e);
  }
  let moved: string;
  try {
    moved = await readFile(aside, 'utf8');
  } catch (e) {
    throw errors.io(aside, e);
  }
  if (moved !== staleText) {
    try {
      await link(aside, path);
    } catch {
      // a third lock is there now: it stands
    }
    await unlink(aside).catch(() => undefined);
    throw errors.locked(path, 'another process took over the same stale lock at the same moment; try again');
  }
  await unlink(aside).catch(() => undefined);
}

function lockHandle(path: string, holder: LockHolder, text: string): CampaignLock {
  let released = false;
  // Only this process's own lock is removed: a lock file another process wrote since (after this
  // one was removed by hand, say) is left alone.
  const mine = (read: () => string): boolean => {
    try {
      return read() === text;
    } catch {
      return false;
    }
  };
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      let current: string;
      try {
        current = await readFile(path, 'utf8');
      } catch {
        return;
      }
      if (current === text) await unlink(path).catch(() => undefined);
    },
    releaseSync() {
      if (released) return;
      released = true;
      if (mine(() => readFileSync(path, 'utf8'))) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
