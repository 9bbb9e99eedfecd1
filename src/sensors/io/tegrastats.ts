import { createTegrastatsLineDecoder, tegrastatsRailKinds, type TegrastatsRecord } from '../../traces/parse-tegrastats.js';
import { findOnPath, prepareLineTool, startLineSensor, type LineSensorTuning } from './child-lines.js';
import { nodeSysfsReader, readDeviceTreeModel } from './sysfs.js';
import type { ChannelInfo, ProbeResult, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * `tegrastats` (NVIDIA Jetson) as a sensor: ONE child, `tegrastats --interval N`, whose
 * lines go through the same decoder as imported tegrastats logs; every rail is a channel
 * in W. See tegrastats.md.
 *
 * Time: tegrastats prints no timestamp, or one with 1 s resolution, so a line is stamped
 * with its arrival on the recorder's monotonic clock. Lines that arrive in one read (the
 * event loop was busy) are spaced back from the arrival at the requested interval, and
 * never before the previous line.
 */

/** How long to wait for the first line, and after SIGTERM on stop (`LineSensorTuning`). */
export type TegrastatsSensorOptions = LineSensorTuning;

/**
 * Times for `n` lines that arrived together at `arrivalS`: the last at the arrival, the
 * others `intervalS` apart before it; when that would reach back to the previous line
 * (`prevS`), spread evenly between the previous line and the arrival instead.
 */
export function arrivalTimes(prevS: number | undefined, arrivalS: number, n: number, intervalS: number): number[] {
  const times = Array.from({ length: n }, (_, k) => arrivalS - (n - 1 - k) * intervalS);
  if (prevS === undefined || n === 0 || times[0]! > prevS || arrivalS <= prevS) return times;
  return times.map((_, k) => prevS + ((k + 1) * (arrivalS - prevS)) / n);
}

/** What shared GPU rails also feed; the GPU's energy read from them is an upper bound. */
const SHARED_GPU_RAILS: Readonly<Record<string, string>> = {
  VDD_GPU_SOC: 'the SoC (AGX Orin)',
  VDD_CPU_GPU_CV: 'the CPU and the CV engines (Xavier NX, Orin NX / Orin Nano)',
};

/** Channels, primary channel and notes for the rails a board prints. */
export function describeRails(rails: readonly string[], model: string | undefined): { channels: ChannelInfo[]; primaryChannel: string; notes: string[] } {
  const kinds = tegrastatsRailKinds(rails);
  const channels: ChannelInfo[] = kinds.map((r) => (model === undefined ? { name: r.name, kind: r.kind } : { name: r.name, kind: r.kind, device: model }));
  const notes: string[] = [];
  const gpu = kinds.find((r) => r.kind === 'gpu')?.name;
  const total = kinds.find((r) => r.kind === 'board-total')?.name;
  if (gpu !== undefined) {
    const shared = SHARED_GPU_RAILS[gpu];
    if (shared !== undefined) notes.push(`GPU rail ${gpu} also feeds ${shared}: GPU energy read from it is an upper bound`);
  } else {
    notes.push(`no known GPU rail among ${rails.join(', ')}: the primary channel is ${total ?? rails[0]!}`);
  }
  if (total === undefined) {
    notes.push(
      'this module prints no board input rail (AGX Xavier and AGX Orin have none): board power is not measured; the sum of all rails is a lower bound of it',
    );
  }
  notes.push('sample times are the arrival of each line on the recorder clock (tegrastats prints 1 s timestamps at best)');
  return { channels, primaryChannel: gpu ?? total ?? rails[0]!, notes };
}

export function createTegrastatsSensor(o: TegrastatsSensorOptions = {}): Sensor {
  return {
    name: 'tegrastats',
    kind: 'measured',

    async probe(env: SensorEnv): Promise<ProbeResult> {
      const exe = findOnPath('tegrastats', env);
      if (!exe.found) return { ok: false, reason: `tegrastats ${exe.reason}` };
      const model = await readDeviceTreeModel(env.root, nodeSysfsReader);
      return { ok: true, detail: `${exe.path}${model === undefined ? '' : ` on ${model}`}` };
    },

    async start(env: SensorEnv, opts: StartOptions, sink: SensorSink): Promise<SensorHandle> {
      const { exe, intervalMs, roundedNote } = prepareLineTool('tegrastats', 'tegrastats', '--interval', env, opts);
      const model = await readDeviceTreeModel(env.root, nodeSysfsReader);
      const decoder = createTegrastatsLineDecoder({ file: 'tegrastats' });
      let prevS: number | undefined;

      const run = await startLineSensor({
        sensor: 'tegrastats',
        env,
        command: exe,
        args: ['--interval', String(intervalMs)],
        opts,
        sink,
        decode: (lines, firstLineNo, arrivalS) => {
          const records: TegrastatsRecord[] = [];
          let failure: Error | undefined;
          for (let i = 0; i < lines.length && failure === undefined; i++) {
            try {
              const r = decoder.record(lines[i]!, firstLineNo + i);
              if (r) records.push(r);
            } catch (e) {
              failure = e instanceof Error ? e : new Error(String(e));
            }
          }
          // The lines read before a bad one are real readings: deliver them, then report.
          const times = arrivalTimes(prevS, arrivalS, records.length, intervalMs / 1000);
          let delivered = 0;
          records.forEach((r, k) => {
            for (const rail of r.rails) sink.power(rail.name, times[k]!, rail.powerW);
            delivered += r.rails.length;
          });
          prevS = times.at(-1) ?? prevS;
          if (failure !== undefined) throw failure;
          return delivered;
        },
      }, o);
      const { channels, primaryChannel, notes } = describeRails(decoder.rails!, model);
      if (roundedNote !== undefined) notes.push(roundedNote);
      if (opts.device !== undefined) notes.push(`--device ${opts.device} ignored: tegrastats reads the one module it runs on`);
      return {
        info: {
          name: 'tegrastats',
          provenance: { kind: 'measured', sensor: 'tegrastats' },
          channels,
          primaryChannel,
          requestedIntervalS: opts.intervalS,
          notes,
        },
        stop: () => run.stop(),
      };
    },
  };
}

export const tegrastatsSensor: Sensor = createTegrastatsSensor();
