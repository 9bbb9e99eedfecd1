/**
 * The footprint of an LLM load level, assessed as every reader assesses a run
 * (`runs/run-impact.ts`: the settings the run was recorded with, the caller's overrides), over
 * the level's energy window instead of the whole run: operational from the window's energy,
 * embodied from its duration; then per 1 000 output tokens generated in the window. Pure.
 */
import { assessRun, type ImpactOverrides } from '../runs/run-impact.js';
import type { LlmLevel, RunManifest } from '../runs/manifest.js';

export interface LevelFootprint {
  readonly scope: 'operational+embodied' | 'operational' | 'none';
  /** Over the window, mg CO2e; null when there is none. */
  readonly gwpMg: number | null;
  readonly operationalMg: number | null;
  readonly embodiedMg: number | null;
  /** Per 1 000 output tokens of the window, mg CO2e; null without tokens. */
  readonly gwpMgPer1kTokens: number | null;
  readonly operationalMgPer1kTokens: number | null;
  readonly embodiedMgPer1kTokens: number | null;
  readonly reason?: string;
}

const NONE = (reason: string): LevelFootprint => ({ scope: 'none', gwpMg: null, operationalMg: null, embodiedMg: null, gwpMgPer1kTokens: null, operationalMgPer1kTokens: null, embodiedMgPer1kTokens: null, reason });

/** GWP in g over `tokens` → mg per 1 000 tokens. */
export const mgPer1k = (g: number, tokens: number): number | null => (tokens > 0 ? (g * 1000 * 1000) / tokens : null);

export function levelFootprint(m: RunManifest, level: LlmLevel, o: ImpactOverrides = {}): LevelFootprint {
  const e = level.energy;
  if (!e || !m.energy) return NONE('the level has no energy');
  const durationS = e.t1S - e.t0S;
  const span: RunManifest = { ...m, energy: { ...m.energy, primary: { ...m.energy.primary, energyJ: e.energyJ, durationS } } };
  const a = assessRun(span, o);
  const tokens = e.outputTokens;
  switch (a.scope) {
    case 'none':
      return NONE(a.reason);
    case 'operational':
      return {
        scope: 'operational',
        gwpMg: a.operationalG * 1000,
        operationalMg: a.operationalG * 1000,
        embodiedMg: null,
        gwpMgPer1kTokens: mgPer1k(a.operationalG, tokens),
        operationalMgPer1kTokens: mgPer1k(a.operationalG, tokens),
        embodiedMgPer1kTokens: null,
        reason: a.reason,
      };
    case 'operational+embodied': {
      const r = a.result;
      return {
        scope: 'operational+embodied',
        gwpMg: r.gwpG.mean * 1000,
        operationalMg: r.operationalG.mean * 1000,
        embodiedMg: r.embodiedG.mean * 1000,
        gwpMgPer1kTokens: mgPer1k(r.gwpG.mean, tokens),
        operationalMgPer1kTokens: mgPer1k(r.operationalG.mean, tokens),
        embodiedMgPer1kTokens: mgPer1k(r.embodiedG.mean, tokens),
      };
    }
  }
}
