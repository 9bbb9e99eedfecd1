import type { CommandSpec } from './spec.js';
import type { CommandName } from './summaries.js';

/**
 * The CLI is a thin layer: each command parses its flags into typed options, calls the
 * library, and renders the result. Commands never exit the process; they return or throw
 * an InferprintError, and `main` maps that to an exit code.
 */
export interface CliContext {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is a terminal: colour only then. */
  readonly isTTY: boolean;
  /** True when stderr is a terminal: progress bars are redrawn in place only then. */
  readonly stderrIsTTY: boolean;
  /** False when NO_COLOR is set or stdout is not a terminal. */
  readonly color: boolean;
  /** The global --debug was given (main removes it from `argv`): commands may say more. */
  readonly debug?: boolean;
}

export interface Command {
  readonly name: CommandName;
  /** Printed after the command's headline (its summary, from summaries.ts: the one place it is written). */
  readonly help: string;
  /** The command's flags and arguments, as one table: its parser, its --help option list and the docs' check (test/cli/docs-commands.test.ts). */
  readonly spec: CommandSpec;
  run(ctx: CliContext): Promise<number>;
}

/** The global --debug in a command's option list, its description from `width` on (main handles the flag). */
export function debugLine(width: number): string {
  return `${'  --debug'.padEnd(width)}stack traces on errors`;
}

export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];
