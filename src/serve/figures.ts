/**
 * The report's figures for the compare page, as Vega-Lite specs with their data inline: the
 * same `reportFigures(loadReportData(...))` that `inferprint report` renders to SVG and PNG,
 * handed to the browser, where Vega draws them with tooltips.
 *
 * Runs that measured no power (imported MLPerf logs: latency only) give latency figures and no
 * energy, profile or GWP figure; the answer says so in `noPower`, so the page can tell the user
 * why instead of showing less than expected without a word.
 */
import { errors, isInferprintError } from '../errors.js';
import type { ReportData } from '../report/data.js';

export interface FiguresInput {
  /** Bundle directories, or the runs directory. */
  readonly paths: readonly string[];
  readonly method?: 'thesis' | 'trapezoid';
  readonly grid?: string;
}

/** Device × query-count groups of the answer that carry no power measurement. */
export interface NoPower {
  /** Groups without energy, of `of` groups in all. */
  readonly groups: number;
  readonly of: number;
  /** Their series (device and version), sorted. */
  readonly series: readonly string[];
  /** One plain sentence for the page. */
  readonly message: string;
}

export interface FiguresAnswer {
  readonly figures: readonly { readonly id: string; readonly title: string; readonly caption: string; readonly spec: unknown }[];
  /** What the report layer had to say about its inputs (runs left out, profiles not drawn). */
  readonly notes: readonly string[];
  readonly skipped: readonly unknown[];
  /** Present when some or all of the runs measured no power. */
  readonly noPower?: NoPower;
}

export type FiguresProvider = (input: FiguresInput) => Promise<FiguresAnswer>;

/** Which groups of the report data carry no power, and the sentence that says so; undefined when all do. */
export function noPowerOf(data: Pick<ReportData, 'rows'>): NoPower | undefined {
  const without = data.rows.filter((r) => r.energy === undefined);
  if (without.length === 0) return undefined;
  const series = [...new Set(without.map((r) => r.series))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const all = without.length === data.rows.length;
  const message = all
    ? 'These runs carry no power measurement (imported MLPerf logs: latency only), so there is no energy, power-profile or GWP figure; the latency figures below are what they support.'
    : `${without.length} of ${data.rows.length} device × query-count groups carry no power measurement (${series.join(', ')}): they appear in the latency figures only, not in the energy, power-profile or GWP figures.`;
  return { groups: without.length, of: data.rows.length, series, message };
}

/** The provider; the report layer is loaded on the first call only (it is the heavy part). */
export function figuresProvider(): FiguresProvider {
  return async (input) => {
    const [{ loadReportData }, { reportFigures }] = await Promise.all([import('../app/report-data.js'), import('../report/figures.js')]);
    try {
      const data = await loadReportData({ paths: input.paths, ...(input.method ? { method: input.method } : {}), ...(input.grid !== undefined ? { grid: input.grid } : {}) });
      const noPower = noPowerOf(data);
      return { figures: reportFigures(data), notes: data.notes, skipped: data.skipped, ...(noPower ? { noPower } : {}) };
    } catch (e) {
      // Nothing to draw is an answer, not a failure: the page says so.
      if (isInferprintError(e) && e.code === 'NO_DATA') return { figures: [], notes: [e.message], skipped: [] };
      throw isInferprintError(e) || !(e instanceof Error) ? e : errors.internal(e.message);
    }
  };
}
