import { errors } from '../errors.js';
import type { SensorName } from '../traces/types.js';
import { replaySensor } from './replay.js';
import type { Sensor, SensorEnv } from './types.js';

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
} satisfies Partial<Record<SensorName, () => Promise<Sensor>>>;

export type LiveSensorName = keyof typeof LOADERS;
export const AUTO_ORDER: readonly LiveSensorName[] = ['nvml', 'nvidia-smi', 'ina3221', 'tegrastats', 'rapl', 'estimate'];
export const SENSOR_SPECS = [...AUTO_ORDER, 'auto', 'replay:FILE'] as const;

export interface SensorChoice {
  readonly sensor: Sensor;
  /** Why this sensor: shown to the user and saved in the run's manifest. */
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
    return { sensor, why: `asked for by name (${probe.detail})`, passedOver: [] };
  }
  const passedOver: { name: string; reason: string }[] = [];
  for (const name of AUTO_ORDER) {
    const sensor = await LOADERS[name]();
    const probe = await sensor.probe(env);
    if (probe.ok) {
      const skipped = passedOver.length ? `; passed over ${passedOver.map((p) => `${p.name} (${p.reason})`).join(', ')}` : '';
      return { sensor, why: `auto: ${probe.detail}${skipped}`, passedOver };
    }
    passedOver.push({ name, reason: probe.reason });
  }
  throw errors.sensorUnavailable('auto', passedOver.map((p) => `${p.name}: ${p.reason}`).join('; '));
}
