/**
 * Filters over listed runs, shared by `runs list`, `runs export --all` and the dashboard.
 * Pure: a filter and a clock in, a predicate over `RunRow`s out.
 */
import { errors } from '../errors.js';
import { parseDurationS } from '../units/index.js';
import { deviceMatcher, type RunRow } from '../runs/row.js';

export interface RunFilter {
  /**
   * A device: a hardware database id or any of its names and aliases (`A100`, `orin`,
   * `NVIDIA H100 NVL`), else a case-insensitive substring of the device name or hardware id
   * (`deviceMatcher` in src/runs/row.ts, the dashboard's rule too).
   */
  readonly device?: string;
  /** Exact hardware database id. */
  readonly hardwareId?: string;
  /** MLPerf scenario, case-insensitive (`SingleStream`). */
  readonly scenario?: string;
  readonly queryCount?: number;
  /** Case-insensitive substring of the label. */
  readonly label?: string;
  readonly status?: RunRow['status'];
  /**
   * A scheduler job: the job id, the job array id (every task of the array) or `ARRAY_TASK`
   * (`123_4`, as squeue prints an array task).
   */
  readonly job?: string;
  /** The node, case-insensitive: the scheduler's node name, else the host name. */
  readonly node?: string;
  /** Slurm partition, exact. */
  readonly partition?: string;
  /** Runs that started at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  /** Runs that started before this time (ms since the epoch). */
  readonly untilMs?: number;
}

export const RUN_STATUSES: readonly RunRow['status'][] = ['completed', 'interrupted', 'failed'];

/** A predicate for `filter`; an empty filter keeps every run. */
export function runFilter(filter: RunFilter): (row: RunRow) => boolean {
  const tests: ((r: RunRow) => boolean)[] = [];
  if (filter.device !== undefined) {
    tests.push(deviceMatcher(filter.device));
  }
  if (filter.hardwareId !== undefined) {
    const id = filter.hardwareId;
    tests.push((r) => r.hardware_id === id);
  }
  if (filter.scenario !== undefined) {
    const s = filter.scenario.toLowerCase();
    tests.push((r) => r.scenario?.toLowerCase() === s);
  }
  if (filter.queryCount !== undefined) {
    const q = filter.queryCount;
    tests.push((r) => r.query_count === q);
  }
  if (filter.label !== undefined) {
    const l = filter.label.toLowerCase();
    tests.push((r) => r.label.toLowerCase().includes(l));
  }
  if (filter.status !== undefined) {
    const st = filter.status;
    tests.push((r) => r.status === st);
  }
  if (filter.job !== undefined) {
    const j = filter.job.trim();
    tests.push((r) => r.job_id === j || r.array_job_id === j || (r.array_job_id !== null && r.array_task_id !== null && `${r.array_job_id}_${r.array_task_id}` === j));
  }
  if (filter.node !== undefined) {
    const n = filter.node.toLowerCase();
    tests.push((r) => (r.node ?? r.host_name)?.toLowerCase() === n);
  }
  if (filter.partition !== undefined) {
    const p = filter.partition;
    tests.push((r) => r.partition === p);
  }
  if (filter.sinceMs !== undefined) {
    const t = filter.sinceMs;
    tests.push((r) => Date.parse(r.started_at) >= t);
  }
  if (filter.untilMs !== undefined) {
    const t = filter.untilMs;
    tests.push((r) => Date.parse(r.started_at) < t);
  }
  return (r) => tests.every((t) => t(r));
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A time bound for `--since` / `--until`: an ISO date (`2026-11-26`, midnight UTC), an ISO
 * time (`2026-11-26T11:42`, UTC unless it gives a zone) or a duration ago (`36h`, `7d`).
 * Returns ms since the epoch; a malformed value is a USAGE error naming `flag`.
 */
export function parseTimeBound(raw: string, flag: string, nowMs: number): number {
  const s = raw.trim();
  let ms = Number.NaN;
  if (DATE_ONLY.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
  else {
    const m = DATE_TIME.exec(s);
    // A time without a zone is UTC, like every time inferprint writes, not the reader's local time.
    if (m) ms = Date.parse(m[1] === undefined ? `${s}Z` : s);
    else if (/[a-z]$/i.test(s)) {
      const ago = parseDurationS(s);
      if (ago !== undefined) ms = nowMs - ago * 1000;
    }
  }
  if (!Number.isFinite(ms)) throw errors.usage(`expected a date (2026-11-26), a UTC time (2026-11-26T11:42) or a duration ago (7d, 36h), got '${raw}'`, flag);
  return ms;
}
