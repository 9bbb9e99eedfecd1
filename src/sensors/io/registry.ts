import { errors } from '../../errors.js';
import type { SensorName } from '../../traces/types.js';
import { replaySensor } from './replay.js';
import { AUTO_ORDER, SENSOR_SPECS, type LiveSensorName } from '../names.js';
import type { Sensor, SensorEnv } from '../types.js';

/**
 * Sensors by name, loaded lazily, and `auto`: the best one available here, in the order
 * nvml > nvidia-smi > ina3221 > tegrastats > rapl > estimate — direct hardware counters
 * before subprocess logs, measured before estimated — with the reason for the choice and
 * why each better one was passed over.
 */
const LOADERS = {
  nvml: async () => (await import('./nvml.js')).nvmlSensor,
  'nvidia-smi': async () => (await import('./nvidia-smi.js')).nvidiaSmiSensor,
  ina3221: async () => (await import('./ina3221.js')).ina3221Sensor,
  tegrastats: async () => (await import('./tegrastats.js')).tegrastatsSensor,
  rapl: async () => (await import('./rapl.js')).raplSensor,
  estimate: async () => (await import('./estimate.js')).estimateSensor,
} satisfies Record<LiveSensorName, () => Promise<Sensor>> & Partial<Record<SensorName, () => Promise<Sensor>>>;

export { AUTO_ORDER, SENSOR_SPECS, type LiveSensorName } from '../names.js';

export interface SensorChoice {
  readonly sensor: Sensor;
  /**
   * The choice in one short line (at most SUMMARY_MAX_CHARS), e.g. `nvml (auto: NVML
   * libnvidia-ml.so.1: 1 GPU (NVIDIA H100))` or `estimate (auto: no power sensor: nvml,
   * nvidia-smi absent; rapl no permission)`: what commands print by default.
   */
  readonly summary: string;
  /** Why this sensor, every reason in full: printed with --verbose, saved in the run's manifest. */
  readonly why: string;
  /** The better sensors passed over, and why. */
  readonly passedOver: readonly { readonly name: string; readonly reason: string }[];
}

function isLive(name: string): name is LiveSensorName {
  return Object.hasOwn(LOADERS, name);
}

/** A sensor by its CLI spec: a name, or `replay:FILE`. */
export async function getSensor(spec: string): Promise<Sensor> {
  if (spec.startsWith('replay:')) {
    const file = spec.slice('replay:'.length);
    if (file === '') throw errors.usage('replay needs a file: --sensor replay:FILE', '--sensor');
    return replaySensor(file);
  }
  if (!isLive(spec)) throw errors.usage(`unknown sensor '${spec}' (expected ${SENSOR_SPECS.join(', ')})`, '--sensor');
  return LOADERS[spec]();
}

/**
 * Resolve `--sensor`: `auto` probes in order and takes the first that can run; a named
 * sensor must be able to run, or this fails with its reason — before any workload starts.
 */
export async function chooseSensor(spec: string, env: SensorEnv): Promise<SensorChoice> {
  if (spec !== 'auto') {
    const sensor = await getSensor(spec);
    const probe = await sensor.probe(env);
    if (!probe.ok) throw errors.sensorUnavailable(sensor.name, probe.reason);
    return { sensor, summary: clip(`${sensor.name} (by name: ${probe.detail})`), why: `asked for by name (${probe.detail})`, passedOver: [] };
  }
  const passedOver: { name: string; reason: string }[] = [];
  for (const name of AUTO_ORDER) {
    const sensor = await LOADERS[name]();
    const probe = await sensor.probe(env);
    if (probe.ok) {
      const skipped = passedOver.length ? `; passed over ${passedOver.map((p) => `${p.name} (${p.reason})`).join(', ')}` : '';
      return { sensor, summary: autoSummary(sensor, probe.detail, passedOver), why: `auto: ${probe.detail}${skipped}`, passedOver };
    }
    passedOver.push({ name, reason: probe.reason });
  }
  throw errors.sensorUnavailable('auto', passedOver.map((p) => `${p.name}: ${p.reason}`).join('; '));
}

/** The longest `SensorChoice.summary`: with the prefix and interval a command adds, one line of at most ~120 characters. */
export const SUMMARY_MAX_CHARS = 90;

function clip(text: string, max = SUMMARY_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A probe's reason in a word or two, for the short line only (the full reason stays in `why`).
 * The reasons are the sensors' own sentences; the patterns below are the ones they use.
 */
export function shortCause(reason: string): string {
  if (/permission denied|EACCES|EPERM/i.test(reason)) return 'no permission';
  if (/not executable/i.test(reason)) return 'not executable';
  if (/did not answer|timed out/i.test(reason)) return 'no answer';
  if (/reports no GPU/i.test(reason)) return 'no GPU';
  if (/not found|does not exist|ENOENT|\bno (RAPL zones|INA3221)/i.test(reason)) return 'absent';
  return 'failed';
}

/** The passed-over sensors grouped by short cause, in probing order: `nvml, nvidia-smi absent; rapl no permission`. */
function passedOverShort(passedOver: readonly { readonly name: string; readonly reason: string }[]): string {
  const byCause = new Map<string, string[]>();
  for (const p of passedOver) {
    const cause = shortCause(p.reason);
    byCause.set(cause, [...(byCause.get(cause) ?? []), p.name]);
  }
  return [...byCause].map(([cause, names]) => `${names.join(', ')} ${cause}`).join('; ');
}

function autoSummary(sensor: Sensor, detail: string, passedOver: readonly { readonly name: string; readonly reason: string }[]): string {
  // The estimator is chosen because nothing measures power here: that, not its TDP detail, is the news.
  if (sensor.kind === 'estimated') return clip(`${sensor.name} (auto: no power sensor: ${passedOverShort(passedOver)})`);
  const skipped = passedOver.length > 0 ? `; ${passedOver.length} better one${passedOver.length > 1 ? 's' : ''} passed over` : '';
  // The sensor's own detail gives way first: the count of passed-over sensors must survive the cut.
  const head = `${sensor.name} (auto: `;
  const room = SUMMARY_MAX_CHARS - head.length - skipped.length - 1;
  return `${head}${clip(detail, Math.max(room, 20))}${skipped})`;
}
