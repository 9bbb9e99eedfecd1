import { escapeControl, isInferprintError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { CliContext, Command } from './command.js';
import { COMMAND_NAMES, COMMAND_SUMMARIES, helpText, isCommandName, type CommandName } from './summaries.js';

/**
 * Commands load lazily: `inferprint hardware list` never pays for the analysis stack, and
 * `inferprint --help` loads no command at all (the summaries are a static table: summaries.ts).
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  analyze: async () => (await import('./commands/analyze.js')).analyzeCommand,
  measure: async () => (await import('./commands/measure.js')).measureCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  campaign: async () => (await import('./commands/campaign.js')).campaignCommand,
  'serve-model': async () => (await import('./commands/serve-model.js')).serveModelCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  hardware: async () => (await import('./commands/hardware.js')).hardwareCommand,
  runs: async () => (await import('./commands/runs.js')).runsCommand,
  sql: async () => (await import('./commands/sql.js')).sqlCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  advise: async () => (await import('./commands/advise.js')).adviseCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
};

/** The command of that name, loaded (undefined when there is none): the docs' check parses with its spec. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return isCommandName(name) ? COMMANDS[name]() : undefined;
}

function usage(): string {
  const width = Math.max(...COMMAND_NAMES.map((k) => k.length));
  const lines = COMMAND_NAMES.map((k) => `  ${k.padEnd(width)}  ${COMMAND_SUMMARIES[k]}`);
  return [
    `${TOOL_NAME} ${TOOL_VERSION} — environmental footprint of AI inference`,
    '',
    'Usage: inferprint <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options: --help, --version, --debug (stack traces on errors)',
    "Run 'inferprint <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export interface CliIo {
  readonly stdout?: (s: string) => void;
  readonly stderr?: (s: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly isTTY?: boolean;
  /** Whether stderr is a terminal: the progress bar is drawn there, so it decides. */
  readonly stderrIsTTY?: boolean;
}

/**
 * Run the CLI and return the exit code: 0 success, 1 handled error (one line naming the
 * file/line/flag at fault), 2 bad usage. No stack trace unless --debug.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? ((s: string) => void process.stdout.write(s));
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const isTTY = io.isTTY ?? process.stdout.isTTY;
  const stderrIsTTY = io.stderrIsTTY ?? (io.stderr ? false : process.stderr.isTTY);
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;

  if (name === undefined) {
    stderr(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    stdout(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    stdout(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (!isCommandName(name)) {
    stderr(`inferprint: unknown command '${escapeControl(name)}'\n\n${usage()}`);
    return 2;
  }
  const ctx: CliContext = {
    argv: rest,
    env,
    cwd: io.cwd ?? process.cwd(),
    stdout,
    stderr,
    isTTY,
    stderrIsTTY,
    color: isTTY && env.NO_COLOR === undefined,
    debug,
  };
  try {
    const command = await COMMANDS[name]();
    if (rest.includes('--help') || rest.includes('-h')) {
      stdout(helpText(name, command.help));
      return 0;
    }
    return await command.run(ctx);
  } catch (e) {
    // Messages carry text from input (a header cell, a file name): control characters are
    // escaped once more here, the last step before the terminal, whatever built the message.
    if (isInferprintError(e)) {
      stderr(`inferprint ${name}: ${escapeControl(e.message)}\n`);
      if (debug && e.stack) stderr(`${escapeControl(e.stack).replace(/\\u000a/g, '\n')}\n`);
      return e.exitCode;
    }
    // Anything else is a bug: say so, and keep the trace behind --debug.
    const msg = e instanceof Error ? e.message : String(e);
    stderr(`inferprint ${name}: internal error: ${escapeControl(msg.replace(/\s*\n\s*/g, ' '))} [INTERNAL] (rerun with --debug for a stack trace)\n`);
    if (debug && e instanceof Error && e.stack) stderr(`${escapeControl(e.stack).replace(/\\u000a/g, '\n')}\n`);
    return 1;
  }
}
