/**
 * The methods section of a report, generated from the models' own descriptions (formula
 * strings, summaries and the parameters each result used with their sources), so the text
 * cannot drift from what computed the numbers. Pure.
 */
import type { EnergyMethod } from '../analysis/types.js';
import { THESIS_GRID_POINTS } from '../analysis/thesis-2025.js';
import { EMBODIED_MODELS, isEmbodiedModelId } from '../impact/embodied/index.js';
import { LCA_FORMULA, LCA_MODEL } from '../impact/lca.js';
import type { DefaultUsed } from '../impact/presets.js';

/** One symbol of the LCA formula: what it means, its unit, the values used and their sources. */
interface MethodTerm {
  readonly symbol: string;
  readonly name: string;
  readonly unit: string;
  readonly meaning: string;
  /** Each distinct value used, with the series that used it (e.g. `1.5 (A100 v4.1)`). */
  readonly values: readonly string[];
  readonly sources: readonly string[];
}

export interface MethodsDescription {
  readonly energy: { readonly method: EnergyMethod; readonly title: string; readonly text: readonly string[] };
  readonly lca: { readonly model: string; readonly formula: string; readonly text: readonly string[]; readonly terms: readonly MethodTerm[] };
  readonly embodied: readonly { readonly model: string; readonly summary: string; readonly formula: string }[];
  readonly latency: { readonly text: readonly string[] };
  readonly profile: { readonly text: readonly string[] };
  /** Every source cited by a parameter or an embodied estimate, deduplicated, in first-use order. */
  readonly sources: readonly string[];
}

interface DescribeMethodsInput {
  readonly method: EnergyMethod;
  /** Embodied model ids the results used (`die-area-v1`, ...). */
  readonly embodiedModels: readonly string[];
  /** Parameters per series, as `analyze` reports them. */
  readonly parameters: readonly { readonly device: string; readonly used: readonly DefaultUsed[] }[];
  /** Citations of the embodied estimates (hardware rows, IC and memory factors). */
  readonly embodiedSources?: readonly string[];
  /** Grid points of the plotted power profiles. */
  readonly profilePoints: number;
}

const ENERGY_TEXT: Readonly<Record<EnergyMethod, { title: string; text: readonly string[] }>> = {
  thesis: {
    title: "the study's arithmetic (thesis-2025)",
    text: [
      `For each device and query count, the whole-run power traces of the repetitions are cut to the span they all cover (t0 = latest first sample, t1 = earliest last sample), linearly interpolated onto ${THESIS_GRID_POINTS} evenly spaced points and averaged point by point.`,
      'Energy = mean of that curve × (t1 − t0), as the study computed its Table 5.1; the duration is the common window, shorter than any single run.',
      'No confidence interval: the method yields one curve, not one value per run.',
    ],
  },
  trapezoid: {
    title: 'trapezoidal integration of each run',
    text: [
      'Each run is integrated over its own span with the trapezoidal rule (exact for piecewise-linear power); sampling gaps longer than 5 × the median interval are bridged linearly and counted.',
      'Energy per device and query count is the mean over the repetitions, with its sample standard deviation and a 95 % Student-t confidence interval; mean power = mean energy / mean duration.',
      'Where the data hold a compute-phase measurement (a compute window, or separate compute-only runs), its energy is reported beside the whole run.',
    ],
  },
};

const TERMS: readonly { key: DefaultUsed['name']; symbol: string; name: string; meaning: string }[] = [
  { key: 'grid', symbol: 'EGM', name: 'grid carbon intensity', meaning: 'emissions of the electricity mix per kWh drawn' },
  { key: 'pue', symbol: 'PUE', name: 'power usage effectiveness', meaning: 'facility energy over IT energy: cooling and power-delivery overhead' },
  { key: 'lifetime', symbol: 'lifetime', name: 'hardware lifetime', meaning: 'the span over which the manufacturing footprint is spread; the workload is charged t / lifetime of it' },
  { key: 'embodied', symbol: 'F', name: 'manufacturing footprint', meaning: 'embodied GWP of the accelerator (processor die and memory); mean over the model\'s candidates, min–max their range' },
];

