/**
 * The table `bench` prints at the end of a campaign, read back from the bundles it wrote: one row
 * per query count (per arrival rate and query count for a Server campaign, a sweep's rates apart)
 * with mean energy, compute-phase energy, latency and GWP per run.
 *
 * GWP has two scopes in a bundle (`impact` of the manifest, written by `measuredBenchRun`):
 * `operational+embodied` (the full LCA: the hardware is in the database) and `operational only`
 * (the hardware is unknown, so manufacturing is left out). The two are different quantities: a row
 * carries its scope, and runs of different scopes are never averaged together — such a row is
 * `mixed`, has no GWP mean, and keeps each scope's mean apart in `gwpByScope`. The grid, PUE,
 * lifetime and embodied values the bundles used come back as `parameterSets`, one per distinct set.
 *
 * The bundles are read by the bundle-file rule (src/runs/io/bundle-files.ts), as every reader of
 * the store: a link, a FIFO or a file too large is refused, never followed nor waited on. As
 * `runs list` and `analyze` do, a bundle that cannot be read is left out of the table with its
 * one-line reason (`skipped`) and the other runs are still tabulated: the campaign's runs are
 * done and saved, and one spoilt bundle must not cost the table of the others.
 */
import { join } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { MAX_MANIFEST_BYTES, readBundleFile } from '../runs/io/bundle-files.js';
import type { SkippedEntry } from '../runs/io/scan.js';
import { MANIFEST_FILE, parseManifestText, type RecordedImpact } from '../runs/manifest.js';
import type { DefaultUsed } from '../impact/presets.js';
import type { CampaignFile, PlannedRun } from './bench.js';

/** What a run's GWP counts: the full LCA, or the use phase alone (hardware unknown). */
export type GwpScope = 'operational+embodied' | 'operational only';
export const GWP_SCOPES: readonly GwpScope[] = ['operational+embodied', 'operational only'];

export interface ScopeMean {
  readonly scope: GwpScope;
  readonly runs: number;
  readonly meanMgPerRun: number;
}

export interface QueryCountRow {
  /** Server: the arrival rate of the row's runs, queries/s. */
  readonly targetQps?: number;
  readonly queryCount: number;
  readonly runs: number;
  readonly meanEnergyJ: number;
  readonly meanComputeEnergyJ: number;
  readonly meanLatencyMs: number;
  readonly p90LatencyMs: number;
  /** The scope of every run's GWP in this row; `mixed` when runs differ, `none` when no run has a GWP. */
  readonly gwpScope: GwpScope | 'mixed' | 'none';
  /** Mean GWP per run, mg, of one scope; null when the row is `mixed` (never averaged across scopes) or `none`. */
  readonly gwpMgPerRun: number | null;
  /** Each scope's runs and mean, mg per run: one entry, or several for a `mixed` row. */
  readonly gwpByScope: readonly ScopeMean[];
}

/** One impact parameter as a bundle records it (`impact.parameters`). */
export type UsedParameter = DefaultUsed;

/** A distinct set of parameters and the runs of one scope that used it. */
export interface ParameterSet {
  readonly scope: GwpScope;
  readonly runs: number;
  readonly used: readonly UsedParameter[];
}

export interface CampaignTable {
  readonly rows: readonly QueryCountRow[];
  readonly parameterSets: readonly ParameterSet[];
}

/** The table of a campaign read from its bundles, and the finished runs whose bundle was refused. */
export interface CampaignAggregate extends CampaignTable {
  /** Left out of `rows`, each with its one-line reason (`name` is the bundle id), as the store's listing reports them. */
  readonly skipped: readonly SkippedEntry[];
}

/** Each query's LoadGen times, written by `bench` next to the MLPerf logs. */
export const LATENCIES_FILE = 'latencies.csv';
/** About 50 bytes a query: 256 MiB is millions of queries, far past any run `bench` plans. */
export const MAX_LATENCIES_BYTES = 256 << 20;

