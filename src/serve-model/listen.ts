/**
 * Binding a model server (KServe's and the OpenAI one): listen on `host:port` and say a bind
 * that fails in the user's terms (a port in use, an address this machine does not have, a
 * privileged port) against the flag to change. The caller releases what it opened first.
 */
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from '../errors.js';

export interface Listening {
  /** `http://host:port`, an IPv6 address in brackets. */
  readonly url: string;
  /** The address bound (`0.0.0.0` or `::` when every interface). */
  readonly host: string;
  readonly port: number;
}

export async function listen(server: http.Server, host: string, port: number): Promise<Listening> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if (code === 'EADDRINUSE') throw errors.usage(`port ${port} on ${host} is already in use`, '--port');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw errors.usage(`cannot listen on ${host}: no such local address`, '--host');
    if (code === 'EACCES') throw errors.usage(`not allowed to listen on port ${port} (ports below 1024 need privileges)`, '--port');
    throw errors.io(`${host}:${port}`, e);
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shownHost}:${address.port}`, host: address.address, port: address.port };
}
