import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errors } from '../errors.js';
import { hardwareKey, powerUnitOf, resolveHardware, type HardwareSpec } from '../impact/hardware.js';
import { parseThesisFileName, type ThesisFileName } from '../traces/parse-thesis-csv.js';
import type { PowerUnit } from '../units/index.js';

/**
 * Discovery of the study's dataset layout:
 *
 *   ROOT/Data/data_<tag>_<version>[_<variant>]/{FULL,CI,PUE}/consommation_energie_single_<tag>_QC_<qc>_<run>[_ci|_pue].csv
 *   ROOT/Logs/<Tag>_<version>_logs/<YYYY.MM.DD-HH.MM.SS>/<system>/<benchmark>/<Scenario>/mlperf_log_summary.txt
 *
 * Devices are named by folder tags (`A100`, `orin`, `Orin`); both sides resolve through the
 * hardware database (`studyHardware`), so any device it knows works, not just the study's.
 */

/**
 * The study's tags that do not name the card it measured. Its `A100` runs (v1.1 and v4.1)
 * were made on an A100 PCIe 40 GB: the v4.1 logs' metadata.json detects `NVIDIA
 * A100-PCIE-40GB`, the v1.1 runs' system folder is `A100-PCIex1_TRT`, and the card's power
 * limit is 250 W (Simeu 2025, Logs/; its hardware table lists the SXM4's 400 W).
 * The study's MLPerf logs therefore resolve to `A100-PCIE-40GB`, and so do its power traces,
 * so one card has one id. The two database rows have the same assessed inputs (826 mm² at
 * 7 nm, TSMC 2020, 40 GB at 280 g/GB, Large-scale) and the study's F_GPU constants are
 * recorded for both, so Table 5.1 is unchanged.
 *
 * Not mapped: the study's `H100` was an H100 NVL, but its table row (80 GB HBM2e) is not that
 * card (94 GB HBM3), so the study's figures are not the card's and the tag keeps its row.
 */
const STUDY_CARDS: ReadonlyMap<string, string> = new Map([[hardwareKey('A100'), 'A100-PCIE-40GB']]);

/** The hardware a tag of the study's layout (data folder, file name, log set) stands for. */
export function studyHardware(tag: string): HardwareSpec | undefined {
  const card = STUDY_CARDS.get(hardwareKey(tag));
  return resolveHardware(card ?? tag);
}

export interface ThesisRunFile extends ThesisFileName {
  readonly path: string;
}

export interface ThesisDeviceData {
  readonly dataDir: string;
  /** Tag as written in the folder name (`orin`, `A100`). */
  readonly tag: string;
  readonly version: string;
  readonly hardware: HardwareSpec;
  /** Unit of the power column in FULL/CI/PUE files: mW for Jetsons (tegrastats), W otherwise. */
  readonly unit: PowerUnit;
  readonly files: readonly ThesisRunFile[];
  readonly logDir?: string;
}

export interface Skipped {
  readonly path: string;
  readonly reason: string;
  readonly detail?: string;
}

export interface ThesisDataset {
  readonly root: string;
  readonly devices: readonly ThesisDeviceData[];
  readonly skipped: readonly Skipped[];
}

const DATA_DIR = /^data_(.+?)_(v\d+(?:\.\d+)*)(?:_(.+))?$/;
const LOG_DIR = /^(.+?)_(v\d+(?:\.\d+)*)_logs$/;


export function isThesisRoot(path: string): boolean {
  return isDir(join(path, 'Data')) && readdirSync(join(path, 'Data')).some((n) => DATA_DIR.test(n));
}

