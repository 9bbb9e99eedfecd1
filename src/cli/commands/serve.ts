import { errors } from '../../errors.js';
import { resolveRunsDirFrom } from '../../runs/io/runs-dir.js';
import type { CliContext, Command } from '../command.js';
import { helpText } from '../summaries.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';

const DEFAULT_PORT = 8737;

export const SERVE_FLAGS = defineFlags({
  'runs-dir': { type: 'string', value: 'DIR', help: ['runs directory (default: $INFERPRINT_RUNS_DIR, else', '~/.local/share/inferprint/runs)'] },
  host: { type: 'string', value: 'H', default: '127.0.0.1', help: ['address to bind (default {default}). Any other than a loopback', 'address needs --token.'], parse: parseHost },
  port: { type: 'string', value: 'P', default: String(DEFAULT_PORT), help: 'port (default {default}; 0 picks a free one)', parse: parsePort },
  // Handled by main; kept so that the command answers it when run on its own.
  help: { type: 'boolean', short: 'h', hidden: true, help: '' },
  token: { type: 'string', value: 'T', help: ['require this token on every request (Authorization: Bearer T, or', 'open the printed URL, which carries ?token=T once)'] },
});

const SPEC = defineCommand({ flags: SERVE_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [0, 0] } });

const HELP = `Usage: inferprint serve [--runs-dir DIR] [--host H] [--port P] [--token T]

The local dashboard: browse and filter runs, look at a run's power trace, energy,
impact and MLPerf statistics, compare runs with the report's figures, browse the
hardware database, and watch a measurement in progress. Read-only: it never writes
to the runs directory. Runs until interrupted (Ctrl-C).

Options:
${optionLines(SERVE_FLAGS, { width: 18 })}

The JSON API the pages use is under /api/ (GET /api lists it).
`;

/** After the server closed, how long the process may take to end on its own. */
const SHUTDOWN_GRACE_MS = 3000;

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw errors.usage(`expected a port number 0–65535, got '${raw}'`, '--port');
  return Number(raw);
}

function parseHost(raw: string): string {
  if (raw.trim() === '') throw errors.usage('give an address', '--host');
  return raw;
}

export const serveCommand: Command = {
  name: 'serve',
  help: HELP,
  spec: SPEC,
  async run(ctx: CliContext): Promise<number> {
    const f = parseCommandFlags(ctx.argv, SERVE_FLAGS);
    const { values, positionals } = f;
    if (values.help === true) {
      ctx.stdout(helpText('serve', HELP));
      return 0;
    }
    if (positionals.length > 0) throw errors.usage(`serve takes no arguments (got '${positionals.join(' ')}')`);
    const runsDir = resolveRunsDirFrom({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const port = f.get('port');
    const host = f.get('host');
    const token = values.token;
    if (token !== undefined && token.length < 16) ctx.stderr('inferprint serve: note: a token shorter than 16 characters is easy to guess\n');

    // Loaded here, so `inferprint --help` never pays for the server.
    const { startDashboard } = await import('../../serve/server.js');
    const dashboard = await startDashboard({ runsDir: runsDir.path, host, port, ...(token !== undefined ? { token } : {}), log: (line) => {
        ctx.stderr(`${line}\n`);
      },
    });
    const shown = token !== undefined ? `${dashboard.url}?token=${encodeURIComponent(token)}` : dashboard.url;
    ctx.stdout(`${shown}\n`);
    ctx.stderr(`inferprint serve: runs from ${runsDir.path} (${runsDir.source}); Ctrl-C to stop\n`);

    // SIGINT (Ctrl-C) or SIGTERM stops the server: no new connection, answers in flight get a
    // moment, then every connection is cut (Dashboard.close). The listeners go at the first
    // signal, so a second one ends the process at once, by the signal's default action.
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(sig);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await dashboard.close();
    // Nothing of the server is left to keep the process alive, so it ends on its own. Should
    // something else still hold it (a read stuck on a hung file system keeps a file-I/O thread
    // busy for good), the signal is raised again with its default action: a stopped server
    // always ends. The timer does not itself keep the process alive.
    setTimeout(() => {
      process.kill(process.pid, signal);
    }, SHUTDOWN_GRACE_MS).unref();
    return 0;
  },
};
