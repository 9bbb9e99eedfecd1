/**
 * `inferprint advise` as a library call: read the workload file, the measured profiles (the
 * datasets it names, then the runs store) and the study's per-run GWP (`analyze` of
 * `study.source`), then run the pure advisor. I/O adapter.
 *
 * Paths in the file (`profiles_from`, `study.source`) are taken from the current directory,
 * as every PATH the CLI takes is; outputs show them as written.
 */
import { resolve } from 'node:path';
import { analyze } from '../../app/analyze.js';
import { InferprintError, isInferprintError } from '../../errors.js';
import { readRegularFileSync } from '../../io/regular-file.js';
import { isThesisRoot, scanThesisDataset } from '../../io/thesis-dataset.js';
import { adviseResolved, type AdviceResult, type AdviseOptions, type StudyPerRun } from '../advise.js';
import { readMeasuredProfiles, type ProfileSource } from './measured-io.js';
import { resolveDeployment, type ResolvedDeployment } from '../resolve.js';
import { parseWorkloadText, type Workload } from '../workload.js';

export interface AdviseIoOptions extends AdviseOptions {
  /** Base of relative paths (default `process.cwd()`). */
  readonly cwd?: string;
  /** The runs store to read measured profiles from (absolute); none when undefined. */
  readonly runsDir?: string;
  /** How the output names the runs store (default: its path; the dashboard says `the runs directory`). */
  readonly runsDirShown?: string;
}

/**
 * A workload someone wrote: a few deployments of a few KB each (24 hourly grid values at most);
 * even a generated one with a hundred deployments stays under 100 KB. 4 MiB refuses only what
 * is not a workload file (the dashboard, which reads them on request, refuses above 1 MiB).
 */
export const MAX_WORKLOAD_FILE_BYTES = 4 << 20;

/**
 * Read and validate a workload file (`file` as the user gave it, relative to `cwd`): a regular
 * file only (a FIFO is refused, not waited on; a folder or a device is refused, not read), at
 * most `MAX_WORKLOAD_FILE_BYTES`; a missing one is NOT_FOUND. Messages name it as given.
 */
export function readWorkloadFile(file: string, cwd: string = process.cwd()): Workload {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readRegularFileSync(path, { links: 'follow', what: 'workload file', maxBytes: MAX_WORKLOAD_FILE_BYTES });
  } catch (e) {
    // Named as the user gave it, as the file's parse errors name it.
    if (isInferprintError(e) && e.where.file === path) throw new InferprintError(e.code, e.detail, { ...e.where, file }, { cause: e.cause });
    throw e;
  }
  return parseWorkloadText(text, file);
}

export async function adviseFile(file: string, opts: AdviseIoOptions = {}): Promise<AdviceResult> {
  return adviseWorkload(readWorkloadFile(file, opts.cwd), opts);
}

/** Advise a parsed workload: read what it points at, then compute. */
export async function adviseWorkload(w: Workload, opts: AdviseIoOptions = {}): Promise<AdviceResult> {
  return (await prepareAdvice(w, opts)).result;
}

/**
 * The advice with what made it: the workload, each deployment resolved (the inputs a sweep
 * such as the break-even curves evaluates again at other loads) and the study's per-run values.
 */
export interface PreparedAdvice {
  readonly workload: Workload;
  readonly resolved: readonly ResolvedDeployment[];
  readonly study: readonly StudyPerRun[];
  readonly result: AdviceResult;
}

/** `adviseFile`, keeping what the report's figures evaluate again. */
export async function prepareAdviceFile(file: string, opts: AdviseIoOptions = {}): Promise<PreparedAdvice> {
  return prepareAdvice(readWorkloadFile(file, opts.cwd), opts);
}

/** Read what a parsed workload points at, resolve its deployments, then advise. */
export async function prepareAdvice(w: Workload, opts: AdviseIoOptions = {}): Promise<PreparedAdvice> {
  const cwd = opts.cwd ?? process.cwd();
  const sources: ProfileSource[] = [];
  const add = (shown: string, origin: ProfileSource['origin'], key?: string, at: string = shown): void => {
    const path = resolve(cwd, at);
    if (!sources.some((s) => s.path === path)) sources.push({ path, shown, origin, ...(key !== undefined ? { key, file: w.file } : {}) });
  };
  w.profilesFrom.forEach((p, i) => { add(p, 'profiles_from', w.profilesFrom.length > 1 ? `profiles_from[${i}]` : 'profiles_from'); });
  if (w.study?.source !== undefined) add(w.study.source, 'study.source', 'study.source');
  if (opts.runsDir !== undefined) add(opts.runsDirShown ?? opts.runsDir, 'runs store', undefined, opts.runsDir);
  const hardwareIds = new Set(w.deployments.map((d) => d.hardware.id));
  const measured = await readMeasuredProfiles(sources, hardwareIds);
  const study = w.study?.source !== undefined ? studyFromSource(w, resolve(cwd, w.study.source), w.study.source, hardwareIds) : [];
  const resolved = w.deployments.map((d) => resolveDeployment(w, d, measured));
  return { workload: w, resolved, study, result: adviseResolved(w, resolved, study, opts) };
}

/**
 * The per-run GWP at the study's query count for each hardware in the source, by `analyze`
 * with the study's method (and so, for the study's data, its parameters). Several versions of
 * one device: the latest.
 */
function studyFromSource(w: Workload, path: string, shown: string, hardwareIds: ReadonlySet<string>): StudyPerRun[] {
  const s = w.study!;
  // The study's layout: analyse only the folders of the devices asked about (none: the file gives them all).
  const wanted = [...hardwareIds].filter((id) => !s.perRunMg.has(id));
  if (wanted.length === 0) return [];
  const paths = isThesisRoot(path) ? scanThesisDataset(path).devices.filter((d) => wanted.includes(d.hardware.id)).map((d) => d.dataDir) : [path];
  if (paths.length === 0) return [];
  const result = analyze({ paths, method: s.method });
  const out: StudyPerRun[] = [];
  for (const id of hardwareIds) {
    const rows = result.rows.filter((r) => r.device === id && r.queryCount === s.qc && r.impact !== undefined).sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }));
    const row = rows[0];
    if (!row?.impact) continue;
    out.push({
      hardwareId: id,
      perRunG: row.impact.gwpG.mean,
      source: `analyze --method ${s.method} ${shown}: ${row.datasetTag || row.device} ${row.version} QC ${s.qc}, ${row.energy?.runs ?? 0} runs${row.preset !== undefined ? `, preset ${row.preset}` : ''}`,
    });
  }
  return out;
}