export function isThesisDataDir(path: string): boolean {
  return DATA_DIR.test(basename(path)) && ['FULL', 'CI'].some((p) => isDir(join(path, p)));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * What `analyze` and `import thesis` take: a dataset root (holding `Data/`, usually `Logs/`)
 * or one `data_<tag>_<version>` folder (its logs looked up in `../../Logs`, as in the study's
 * layout).
 */
export function scanThesisPath(path: string): ThesisDataset {
  if (isThesisRoot(path)) return scanThesisDataset(path);
  if (isThesisDataDir(path)) return scanThesisDataDir(path);
  throw errors.unknownFormat(path, "not the study's layout: expected a folder holding Data/data_<tag>_<version>/ (and Logs/), or one data_<tag>_<version> folder holding FULL/ or CI/");
}

/** Scan a dataset root holding `Data/` (and usually `Logs/`). */
export function scanThesisDataset(root: string): ThesisDataset {
  if (!existsSync(root)) throw errors.notFound(root, 'dataset folder');
  const dataRoot = join(root, 'Data');
  const logsRoot = join(root, 'Logs');
  const skipped: Skipped[] = [];
  const devices: ThesisDeviceData[] = [];
  // Logs/ is listed once for every device, not once per device.
  const logs = isDir(logsRoot) ? logsListing(logsRoot) : undefined;
  for (const name of readdirSync(dataRoot).sort()) {
    const dir = join(dataRoot, name);
    if (!isDir(dir)) continue;
    const m = DATA_DIR.exec(name);
    if (!m) {
      skipped.push({ path: dir, reason: 'not a data_<tag>_<version> folder' });
      continue;
    }
    if (m[3] !== undefined) {
      // e.g. data_2080Ti_v1.1_2: an alternative campaign the study did not use. Analyse it by naming it.
      skipped.push({ path: dir, reason: `alternative campaign '${m[3]}' (not used by the study); pass the folder itself to analyse it` });
      continue;
    }
    const dev = scanOne(dir, logs, skipped);
    if (dev) devices.push(dev);
  }
  return { root, devices, skipped };
}

/** Scan one `data_<tag>_<version>` folder; logs are looked up in `logsRoot` when given. */
export function scanThesisDataDir(dir: string, logsRoot?: string): ThesisDataset {
  const skipped: Skipped[] = [];
  const sibling = join(dir, '..', '..', 'Logs');
  const root = logsRoot ?? (isDir(sibling) ? sibling : undefined);
  const dev = scanOne(dir, root !== undefined ? logsListing(root) : undefined, skipped, true);
  return { root: dir, devices: dev ? [dev] : [], skipped };
}

/** A `Logs/` folder and its sorted entry names. */
interface LogsListing {
  readonly root: string;
  readonly names: readonly string[];
}

function logsListing(root: string): LogsListing {
  return { root, names: readdirSync(root).sort() };
}

function scanOne(dir: string, logs: LogsListing | undefined, skipped: Skipped[], explicit = false): ThesisDeviceData | undefined {
  const m = DATA_DIR.exec(basename(dir));
  if (!m) throw errors.unknownFormat(dir, 'not a data_<tag>_<version> folder');
  const tag = m[1]!;
  const version = m[2]!;
  const hardware = studyHardware(tag);
  if (!hardware) {
    if (explicit) throw errors.unknownHardware(tag, { file: dir }, 'add it to the hardware database or rename the folder');
    skipped.push({ path: dir, reason: `device tag '${tag}' is not in the hardware database` });
    return undefined;
  }
  const files: ThesisRunFile[] = [];
  for (const phaseDir of ['FULL', 'CI', 'PUE']) {
    const p = join(dir, phaseDir);
    if (!isDir(p)) continue;
    for (const f of readdirSync(p).sort()) {
      const parsed = parseThesisFileName(f);
      if (!parsed) {
        if (f.endsWith('.csv')) skipped.push({ path: join(p, f), reason: 'stray file: no QC or run index in its name' });
        continue;
      }
      files.push({ ...parsed, path: join(p, f) });
    }
  }
  files.sort((a, b) => a.phase.localeCompare(b.phase) || a.qc - b.qc || a.run - b.run);
  const logDir = logs ? findLogDir(logs, hardware, version) : undefined;
  const base = { dataDir: dir, tag, version, hardware, unit: powerUnitOf(hardware), files };
  return logDir ? { ...base, logDir } : base;
}

function findLogDir(logs: LogsListing, hw: HardwareSpec, version: string): string | undefined {
  for (const name of logs.names) {
    const m = LOG_DIR.exec(name);
    if (!m || m[2] !== version) continue;
    if (studyHardware(m[1]!)?.id === hw.id) return join(logs.root, name);
  }
  return undefined;
}