/** A bundle's GWP and parameters as `impact` records them; undefined when it has none. */
export function gwpOfImpact(impact: RecordedImpact | undefined): { scope: GwpScope; gwpG: number; used: readonly UsedParameter[] } | undefined {
  if (impact === undefined) return undefined;
  const used = impact.parameters ?? [];
  if (impact.result) return { scope: 'operational+embodied', gwpG: impact.result.gwpG.mean, used };
  if (impact.operationalOnlyG !== undefined) return { scope: 'operational only', gwpG: impact.operationalOnlyG, used };
  return undefined;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** Nearest-rank percentile, as LoadGen takes its latency percentiles. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** One run's values, as the row needs them. */
export interface RunValues {
  /** Server: the run's arrival rate; runs at different rates are never averaged together. */
  readonly targetQps?: number;
  readonly queryCount: number;
  readonly energyJ?: number;
  readonly computeEnergyJ?: number;
  readonly latenciesNs: readonly number[];
  readonly gwp?: { readonly scope: GwpScope; readonly gwpG: number; readonly used: readonly UsedParameter[] };
}

/** The rows and parameter sets of a set of runs (pure: the reading is done by `aggregate`). */
export function tabulate(runs: readonly RunValues[]): CampaignTable {
  const groups = new Map<string, { targetQps: number | undefined; queryCount: number; rs: RunValues[] }>();
  for (const r of runs) {
    const key = `${r.targetQps ?? ''}|${r.queryCount}`;
    const g = groups.get(key) ?? groups.set(key, { targetQps: r.targetQps, queryCount: r.queryCount, rs: [] }).get(key)!;
    g.rs.push(r);
  }
  const rows = [...groups.values()]
    .sort((a, b) => (a.targetQps ?? 0) - (b.targetQps ?? 0) || a.queryCount - b.queryCount)
    .map(({ targetQps, queryCount, rs }): QueryCountRow => {
      const latencies = rs.flatMap((r) => r.latenciesNs);
      const sorted = [...latencies].sort((a, b) => a - b);
      const gwpByScope = GWP_SCOPES.flatMap((scope): ScopeMean[] => {
        const gs = rs.flatMap((r) => (r.gwp?.scope === scope ? [r.gwp.gwpG] : []));
        return gs.length ? [{ scope, runs: gs.length, meanMgPerRun: mean(gs) * 1000 }] : [];
      });
      const only = gwpByScope.length === 1 ? gwpByScope[0]! : undefined;
      return {
        ...(targetQps !== undefined ? { targetQps } : {}),
        queryCount,
        runs: rs.filter((r) => r.energyJ !== undefined).length,
        meanEnergyJ: mean(rs.flatMap((r) => (r.energyJ !== undefined ? [r.energyJ] : []))),
        meanComputeEnergyJ: mean(rs.flatMap((r) => (r.computeEnergyJ !== undefined ? [r.computeEnergyJ] : []))),
        meanLatencyMs: mean(latencies) / 1e6,
        p90LatencyMs: percentile(sorted, 0.9) / 1e6,
        gwpScope: gwpByScope.length === 0 ? 'none' : only ? only.scope : 'mixed',
        gwpMgPerRun: only ? only.meanMgPerRun : null,
        gwpByScope,
      };
    });
  const sets = new Map<string, { scope: GwpScope; runs: number; used: readonly UsedParameter[] }>();
  for (const r of runs) {
    if (!r.gwp) continue;
    const key = `${r.gwp.scope}\u0000${JSON.stringify(r.gwp.used)}`;
    const s = sets.get(key);
    if (s) s.runs++;
    else sets.set(key, { scope: r.gwp.scope, runs: 1, used: r.gwp.used });
  }
  return { rows, parameterSets: [...sets.values()] };
}

/** Read the campaign's finished bundles and tabulate them; a bundle that cannot be read is skipped, with why. */
export async function aggregate(campaign: CampaignFile, runsDir: string): Promise<CampaignAggregate> {
  const byKey = new Map(campaign.planned.map((p) => [p.key, p]));
  const runs: RunValues[] = [];
  const skipped: SkippedEntry[] = [];
  for (const f of campaign.finished) {
    const planned = byKey.get(f.key);
    if (!planned) continue;
    const dir = join(runsDir, f.bundleId);
    try {
      runs.push(await readRun(dir, campaign, planned));
    } catch (e) {
      if (!isInferprintError(e)) throw e;
      skipped.push({ name: f.bundleId, path: dir, code: e.code, reason: e.message });
    }
  }
  return { ...tabulate(runs), skipped };
}

/** One finished run's values, read from its bundle `dir`. */
async function readRun(dir: string, campaign: CampaignFile, planned: PlannedRun): Promise<RunValues> {
  const m = parseManifestText(await readBundleFile(dir, MANIFEST_FILE, 'run manifest', MAX_MANIFEST_BYTES), join(dir, MANIFEST_FILE));
  const e = m.energy;
  const compute = e?.perWindow?.find((w) => w.window === 'compute' && w.channel === e.primary.channel);
  const csvPath = join(dir, LATENCIES_FILE);
  const latenciesNs: number[] = [];
  for (const line of (await readBundleFile(dir, LATENCIES_FILE, 'query latencies', MAX_LATENCIES_BYTES)).split('\n').slice(1)) {
    if (line === '') continue;
    const v = Number(line.slice(line.lastIndexOf(',') + 1));
    if (!Number.isFinite(v)) throw errors.notANumber({ file: csvPath, field: 'latency_ns' }, line);
    latenciesNs.push(v);
  }
  const gwp = gwpOfImpact(m.impact);
  const targetQps = campaign.scenario === 'Server' ? (planned.targetQps ?? campaign.targetQps) : undefined;
  return {
    ...(targetQps !== undefined ? { targetQps } : {}),
    queryCount: planned.queryCount,
    ...(e ? { energyJ: e.primary.energyJ } : {}),
    ...(compute ? { computeEnergyJ: compute.energyJ } : {}),
    latenciesNs,
    ...(gwp ? { gwp } : {}),
  };
}
