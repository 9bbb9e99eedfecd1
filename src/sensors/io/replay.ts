import { existsSync } from 'node:fs';
import { errors } from '../../errors.js';
import { channelKinds, chooseChannels } from '../../traces/channels.js';
import { importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv, sniffFormat } from '../../io/trace-files.js';
import type { PowerTrace } from '../../traces/types.js';
import { startPoller } from '../poller.js';
import type { Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * `replay:FILE` — plays a recorded trace back in real time as if it were a live sensor,
 * for demos and tests: sample i is delivered when (t_i − t_0) has elapsed since start. When
 * the recording runs longer than the file, the trace loops (and says so in its notes).
 * Formats: the study's CSV (W), nvidia-smi CSV logs, tegrastats logs (with timestamps).
 */

function loadTrace(file: string): PowerTrace {
  if (!existsSync(file)) throw errors.notFound(file, 'replay file');
  const format = sniffFormat(file);
  switch (format) {
    case 'thesis-csv':
      return importThesisCsv(file, { unit: 'W' });
    case 'nvidia-smi':
      return importNvidiaSmiCsv(file);
    case 'tegrastats':
      return importTegrastatsLog(file);
    case 'generic':
    case 'codecarbon':
      throw errors.unknownFormat(file, `cannot replay a ${format} file: it has no power trace to play`);
  }
}

export function replaySensor(file: string): Sensor {
  return {
    name: 'replay',
    kind: 'replayed',
    probe: () => Promise.resolve(existsSync(file) ? { ok: true, detail: `replaying ${file}` } : { ok: false, reason: `replay file ${file} does not exist` }),
    start(env: SensorEnv, opts: StartOptions, sink: SensorSink): Promise<SensorHandle> {
      const trace = loadTrace(file);
      const names = trace.channels.map((c) => c.name);
      let primary: string;
      try {
        primary = chooseChannels(names, opts.device)[0]!;
      } catch {
        primary = names[0]!;
      }
      const spans = trace.channels.map((c) => ({ c, t0: c.tS[0]!, span: c.tS[c.tS.length - 1]! - c.tS[0]!, next: 0, loop: 0 }));
      const notes = [`replay of ${file} (${trace.source.format}); loops when the recording outlasts it`];
      const startS = env.clock.monotonicS();
      const emitDue = (nowS: number): void => {
        for (const s of spans) {
          const n = s.c.tS.length;
          // A loop restarts one median-ish interval after the last sample, never at the same instant.
          const period = s.span + (n > 1 ? s.span / (n - 1) : 1);
          for (;;) {
            const due = startS + s.loop * period + (s.c.tS[s.next]! - s.t0);
            if (due > nowS) break;
            sink.power(s.c.name, due, s.c.powerW[s.next]!);
            s.next++;
            if (s.next === n) {
              s.next = 0;
              s.loop++;
            }
          }
        }
      };
      emitDue(startS);
      // Samples carry their recorded times, so polling at the requested interval delays delivery
      // but never shifts a timestamp; polling faster only burned CPU (docs/benchmarks.md).
      const poller = startPoller(
        env.clock,
        opts.intervalS,
        emitDue,
        (e) => {
          sink.fail(e);
        },
        { holdProcess: opts.holdProcess },
      );
      return Promise.resolve({
        info: {
          name: 'replay',
          // The recording measured another run: this one is a replay of it, and says so.
          provenance: { kind: 'replayed', file, original: trace.provenance },
          channels: channelKinds(names),
          primaryChannel: primary,
          requestedIntervalS: opts.intervalS,
          notes,
        },
        // Deliver what fell due since the last tick: on a loaded machine the poller can lag,
        // and a short run must not lose its last samples to that.
        stop: () => {
          emitDue(env.clock.monotonicS());
          return poller.stop();
        },
      });
    },
  };
}
