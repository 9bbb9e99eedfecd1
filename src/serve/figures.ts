/**
 * The report's figures for the compare page, as Vega-Lite specs with their data inline: the
 * same `reportFigures(loadReportData(...))` that `inferprint report` renders to SVG and PNG,
 * handed to the browser, where Vega draws them with tooltips.
 */
import { errors, isInferprintError } from '../errors.js';

export interface FiguresInput {
  /** Bundle directories, or the runs directory. */
  readonly paths: readonly string[];
  readonly method?: 'thesis' | 'trapezoid';
  readonly grid?: string;
}

export interface FiguresAnswer {
  readonly figures: readonly { readonly id: string; readonly title: string; readonly caption: string; readonly spec: unknown }[];
  /** What the report layer had to say about its inputs (runs left out, profiles not drawn). */
  readonly notes: readonly string[];
  readonly skipped: readonly unknown[];
}

export type FiguresProvider = (input: FiguresInput) => Promise<FiguresAnswer>;

/** The provider; the report layer is loaded on the first call only (it is the heavy part). */
export function figuresProvider(): FiguresProvider {
  return async (input) => {
    const [{ loadReportData }, { reportFigures }] = await Promise.all([import('../report/load.js'), import('../report/figures.js')]);
    try {
      const data = await loadReportData({ paths: input.paths, ...(input.method ? { method: input.method } : {}), ...(input.grid !== undefined ? { grid: input.grid } : {}) });
      return { figures: reportFigures(data), notes: data.notes, skipped: data.skipped };
    } catch (e) {
      // Nothing to draw is an answer, not a failure: the page says so.
      if (isInferprintError(e) && e.code === 'NO_DATA') return { figures: [], notes: [e.message], skipped: [] };
      throw isInferprintError(e) || !(e instanceof Error) ? e : errors.internal(e.message);
    }
  };
}
