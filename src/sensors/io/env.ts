import type { SensorEnv } from '../types.js';

/** The production environment: the real clock, the real root, `process.env` and `spawn`. */
export async function defaultSensorEnv(): Promise<SensorEnv> {
  const { spawn } = await import('node:child_process');
  return {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root: '/',
    env: process.env,
    spawn: (command, args, options) => spawn(command, [...args], options),
  };
}
