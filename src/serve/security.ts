/**
 * The dashboard's guards: the `Host` header's name, the token check, and keeping every path a
 * request names inside the runs directory. Which hosts count as loopback is `../loopback.ts`,
 * shared with serve-model and bench.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isSafeName } from '../runs/manifest.js';

/**
 * The host part of a `Host` header (`127.0.0.1:8080`, `[::1]:80`, `localhost`), or undefined
 * when the header is malformed.
 */
export function hostOfHeader(header: string): string | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header.trim());
  return m ? m[1] : undefined;
}

/** Token comparison in constant time: both sides are hashed first, so lengths never leak either. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer T`, else `?token=T`, else the session cookie. */
export function tokenOfRequest(headers: { readonly authorization?: string | undefined; readonly cookie?: string | undefined }, query: URLSearchParams, cookieName: string): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : '';
  }
  const q = query.get('token');
  if (q !== null) return q;
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return '';
      }
    }
  }
  return undefined;
}

/** A run id as bundles are named: a plain name (letters, digits, `. _ + -`, no leading dot). */
export function isRunId(id: string): boolean {
  return isSafeName(id);
}

/** Why a path was refused; the caller turns it into a 404. */
export class OutsideRunsDir extends Error {
  override readonly name = 'OutsideRunsDir';
}

/**
 * The real path of bundle `id` when it is a directory directly inside the runs directory (not a
 * symbolic link, not elsewhere). Throws OutsideRunsDir otherwise; ENOENT propagates.
 */
export async function bundleRealPath(runsDirReal: string, id: string): Promise<string> {
  if (!isRunId(id)) throw new OutsideRunsDir(`invalid run id ${JSON.stringify(id)}`);
  const path = join(runsDirReal, id);
  const st = await lstat(path);
  if (st.isSymbolicLink()) throw new OutsideRunsDir(`run ${id} is a symbolic link`);
  if (!st.isDirectory()) throw new OutsideRunsDir(`run ${id} is not a directory`);
  const real = await realpath(path);
  if (real !== path) throw new OutsideRunsDir(`run ${id} resolves outside the runs directory`);
  return real;
}

/**
 * `name` inside bundle directory `bundleReal`, refusing names with separators and files whose
 * real path (after following links) leaves the bundle. ENOENT propagates.
 */
export async function fileInBundle(bundleReal: string, name: string): Promise<string> {
  if (!isSafeName(name)) throw new OutsideRunsDir(`invalid file name ${JSON.stringify(name)}`);
  const real = await realpath(join(bundleReal, name));
  if (!real.startsWith(bundleReal + sep)) throw new OutsideRunsDir(`file ${name} resolves outside its bundle`);
  return real;
}
