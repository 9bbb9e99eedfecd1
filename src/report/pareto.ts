/**
 * Pareto front of points to minimise on both axes (GWP per query and latency): the points no
 * other point beats on one axis without losing on the other. Pure.
 */
export interface ParetoPoint {
  readonly x: number;
  readonly y: number;
}

/** `a` dominates `b` when it is no worse on both axes and better on at least one. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  return a.x <= b.x && a.y <= b.y && (a.x < b.x || a.y < b.y);
}

/**
 * Indices of the non-dominated points, ordered by increasing x (then y, then index). Equal
 * points are all kept: neither dominates the other. Points with a non-finite coordinate are
 * never on the front. O(n log n): after sorting by x then y, a point is on the front exactly
 * when its y is below every y seen at a smaller x (or equals the best y of its own x-tie
 * group while being that group's best).
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const order = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.p.x - b.p.x || a.p.y - b.p.y || a.i - b.i);
  const front: number[] = [];
  let bestY = Infinity; // smallest y among points with a strictly smaller x
  let k = 0;
  while (k < order.length) {
    // Points sharing one x: only those with the group's lowest y can be on the front, and
    // only if that y beats every point at a smaller x.
    const x = order[k]!.p.x;
    let end = k;
    while (end < order.length && order[end]!.p.x === x) end++;
    const groupMinY = order[k]!.p.y;
    if (groupMinY < bestY) {
      for (let j = k; j < end && order[j]!.p.y === groupMinY; j++) front.push(order[j]!.i);
      bestY = groupMinY;
    }
    k = end;
  }
  return front;
}
