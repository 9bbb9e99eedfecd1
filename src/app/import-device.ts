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
 * column; `import nvidia-smi` and `analyze` read it to name the device (and to check
 * `--device` against it). Lines as a file reader yields them, so `analyze` streams a log
 * however large; a log without the column is left after its header.
 */
export function nvidiaSmiGpuNamesOfLines(lines: Iterable<string>, maxDataLines = Number.POSITIVE_INFINITY): string[] {
  const names = new Set<string>();
  let col = -1;
  let header = true;
  let data = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (header) {
      header = false;
      col = cells.findIndex((c) => /^(?:gpu_)?name$/i.test(c.replace(/\s*\[.*\]$/, '')));
      if (col < 0) return [];
      continue;
    }
    data++;
    const name = cells[col];
    if (name !== undefined && name !== '' && !/^(?:gpu_)?name$/i.test(name)) names.add(name);
    if (data >= maxDataLines) break;
  }
  return [...names];
}

/** `nvidiaSmiGpuNamesOfLines` of a file's text already in memory. */
export function nvidiaSmiGpuNames(text: string): string[] {
  return nvidiaSmiGpuNamesOfLines(text.split('\n'));
}

/** The device of a source, as `import` and `analyze` decide it. */
export type SourceDevice =
  /** `--device` given; `contradiction` when the source names another device the database knows. */
  | { readonly kind: 'flag'; readonly hw: HardwareSpec; readonly reportedName: string | undefined; readonly contradiction?: string }
  /** No `--device`: the one device the source names that the database knows. */
  | { readonly kind: 'named'; readonly hw: HardwareSpec; readonly reportedName: string; readonly note: string }
  /** Nothing names a device the database knows (or the source names several). */
  | { readonly kind: 'unknown'; readonly reportedName: string | undefined };

/**
 * The device of a source: `--device` when given (checked against what the source names), else
 * the one device the source names that the database knows. What a contradiction costs is the
 * caller's: `import` refuses unless --force, `analyze` refuses.
 */
export function sourceDevice(flag: HardwareSpec | undefined, said: readonly NamedDevice[]): SourceDevice {
  const reportedName = said.length === 1 ? said[0]!.name : undefined;
  if (flag) {
    const c = contradiction(flag, said);
    return c === undefined ? { kind: 'flag', hw: flag, reportedName } : { kind: 'flag', hw: flag, reportedName, contradiction: c };
  }
  const ids = [...new Set(said.flatMap((n) => (n.hardware ? [n.hardware.id] : [])))];
  if (ids.length !== 1) return { kind: 'unknown', reportedName };
  const named = said.find((n) => n.hardware?.id === ids[0])!;
  return { kind: 'named', hw: named.hardware!, reportedName: named.name, note: `hardware ${ids[0]!} from ${named.from} ${JSON.stringify(named.name)}` };
}

/**
 * The one line that refuses a `--device` against what sources name, before the caller's
 * remedy: `conflicts` are `SOURCE names ID (where: "NAME")`, one a source.
 */
export function deviceConflictMessage(given: string, flag: HardwareSpec, conflicts: readonly string[]): string {
  return `--device ${given} (${flag.id}) contradicts what ${conflicts.length === 1 ? 'the source names' : `${conflicts.length} sources name`}: ${conflicts.join('; ')}`;
}