/** `61320 h (7 y)` for seconds; `1.5` or `79.1 gCO2e/kWh` otherwise; the range when there is one. */
function showValue(u: DefaultUsed): string {
  const num = (v: number): string => String(Number(v.toPrecision(6)));
  const hours = (s: number): string => `${num(s / 3600)} h (${num(s / 3600 / 8760)} y)`;
  const one = (v: number | string): string => (typeof v === 'string' ? v : u.unit === 's' ? hours(v) : num(v));
  const unit = u.unit === 's' || u.unit === 'ratio' ? '' : ` ${u.unit}`;
  const range = u.min !== undefined && u.max !== undefined && (u.min !== u.value || u.max !== u.value) ? `, range ${one(u.min)} – ${one(u.max)}` : '';
  return `${one(u.value)}${unit}${range}`;
}

/** Distinct values of one parameter across series, each with the series that used it. */
function termValues(parameters: DescribeMethodsInput['parameters'], key: DefaultUsed['name']): { values: string[]; sources: string[] } {
  const byValue = new Map<string, string[]>();
  const sources: string[] = [];
  for (const p of parameters) {
    const u = p.used.find((x) => x.name === key);
    if (!u) continue;
    const shown = `${showValue(u)}${u.origin === 'user' ? ' [given by the user]' : ''}`;
    const list = byValue.get(shown);
    if (list) list.push(p.device);
    else byValue.set(shown, [p.device]);
    const src = `${u.source}${u.year !== null ? ` (${u.year})` : ''}`;
    if (!sources.includes(src)) sources.push(src);
  }
  return { values: [...byValue].map(([v, devices]) => `${v} (${devices.join(', ')})`), sources };
}

/** The methods section for a set of results. */
export function describeMethods(input: DescribeMethodsInput): MethodsDescription {
  const terms: MethodTerm[] = TERMS.map((t) => {
    const { values, sources } = termValues(input.parameters, t.key);
    const unit = t.key === 'grid' ? 'gCO2e/kWh' : t.key === 'pue' ? 'ratio' : t.key === 'lifetime' ? 's' : 'kgCO2e';
    return { symbol: t.symbol, name: t.name, unit, meaning: t.meaning, values, sources };
  });
  const embodied = [...new Set(input.embodiedModels)].filter(isEmbodiedModelId).map((id) => ({ model: id, summary: EMBODIED_MODELS[id].summary, formula: EMBODIED_MODELS[id].formula }));
  const sources: string[] = [];
  for (const s of [...terms.flatMap((t) => t.sources), ...(input.embodiedSources ?? [])]) if (!sources.includes(s)) sources.push(s);
  return {
    energy: { method: input.method, ...ENERGY_TEXT[input.method] },
    lca: {
      model: LCA_MODEL,
      formula: LCA_FORMULA,
      text: [
        'GWP = operational + embodied. Operational: the energy in kWh × the grid intensity (EGM) × the PUE. Embodied: the share t / lifetime of the accelerator\'s manufacturing footprint F, where t is the time the workload held the hardware (the run duration).',
        'The central value uses every parameter at its value and the mean of the embodied candidates. The range is an envelope, not a confidence interval: every parameter at the end of its range that lowers (raises) the impact, with the smallest (largest) embodied candidate.',
        'Per query: the run\'s GWP divided evenly over its queries, set-up and idle time included.',
      ],
      terms,
    },
    embodied,
    latency: {
      text: [
        "Latency per device and query count: the mean, over every MLPerf LoadGen summary of that device whose min_query_count equals the query count, of its maximum and its 90th-percentile latency (the study's rule: no filtering on validity).",
      ],
    },
    profile: {
      text: [
        `Power profiles: the repetitions of a device and query count interpolated onto ${input.profilePoints} evenly spaced points over the span every run covers; the line is the point-wise mean, the band ± one sample standard deviation across runs.`,
      ],
    },
    sources,
  };
}
