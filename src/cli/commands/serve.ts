import { errors } from '../../errors.js';
import { resolveRunsDirFrom } from '../../runs/runs-dir.js';
import { parseFlags } from '../args.js';
import type { CliContext, Command } from '../command.js';

const HELP = `Usage: inferprint serve [--runs-dir DIR] [--host H] [--port P] [--token T]

The local dashboard: browse and filter runs, look at a run's power trace, energy,
impact and MLPerf statistics, compare runs with the report's figures, browse the
hardware database, and watch a measurement in progress. Read-only: it never writes
to the runs directory. Runs until interrupted (Ctrl-C).

Options:
  --runs-dir DIR  runs directory (default: $INFERPRINT_RUNS_DIR, else
                  ~/.local/share/inferprint/runs)
  --host H        address to bind (default 127.0.0.1). Any other than a loopback
                  address needs --token.
  --port P        port (default 8737; 0 picks a free one)
  --token T       require this token on every request (Authorization: Bearer T, or
                  open the printed URL, which carries ?token=T once)

The JSON API the pages use is under /api/ (GET /api lists it).
`;

const DEFAULT_PORT = 8737;
/** After the server closed, how long the process may take to end on its own. */
const SHUTDOWN_GRACE_MS = 3000;

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw errors.usage(`expected a port number 0–65535, got '${raw}'`, '--port');
  return Number(raw);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'local dashboard: runs, traces, figures, hardware, live measurements',
  help: HELP,
  async run(ctx: CliContext): Promise<number> {
    const { values, positionals } = parseFlags(ctx.argv, {
      'runs-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      ctx.stdout(HELP);
      return 0;
    }
    if (positionals.length > 0) throw errors.usage(`serve takes no arguments (got '${positionals.join(' ')}')`);
    const runsDir = resolveRunsDirFrom({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd });
    const port = parsePort(values.port);
    const host = values.host ?? '127.0.0.1';
    if (host.trim() === '') throw errors.usage('give an address', '--host');
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
