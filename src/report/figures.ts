/**
 * The report's figures as Vega-Lite specifications with their data inline. Pure: the CLI
 * renders them to SVG and PNG in Node (render.ts); the dashboard can hand the same specs to a
 * browser.
 *
 * Conventions every figure follows: one colour per device series from `palette.ts`, with the
 * full series list as the colour domain so a device keeps its colour whichever figure it is
 * in; units on every axis; fonts and sizes chosen to stay readable printed at column width.
 */
import { HARDWARE_CATEGORIES } from '../impact/types.js';
import { figureContext } from './context.js';
import type { PowerProfileData, ReportData, ReportRow } from './data.js';
import { NEUTRAL, seriesColours, sortSeries } from './palette.js';
import { paretoFront } from './pareto.js';

export interface FigureSpec {
  id: string;
  title: string;
  caption: string;
  /**
   * Vega-Lite top-level spec with its data inline. Its title carries `title` and, as subtitle
   * lines, the figure's context (grid, PUE, lifetime, energy method, tool version: context.ts)
   * and its own notes, so the image alone says what it was computed with.
   */
  spec: Record<string, unknown>;
}

/** A figure as its builder makes it: lines of its own to add under the context (e.g. why a whisker is missing). */
type FigureDraft = FigureSpec & { readonly notes?: readonly string[] };

/** The one font family of every figure (its file is loaded for PNG rendering: render.ts). */
export const FIGURE_FONT = 'DejaVu Sans';
const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const CONFIG = {
  font: FIGURE_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#ececec', tickColor: '#888888', domainColor: '#888888', labelColor: '#222222', titleColor: '#222222' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260 },
  header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  text: { fontSize: 10 },
  title: { anchor: 'start', fontSize: 13, fontWeight: 'bold', color: '#222222', subtitleFontSize: 10.5, subtitleColor: '#444444', subtitlePadding: 4, offset: 12 },
} as const;

/** Six significant digits: enough for any plot, and keeps inline data and SVGs small. */
export function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

const G_TO_MG = 1000;

/** A Vega-Lite top-level spec in the report's style (schema and config, then `body`): every figure, the advisor's too. */
export function topLevel(body: Record<string, unknown>): Record<string, unknown> {
  return { $schema: VEGA_LITE_SCHEMA, config: CONFIG, ...body };
}

/** A nominal colour channel on `field`: `names` the domain, each in its colour from `colours`; `legend` null for none (the advisor's figures too). */
export function colourChannel(field: string, title: string, names: readonly string[], colours: ReadonlyMap<string, string>, legend: Record<string, unknown> | null = {}): Record<string, unknown> {
  return {
    field,
    type: 'nominal',
    title,
    scale: { domain: names, range: names.map((n) => colours.get(n)!) },
    legend: legend === null ? null : { orient: 'right', ...legend },
  };
}

/** The colour channel keyed by series, with the whole report's series as the domain. */
function seriesColor(data: ReportData, legend: Record<string, unknown> | null = {}): Record<string, unknown> {
  const names = sortSeries(data.series.map((s) => s.name));
  return colourChannel('series', 'device', names, seriesColours(names), legend);
}

const qcLabel = (qc: number | null): string => (qc === null ? 'all runs' : `QC ${qc}`);

// ── 1. power profiles ──────────────────────────────────────────────────────────────

/**
 * A panel's time axis: the extent of its own grid, padded by 2 % of the span on each side. Each
 * panel gets its own, since a data-centre GPU finishes a run in seconds where an edge board takes
 * minutes: one shared axis would leave most panels empty.
 */
export function profileTimeDomain(tS: readonly number[]): [number, number] {
  const t0 = Math.min(...tS);
  const t1 = Math.max(...tS);
  const pad = t1 > t0 ? 0.02 * (t1 - t0) : 0.5;
  return [r6(t0 - pad), r6(t1 + pad)];
}

