import { errors, quote } from '../../errors.js';
import { createNvidiaSmiLineDecoder, type NvidiaSmiPowerField } from '../../traces/parse-nvidia-smi.js';
import { describeGpuSum, droppedCyclesWarning, GpuCycleSum, SUM_CHANNEL } from '../gpu-sum.js';
import { describeExit, findOnPath, prepareLineTool, runOnce, startLineSensor, type LineSensorTuning } from './child-lines.js';
import type { ChannelInfo, ProbeResult, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * `nvidia-smi` as a sensor: ONE child process for the whole run,
 * `nvidia-smi --query-gpu=timestamp,index,<power field> --format=csv,noheader,nounits -lms N [-i ID]`,
 * whose lines go through the same decoder as imported nvidia-smi logs. See nvidia-smi.md.
 *
 * Time: each line carries nvidia-smi's own timestamp (local wall-clock time, ms). The
 * recorder's clock pair (epochMs, monotonicS) is read once before the child starts, and a
 * sample's monotonic time is monotonic₀ + (its instant − epoch₀): the spacing of samples is
 * the tool's, free of pipe and event-loop delays. The local-time zone is not assumed: the
 * offset between the printed wall time and the real instant is the nearest multiple of
 * 15 minutes (every zone offset is one) to (printed − now), re-derived on each line, so
 * a DST change mid-run is followed.
 */

/** The first-sample timeout and kill grace of every line sensor (`LineSensorTuning`), and the one-shot queries' limit. */
export interface NvidiaSmiSensorOptions extends LineSensorTuning {
  /** Limit for each one-shot query, ms; default 15 s (without persistence mode, driver init alone can take seconds). */
  readonly queryTimeoutMs?: number;
}

export interface NvidiaGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;
/** Zone offsets span UTC−12 to UTC+14; anything beyond means the two clocks disagree. */
const MAX_ZONE_OFFSET_MS = 14 * 3600 * 1000;

/** `0, NVIDIA H200, GPU-…` lines of `--query-gpu=index,name,uuid --format=csv,noheader`. */
export function parseGpuList(stdout: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  stdout.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    const cells = text.split(',').map((c) => c.trim());
    const where = { file: 'nvidia-smi --query-gpu=index,name,uuid', line: i + 1 };
    if (cells.length < 3 || !/^\d+$/.test(cells[0]!)) throw errors.parse(where, `expected "index, name, uuid", found ${quote(text)}`);
    // A product name never holds a comma today; joining keeps one that would.
    gpus.push({ index: Number(cells[0]), name: cells.slice(1, -1).join(', '), uuid: cells.at(-1)! });
  });
  return gpus;
}

const UNAVAILABLE = /^\[.*\]$|^N\/A$/;

type Query = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly why: string };

async function query(env: SensorEnv, exe: string, args: readonly string[], timeoutMs: number): Promise<Query> {
  const r = await runOnce(env, exe, args, timeoutMs);
  if (r.timedOut) return { ok: false, why: `nvidia-smi ${args[0] ?? ''} did not answer within ${timeoutMs / 1000} s` };
  if (r.exit.code === 0) return { ok: true, stdout: r.stdout };
  // nvidia-smi writes most failures ("No devices were found", driver not loaded) on stdout.
  const lastOut = r.stdout.split('\n').filter((l) => l.trim() !== '').at(-1);
  return { ok: false, why: `nvidia-smi ${args[0] ?? ''} ${describeExit(r.exit, '', lastOut?.trim())}` };
}

interface Discovery {
  readonly gpus: readonly NvidiaGpu[];
  /** Why power.draw.instant cannot be used; undefined when it can. */
  readonly noInstant: string | undefined;
}

