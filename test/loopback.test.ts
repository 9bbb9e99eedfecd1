/**
 * The one loopback rule (`src/loopback.ts`), shared by the dashboard, the model servers and the
 * LLM bench. Its address matching is pure; the rule it replaced used Node's `isIP`, which serves
 * here as the oracle: both must agree on every name, hand-picked and generated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { isLoopbackHost, isUnspecifiedAddress, reachesThisMachine } from '../src/loopback.js';
import { mulberry32 } from '../src/seeded-random.js';

/** `serve/security.ts`'s `isLoopbackHost` as it was, on `node:net`. */
function withIsIp(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === 'localhost.') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

const HAND = [
  '127.0.0.1', '127.1.2.3', '127.255.255.255', '127.0.1.1', '::1', '[::1]', 'localhost', 'LOCALHOST', 'localhost.', '[localhost]', '::ffff:127.0.0.1', '[::FFFF:127.9.9.9]',
  '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1%eth0', '::1%lo', '::ffff:7f00:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:0:127.0.0.1',
  '0.0.0.0', '::', '[::]', '192.168.1.10', '10.0.0.1', '128.0.0.1', '126.0.0.1', '127.0.0.256', '127.0.0.01', '0127.0.0.1', '127.0.0', '127.0.0.1.', '127.1',
  '127.0.0.1%eth0', '::ffff:127.0.0.256', '::ffff:127.0.0.01', '::ffff:127.0.0.1%a%b', 'example.com', 'localhost.example.com', 'app.localhost', 'evil.localhost',
  '[[::1]]', '[::1', '::1]', '', ' 127.0.0.1', '127.0.0.1 ', 'localhost..',
];

test('the pure rule agrees with the one on node:net isIP, on hand-picked names', () => {
  for (const h of HAND) assert.equal(isLoopbackHost(h), withIsIp(h), JSON.stringify(h));
  // Which names are and are not loopback, spelled out: test/serve/api.test.ts.
});

test('the pure rule agrees with the one on node:net isIP, on every dotted form of near-miss numbers', () => {
  // 3 to 5 parts from numbers around the bounds (leading zeros, 256), bare, mapped, bracketed, with a zone or a final dot.
  const parts = ['127', '0', '1', '01', '00', '255', '256', '1000', ''];
  const wraps: [string, string][] = [['', ''], ['[', ']'], ['::ffff:', ''], ['[::FFFF:', ']'], ['::ffff:', '%eth0'], ['', '.'], ['::ffff:0:', ''], ['', '%lo']];
  const disagree: string[] = [];
  let loopback = 0;
  const walk = (prefix: string[], n: number): void => {
    if (prefix.length === n) {
      for (const [a, b] of wraps) {
        const h = `${a}${prefix.join('.')}${b}`;
        const got = isLoopbackHost(h);
        if (got) loopback++;
        if (got !== withIsIp(h)) disagree.push(h);
      }
      return;
    }
    for (const p of parts) walk([...prefix, p], n);
  };
  for (const n of [3, 4, 5]) walk([], n);
  assert.deepEqual(disagree.slice(0, 20), []);
  // Four parts, 127 first, then three valid numbers (127, 0, 1 or 255: 4³ = 64), in the five
  // wrappings that keep an address (bare, bracketed, mapped, mapped in brackets, mapped with a zone).
  assert.equal(loopback, 64 * 5);
});

test('the pure rule agrees with the one on node:net isIP, on 200 000 generated names', () => {
  // Pieces that make near-misses likely: numbers around the bounds, IPv6 groups, zones, brackets.
  const pieces = ['127', '0', '1', '01', '255', '256', '10', '.', '.', ':', '::', 'ffff', 'FFFF', 'f', '%', 'eth0', '[', ']', 'localhost', '-', 'a', '7f00'];
  const random = mulberry32(2026);
  const pick = (): string => pieces[Math.floor(random() * pieces.length)]!;
  const disagree: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    const n = 1 + Math.floor(random() * 10);
    let h = random() < 0.3 ? '127.' : random() < 0.3 ? '::ffff:' : '';
    for (let k = 0; k < n; k++) h += pick();
    if (isLoopbackHost(h) !== withIsIp(h)) disagree.push(h);
  }
  assert.deepEqual(disagree.slice(0, 20), []);
});

test('reachesThisMachine: loopback, the unspecified addresses, the machine\'s own name in any case', () => {
  // What bench's own list held: each still counts as this machine.
  for (const h of ['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0']) assert.ok(reachesThisMachine(h, 'gpu-box'), h);
  // What it missed: the rest of 127/8, IPv6's unspecified address, the name when the machine's is capitalised.
  for (const h of ['127.0.1.1', '[::]', 'localhost.']) assert.ok(reachesThisMachine(h, 'gpu-box'), h);
  assert.ok(reachesThisMachine('desktop-a1b2', 'DESKTOP-A1B2'));
  for (const h of ['gpu-box2', '192.168.1.10', 'example.com', 'app.localhost']) assert.ok(!reachesThisMachine(h, 'gpu-box'), h);
  assert.ok(!reachesThisMachine('', ''), 'an empty machine name matches nothing');
  assert.deepEqual(['0.0.0.0', '::', '[::]', '0.0.0.1', '::1'].map(isUnspecifiedAddress), [true, true, true, false, false]);
});