function profileFigure(data: ReportData, phase: 'full' | 'compute', profiles: readonly PowerProfileData[]): FigureDraft {
  const values: Record<string, unknown>[] = [];
  profiles.forEach((p, panel) => {
    const facet = { series: p.series, qc: qcLabel(p.queryCount), panel };
    p.tS.forEach((t, k) => {
      const mean = p.meanW[k]!;
      const sd = p.sdW[k];
      values.push({ ...facet, kind: 'point', t: r6(t), mean: r6(mean), ...(sd !== null && sd !== undefined ? { lo: r6(mean - sd), hi: r6(mean + sd) } : {}) });
    });
    for (const w of p.windows) values.push({ ...facet, kind: 'window', window: w.name, t0: r6(w.t0S), t1: r6(w.t1S) });
  });
  const hasWindows = profiles.some((p) => p.windows.length > 0);
  const runs = [...new Set(profiles.map((p) => p.runs))].sort((a, b) => a - b);
  const runsText = runs.length === 1 ? `${runs[0]!}` : `${runs[0]!}–${runs[runs.length - 1]!}`;

  /** The layers of one panel, its time axis fitted to its data. */
  const panelLayers = (domain: [number, number], yTitle: string | null): Record<string, unknown>[] => {
    const x = { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain, nice: false, zero: false }, axis: { tickCount: 4 } };
    const layers: Record<string, unknown>[] = [];
    if (hasWindows) {
      // A phase may start before the span every run covers: clipped to the panel.
      layers.push(
        {
          transform: [{ filter: "datum.kind === 'window'" }],
          mark: { type: 'rect', color: NEUTRAL.window, opacity: 0.18, clip: true },
          encoding: { x: { ...x, field: 't0' }, x2: { field: 't1' } },
        },
        {
          transform: [{ filter: "datum.kind === 'window'" }],
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 2, dy: 2, fontSize: 10, color: '#555555', clip: true },
          encoding: { x: { ...x, field: 't0' }, y: { value: 0 }, text: { field: 'window' } },
        },
      );
    }
    layers.push(
      {
        transform: [{ filter: "datum.kind === 'point' && isValid(datum.lo)" }],
        mark: { type: 'area', opacity: 0.25 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, color: seriesColor(data, null) },
      },
      {
        transform: [{ filter: "datum.kind === 'point'" }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle }, color: seriesColor(data, null) },
      },
    );
    return layers;
  };

  const names = sortSeries(profiles.map((p) => p.series));
  // One row per device, its query counts side by side on one power scale; each device keeps
  // its own power scale (an edge board draws a few watts, a data-centre GPU hundreds), each
  // panel its own time axis.
  const spec = topLevel({
    data: { values },
    vconcat: names.map((name) => {
      const panels = profiles.map((p, panel) => ({ p, panel })).filter(({ p }) => p.series === name);
      panels.sort((a, b) => (a.p.queryCount ?? -1) - (b.p.queryCount ?? -1));
      return {
        title: { text: name, anchor: 'start', fontSize: 12, fontWeight: 'bold', offset: 4 },
        hconcat: panels.map(({ p, panel }, k) => ({
          title: { text: qcLabel(p.queryCount), anchor: 'middle', fontSize: 12, fontWeight: 'normal', offset: 4 },
          transform: [{ filter: { field: 'panel', equal: panel } }],
          width: 130,
          height: 90,
          layer: panelLayers(profileTimeDomain(p.tS), k === 0 ? 'power (W)' : null),
        })),
        spacing: 14,
        resolve: { scale: { x: 'independent', y: 'shared' } },
      };
    }),
    resolve: { scale: { color: 'shared', x: 'independent', y: 'independent' } },
    spacing: 14,
  });
  const full = phase === 'full';
  return {
    id: full ? 'power-profile' : 'power-profile-compute',
    title: full ? 'Mean power profile of the repetitions' : 'Mean power profile of the compute phase (separate runs)',
    caption:
      `${full ? 'Whole runs (model and data loading, the LoadGen test, teardown)' : "Runs that measured the compute phase only (the study's CI runs: separate runs, not a window of the whole ones)"}, ` +
      `${runsText} repetitions per device and query count (QC), interpolated onto a common grid over the span every run covers; time from the start of each run's power log. ` +
      `Line: mean power; band: ± one standard deviation across runs. Each device has its own power scale, each panel a time axis fitted to its data.` +
      (hasWindows ? ' Shaded: phases the runs recorded (compute = LoadGen power_begin → power_end), averaged over the runs.' : ''),
    spec,
  };
}

