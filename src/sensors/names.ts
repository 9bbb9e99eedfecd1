/**
 * The live sensors' names and `auto`'s order of preference — direct hardware counters before
 * subprocess logs, measured before estimated. Pure, so that plan and flag validation can name
 * the sensors without loading a driver (the drivers are in `io/registry.ts`).
 */
export const AUTO_ORDER = ['nvml', 'nvidia-smi', 'ina3221', 'tegrastats', 'rapl', 'estimate'] as const;
export type LiveSensorName = (typeof AUTO_ORDER)[number];
export const SENSOR_SPECS = [...AUTO_ORDER, 'auto', 'replay:FILE'] as const;
