// A dataset of the shape of the study's full one (11 devices, 10 FULL traces × 5 query counts
// each, their MLPerf log trees), made from the three devices the project's fixtures hold: the
// full dataset is not shipped, and `analyze`'s speed on it depends on its shape (how many
// folders and files, how large), not on which card made the numbers.
//
// Each device copies a template of its kind, its files renamed to its own tag:
//   - v1.1 GPUs: T4 v1.1 (traces in W, 102 summaries and the harness files of LoadGen v1.1);
//   - v4.1 GPUs: A100 v4.1 (traces in W, 215 summaries with metadata.json);
//   - Jetsons (mW traces): Orin v4.1, and Xavier v1.1 with the T4's log tree.
// The names are the ones bench/study-pipeline.py reads (its DEVICES table), so both sides
// read the same files. Built once into a folder of the OS's temporary directory and reused.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Device {
  /** `Data/data_<tag>_<version>`, file names `..._<tag>_QC_...`. */
  readonly tag: string;
  readonly version: string;
  /** `Logs/<logTag>_<version>_logs`. */
  readonly logTag: string;
  /** Template data folder and log folder in the fixtures. */
  readonly data: string;
  readonly logs: string;
}

const V11 = { data: 'data_T4_v1.1', logs: 'T4_v1.1_logs' };
const V41 = { data: 'data_A100_v4.1', logs: 'A100_v4.1_logs' };
export const STUDY_DEVICES: readonly Device[] = [
  { tag: 'A100', version: 'v1.1', logTag: 'A100', ...V11 },
  { tag: 'A40', version: 'v1.1', logTag: 'A40', ...V11 },
  { tag: 'T4', version: 'v1.1', logTag: 'T4', ...V11 },
  { tag: '2080Ti', version: 'v1.1', logTag: '2080Ti', ...V11 },
  { tag: 'QRTX8000', version: 'v1.1', logTag: 'QRTX8000', ...V11 },
  { tag: 'QRTX6000', version: 'v1.1', logTag: 'QRTX6000', ...V11 },
  { tag: 'xavier', version: 'v1.1', logTag: 'Xavier', data: 'data_orin_v4.1', logs: 'T4_v1.1_logs' },
  { tag: 'H100', version: 'v4.1', logTag: 'H100', ...V41 },
  { tag: 'L40S', version: 'v4.1', logTag: 'L40S', ...V41 },
  { tag: 'orin', version: 'v4.1', logTag: 'Orin', data: 'data_orin_v4.1', logs: 'Orin_v4.1_logs' },
  { tag: 'A100', version: 'v4.1', logTag: 'A100', ...V41 },
];

const FORMAT = 'study-dataset-1';

/** The generated dataset's root (made on first use from `fixtureRoot`, the study's fixtures). */
export function studyDataset(fixtureRoot: string, dest = join(tmpdir(), `inferprint-bench-${FORMAT}`)): string {
  if (existsSync(join(dest, '.complete'))) return dest;
  rmSync(dest, { recursive: true, force: true });
  const partial = `${dest}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const d of STUDY_DEVICES) {
    const srcFull = join(fixtureRoot, 'Data', d.data, 'FULL');
    const dstFull = join(partial, 'Data', `data_${d.tag}_${d.version}`, 'FULL');
    mkdirSync(dstFull, { recursive: true });
    const fromTag = /^consommation_energie_single_(.+?)_QC_/;
    for (const name of readdirSync(srcFull)) {
      // FULL holds the 50 runs the study's Table 5.1 averages (its `_ci` copies are left out).
      if (!name.endsWith('.csv') || name.endsWith('_ci.csv')) continue;
      copyFileSync(join(srcFull, name), join(dstFull, name.replace(fromTag, `consommation_energie_single_${d.tag}_QC_`)));
    }
    copyTree(join(fixtureRoot, 'Logs', d.logs), join(partial, 'Logs', `${d.logTag}_${d.version}_logs`));
  }
  writeFileSync(join(partial, '.complete'), `${FORMAT}\n`);
  renameSync(partial, dest);
  return dest;
}

function copyTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    if (e.isDirectory()) copyTree(join(src, e.name), join(dst, e.name));
    else if (e.isFile()) copyFileSync(join(src, e.name), join(dst, e.name));
  }
}
