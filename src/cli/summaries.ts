/**
 * Each command's one-line summary, in the order `inferprint --help` lists the commands: the one
 * place it is written. `inferprint --help` reads it without importing a single command module
 * (commands load lazily: src/cli/main.ts), and `inferprint <command> --help` opens with the same
 * line (`commandHeadline`). A command module does not carry a copy: `Command` has no summary.
 */
export const COMMAND_SUMMARIES = {
  analyze: 'energy, GWP and latency per device × query count from run data',
  measure: 'run any command while sampling power; save the run',
  bench: 'the study campaign: LoadGen + ONNX Runtime BERT, power measured, one bundle per run',
  campaign: 'a plan of bench campaigns run as Slurm job arrays (or here), bundles in one runs directory',
  'serve-model': 'serve a BERT model over the KServe v2 protocol (Triton-compatible), or a synthetic LLM over the OpenAI API, for benchmarks',
  import: 'bring power logs, CodeCarbon files, MLPerf logs, the study dataset or other bundles into the runs store',
  hardware: 'hardware database with embodied footprint and sources',
  runs: 'list, show, remove and export the runs in the runs store',
  sql: 'read-only SQL over the runs store (views runs, manifests, windows, traces, counters, results)',
  report: 'HTML report with figures (SVG, PNG) and the tables behind them',
  advise: 'deployment advisor: fleet size, idle and host power, operational and embodied footprint of users × queries at a latency target',
  serve: 'local dashboard: runs, traces, figures, hardware, live measurements',
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;

/** The commands, in the order of the top-level help. */
export const COMMAND_NAMES = Object.keys(COMMAND_SUMMARIES) as CommandName[];

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMAND_SUMMARIES, name);

/** The first line of `inferprint <name> --help`. */
export const commandHeadline = (name: CommandName): string => `inferprint ${name} — ${COMMAND_SUMMARIES[name]}`;

/** What `inferprint <name> --help` prints: the headline, then the command's own help. */
export const helpText = (name: CommandName, help: string): string => `${commandHeadline(name)}\n\n${help}`;