// ── 2. GWP against query count ─────────────────────────────────────────────────────

/** Rows plotted against query count: a known query count and the measure wanted. */
function byQc(data: ReportData, want: (r: ReportRow) => boolean): ReportRow[] {
  return data.rows.filter((r) => r.queryCount !== null && r.queryCount > 0 && want(r));
}

/** Query counts on a log2 axis, nudged apart per series so error bars do not hide each other. */
function dodge(rows: readonly ReportRow[]): (r: ReportRow) => number {
  const names = sortSeries(rows.map((r) => r.series));
  const step = names.length > 1 ? Math.min(0.08, 0.4 / names.length) : 0;
  const offset = new Map(names.map((n, i) => [n, (i - (names.length - 1) / 2) * step]));
  return (r) => r6(r.queryCount! * 2 ** offset.get(r.series)!);
}

function qcAxis(rows: readonly ReportRow[]): Record<string, unknown> {
  const qcs = [...new Set(rows.map((r) => r.queryCount!))].sort((a, b) => a - b);
  const lo = qcs[0]!;
  const hi = qcs[qcs.length - 1]!;
  return {
    type: 'quantitative',
    title: 'query count (queries per run)',
    scale: { type: 'log', base: 2, domain: [lo / 2 ** 0.3, hi * 2 ** 0.3], nice: false },
    axis: { values: qcs, format: 'd', grid: false },
  };
}

/** The line a figure shows when some devices have a single embodied candidate (so no embodied range). */
export const SINGLE_CANDIDATE_NOTE = 'one embodied candidate: no range';

function gwpFigure(data: ReportData): FigureDraft | undefined {
  const rows = byQc(data, (r) => r.impact !== undefined);
  if (rows.length === 0) return undefined;
  // A device whose embodied model found one candidate has no embodied range: its bar is only
  // what the other parameters' ranges give (nothing at all under the study's preset).
  const single = sortSeries(rows.filter((r) => r.impact!.perCandidateG.length === 1).map((r) => r.series));
  const x = dodge(rows);
  const values = rows.map((r) => ({
    series: r.series,
    qc: r.queryCount,
    x: x(r),
    gwp: r6(r.impact!.gwpG.mean * G_TO_MG),
    min: r6(r.impact!.gwpG.min * G_TO_MG),
    max: r6(r.impact!.gwpG.max * G_TO_MG),
  }));
  const xEnc = { field: 'x', ...qcAxis(rows) };
  const y = { type: 'quantitative', title: 'GWP per run (mg CO2e)' };
  return {
    id: 'gwp-by-query-count',
    title: 'GWP per run against query count',
    caption:
      'Global warming potential of one run (operational + embodied share), per device and query count. Point: every parameter at its value and the mean embodied candidate; ' +
      'bar: the envelope from the embodied model\'s smallest to its largest candidate, with every other parameter at the end of its range (a bound, not a confidence interval).' +
      (single.length > 0 ? ` ${single.join(', ')}: ${SINGLE_CANDIDATE_NOTE} in the embodied footprint (its bar, if any, comes from the other parameters' ranges).` : ''),
    notes: single.length > 0 ? [`${single.join(', ')}: ${SINGLE_CANDIDATE_NOTE} from the embodied part`] : [],
    spec: topLevel({
      data: { values },
      width: 520,
      height: 320,
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: xEnc, y: { field: 'min', ...y }, y2: { field: 'max' }, color: seriesColor(data) } },
        { mark: { type: 'tick', orient: 'horizontal', size: 8, thickness: 1.5 }, encoding: { x: xEnc, y: { field: 'min', ...y }, color: seriesColor(data) } },
        { mark: { type: 'tick', orient: 'horizontal', size: 8, thickness: 1.5 }, encoding: { x: xEnc, y: { field: 'max', ...y }, color: seriesColor(data) } },
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: xEnc, y: { field: 'gwp', ...y }, color: seriesColor(data) } },
        { mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { x: xEnc, y: { field: 'gwp', ...y }, color: seriesColor(data) } },
      ],
    }),
  };
}

