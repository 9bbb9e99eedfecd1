/**
 * The queue behind the advisor's sizing: each device an M/M/1 queue (Poisson arrivals,
 * exponential service at batch 1). Its response time is exponential with rate μ − λ, so the
 * p-quantile is closed-form: `ln(1/(1−p)) / (μ − λ)`. Conservative for inference, whose
 * service times vary far less than an exponential's (an M/D/1 queue waits half as long), and
 * simple enough to explain in one line. Pure.
 */

/** `ln(1/(1−p))` for a percentile `p` in (0, 100): 2.303 at the 90th. */
export function quantileFactor(percentile: number): number {
  return -Math.log1p(-percentile / 100);
}

/** The p-quantile of an M/M/1 response time, s; Infinity when the queue is unstable (λ ≥ μ). */
export function mm1QuantileS(arrivalsQps: number, serviceS: number, percentile: number): number {
  const mu = 1 / serviceS;
  return arrivalsQps >= mu ? Infinity : quantileFactor(percentile) / (mu - arrivalsQps);
}

export interface PooledCapacity {
  /** Queries per second one device may take: the lower of the two bounds. */
  readonly qps: number;
  /** Which bound decided: the utilisation cap, or the latency target. */
  readonly bound: 'utilisation' | 'latency';
  /**
   * False when the latency target cannot be met at any load: the service time alone gives
   * a p-quantile `ln(1/(1−p)) · service` above it. The pool is then sized by the utilisation
   * cap only, and the output says the target is missed.
   */
  readonly reachable: boolean;
}

/**
 * Capacity per pooled device: `min(max_utilisation · μ, μ − ln(1/(1−p)) / L)`, μ = 1 / service.
 * The second term is the arrival rate at which the M/M/1 p-quantile equals the target L.
 */
export function pooledCapacity(serviceS: number, maxUtilisation: number, percentile: number, latencyS: number): PooledCapacity {
  const mu = 1 / serviceS;
  const byUtilisation = maxUtilisation * mu;
  const byLatency = mu - quantileFactor(percentile) / latencyS;
  if (byLatency <= 0) return { qps: byUtilisation, bound: 'utilisation', reachable: false };
  return byLatency < byUtilisation ? { qps: byLatency, bound: 'latency', reachable: true } : { qps: byUtilisation, bound: 'utilisation', reachable: true };
}
