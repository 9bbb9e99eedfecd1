import type { CliContext } from './command.js';

/** `1m05s`, `42s`: short enough for a progress line. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress for long work: a bar redrawn in place when stderr is a terminal, plain occasional
 * lines otherwise, nothing when there is little to do. Always on stderr, so stdout stays clean
 * for CSV/JSON. The ETA assumes the remaining items take as long as the finished ones did.
 */
export function progressReporter(ctx: CliContext, label: string, now: () => number = () => performance.now() / 1000) {
  let lastLine = -1;
  let drew = false;
  const t0 = now();
  const eta = (done: number, total: number): string => (done > 0 && done < total ? ` ETA ${formatEta(((now() - t0) / done) * (total - done))}` : '');
  return {
    update: (done: number, total: number, what: string): void => {
      if (total < 2) return;
      if (ctx.stderrIsTTY) {
        const width = 24;
        const filled = Math.round((done / total) * width);
        ctx.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${eta(done, total)} ${what}`.padEnd(80).slice(0, 110));
        drew = true;
      } else {
        // Plain lines at 0 %, each quarter and the end: enough for CI logs, not a flood.
        const quarter = Math.floor((done / total) * 4);
        if (quarter !== lastLine) {
          lastLine = quarter;
          ctx.stderr(`${label}: ${done}/${total}${eta(done, total)} ${what}\n`);
        }
      }
    },
    done: (): void => {
      if (drew) ctx.stderr('\n');
    },
  };
}