// ── 3. latency against query count ─────────────────────────────────────────────────

function latencyFigure(data: ReportData): FigureDraft | undefined {
  const rows = byQc(data, (r) => r.latency !== undefined);
  if (rows.length === 0) return undefined;
  const values = rows.flatMap((r) => [
    { series: r.series, qc: r.queryCount, statistic: 'max', ms: r6(r.latency!.maxLatencyMs) },
    ...(r.latency!.p90LatencyMs !== undefined ? [{ series: r.series, qc: r.queryCount, statistic: 'p90', ms: r6(r.latency!.p90LatencyMs) }] : []),
  ]);
  const stat = { field: 'statistic', type: 'nominal', title: 'latency', scale: { domain: ['max', 'p90'] } };
  const x = { field: 'qc', ...qcAxis(rows) };
  const y = { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } };
  return {
    id: 'latency-by-query-count',
    title: 'Maximum and 90th-percentile latency against query count',
    caption:
      'Per-query latency reported by MLPerf LoadGen (SingleStream), mean over every summary of a device at that query count: maximum (solid) and 90th percentile (dashed). Logarithmic scale.',
    spec: topLevel({
      data: { values },
      width: 520,
      height: 320,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: seriesColor(data), strokeDash: { ...stat, scale: { domain: ['max', 'p90'], range: [[1, 0], [5, 3]] } }, detail: { field: 'statistic' } } },
        { mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { x, y, color: seriesColor(data), shape: { ...stat, scale: { domain: ['max', 'p90'], range: ['circle', 'triangle-up'] } } } },
      ],
    }),
  };
}

// ── 4. manufacturing footprint per hardware ────────────────────────────────────────

