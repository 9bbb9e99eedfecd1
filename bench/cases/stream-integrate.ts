// Streams a generated power trace of N samples from disk through the study-CSV decoder and
// the streaming integrator, and reports samples/s and peak RSS. The file is written first
// (not timed) so the read path is what is measured. Usage: stream-integrate.ts N
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLinesSync } from '../../src/io/lines.js';
import { decodeThesisCsv } from '../../src/traces/parse-thesis-csv.js';
import { StreamingEnergy } from '../../src/traces/streaming.js';

const n = Number(process.argv[2] ?? 1e7);
const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-'));
const file = join(dir, 'trace.csv');
const fd = openSync(file, 'w');
let chunk = 'timestamp,gpu_power\n';
let expected = 0;
let prevP = 0;
for (let i = 0; i < n; i++) {
  const t = i * 0.05;
  const p = 60 + ((i * 7919) % 1000) / 10; // 60–160 W, deterministic
  if (i > 0) expected += 0.05 * (p + prevP) / 2;
  prevP = p;
  chunk += `${t.toFixed(3)},${p.toFixed(1)}\n`;
  if (chunk.length > 1 << 20) {
    writeSync(fd, chunk);
    chunk = '';
  }
}
writeSync(fd, chunk);
closeSync(fd);
const bytes = statSync(file).size;

const t0 = performance.now();
const acc = new StreamingEnergy();
for (const s of decodeThesisCsv(readLinesSync(file), { file, unit: 'W' })) acc.push(s.tS, s.powerW);
const seconds = (performance.now() - t0) / 1000;
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    case: 'stream-integrate',
    samples: acc.count,
    fileMB: bytes / 1e6,
    seconds,
    samplesPerS: acc.count / seconds,
    energyJ: acc.energyJ,
    relErrorVsClosedForm: Math.abs(acc.energyJ - expected) / expected,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
