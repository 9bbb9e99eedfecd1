/**
 * Name normalisation shared by the runtime look-ups and the data generator, so that an alias
 * collision is caught when the tables are generated, not when a user types a name.
 */

/**
 * Reduce a device name to a key: case, spaces, `-`, `_` and `.` do not matter; an `NVIDIA `
 * prefix and MLPerf's system suffixes (`x1_TRT`, `_TRT`) are dropped. So `NVIDIA GeForce RTX
 * 2080 Ti`, `GeForce RTX 2080 Tix1_TRT` and `geforce-rtx-2080-ti` give the same key.
 */
export function hardwareKey(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^nvidia[\s_-]+/, '')
    .replace(/(?:x\d+)?[\s_-]trt$/, '')
    .replace(/[\s_.-]+/g, '');
}

/** Zone keys: case, spaces, `-`, `_` and `.` do not matter (`fr-ademe` = `FR_ADEME`). */
export function zoneKey(raw: string): string {
  return raw.trim().toUpperCase().replace(/[\s_.-]+/g, '');
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` targets whose keys are close to `key`: a key that contains the other, or
 * one within a third of its length in edit distance. Closest first, ties by target order.
 */
export function closeMatches(key: string, entries: readonly (readonly [key: string, target: string])[], limit = 3): string[] {
  if (key === '') return [];
  const best = new Map<string, number>();
  for (const [k, target] of entries) {
    const contains = k.includes(key) || key.includes(k);
    const d = contains ? Math.abs(k.length - key.length) / 100 : editDistance(key, k);
    const threshold = Math.max(2, Math.floor(Math.max(key.length, k.length) / 3));
    if (!contains && d > threshold) continue;
    const old = best.get(target);
    if (old === undefined || d < old) best.set(target, d);
  }
  return [...best.entries()]
    .sort((a, b) => a[1] - b[1])
    .slice(0, limit)
    .map(([t]) => t);
}