function embodiedFigure(data: ReportData): FigureDraft | undefined {
  if (data.hardware.length === 0) return undefined;
  const values: Record<string, unknown>[] = [];
  for (const h of data.hardware) {
    const common = { id: h.id, category: h.category, total: r6(h.totalKg.mean) };
    values.push({ ...common, kind: 'part', part: 'processor', partOrder: 0, kg: r6(h.processorKg.mean) });
    values.push({ ...common, kind: 'part', part: 'memory', partOrder: 1, kg: r6(h.memoryKg) });
    if (h.candidates > 1 && h.totalKg.max > h.totalKg.min) {
      values.push({ ...common, kind: 'range', min: r6(h.totalKg.min), max: r6(h.totalKg.max) });
      values.push({ ...common, kind: 'end', at: r6(h.totalKg.min) }, { ...common, kind: 'end', at: r6(h.totalKg.max) });
    } else values.push({ ...common, kind: 'single' });
  }
  const single = data.hardware.filter((h) => !(h.candidates > 1 && h.totalKg.max > h.totalKg.min));
  const inReport = data.hardware.filter((h) => h.inReport).map((h) => h.id);
  const y = {
    field: 'id',
    type: 'nominal',
    title: null,
    sort: { field: 'total', op: 'max', order: 'descending' },
    axis: {
      labelFontWeight: inReport.length > 0 ? { condition: { test: `indexof(${JSON.stringify(inReport)}, datum.value) >= 0`, value: 'bold' }, value: 'normal' } : 'normal',
    },
  };
  const xTitle = 'manufacturing footprint (kg CO2e)';
  const x = (field: string): Record<string, unknown> => ({ field, type: 'quantitative', title: xTitle });
  const categories = HARDWARE_CATEGORIES.filter((c) => data.hardware.some((h) => h.category === c));
  // The whisker crosses the dark processor part, the light memory part and white: black on a
  // white halo stays visible on all three (and on every series colour; tested).
  const whisker = (colour: string, width: number, capSize: number): Record<string, unknown>[] => [
    { transform: [{ filter: "datum.kind === 'range'" }], mark: { type: 'rule', color: colour, strokeWidth: width, strokeCap: 'butt' }, encoding: { y, x: x('min'), x2: { field: 'max' } } },
    { transform: [{ filter: "datum.kind === 'end'" }], mark: { type: 'tick', orient: 'vertical', color: colour, size: capSize, thickness: width, opacity: 1 }, encoding: { y, x: x('at') } },
  ];
  return {
    id: 'embodied-by-hardware',
    title: 'Manufacturing footprint per hardware, processor and memory',
    caption:
      `Embodied GWP of each accelerator in the hardware database (${data.hardwareModel}: die area × IC factor per cm² (Pirson et al. 2023) + memory capacity × factor per GB by memory type), grouped by category. ` +
      'Bar: processor part (mean over the matching IC factors) stacked with the memory part; whisker: range over the IC-factor candidates.' +
      (single.length > 0 ? ` †: ${SINGLE_CANDIDATE_NOTE} (a single IC factor matches the die's node and year), so no whisker.` : '') +
      (inReport.length > 0 ? ' Bold: hardware measured in this report.' : ''),
    notes: single.length > 0 ? [`whisker: min–max over the embodied candidates; † ${SINGLE_CANDIDATE_NOTE}`] : ['whisker: min–max over the embodied candidates'],
    spec: topLevel({
      data: { values },
      facet: { row: { field: 'category', type: 'nominal', title: null, sort: categories, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top', labelFontWeight: 'bold' } } },
      spec: {
        width: 460,
        height: { step: 16 },
        layer: [
          {
            transform: [{ filter: "datum.kind === 'part'" }],
            mark: { type: 'bar' },
            encoding: {
              y,
              x: { ...x('kg'), stack: 'zero' },
              color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: ['processor', 'memory'], range: [NEUTRAL.processor, NEUTRAL.memory] } },
              order: { field: 'partOrder', type: 'quantitative' },
            },
          },
          ...whisker(NEUTRAL.whiskerHalo, 3.2, 10.5),
          ...whisker(NEUTRAL.whisker, 1.4, 8),
          {
            transform: [{ filter: "datum.kind === 'single'" }],
            mark: { type: 'text', align: 'left', baseline: 'middle', dx: 3, fontSize: 11, color: NEUTRAL.front, text: '†' },
            encoding: { y, x: x('total') },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    }),
  };
}

// ── 5. GWP per query against latency, Pareto front ─────────────────────────────────

/** A log scale over the data with a margin, instead of rounding out to whole decades. */
function logDomain(xs: readonly number[]): Record<string, unknown> {
  const pos = xs.filter((x) => x > 0 && Number.isFinite(x));
  const lo = Math.min(...pos);
  const hi = Math.max(...pos);
  return { type: 'log', nice: false, domain: [r6(lo / 1.25), r6(hi * 1.25)] };
}

/** The configurations of figure 5: each row with GWP per query and latency, and which lie on the Pareto front. */
interface TradeOffPoints {
  readonly rows: readonly ReportRow[];
  /** Latency (ms) and GWP per query (g) of each row. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Indices into `rows` on the front, by increasing latency. */
  readonly front: readonly number[];
  /** Whether the latency is the 90th percentile (else the maximum). */
  readonly p90: boolean;
}

export function tradeOffPoints(data: ReportData): TradeOffPoints {
  const rows = byQc(data, (r) => r.gwpPerQueryG !== undefined && r.latency !== undefined);
  // MLPerf's SingleStream metric is the 90th percentile; the maximum stands in where a summary lacks it.
  const p90 = rows.every((r) => r.latency!.p90LatencyMs !== undefined);
  const points = rows.map((r) => ({ x: p90 ? r.latency!.p90LatencyMs! : r.latency!.maxLatencyMs, y: r.gwpPerQueryG!.mean }));
  return { rows, points, front: paretoFront(points), p90 };
}

function paretoFigure(data: ReportData): FigureDraft | undefined {
  const { rows, points, front, p90: useP90 } = tradeOffPoints(data);
  if (rows.length === 0) return undefined;
  const onFront = new Set(front);
  const values: Record<string, unknown>[] = rows.map((r, i) => ({
    kind: 'point',
    series: r.series,
    qc: r.queryCount,
    label: `${r.queryCount!}`,
    latency: r6(points[i]!.x),
    gwp: r6(points[i]!.y * G_TO_MG),
    front: onFront.has(i),
  }));
  front.forEach((i, k) => values.push({ kind: 'front', order: k, latency: r6(points[i]!.x), gwp: r6(points[i]!.y * G_TO_MG) }));
  const x = { field: 'latency', type: 'quantitative', title: `${useP90 ? '90th-percentile' : 'maximum'} latency (ms, log scale)`, scale: logDomain(points.map((p) => p.x)) };
  const y = { field: 'gwp', type: 'quantitative', title: 'GWP per query (mg CO2e, log scale)', scale: logDomain(points.map((p) => p.y * G_TO_MG)) };
  return {
    id: 'gwp-per-query-vs-latency',
    title: 'GWP per query against latency, with the Pareto front',
    caption:
      `Each point is a device at one query count (labelled), GWP per query (the run's GWP divided by its queries) against ${useP90 ? '90th-percentile' : 'maximum'} latency; both axes logarithmic. ` +
      'Dark line: the Pareto front — the configurations no other one beats on both GWP and latency (lower is better on both); ringed points lie on it.',
    spec: topLevel({
      data: { values },
      width: 520,
      height: 360,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'front'" }],
          mark: { type: 'line', interpolate: 'step-after', color: NEUTRAL.front, strokeWidth: 1.5, strokeDash: [6, 3] },
          encoding: { x, y, order: { field: 'order', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'point' && datum.front" }],
          mark: { type: 'point', filled: false, size: 170, strokeWidth: 1.5, color: NEUTRAL.front },
          encoding: { x, y },
        },
        { transform: [{ filter: "datum.kind === 'point'" }], mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { x, y, color: seriesColor(data) } },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 10, fontSize: 10, color: '#333333' },
          encoding: { x, y, text: { field: 'label' } },
        },
      ],
    }),
  };
}

// ── 6. operational vs embodied share ───────────────────────────────────────────────

function shareFigure(data: ReportData): FigureDraft | undefined {
  const totals = new Map<string, { op: number; emb: number }>();
  for (const r of data.rows) {
    if (!r.impact) continue;
    const t = totals.get(r.series) ?? { op: 0, emb: 0 };
    t.op += r.impact.operationalG.mean;
    t.emb += r.impact.embodiedG.mean;
    totals.set(r.series, t);
  }
  const names = sortSeries(totals.keys()).filter((n) => totals.get(n)!.op + totals.get(n)!.emb > 0);
  if (names.length === 0) return undefined;
  const values = names.flatMap((n) => {
    const t = totals.get(n)!;
    const sum = t.op + t.emb;
    return [
      { series: n, part: 'operational', partOrder: 0, share: r6(t.op / sum), label: `${(100 * t.op / sum).toFixed(1)} %` },
      { series: n, part: 'embodied', partOrder: 1, share: r6(t.emb / sum), label: `${(100 * t.emb / sum).toFixed(1)} %` },
    ];
  });
  const y = { field: 'series', type: 'nominal', title: null, sort: names };
  return {
    id: 'operational-embodied-share',
    title: 'Operational and embodied shares of GWP per device',
    caption:
      'Share of each device\'s GWP that comes from electricity use (operational: energy × grid intensity × PUE, solid) and from manufacturing (embodied: run time / lifetime × footprint, light), ' +
      'summed over all its query counts, with every parameter at its value.',
    spec: topLevel({
      data: { values },
      width: 460,
      height: { step: 30 },
      layer: [
        {
          mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 0.5 },
          encoding: {
            y,
            x: { field: 'share', type: 'quantitative', stack: 'zero', title: 'share of GWP (%)', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
            color: seriesColor(data),
            opacity: { field: 'part', type: 'nominal', title: 'part', scale: { domain: ['operational', 'embodied'], range: [1, 0.35] } },
            order: { field: 'partOrder', type: 'quantitative' },
          },
        },
        {
          transform: [{ filter: "datum.part === 'embodied'" }],
          mark: { type: 'text', align: 'right', baseline: 'middle', dx: -4, fontSize: 10, color: '#222222' },
          encoding: { y, x: { value: 460 }, text: { field: 'label' } },
        },
      ],
    }),
  };
}

// ── 7–8. served LLMs: energy per token and latency against load ──────────────────

/** The served-LLM rows of one load kind, with the load value their x axis takes. */
function llmRows(data: ReportData, load: 'closed' | 'poisson'): { row: ReportRow; x: number }[] {
  return data.rows.flatMap((row) => {
    const l = row.llm;
    if (!l || l.load !== load) return [];
    const x = load === 'closed' ? l.concurrency : l.requestRate;
    return x !== null && x > 0 ? [{ row, x }] : [];
  });
}

/** The load axis: concurrency on a log2 scale (1, 4, 16 evenly spaced), a request rate as given. */
function loadAxis(load: 'closed' | 'poisson', xs: readonly number[]): Record<string, unknown> {
  const values = [...new Set(xs)].sort((a, b) => a - b);
  const lo = values[0]!;
  const hi = values[values.length - 1]!;
  return load === 'closed'
    ? { field: 'x', type: 'quantitative', title: 'concurrency (clients)', scale: { type: 'log', base: 2, domain: [lo / 2 ** 0.3, hi * 2 ** 0.3], nice: false }, axis: { values, format: 'd', grid: false } }
    : { field: 'x', type: 'quantitative', title: 'request rate (req/s, Poisson)', scale: { zero: false, nice: true }, axis: { values, grid: false } };
}

/** What distinguishes lines within one device: the model (when a device served several). */
const modelKey = (r: ReportRow): string => r.llm?.model ?? '';

function llmEnergyFigure(data: ReportData, load: 'closed' | 'poisson'): FigureDraft | undefined {
  const rows = llmRows(data, load).filter(({ row }) => row.llm!.jPerOutputToken !== null);
  if (rows.length === 0) return undefined;
  const models = new Set(rows.map(({ row }) => modelKey(row))).size;
  const values = rows.map(({ row, x }) => ({
    series: row.series,
    model: modelKey(row),
    x,
    jPerToken: r6(row.llm!.jPerOutputToken!),
    ...(row.llm!.gwpMgPer1kTokens !== null ? { mgPer1k: r6(row.llm!.gwpMgPer1kTokens) } : {}),
  }));
  const x = loadAxis(load, rows.map((r) => r.x));
  const y = { field: 'jPerToken', type: 'quantitative', title: 'energy per output token (J, log scale)', scale: { type: 'log' } };
  const byModel = models > 1 ? { shape: { field: 'model', type: 'nominal', title: 'model' } } : {};
  const steady = rows.every(({ row }) => row.llm!.window === 'steady');
  return {
    id: load === 'closed' ? 'llm-energy-per-token' : 'llm-energy-per-token-rate',
    title: `Energy per output token against ${load === 'closed' ? 'concurrency' : 'request rate'}`,
    caption:
      `Served LLM: energy of the measured channel over each level's ${steady ? 'steady-state window (from when every client has its first token to when the first client has no next request)' : 'steady-state window, or the whole level where it had none'}, ` +
      `divided by the output tokens generated in it; per device${models > 1 ? ' and model (shape)' : ''}, summed over the runs of a level. ` +
      'It is the energy of what the sensor measures (the GPU, or the board) while serving, not of the whole data centre.',
    spec: topLevel({
      data: { values },
      width: 520,
      height: 320,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: seriesColor(data), detail: { field: 'model' } } },
        { mark: { type: 'point', filled: true, size: 55, opacity: 1 }, encoding: { x, y, color: seriesColor(data), ...byModel } },
      ],
    }),
  };
}

