// A minimal Server-Sent Events client for tests: collects events and waits for conditions.
import { request, type ClientRequest } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface SseClient {
  readonly events: SseEvent[];
  readonly status: Promise<number>;
  /** Resolves with the first event list state satisfying `pred`; rejects after `timeoutMs` (a hang guard, not a timing assertion). */
  waitFor(pred: (events: readonly SseEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export function openSse(base: string, path: string, headers: Record<string, string> = {}): SseClient {
  const u = new URL(base);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let resolveStatus: (n: number) => void = () => undefined;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const req: ClientRequest = request({ host: u.hostname, port: u.port, path, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) as unknown });
      }
      for (const w of waiters) w();
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    events,
    status,
    waitFor(pred, what, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pred(events)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} after ${timeoutMs} ms; events: ${JSON.stringify(events).slice(0, 2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      req.destroy();
    },
  };
}
