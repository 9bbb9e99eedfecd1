import { closeSync, readSync } from 'node:fs';
import { errors, quote } from '../errors.js';
import { linesOfBytes, readLinesSync } from './lines.js';
import { openRegularFileSync } from './regular-file.js';
import { TraceBuilder } from '../traces/builder.js';
import { decodeCodeCarbonCsv, type CodeCarbonOptions, type CodeCarbonRecord } from '../traces/parse-codecarbon.js';
import { decodeGenericCsv, GENERIC_CSV_FORMAT, type GenericCsvOptions } from '../traces/parse-generic-csv.js';
import { decodeNvidiaSmiCsv, nvidiaSmiFormat, type NvidiaSmiOptions } from '../traces/parse-nvidia-smi.js';
import { decodeTegrastats, TEGRASTATS_FORMAT, type TegrastatsOptions } from '../traces/parse-tegrastats.js';
import { decodeThesisCsv, decodeThesisCsvText, type ThesisCsvOptions } from '../traces/parse-thesis-csv.js';
import { checkSampleCount, MAX_CHANNEL_POWER_W, MAX_SAMPLE_INTERVAL_S } from '../traces/plausibility.js';
import type { PowerSample, PowerTrace, SensorName } from '../traces/types.js';

/**
 * File adapters for the power-log decoders: stream the file's lines through the pure
 * decoder (bounded memory whatever the file size) and assemble the trace, whose builder
 * checks that every channel's timestamps increase and every sample is physically possible
 * (plausibility.ts); a file of one sample is refused. Errors name the file and line.
 */

/**
 * A trace whose every channel has one sample has no duration: its energy is unknown, not
 * 0 J, so the file is refused here rather than integrated to 0 J downstream.
 */
function withDuration(trace: PowerTrace, path: string): PowerTrace {
  checkSampleCount(Math.max(...trace.channels.map((c) => c.tS.length)), { file: path });
  return trace;
}

/**
 * What an importer reads: a file's path (read, streamed, from the file), or a path with the
 * bytes already read from it. An import hashes a file to record its identity and then decodes
 * those same bytes, so the run it stores is the content it identified, even if the file
 * changes in between, and the file is read once.
 */
export type TraceInput = string | { readonly path: string; readonly bytes: Uint8Array };

const pathOf = (input: TraceInput): string => (typeof input === 'string' ? input : input.path);
const linesOf = (input: TraceInput): Generator<string> => (typeof input === 'string' ? readLinesSync(input) : linesOfBytes(input.bytes, input.path));

/** Feed a decoder into a TraceBuilder and hand back what the decoder learnt about the file. */
function collect<S>(samples: Generator<PowerSample, S>, builder: TraceBuilder): S {
  for (;;) {
    const r = samples.next();
    if (r.done === true) return r.value;
    builder.add(r.value);
  }
}

/**
 * Study CSVs up to this size are read whole and decoded in one pass (a study trace is ~7 kB);
 * larger ones, and any file the one-pass decoder turns down, stream line by line.
 */
const WHOLE_THESIS_CSV_BYTES = 8 << 20;

/** One of the study's CSVs; the unit (W for GPUs, mW for Jetsons) comes from the device. */
export function importThesisCsv(input: TraceInput, opts: Omit<ThesisCsvOptions, 'file'>): PowerTrace {
  const path = pathOf(input);
  // GPUs were sampled with nvidia-smi and Jetsons with tegrastats: the unit says which.
  const source = { format: 'thesis-csv', path, unitInSource: opts.unit } as const;
  const provenance = { kind: 'measured', sensor: opts.unit === 'mW' ? 'tegrastats' : 'nvidia-smi' } as const;
  const text = opts.headerless === 'timestamp,power' ? undefined : typeof input === 'string' ? readSmallText(path, WHOLE_THESIS_CSV_BYTES) : wholeText(input.bytes);
  const columns = text === undefined ? undefined : decodeThesisCsvText(text, opts.unit, { maxPowerW: MAX_CHANNEL_POWER_W, maxIntervalS: MAX_SAMPLE_INTERVAL_S });
  if (columns) return { channels: [{ name: columns.channel, tS: columns.tS, powerW: columns.powerW }], source, provenance };
  const builder = new TraceBuilder(path);
  builder.addAll(decodeThesisCsv(linesOf(input), { ...opts, file: path }));
  return withDuration(builder.build(source, provenance), path);
}

