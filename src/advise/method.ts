/**
 * The advisor's method in words and formulas, for the report's methods section: the same
 * formulas as docs/methodology.md §5 (a test keeps every formula here word for word in that
 * document) and as `fleet.ts` computes them. Pure.
 */

export interface MethodStep {
  readonly title: string;
  readonly formulas: readonly string[];
  readonly text: readonly string[];
}

export const ADVISOR_METHOD: readonly MethodStep[] = [
  {
    title: 'Load',
    formulas: ['Q = users × queries_per_user_per_day', 'λ_h = Q × w_h / 3600', 'λ_peak = max_h λ_h'],
    text: ['Queries per day, spread over the hours of the day by the hourly weights w_h (normalised to sum to 1): arrivals per second in each hour, and in the busiest one.'],
  },
  {
    title: 'Queue and fleet size',
    formulas: [
      'T_p(λ) = ln(1/(1−p)) / (μ − λ)',
      'C = min(max_utilisation · μ, μ − ln(1/(1−p)) / L)',
      'N = max(1, ceil(λ_peak / C))',
      'N = λ_peak / C',
      'N = ceil(users / k)',
    ],
    text: [
      'Each device is an M/M/1 queue with service rate μ = 1/s (s: mean service time at batch 1); T_p is its p-quantile response time, conservative for inference and closed-form.',
      'Pooled: whole devices sized to the busiest hour at the capacity C per device (or a given capacity_qps, or the capacity a measured Server sweep shows at the target). Shared: the fraction of devices the busiest hour needs. Dedicated: one device per k = users_per_device users, the target checked on the busiest device.',
    ],
  },
  {
    title: 'Power and energy',
    formulas: ['P(u) = idle_w + host_w + u · (busy_w − idle_w)', 'E_h = [n_h × (idle_w + host_w) + b_h × (busy_w − idle_w)] × 1 h', 'E = days × Σ_h E_h'],
    text: [
      'A powered device at utilisation u draws P(u); host_w is its share of the host (CPU, memory, fans, PSU losses), zero for boards that carry their own. n_h devices are powered in hour h (all of them, or as many as the hour needs with autoscale), b_h = min(λ_h × s, n_h) device-equivalents are busy.',
      'The energy splits into idle (n_h × idle_w), active (b_h × (busy_w − idle_w)) and host (n_h × host_w): the stacked bars.',
    ],
  },
  {
    title: 'Footprint',
    formulas: ['operational = days × Σ_h E_h × grid_h × PUE', 'embodied = N × (F_device + host_kg) × (days × 24 h) / lifetime', 'total = operational + embodied'],
    text: [
      "Devices bought for the deployment carry their whole share of the horizon, not a per-run slice: the difference from the study's allocation t_run / lifetime.",
    ],
  },
  {
    title: "The study's accounting",
    formulas: ['study = users × (queries_per_user_per_day / qc) × days × GWP_run(qc)'],
    text: ["Each user a device of their own and one qc-query run per user per day, with the per-run GWP of `analyze --method <method>` of the study's source (or a published value)."],
  },
  {
    title: 'Uncertainty, sensitivity, break-even',
    formulas: [],
    text: [
      'Every ranged input (grid, PUE, lifetime, embodied candidates, host embodied, idle, busy and host power, service time) is drawn in a seeded Monte Carlo: triangular on [min, max] with its mode at the value, embodied candidates equally likely, the same draw for inputs that are the same in several deployments. P5–P95 of each total; for each pair of deployments the share of draws where one emits less.',
      'Sensitivity (the tornado): each ranged input at its low and then its high end, every other input at its value.',
      'Break-even: the totals evaluated with every input at its value at 161 loads (two decades either side of the file value) and at whole numbers of users per dedicated device; where two totals change order between neighbouring points, bisection finds the crossing — where they are equal (within 1e-6 relative), or where one jumps over the other as a pool adds a device.',
    ],
  },
];