/** The GPUs (all, or those `-i device` selects) and whether they report power.draw.instant, in two parallel one-shot queries. */
async function discover(env: SensorEnv, exe: string, device: string | undefined, timeoutMs: number): Promise<Discovery | { readonly failed: string }> {
  const select = device === undefined ? [] : ['-i', device];
  const [list, instant] = await Promise.all([
    query(env, exe, ['--query-gpu=index,name,uuid', '--format=csv,noheader', ...select], timeoutMs),
    query(env, exe, ['--query-gpu=index,power.draw.instant', '--format=csv,noheader,nounits', ...select], timeoutMs),
  ]);
  if (!list.ok) return { failed: list.why };
  let gpus: NvidiaGpu[];
  try {
    gpus = parseGpuList(list.stdout);
  } catch (e) {
    return { failed: e instanceof Error ? e.message : String(e) };
  }
  if (gpus.length === 0) return { failed: `nvidia-smi lists no GPU${device === undefined ? '' : ` for -i ${device}`}` };
  let noInstant: string | undefined;
  if (!instant.ok) noInstant = instant.why;
  else {
    const bad = instant.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(',').map((c) => c.trim()))
      .find((cells) => cells.length !== 2 || UNAVAILABLE.test(cells[1]!) || !Number.isFinite(Number(cells[1])));
    if (bad) noInstant = `GPU ${bad[0] ?? '?'} reports ${quote(bad.slice(1).join(', '))} for power.draw.instant`;
  }
  return { gpus, noInstant };
}

function gpuSummary(gpus: readonly NvidiaGpu[]): string {
  return `${gpus.length} GPU${gpus.length === 1 ? '' : 's'} (${gpus.map((g) => `${g.index}: ${g.name}`).join(', ')})`;
}

