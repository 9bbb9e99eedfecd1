// Issue 11, items 4 and 9, for the dashboard: a FIFO in a bundle no longer takes the server down
// (six trace requests used to exhaust the file-I/O pool for good), SIGTERM ends it, `Host` is
// checked strictly (no `*.localhost`, not two of them), and a connection cannot be held open by
// sending headers slowly, nor can connections pile up without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { startDashboard, type Dashboard } from '../../src/serve/server.js';
import { getJson, rawRequest } from '../serve/helpers.js';
import { servedUrl, spawnCli } from '../helpers/cli-child.js';
import { mkfifo, tempDir, writeBundle } from './helpers.js';

async function fixture(): Promise<{ root: string; runsDir: string; good: string; fifoTrace: string; fifoManifest: string; linked: string; fifos: boolean }> {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const good = await writeBundle(runsDir, 'good', '2026-11-26T09:00:00.000Z');
  const t = await writeBundle(runsDir, 'fifo trace', '2026-11-26T10:00:00.000Z');
  const m = await writeBundle(runsDir, 'fifo manifest', '2026-11-26T11:00:00.000Z');
  const l = await writeBundle(runsDir, 'linked summary', '2026-11-26T12:00:00.000Z');
  const fifos = mkfifo(join(t.path, 'trace.parquet')) && mkfifo(join(m.path, 'manifest.json'));
  writeFileSync(join(root, 'secret'), 'SECRET-LINE-FROM-OUTSIDE\n');
  rmSync(join(l.path, 'mlperf_log_summary.txt'));
  symlinkSync(join(root, 'secret'), join(l.path, 'mlperf_log_summary.txt'));
  return { root, runsDir, good: good.id, fifoTrace: t.id, fifoManifest: m.id, linked: l.id, fifos };
}

/** Send raw bytes on a new connection; resolves with everything received once the server closes it. */
function rawExchange(port: number, bytes: string, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(bytes);
      if (opts.end === true) s.end();
    });
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString()));
    s.on('close', () => {
      resolve(got);
    });
    s.on('error', reject);
  });
}

test('a FIFO in a bundle: trace requests answer 422 and the server keeps answering /api/runs', { timeout: 120_000 }, async (t) => {
  const fx = await fixture();
  if (!fx.fifos) {
    t.skip('mkfifo is not available here');
    return;
  }
  const d = await startDashboard({ runsDir: fx.runsDir, log: () => undefined });
  try {
    const traces = await Promise.all(Array.from({ length: 8 }, () => getJson<{ error: string }>(d.url, `/api/runs/${fx.fifoTrace}/trace`)));
    for (const r of traces) {
      assert.equal(r.status, 422);
      assert.match(r.body.error, /trace\.parquet: run trace is a FIFO \(named pipe\), not a regular file/);
    }
    const runs = await getJson<{ total: number; skipped: { id: string; error: string }[] }>(d.url, '/api/runs');
    assert.equal(runs.status, 200);
    // The listing is the store's (src/runs/io/scan.ts), as `runs list` has it: every bundle holding
    // a file that is not a plain one is skipped with its reason; the good one is listed.
    assert.equal(runs.body.total, 1);
    const reasons = new Map(runs.body.skipped.map((s) => [s.id, s.error]));
    assert.deepEqual([...reasons.keys()], [fx.fifoTrace, fx.fifoManifest, fx.linked]);
    assert.match(reasons.get(fx.fifoManifest)!, /manifest\.json: run manifest is a FIFO/);
    assert.match(reasons.get(fx.fifoTrace)!, /trace\.parquet: run trace is a FIFO/);
    assert.match(reasons.get(fx.linked)!, /mlperf_log_summary\.txt: .*symbolic link/);
    const one = await getJson<{ error: string }>(d.url, `/api/runs/${fx.fifoManifest}`);
    assert.equal(one.status, 422);
    // And still answering.
    assert.equal((await getJson(d.url, `/api/runs/${fx.good}/trace`)).status, 200);
  } finally {
    await d.close();
    rmSync(fx.root, { recursive: true, force: true });
  }
});