function llmLatencyFigure(data: ReportData, load: 'closed' | 'poisson'): FigureDraft | undefined {
  const rows = llmRows(data, load);
  const values = rows.flatMap(({ row, x }) => {
    const l = row.llm!;
    const out: Record<string, unknown>[] = [];
    for (const [metric, d] of [['TTFT', l.ttftMs], ['TPOT', l.tpotMs]] as const) {
      if (d === null) continue;
      out.push({ series: row.series, model: modelKey(row), x, metric, statistic: 'p50', ms: r6(d.p50) }, { series: row.series, model: modelKey(row), x, metric, statistic: 'p99', ms: r6(d.p99) });
    }
    return out;
  });
  if (values.length === 0) return undefined;
  const limits = [
    ...new Map(
      rows.flatMap(({ row }) => row.llm!.limits.flatMap((c) => [
        ...(c.ttftLimitMs !== null ? [{ metric: 'TTFT', ms: c.ttftLimitMs, name: c.name }] : []),
        ...(c.tpotLimitMs !== null ? [{ metric: 'TPOT', ms: c.tpotLimitMs, name: c.name }] : []),
      ])).map((l) => [`${l.metric}|${l.ms}`, l]),
    ).values(),
  ];
  const stat = { field: 'statistic', type: 'nominal', title: 'percentile', scale: { domain: ['p50', 'p99'], range: [[1, 0], [5, 3]] } };
  const x = loadAxis(load, rows.map((r) => r.x));
  const y = { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } };
  const panel = (metric: 'TTFT' | 'TPOT'): Record<string, unknown> => ({
    title: { text: metric === 'TTFT' ? 'time to first token' : 'time per output token', anchor: 'middle', fontSize: 12, fontWeight: 'normal' },
    width: 280,
    height: 260,
    layer: [
      {
        transform: [{ filter: `datum.kind !== 'limit' && datum.metric === '${metric}'` }],
        mark: { type: 'line', strokeWidth: 1.5, point: { filled: true, size: 40 } },
        encoding: { x, y, color: seriesColor(data), strokeDash: stat, detail: { field: 'model' } },
      },
      ...(limits.some((l) => l.metric === metric)
        ? [
            { transform: [{ filter: `datum.kind === 'limit' && datum.metric === '${metric}'` }], mark: { type: 'rule', color: NEUTRAL.front, strokeDash: [2, 2] }, encoding: { y } },
            { transform: [{ filter: `datum.kind === 'limit' && datum.metric === '${metric}'` }], mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: '#333333' }, encoding: { y, x: { value: 0 }, text: { field: 'name' } } },
          ]
        : []),
    ],
  });
  return {
    id: load === 'closed' ? 'llm-latency' : 'llm-latency-rate',
    title: `Time to first token and time per output token against ${load === 'closed' ? 'concurrency' : 'request rate'}`,
    caption:
      'Served LLM, over the requests that ended well: median (solid) and 99th percentile (dashed) of the time to first token (left) and of the time per output token after the first (right), per device; logarithmic scale.' +
      (limits.length > 0 ? ` Dotted: latency limits checked on the p99 (${[...new Set(limits.map((l) => l.name))].join(', ')}).` : ''),
    spec: topLevel({
      data: { values: [...values, ...limits.map((l) => ({ kind: 'limit', metric: l.metric, ms: l.ms, name: l.name }))] },
      hconcat: [panel('TTFT'), panel('TPOT')],
      resolve: { scale: { color: 'shared', y: 'independent' } },
      spacing: 24,
    }),
  };
}