/** Bytes in memory decoded for the one-pass decoder as readSmallText decodes a file, when small enough for it (else they go as lines). */
function wholeText(bytes: Uint8Array): string | undefined {
  return bytes.length > WHOLE_THESIS_CSV_BYTES ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** A file's text when it is a regular file of at most `maxBytes`; undefined when larger (the caller streams it). */
function readSmallText(path: string, maxBytes: number): string | undefined {
  const { fd, stats } = openRegularFileSync(path, { links: 'follow', what: 'file' });
  try {
    if (stats.size > maxBytes) return undefined;
    // One byte more than the size: a read that fills it means the file grew, and it streams.
    const buf = Buffer.allocUnsafe(stats.size + 1);
    let used = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, used, buf.length - used, null);
      } catch (e) {
        throw errors.io(path, e);
      }
      if (n === 0) break;
      used += n;
      if (used === buf.length) return undefined;
    }
    return buf.toString('utf8', 0, used);
  } finally {
    closeSync(fd);
  }
}

/** A log written by `nvidia-smi --query-gpu=timestamp,index,power.draw... --format=csv`. */
export function importNvidiaSmiCsv(input: TraceInput, opts: Omit<NvidiaSmiOptions, 'file'> = {}): PowerTrace {
  const path = pathOf(input);
  const builder = new TraceBuilder(path);
  const s = collect(decodeNvidiaSmiCsv(linesOf(input), { ...opts, file: path }), builder);
  return withDuration(builder.build({ format: nvidiaSmiFormat(s.powerField), path, unitInSource: s.unitInSource }, { kind: 'measured', sensor: 'nvidia-smi' }, s.originEpochMs), path);
}

/** A `tegrastats` log (Jetson); one channel per rail, in W. */
export function importTegrastatsLog(input: TraceInput, opts: Omit<TegrastatsOptions, 'file'> = {}): PowerTrace {
  const path = pathOf(input);
  const builder = new TraceBuilder(path);
  const s = collect(decodeTegrastats(linesOf(input), { ...opts, file: path }), builder);
  return withDuration(builder.build({ format: TEGRASTATS_FORMAT, path, unitInSource: 'mW' }, { kind: 'measured', sensor: 'tegrastats' }, s.originEpochMs), path);
}

/** Any power CSV whose columns and units the caller declares (see parseGenericCsvSpec for the CLI form). */
export function importGenericCsv(input: TraceInput, opts: GenericCsvOptions & { readonly sensor?: SensorName }): PowerTrace {
  const path = pathOf(input);
  const builder = new TraceBuilder(path);
  const s = collect(decodeGenericCsv(linesOf(input), { ...opts, file: path }), builder);
  return withDuration(
    builder.build({ format: GENERIC_CSV_FORMAT, path, unitInSource: s.unitInSource }, { kind: 'measured', sensor: opts.sensor ?? 'generic' }, s.originEpochMs),
    path,
  );
}

/** CodeCarbon `emissions.csv`: one energy record per run (energies in J). */
export function importCodeCarbonCsv(input: TraceInput, opts: Omit<CodeCarbonOptions, 'file'> = {}): CodeCarbonRecord[] {
  return decodeCodeCarbonCsv(linesOf(input), { ...opts, file: pathOf(input) });
}

/** The file formats inferprint imports. */
export type FileFormat = 'thesis-csv' | 'nvidia-smi' | 'tegrastats' | 'generic' | 'codecarbon';

/** First non-empty line; a wide nvidia-smi header (every query field) runs past 6 kB. */
function firstLine(path: string): string {
  // Regular files only: a FIFO would block here, and a pipe read to sniff could not be read again.
  const { fd } = openRegularFileSync(path, { links: 'follow', what: 'file' });
  try {
    const buf = Buffer.alloc(1 << 16);
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } catch (e) {
      throw errors.io(path, e); // a directory opens, and fails here (EISDIR)
    }
    return (
      buf
        .subarray(0, n)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)
        .find((l) => l.trim() !== '') ?? ''
    );
  } finally {
    closeSync(fd);
  }
}

/** Recognise a power file by its first line; the unit always comes from the format, never the values. */
export function sniffFormat(path: string): FileFormat {
  const line = firstLine(path);
  if (line === '') throw errors.emptyInput(path);
  if (/^timestamp\s*,\s*(gpu|total)_power\s*$/.test(line) || /^[\d.]+,[\d.]+$/.test(line)) return 'thesis-csv';
  if (/power\.draw/.test(line)) return 'nvidia-smi';
  if (/(^|,)energy_consumed(,|$)/.test(line) && /(^|,)duration(,|$)/.test(line)) return 'codecarbon';
  if (/\bRAM \d+\/\d+MB\b/.test(line) || /\b(VDD_\w+|POM_\w+|GPU) \d+(mW)?\/\d+/.test(line)) return 'tegrastats';
  throw errors.unknownFormat(path, `cannot tell the format from its first line ${quote(line, 60)}: pass --input-format (thesis-csv, nvidia-smi, tegrastats, generic with --columns, codecarbon)`);
}

