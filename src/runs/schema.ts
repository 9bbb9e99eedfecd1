/**
 * Manifest schema versions and the path from an older one to the current one. Pure: parsed
 * JSON of any readable version in, JSON of the current version out; `readManifestJson` and
 * `readManifestText` in `manifest.ts` validate the result.
 *
 * Policy (README.md, "Schema versions"):
 * - every version this code knows, up to `MANIFEST_SCHEMA_VERSION`, is read: the raw JSON goes
 *   through one upgrade step per version, then through the current validator, so the rest of
 *   the program only ever sees the current shape;
 * - upgrades happen in memory on every read; the bundle on disk is never rewritten by a
 *   reader (bundles are the source of truth, may sit on read-only media or be shared, and a
 *   rewrite would race with other processes reading them);
 * - a version newer than this code (a newer inferprint wrote it) or one it never knew is
 *   refused with a coded error, and listings report the bundle as skipped.
 *
 * Schema 0 is the pre-release layout, kept as the first step of the chain (and to test the
 * chain): no released inferprint writes it.
 */
import { errors, quote } from '../errors.js';
import type { FileRole } from './manifest.js';

/** The schema version this code writes and reads (older ones are upgraded on read). */
export const MANIFEST_SCHEMA_VERSION = 2;

type Json = Record<string, unknown>;

/** One step: JSON of schema `from` to JSON of schema `from + 1`. `file` names the manifest in errors. */
export interface SchemaUpgrade {
  readonly from: number;
  /** What changed, for the README and `--debug` users. */
  readonly changes: readonly string[];
  readonly upgrade: (json: Json, file: string) => Json;
}

/** The oldest schema this code still reads. */
export const OLDEST_READABLE_SCHEMA = 0;

/**
 * Schema 0 (pre-release) → 1:
 * - `status` was a bare string (`"completed"`, `"interrupted"`, `"failed"`), with the signal
 *   or the error message beside it (`signal`, `error`);
 * - the hardware was `hardwareId` / `deviceName` at the top level instead of a `device` object;
 * - `windows` was an object `{ name: [t0S, t1S] }` instead of an array of `{ name, t0S, t1S }`;
 * - `files` was a list of names, the role implied by the name;
 * - there was no `gaps` (no gap was detected) and no `createdAt` (the bundle was written at `endedAt`).
 */
const V0_TO_V1: SchemaUpgrade = {
  from: 0,
  changes: [
    'status: bare string → { kind, signal | code, message }',
    'hardwareId, deviceName → device { hardwareId, name }',
    'windows: { name: [t0S, t1S] } → [{ name, t0S, t1S }]',
    'files: [name] → [{ name, role }] (role from the name)',
    'gaps added (empty); createdAt added (= endedAt)',
  ],
  upgrade(json, file) {
    const { status, signal, error, hardwareId, deviceName, windows, files, ...rest } = json;
    const field = (f: string, detail: string) => errors.parse({ file, field: f }, `${detail} (schema 0)`);

    let newStatus: Json;
    if (status === 'completed') newStatus = { kind: 'completed' };
    else if (status === 'interrupted') newStatus = { kind: 'interrupted', signal: typeof signal === 'string' && signal !== '' ? signal : 'unknown' };
    else if (status === 'failed') newStatus = { kind: 'failed', code: 'INTERNAL', message: typeof error === 'string' ? error : '' };
    else throw field('status', `expected "completed", "interrupted" or "failed", got ${typeof status === 'string' ? quote(status) : typeof status}`);

    if (typeof windows !== 'object' || windows === null || Array.isArray(windows)) throw field('windows', 'expected an object of [t0S, t1S] pairs');
    const newWindows = Object.entries(windows as Json).map(([name, span]) => {
      if (!Array.isArray(span) || span.length !== 2) throw field(`windows.${name}`, 'expected [t0S, t1S]');
      return { name, t0S: span[0] as unknown, t1S: span[1] as unknown };
    });

    if (!Array.isArray(files)) throw field('files', 'expected a list of file names');
    const newFiles = files.map((name: unknown, i) => {
      if (typeof name !== 'string') throw field(`files[${i}]`, 'expected a file name');
      return { name, role: roleFromName(name) };
    });

    return {
      ...rest,
      schemaVersion: 1,
      createdAt: rest.createdAt ?? rest.endedAt,
      status: newStatus,
      device: { ...(hardwareId !== undefined ? { hardwareId } : {}), ...(deviceName !== undefined ? { name: deviceName } : {}) },
      windows: newWindows,
      gaps: rest.gaps ?? [],
      files: newFiles,
    };
  },
};