/** The figure with its title, context lines and notes inside the spec (see `FigureSpec.spec`). */
function titled(f: FigureDraft, context: readonly string[]): FigureSpec {
  const { $schema, config, ...body } = f.spec;
  return {
    id: f.id,
    title: f.title,
    caption: f.caption,
    spec: { $schema, config, title: { text: f.title, subtitle: [...context, ...(f.notes ?? [])] }, ...body },
  };
}

/** Every figure the data can support, in report order (a figure without data is left out). */
export function reportFigures(data: ReportData): FigureSpec[] {
  const full = data.profiles.filter((p) => p.phase === 'full');
  const compute = data.profiles.filter((p) => p.phase === 'compute');
  const context = figureContext(data).lines;
  return [
    full.length > 0 ? profileFigure(data, 'full', full) : undefined,
    compute.length > 0 ? profileFigure(data, 'compute', compute) : undefined,
    gwpFigure(data),
    latencyFigure(data),
    embodiedFigure(data),
    paretoFigure(data),
    shareFigure(data),
    llmEnergyFigure(data, 'closed'),
    llmLatencyFigure(data, 'closed'),
    llmEnergyFigure(data, 'poisson'),
    llmLatencyFigure(data, 'poisson'),
  ]
    .filter((f): f is FigureDraft => f !== undefined)
    .map((f) => titled(f, context));
}
