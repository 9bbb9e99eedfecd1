/**
 * Which host names and addresses are this machine: one rule for the dashboard (`serve`), the
 * model servers (`serve-model`) and the LLM bench (`app/bench-llm.ts`), which may not import one
 * another. Pure (no `node:net`): the address forms are matched here as Node's `isIP` reads them.
 */

/** One IPv4 number, 0 to 255, without a leading zero (as `isIP` requires: `010` is not one). */
const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
/** An IPv4-mapped IPv6 address written with its IPv4 part (`::ffff:127.0.0.1`), a zone allowed. */
const MAPPED_V4 = /^::ffff:([0-9.]+)(?:%[0-9a-z.:-]+)?$/;

/**
 * True for addresses and names that reach this machine only: 127.0.0.0/8, ::1 (also written
 * `0:0:0:0:0:0:0:1`, or `::ffff:127.x.y.z`), `localhost` itself (with or without its final dot),
 * in brackets or not, in any case. Subdomains such as `evil.localhost` are not: they resolve to
 * this machine too, but are other origins to a browser, so a page served under one (another
 * local web server) must not be able to read the dashboard. The unspecified addresses
 * (`0.0.0.0`, `::`) are not either: a server bound there answers every network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === 'localhost.') return true;
  if (IPV4.test(h)) return h.startsWith('127.');
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const mapped = MAPPED_V4.exec(h);
  return mapped !== null && IPV4.test(mapped[1]!) && mapped[1]!.startsWith('127.');
}

/** The addresses that mean "every interface" when bound (`0.0.0.0`, `::`, `[::]`), and this machine when connected to. */
export function isUnspecifiedAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * Whether a client connecting to `host` (a URL's host name: lower case, IPv6 in brackets) reaches
 * this machine, named `machineName` (`os.hostname()`): a loopback name, an unspecified address,
 * or the machine's own name (in any case: URLs lower-case it, machine names often are not).
 * Other names of this machine (a LAN address, `name.local`) are not recognised.
 */
export function reachesThisMachine(host: string, machineName: string): boolean {
  return isLoopbackHost(host) || isUnspecifiedAddress(host) || (machineName !== '' && host.toLowerCase() === machineName.toLowerCase());
}
