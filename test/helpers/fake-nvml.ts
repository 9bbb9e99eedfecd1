import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { skipOrFail } from './requirements.js';

/**
 * The fake libnvidia-ml.so.1 (test/fakes/nvml/fake_nvml.c), compiled with the system's C
 * compiler once per source version: the build lands in os.tmpdir() under the source's hash,
 * so test processes share it and an edited source rebuilds. Without a compiler the NVML
 * tests skip and say why.
 */

export const FAKE_NVML_SOURCE = resolve(import.meta.dirname, '../fakes/nvml/fake_nvml.c');
const CC = process.env.CC ?? 'cc';
const FLAGS = ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-pthread', '-Wl,-soname,libnvidia-ml.so.1'];

function build(): { libPath: string } | { skip: string } {
  const probe = spawnSync(CC, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { skip: `no C compiler ('${CC}' not runnable: ${probe.error?.message ?? probe.stderr}); the fake libnvidia-ml.so.1 cannot be built` };
  }
  const source = readFileSync(FAKE_NVML_SOURCE);
  const hash = createHash('sha256').update(source).update(FLAGS.join(' ')).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `inferprint-fake-nvml-${hash}`);
  const libPath = join(dir, 'libnvidia-ml.so.1');
  if (existsSync(libPath)) return { libPath };
  mkdirSync(dir, { recursive: true });
  // Compile beside the target and rename: parallel test processes never see half a library.
  const partial = join(dir, `.build-${process.pid}.so`);
  const cc = spawnSync(CC, [...FLAGS, '-o', partial, FAKE_NVML_SOURCE, '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`compiling ${FAKE_NVML_SOURCE} failed:\n${cc.stderr}`);
  renameSync(partial, libPath);
  return { libPath };
}

const built = build();

/** Why the NVML tests cannot run here; false when the fake library is built. */
export const missingFakeNvml: string | false = 'skip' in built ? built.skip : false;

/** Pass as the `skip` option of a test: false when the fake library is available (under CI=true the test runs, and fails). */
export const skipWithoutFakeNvml: string | false = skipOrFail(missingFakeNvml);

/** Path of the compiled fake library (only call from tests not skipped). */
export function fakeNvmlPath(): string {
  if ('skip' in built) throw new Error(built.skip);
  return built.libPath;
}

const scenarioDir = mkdtempSync(join(tmpdir(), 'inferprint-nvml-scenario-'));
process.on('exit', () => {
  rmSync(scenarioDir, { recursive: true, force: true });
});
let scenarios = 0;

/**
 * Write a scenario (see the header of fake_nvml.c) and make it the one the fake reads on the
 * next first nvmlInit_v2. The library reads its own process environment, so this sets
 * FAKE_NVML_SCENARIO in process.env; the sensor itself still gets the library path only
 * through the SensorEnv it is given.
 */
export function useScenario(lines: readonly string[]): string {
  const path = join(scenarioDir, `scenario-${++scenarios}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  process.env.FAKE_NVML_SCENARIO = path;
  return path;
}

let refcountFn: (() => number) | undefined;

/** How many nvmlInit_v2 calls the fake has not yet seen shut down (a fake-only export). */
export async function fakeNvmlRefcount(): Promise<number> {
  if (refcountFn === undefined) {
    const { default: koffi } = await import('koffi');
    // Same path as the sensor loads, so the dynamic loader hands back the same instance.
    refcountFn = koffi.load(fakeNvmlPath()).func('int fake_nvml_refcount(void)') as () => number;
  }
  return refcountFn();
}
