/**
 * Numbers and cells of the advisor's answer as a person reads them, shared by the command's
 * table, the report and the dashboard so the three say the same thing. No locale: the same
 * text on every machine. Pure.
 */
import type { DeploymentAdvice, Figure } from './advise.js';

/** Thousands grouped with commas: `1,960,000,000`. */
export function grouped(n: number): string {
  const s = String(Math.abs(Math.round(n)));
  return `${n < 0 && Math.round(n) !== 0 ? '-' : ''}${s.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** 4 significant digits, thousands grouped from 1000 up, exponent below 0.001; an em dash for none. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return grouped(x);
  if (a < 0.001) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** `P5–P95` of a figure. */
export const range = (f: Figure): string => `${num(f.p5)}–${num(f.p95)}`;

/** A share as a percentage (`68.62 %`, `1.1e-4 %`). */
export const pct = (x: number): string => (x === 0 ? '0 %' : x < 0.001 ? `${(x * 100).toExponential(1)} %` : `${num(x * 100)} %`);

/** The latency at the target's percentile and whether the target is met, in one cell. */
export function sloCell(d: DeploymentAdvice): string {
  if (d.latency_basis === 'given') return d.slo_met === false ? 'no (unserved)' : 'assumed (capacity given)';
  const lat = d.latency_ms === null ? '∞' : num(d.latency_ms);
  return `${lat} ${d.slo_met === true ? 'yes' : 'NO'}`;
}

/** Whether the target is met, in a word. */
export function sloWord(d: DeploymentAdvice): string {
  if (d.latency_basis === 'given') return d.slo_met === false ? 'no (unserved)' : 'assumed (capacity given)';
  return d.slo_met === true ? 'yes' : 'no';
}