test('a summary linked out of its bundle is not read by the dashboard', async () => {
  const fx = await fixture();
  const d = await startDashboard({ runsDir: fx.runsDir, log: () => undefined });
  try {
    const r = await rawRequest(d.url, `/api/runs/${fx.linked}`);
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.body, /SECRET-LINE/);
    const body = JSON.parse(r.body) as { mlperf: { error?: string } };
    assert.match(body.mlperf.error ?? '', /symbolic link|outside its bundle/);
  } finally {
    await d.close();
    rmSync(fx.root, { recursive: true, force: true });
  }
});

test('Host: only loopback names; evil.localhost and two Host headers are refused', async () => {
  const root = tempDir();
  const d = await startDashboard({ runsDir: join(root, 'runs'), log: () => undefined });
  try {
    assert.equal((await rawRequest(d.url, '/api/info', { headers: { Host: `localhost:${d.port}` } })).status, 200);
    const evil = await rawRequest(d.url, '/api/info', { headers: { Host: `evil.localhost:${d.port}` } });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /not a loopback name/);
    const two = await rawExchange(d.port, `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nHost: evil.example:${d.port}\r\nConnection: close\r\n\r\n`);
    assert.match(two, /^HTTP\/1\.1 400 /);
    assert.match(two, /more than one Host header/);
    const twoSwapped = await rawExchange(d.port, `GET /api/info HTTP/1.1\r\nHost: evil.example:${d.port}\r\nHost: 127.0.0.1:${d.port}\r\nConnection: close\r\n\r\n`);
    assert.match(twoSwapped, /^HTTP\/1\.1 400 /);
  } finally {
    await d.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a client that never finishes its headers is cut off (408), not held for minutes', { timeout: 60_000 }, async () => {
  const root = tempDir();
  // A short limit so the test ends soon; the default is 5 s. The outcome is asserted, not the time.
  const d = await startDashboard({ runsDir: join(root, 'runs'), log: () => undefined, headersTimeoutMs: 300 });
  try {
    const got = await rawExchange(d.port, `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nX-Slow: `);
    assert.match(got, /^HTTP\/1\.1 408 /);
  } finally {
    await d.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('connections are capped: one over the limit is refused, the others are served', { timeout: 60_000 }, async () => {
  const root = tempDir();
  const d: Dashboard = await startDashboard({ runsDir: join(root, 'runs'), log: () => undefined, maxConnections: 2 });
  const open: Socket[] = [];
  try {
    // Two kept-alive connections, each known to the server (it has answered on it).
    for (let i = 0; i < 2; i++) {
      const s = connect(d.port, '127.0.0.1');
      open.push(s);
      await new Promise<void>((resolve, reject) => {
        let got = '';
        s.on('data', (c: Buffer) => {
          got += c.toString();
          if (/\r\n\r\n[\s\S]*\}$/.test(got)) resolve();
        });
        s.on('error', reject);
        s.write(`GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\n\r\n`);
      });
    }
    const third = await rawExchange(d.port, `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nConnection: close\r\n\r\n`);
    assert.equal(third, '', 'the connection over the cap is closed without an answer');
    for (const s of open) s.destroy();
    open.length = 0;
    // Once those are gone the server answers again (the server may take a moment to see them close).
    for (;;) {
      const again = await rawExchange(d.port, `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nConnection: close\r\n\r\n`);
      if (again !== '') {
        assert.match(again, /^HTTP\/1\.1 200 /);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    for (const s of open) s.destroy();
    await d.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('SIGTERM ends a server process, also after trace requests to a FIFO bundle', { timeout: 120_000 }, async () => {
  const fx = await fixture();
  const child = spawnCli(['serve', '--port', '0', '--runs-dir', fx.runsDir]);
  try {
    const url = await servedUrl(child);
    if (fx.fifos) await Promise.all(Array.from({ length: 6 }, () => rawRequest(url, `/api/runs/${fx.fifoTrace}/trace`)));
    assert.equal((await getJson(url, '/api/runs')).status, 200);
    child.proc.kill('SIGTERM');
    const end = await child.exited;
    assert.deepEqual(end, { code: 0, signal: null }, child.stderr());
  } finally {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    rmSync(fx.root, { recursive: true, force: true });
  }
});
