import { resolveHardware, type HardwareSpec } from '../impact/hardware.js';
import { studyHardware } from '../io/thesis-dataset.js';
import type { MlperfRunDir } from '../mlperf/types.js';

/**
 * Which device a source says it was measured on, and whether a `--device` flag contradicts
 * it. One device has one id (the hardware database's) in every bundle, whatever spelling the
 * source used (`Orin`, `orin`, `Jetson AGX Orin Developer Kit`); the spelling is kept as
 * `device.reportedName`.
 */

/** A device name found in a source, where it was found, and the database entry it resolves to. */
export interface NamedDevice {
  readonly name: string;
  /** Where the name was read, for messages: `metadata.json`, `system folder`, `log set T4_v1.1_logs`, `name column`, `gpu_model`. */
  readonly from: string;
  readonly hardware: HardwareSpec | undefined;
}

/**
 * What an MLPerf run's logs name as its hardware. The GPU the harness detected
 * (`metadata.json`) decides when present, known or not; else the first of the system folder
 * (`T4x1_TRT`) and the log set's tag (`T4_v1.1_logs`, a tag of the study's layout) that the
 * database knows, else the first name found. `analyze` and `import mlperf` both use this.
 */
export function mlperfRunDevice(run: MlperfRunDir): NamedDevice | undefined {
  const gpu = run.metadata?.gpuName;
  if (gpu !== undefined) return { name: gpu, from: 'metadata.json', hardware: resolveHardware(gpu) };
  const names: NamedDevice[] = [];
  if (run.system !== undefined) names.push({ name: run.system, from: 'system folder', hardware: resolveHardware(run.system) });
  if (run.logSet?.tag !== undefined) names.push({ name: run.logSet.tag, from: `log set ${run.logSet.folder}`, hardware: studyHardware(run.logSet.tag) });
  return names.find((n) => n.hardware !== undefined) ?? names[0];
}

/** Several names a source gives (an nvidia-smi log's GPUs, CodeCarbon's rows), resolved. */
export function namedDevices(names: Iterable<string>, from: string): NamedDevice[] {
  return [...new Set(names)].map((name) => ({ name, from, hardware: resolveHardware(name) }));
}

/**
 * Does `flag` contradict what a source says? Only names the database knows can: a source
 * naming a device the database lacks leaves `--device` to name it. A source naming several
 * devices (a mixed multi-GPU log) is contradicted when the flag is none of them.
 */
export function contradiction(flag: HardwareSpec, said: readonly NamedDevice[]): string | undefined {
  const known = said.filter((n) => n.hardware !== undefined);
  if (known.length === 0 || known.some((n) => n.hardware!.id === flag.id)) return undefined;
  return known.map((n) => `${n.hardware!.id} (${n.from}: ${JSON.stringify(n.name)})`).join(', ');
}

/** The manifest's `device`: the database id and display name, and the name the source used. */
export function deviceRecord(hw: HardwareSpec | undefined, reportedName: string | undefined): { hardwareId?: string; name?: string; reportedName?: string } {
  const reported = reportedName !== undefined ? { reportedName } : {};
  if (hw) return { hardwareId: hw.id, name: hw.name, ...reported };
  return reportedName !== undefined ? { name: reportedName, ...reported } : {};
}

/**
 * The GPU names an nvidia-smi CSV holds (its `name` or `gpu_name` column), in order of first
 * appearance; none without a header naming that column. The power decoder ignores the
 * column; this reads it only to check `--device` against it.
 */
export function nvidiaSmiGpuNames(text: string): string[] {
  const names = new Set<string>();
  let col = -1;
  let start = 0;
  let header = true;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl < 0 ? text.length : nl).trim();
    start = nl < 0 ? text.length : nl + 1;
    if (line === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (header) {
      header = false;
      col = cells.findIndex((c) => /^(?:gpu_)?name$/i.test(c.replace(/\s*\[.*\]$/, '')));
      if (col < 0) return [];
      continue;
    }
    const name = cells[col];
    if (name !== undefined && name !== '' && !/^(?:gpu_)?name$/i.test(name)) names.add(name);
  }
  return [...names];
}
