import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { errors } from '../../errors.js';
import { powerUnitOf, resolveHardware, type HardwareSpec } from '../../impact/hardware.js';
import { studyHardware } from '../../io/thesis-dataset.js';
import { channelKinds, chooseChannels } from '../../traces/channels.js';
import { importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv, sniffFormat } from '../../io/trace-files.js';
import { parseThesisFileName } from '../../traces/parse-thesis-csv.js';
import type { PowerTrace } from '../../traces/types.js';
import type { PowerUnit } from '../../units/index.js';
import { startPoller } from '../poller.js';
import type { Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * `replay:FILE` — plays a recorded trace back in real time as if it were a live sensor,
 * for demos and tests: sample i is delivered when (t_i − t_0) has elapsed since start. When
 * the recording runs longer than the file, the trace loops (and says so in its notes).
 * Formats: the study's CSV (W or mW: see `studyCsvUnit`), nvidia-smi CSV logs (their header
 * says the unit), tegrastats logs (mW, with timestamps). Contract: src/sensors/replay.md.
 */

/** The unit of a study CSV's power column and the sentence that says where it came from. */
export interface StudyCsvUnit {
  readonly unit: PowerUnit;
  readonly why: string;
}

/**
 * A study CSV's power column holds W for GPUs (nvidia-smi) and mW for Jetsons (tegrastats),
 * and nothing in the file says which: the unit comes from the device, as `analyze` and
 * `import` take it — the tag of the study's file name (`consommation_energie_single_orin_…`),
 * else the hardware the caller names (`--hardware`). Neither: refused, never guessed from the
 * numbers (2793 is 2.8 W on an Orin's rail and an impossible 2793 W on an A100 alike). A tag
 * and a named hardware that log in different units contradict each other: refused too.
 */
export function studyCsvUnit(file: string, hardware: string | undefined): StudyCsvUnit {
  const tag = parseThesisFileName(basename(file))?.tag;
  const tagged = tag !== undefined ? studyHardware(tag) : undefined;
  let named: HardwareSpec | undefined;
  if (hardware !== undefined) {
    named = resolveHardware(hardware);
    if (!named) throw errors.unknownHardware(hardware, { flag: '--hardware' });
  }
  if (tagged && named && powerUnitOf(tagged) !== powerUnitOf(named)) {
    throw errors.usage(
      `${file}: the file name's tag '${tag!}' is ${tagged.id}, whose power the study logged in ${powerUnitOf(tagged)}, but --hardware ${hardware!} is ${named.id}, logged in ${powerUnitOf(named)}: one of them is wrong, and the trace would be read 1000 × off`,
      '--hardware',
    );
  }
  if (tagged) return { unit: powerUnitOf(tagged), why: `${powerUnitOf(tagged)}: the file name's tag '${tag!}' is ${tagged.id}` };
  if (named) return { unit: powerUnitOf(named), why: `${powerUnitOf(named)}: --hardware ${hardware!} is ${named.id}` };
  const unknownTag = tag !== undefined ? `its file name's tag '${tag}' is no device the hardware database knows, and ` : '';
  throw errors.usage(
    `${file}: a study CSV does not say whether its power is in W (GPUs, nvidia-smi) or mW (Jetsons, tegrastats): ${unknownTag}name the device that recorded it with --hardware NAME (see inferprint hardware list)`,
    '--hardware',
  );
}

function loadTrace(file: string, hardware: string | undefined): { trace: PowerTrace; note?: string } {
  if (!existsSync(file)) throw errors.notFound(file, 'replay file');
  const format = sniffFormat(file);
  switch (format) {
    case 'thesis-csv': {
      const { unit, why } = studyCsvUnit(file, hardware);
      return { trace: importThesisCsv(file, { unit }), note: `study CSV, power read in ${why} (Jetsons logged mW, GPUs W)` };
    }
    case 'nvidia-smi':
      return { trace: importNvidiaSmiCsv(file) };
    case 'tegrastats':
      return { trace: importTegrastatsLog(file) };
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
      const { trace, note } = loadTrace(file, opts.hardware);
      const names = trace.channels.map((c) => c.name);
      let primary: string;
      try {
        primary = chooseChannels(names, opts.device)[0]!;
      } catch {
        primary = names[0]!;
      }
      const spans = trace.channels.map((c) => ({ c, t0: c.tS[0]!, span: c.tS[c.tS.length - 1]! - c.tS[0]!, next: 0, loop: 0 }));
      const notes = [`replay of ${file} (${trace.source.format}); loops when the recording outlasts it`, ...(note !== undefined ? [note] : [])];
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
