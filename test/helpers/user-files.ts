/**
 * The smallest valid files users write for `advise` (a workload) and `campaign submit` (a
 * plan), shared by the tests that break them one way at a time: line numbers in their
 * assertions count from these texts.
 */

/** One pooled deployment: 10 lines. */
export const MINIMAL_WORKLOAD = `users: 1000
queries_per_user_per_day: 10
slo: { percentile: 90, latency_ms: 130 }
deployments:
  - name: pool
    hardware: A100
    placement: pooled
    power: { idle_w: 60, busy_w: 250 }
    service_ms: 2
`;

/** One local target, one run of bert-tiny: 8 lines. */
export const MINIMAL_PLAN = `name: mini
targets:
  - { name: here, executor: local }
runs:
  model: synthetic:bert-tiny
  queries: [16]
  repetitions: 1
  sensor: estimate
`;