/**
 * Schema 1 → 2: the LLM serving benchmark (`bench --sut openai|ollama`) added a workload kind,
 * `llm`, and a file role, `llm_requests`. Nothing of schema 1 changed meaning, so a schema 1
 * manifest is a valid schema 2 one as it is: the step only renumbers it. The version moves
 * anyway because an inferprint that reads 1 cannot read an `llm` run: with 2 it says "upgrade
 * inferprint to read this run" instead of "unknown value 'llm'", which reads like corruption.
 */
const V1_TO_V2: SchemaUpgrade = {
  from: 1,
  changes: ['workload.kind "llm" added (served-LLM benchmark: levels, TTFT/TPOT, energy per token)', 'files[].role "llm_requests" added (per-request timelines)'],
  upgrade(json, file) {
    const w = json.workload;
    // No schema 1 writer made an `llm` run: one claiming schema 1 was written by hand or damaged.
    if (typeof w === 'object' && w !== null && (w as Json).kind === 'llm') throw errors.parse({ file, field: 'workload.kind' }, '"llm" runs are schema 2 or later (schema 1)');
    return { ...json, schemaVersion: 2 };
  },
};

/** Every step, in order: `UPGRADES[i].from === OLDEST_READABLE_SCHEMA + i`. */
export const UPGRADES: readonly SchemaUpgrade[] = [V0_TO_V1, V1_TO_V2];

/** The role an extra file had by its name in schema 0. */
function roleFromName(name: string): FileRole {
  const base = name.replace(/\.txt$/, '');
  const byName: Readonly<Record<string, FileRole>> = {
    mlperf_log_summary: 'mlperf_log_summary',
    mlperf_log_detail: 'mlperf_log_detail',
    mlperf_log_accuracy: 'mlperf_log_accuracy',
    mlperf_log_trace: 'mlperf_log_trace',
    stdout: 'stdout',
    stderr: 'stderr',
    output: 'output',
  };
  if (name === 'mlperf_log_accuracy.json') return 'mlperf_log_accuracy';
  if (name === 'mlperf_log_trace.json') return 'mlperf_log_trace';
  if (name.endsWith('.conf')) return 'mlperf_config';
  return byName[base] ?? 'other';
}

/**
 * The schema version of parsed manifest JSON, checked to be one this code reads. A version
 * from a newer inferprint, or one never defined, is an INVALID_VALUE naming the file.
 */
export function manifestVersion(json: unknown, file: string): number {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw errors.parse({ file }, 'not a run manifest: expected a JSON object');
  const v = (json as Json).schemaVersion;
  if (v === undefined) throw errors.parse({ file, field: 'schemaVersion' }, 'not a run manifest: required field is missing');
  if (typeof v !== 'number' || !Number.isInteger(v)) throw errors.parse({ file, field: 'schemaVersion' }, `expected an integer, got ${JSON.stringify(v)}`);
  if (v > MANIFEST_SCHEMA_VERSION) {
    throw errors.invalidValue({ file, field: 'schemaVersion' }, `schema version ${v} is newer than this inferprint reads (${OLDEST_READABLE_SCHEMA}–${MANIFEST_SCHEMA_VERSION}): upgrade inferprint to read this run`);
  }
  if (v < OLDEST_READABLE_SCHEMA) throw errors.invalidValue({ file, field: 'schemaVersion' }, `unknown schema version ${v} (this inferprint reads ${OLDEST_READABLE_SCHEMA}–${MANIFEST_SCHEMA_VERSION})`);
  return v;
}

/**
 * Bring parsed manifest JSON of any readable version to the current version, step by step,
 * without validating the result (`readManifestJson` in `manifest.ts` does). The input is not modified.
 */
export function upgradeManifestJson(json: unknown, file: string): { readonly json: Json; readonly fromVersion: number } {
  const fromVersion = manifestVersion(json, file);
  let current = json as Json;
  for (let v = fromVersion; v < MANIFEST_SCHEMA_VERSION; v++) {
    const step = UPGRADES[v - OLDEST_READABLE_SCHEMA];
    if (step?.from !== v) throw errors.internal(`no upgrade step from manifest schema ${v}`);
    current = step.upgrade(current, file);
  }
  return { json: current, fromVersion };
}
