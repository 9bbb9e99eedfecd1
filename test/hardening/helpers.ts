/**
 * Shared by the hardening tests: bundles written by the real writer, then spoilt on disk the way
 * issue 11 found them (a link, a FIFO, a flipped bit), and the CLI run in a child process, so a
 * command that hangs fails its test (the child is killed) instead of holding the test process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeRunBundle, type WrittenBundle } from '../../src/runs/io/bundle.js';
import { draft, flat, summaryText } from '../store/helpers.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** A fresh directory with links resolved (DuckDB and the checks compare real paths). */
export function tempDir(prefix = 'inferprint-hard-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** A powered bundle with an MLPerf summary: manifest.json, trace.parquet, mlperf_log_summary.txt. */
export async function writeBundle(runsDir: string, label = 'bert a100', startedAt = '2026-11-26T11:42:03.123Z'): Promise<WrittenBundle> {
  return writeRunBundle(runsDir, {
    manifest: draft({ label, startedAt, endedAt: new Date(Date.parse(startedAt) + 1000).toISOString() }),
    trace: [flat('gpu0', 11, 100), flat('board', 11, 150)],
    files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText() }],
  });
}

/** `mkfifo path`; false when the system has no mkfifo (the FIFO tests then skip). */
export function mkfifo(path: string): boolean {
  rmSync(path, { force: true });
  const r = spawnSync('mkfifo', [path]);
  return r.status === 0;
}

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Run each command line through `runCli` in one child process, in order; the child is killed
 * after `limitMs` (a hang fails the test, it does not hold it). Not a timing assertion: the
 * limit is far above what the commands need.
 */
export function cliInChild(commands: readonly (readonly string[])[], opts: { cwd?: string; limitMs?: number } = {}): CliRun[] {
  const script = [
    "import { runCli } from './src/cli/main.ts';",
    'const out = [];',
    'for (const args of JSON.parse(process.argv[1])) {',
    "  let o = ''; let e = '';",
    `  const code = await runCli(args, { stdout: (s) => (o += s), stderr: (s) => (e += s), isTTY: false, env: {}, cwd: ${JSON.stringify(opts.cwd ?? ROOT)} });`,
    '  out.push({ code, out: o, err: e });',
    '}',
    "process.stdout.write(JSON.stringify(out), () => process.exit(0));",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(commands)], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC' },
    encoding: 'utf8',
    timeout: opts.limitMs ?? 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`the CLI did not finish (${r.error.message}): it hangs; stderr: ${r.stderr}`);
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CliRun[];
}
