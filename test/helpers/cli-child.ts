/** The CLI in a child process of its own, run from the sources through tsx (as the tests run them). */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

const REPO = resolve(import.meta.dirname, '..', '..');

/** `node` arguments that run `runCli(process.argv.slice(1))`: append the command line after them. */
export const CLI_NODE_ARGS: readonly string[] = ['--import', 'tsx', '--input-type=module', '-e', "import { runCli } from './src/cli/main.ts'; process.exitCode = await runCli(process.argv.slice(1));"];

export interface CliChild {
  readonly proc: ChildProcessByStdio<null, Readable, Readable>;
  /** What the child wrote to stderr so far. */
  readonly stderr: () => string;
  /** Settles when the child exits (created at the spawn, so an early exit is not missed). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `inferprint <argv>` in a child process, in the repository's root, stdout and stderr piped. */
export function spawnCli(argv: readonly string[]): CliChild {
  const proc = spawn(process.execPath, [...CLI_NODE_ARGS, ...argv], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    proc.on('exit', (code, signal) => {
      done({ code, signal });
    });
  });
  return { proc, stderr: () => err, exited };
}

/** The URL an `inferprint serve` child prints once it listens; rejects if it exits first. */
export function servedUrl(child: CliChild): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    void child.exited.then(({ code }) => {
      reject(new Error(`exited ${code} before listening: ${child.stderr()}`));
    });
  });
}
