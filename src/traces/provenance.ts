import type { Provenance, ProvenanceKind } from './types.js';

/**
 * Words for where power came from, used by every output (tables, exports, the dashboard) so
 * an estimate or a replay never reads as a measurement. Pure.
 */

/** `measured (nvml)`, `estimated (cpu-tdp-process)`, `replayed from FILE (measured by nvidia-smi)`. */
export function describeProvenance(p: Provenance): string {
  switch (p.kind) {
    case 'measured':
      return `measured (${p.sensor})`;
    case 'estimated':
      return `estimated (${p.method})`;
    case 'replayed':
      return `replayed from ${p.file} (${describeOriginal(p.original)})`;
  }
}

function describeOriginal(p: Provenance): string {
  switch (p.kind) {
    case 'measured':
      return `measured by ${p.sensor}`;
    case 'estimated':
      return `estimated by ${p.method}`;
    case 'replayed':
      return `a replay of ${p.file}`;
  }
}

/** The power basis of a set of runs: one kind when they agree, `mixed` when they do not, null for none. */
export type PowerBasis = ProvenanceKind | 'mixed';

export function combineProvenance(kinds: Iterable<ProvenanceKind>): PowerBasis | null {
  let out: ProvenanceKind | undefined;
  for (const k of kinds) {
    if (out === undefined) out = k;
    else if (out !== k) return 'mixed';
  }
  return out ?? null;
}

/** Whether figures on this basis came from a sensor reading this run's own hardware. */
export function isMeasured(basis: PowerBasis | null): boolean {
  return basis === 'measured';
}
