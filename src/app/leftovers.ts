/**
 * Leftovers of writers that died in the runs directory — a killed `measure`'s half-written
 * bundle (`.<id>.tmp-<pid>`), a live file whose writer is gone (`.live/<pid>.jsonl`) — removed
 * at the start of the commands that write there (measure, bench, import), and said in a note.
 * Only what provably belongs to no live process on this host goes (see `cleanStaleTempsDetailed`
 * and `cleanStaleLiveFiles` for the rules). A failure to clean is a note too, never the reason a
 * command fails.
 */
import { relative } from 'node:path';
import { cleanStaleTempsDetailed, type CleanOptions } from '../runs/io/runs-dir.js';
import { cleanStaleLiveFiles } from '../measure/io/live-writer.js';

/** Remove the leftovers in `runsDir`; one note line through `say` when anything went (or failed). Returns the paths removed. */
export async function cleanLeftovers(runsDir: string, say: (line: string) => void, opts: CleanOptions = {}): Promise<string[]> {
  const removed: { path: string; pid: number; what: string }[] = [];
  try {
    for (const r of await cleanStaleTempsDetailed(runsDir, opts)) removed.push({ ...r, what: 'unfinished bundle' });
    for (const r of await cleanStaleLiveFiles(runsDir, opts.isAlive !== undefined ? { isAlive: opts.isAlive } : {})) removed.push({ ...r, what: 'live file' });
  } catch (e) {
    say(`inferprint: note: could not clean leftovers of crashed runs in ${runsDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (removed.length > 0) {
    const list = removed.map((r) => `${relative(runsDir, r.path)} (${r.what}, writer pid ${r.pid} gone)`).join(', ');
    say(`inferprint: note: removed ${removed.length} leftover(s) of crashed runs in ${runsDir}: ${list}`);
  }
  return removed.map((r) => r.path);
}