/** Nearest 15-minute multiple: the zone offset between a printed local time and the real instant. */
export function zoneOffsetMs(printedAsUtcMs: number, nowEpochMs: number): number {
  // `+ 0` turns a -0 (printed time a little before now in UTC) into 0.
  return Math.round((printedAsUtcMs - nowEpochMs) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + 0;
}

export function createNvidiaSmiSensor(o: NvidiaSmiSensorOptions = {}): Sensor {
  const queryTimeoutMs = o.queryTimeoutMs ?? 15_000;
  // `auto` probes, then starts: keep the probe's discovery so the tool is not queried twice.
  const probed = new WeakMap<SensorEnv, { readonly exe: string; readonly d: Discovery }>();
  return {
    name: 'nvidia-smi',
    kind: 'measured',

    async probe(env: SensorEnv): Promise<ProbeResult> {
      const exe = findOnPath('nvidia-smi', env);
      if (!exe.found) return { ok: false, reason: `nvidia-smi ${exe.reason}` };
      const d = await discover(env, exe.path, undefined, queryTimeoutMs);
      if ('failed' in d) return { ok: false, reason: d.failed };
      probed.set(env, { exe: exe.path, d });
      const field = d.noInstant === undefined ? 'power.draw.instant' : 'power.draw (1 s average on Ampere and newer; power.draw.instant unavailable)';
      return { ok: true, detail: `${exe.path}: ${gpuSummary(d.gpus)}, ${field}` };
    },

    async start(env: SensorEnv, opts: StartOptions, sink: SensorSink): Promise<SensorHandle> {
      const { exe, intervalMs, roundedNote } = prepareLineTool('nvidia-smi', 'nvidia-smi', '-lms', env, opts);
      const fromProbe = probed.get(env);
      const d = opts.device === undefined && fromProbe?.exe === exe ? fromProbe.d : await discover(env, exe, opts.device, queryTimeoutMs);
      if ('failed' in d) throw errors.sensorUnavailable('nvidia-smi', d.failed);

      const notes: string[] = [];
      const field: NvidiaSmiPowerField = d.noInstant === undefined ? 'power.draw.instant' : 'power.draw';
      if (d.noInstant !== undefined) {
        notes.push(`power.draw.instant not supported (${d.noInstant}): using power.draw, a 1 s average on Ampere and newer GPUs`);
      }
      if (roundedNote !== undefined) notes.push(roundedNote);
      notes.push('sample times are nvidia-smi timestamps (ms resolution) mapped onto the recorder clock');

      const channels: ChannelInfo[] = d.gpus.map((g) => ({ name: `gpu${g.index}`, kind: 'gpu', device: g.name }));
      const known = new Set(channels.map((c) => c.name));
      // Two or more GPUs: their sum, one sample per complete cycle of lines, is the primary (gpu-sum.ts).
      const sum = d.gpus.length >= 2 ? describeGpuSum(channels.map((c) => ({ channel: c.name, name: c.device! }))) : undefined;
      const cycles = sum ? new GpuCycleSum(sum.sums) : undefined;
      if (sum) {
        notes.push(`${gpuSummary(d.gpus)}: one channel each (choose one with --device)`, ...sum.notes);
        notes.push(`${SUM_CHANNEL} is sampled once per nvidia-smi cycle (one line per GPU), at the cycle's last line; a cycle missing a GPU's line gives no ${SUM_CHANNEL} sample`);
        channels.push(sum.channel);
      }
      const warnings: string[] = [];
      const fields = ['timestamp', 'index', field];
      const args = [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(intervalMs)];
      if (opts.device !== undefined) args.push('-i', opts.device);

      // Timestamps are read as UTC wall time; zoneOffsetMs turns them into real instants.
      const decoder = createNvidiaSmiLineDecoder({ file: 'nvidia-smi', fields, timeZone: 'UTC' });
      const epoch0Ms = env.clock.epochMs();
      const mono0S = env.clock.monotonicS();
      const run = await startLineSensor({
        sensor: 'nvidia-smi',
        env,
        command: exe,
        args,
        opts,
        sink,
        decode: (lines, firstLineNo) => {
          let delivered = 0;
          const nowMs = env.clock.epochMs();
          lines.forEach((text, i) => {
            const line = firstLineNo + i;
            for (const s of decoder.line(text, line)) {
              if (!known.has(s.channel)) {
                throw errors.invalidValue({ file: 'nvidia-smi', line, field: 'index' }, `${s.channel} was not listed by nvidia-smi --query-gpu=index,name,uuid`);
              }
              const printedMs = decoder.originEpochMs! + s.tS * 1000;
              const offsetMs = zoneOffsetMs(printedMs, nowMs);
              if (Math.abs(offsetMs) > MAX_ZONE_OFFSET_MS) {
                throw errors.invalidValue(
                  { file: 'nvidia-smi', line, field: 'timestamp' },
                  `nvidia-smi's clock and the recorder's wall clock differ by ${((printedMs - nowMs) / 3.6e6).toFixed(1)} h, more than any time zone`,
                );
              }
              // Integer ms first, then the sub-ms part: epoch ms are ~1.7e12.
              const tS = mono0S + (decoder.originEpochMs! - offsetMs - epoch0Ms) / 1000 + s.tS;
              sink.power(s.channel, tS, s.powerW);
              const total = cycles?.add(s.channel, tS, s.powerW);
              if (total) sink.power(SUM_CHANNEL, total.tS, total.powerW);
              delivered++;
            }
          });
          return delivered;
        },
      }, o);
      return {
        info: {
          name: 'nvidia-smi',
          provenance: { kind: 'measured', sensor: 'nvidia-smi' },
          channels,
          primaryChannel: sum ? sum.channel.name : channels[0]!.name,
          ...(sum ? { primarySums: sum.sums } : {}),
          requestedIntervalS: opts.intervalS,
          ...(field === 'power.draw' ? { updatePeriodS: 1 } : {}),
          notes,
          // Filled once the child has stopped (SensorInfo.warnings may grow until stop resolves).
          warnings,
        },
        stop: async () => {
          await run.stop();
          const dropped = droppedCyclesWarning(cycles?.droppedCycles ?? 0, d.gpus.length);
          if (dropped !== undefined && !warnings.includes(dropped)) warnings.push(dropped);
        },
      };
    },
  };
}

export const nvidiaSmiSensor: Sensor = createNvidiaSmiSensor();
