/**
 * `inferprint advise --report DIR`: the advisor's figures rendered to SVG and PNG, its tables as
 * CSV, and one self-contained `index.html`, written as `inferprint report` writes its folder —
 * everything into a hidden temporary sibling that then replaces DIR by rename, so a reader never
 * sees half a report. I/O adapter: the figures, tables and page are pure (`src/report/advise-*`).
 *
 *   index.html                 the report (figures inlined, no script, nothing fetched)
 *   advice.json                the advisor's answer, the break-even curves and the figure list
 *                              (also marks the folder as an advice report)
 *   figures/<id>.svg|.png      each figure; <id>.vl.json its Vega-Lite spec, data inline
 *   tables/<id>.csv            deployments, footprint split, study rows, comparisons,
 *                              break-even crossings, inputs with their sources; each figure's data
 */
import { resolve } from 'node:path';
import { checkReplaceable, putFigures, writeFolderAtomically } from '../../app/report.js';
import { adviseFigures } from '../../report/advise-figures.js';
import { adviceHtml } from '../../report/advise-html.js';
import { adviseTables } from '../../report/advise-tables.js';
import { tableCsv } from '../../report/tables.js';
import { breakEven } from '../break-even.js';
import type { PreparedAdvice } from './load.js';

export const ADVICE_REPORT_SCHEMA = 'inferprint-advice-report/1';
const MARKER = 'advice.json';

export interface AdviceReportOptions {
  /** Output folder (created; an earlier advice report there is replaced). */
  readonly outDir: string;
  /** PNG pixels per SVG unit (default 2). */
  readonly pngScale?: number;
  readonly now?: () => Date;
  /** One step per figure, then the tables and the page. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface WrittenAdviceReport {
  readonly outDir: string;
  /** Every file written, absolute, in writing order. */
  readonly files: readonly string[];
}

export async function writeAdviceReport(p: PreparedAdvice, opts: AdviceReportOptions): Promise<WrittenAdviceReport> {
  const outDir = resolve(opts.outDir);
  checkReplaceable(outDir, { marker: MARKER, schema: ADVICE_REPORT_SCHEMA, what: 'advice report', flag: '--report', choose: 'folder' });
  const be = breakEven(p.workload, p.resolved);
  const figures = adviseFigures(p.result, be);
  const tables = adviseTables(p.result, be);
  const generatedAt = (opts.now ?? (() => new Date()))().toISOString();
  const steps = figures.length + 1;
  const files = await writeFolderAtomically(outDir, async (put) => {
    const svgs = await putFigures(put, figures, { svg: true, png: true, pngScale: opts.pngScale }, (i, label) => opts.onProgress?.(i, steps, label));
    opts.onProgress?.(figures.length, steps, 'tables and HTML');
    for (const t of tables) await put(`tables/${t.id}.csv`, tableCsv(t));
    await put(MARKER, `${JSON.stringify({ schema: ADVICE_REPORT_SCHEMA, generatedAt, advice: p.result, breakEven: be, figures: figures.map((f) => ({ id: f.id, title: f.title, caption: f.caption })) }, null, 1)}\n`);
    await put('index.html', adviceHtml(p.result, be, figures, svgs, generatedAt));
  });
  opts.onProgress?.(steps, steps, 'done');
  return { outDir, files };
}
