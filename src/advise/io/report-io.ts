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
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { swapIn } from '../../app/report.js';
import { errors, isInferprintError } from '../../errors.js';
import { adviseFigures } from '../../report/advise-figures.js';
import { adviceHtml } from '../../report/advise-html.js';
import { adviseTables } from '../../report/advise-tables.js';
import { renderPng, renderSvg } from '../../report/io/render.js';
import { figureDataTable, tableCsv } from '../../report/tables.js';
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

/**
 * The output folder may be absent, empty, or an earlier advice report (its advice.json has the
 * schema). Anything else is refused: `--report .` must never wipe a project.
 */
function checkReplaceable(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw errors.usage(`${outDir} exists and is not a folder`, '--report');
  if (readdirSync(outDir).length === 0) return;
  let schema: unknown;
  try {
    schema = (JSON.parse(readFileSync(join(outDir, MARKER), 'utf8')) as { schema?: unknown }).schema;
  } catch {
    schema = undefined;
  }
  if (schema !== ADVICE_REPORT_SCHEMA) throw errors.usage(`${outDir} is not empty and holds no earlier advice report (no ${MARKER}): choose another folder`, '--report');
}

export async function writeAdviceReport(p: PreparedAdvice, opts: AdviceReportOptions): Promise<WrittenAdviceReport> {
  const outDir = resolve(opts.outDir);
  checkReplaceable(outDir);
  const be = breakEven(p.workload, p.resolved);
  const figures = adviseFigures(p.result, be);
  const tables = adviseTables(p.result, be);
  const generatedAt = (opts.now ?? (() => new Date()))().toISOString();
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw errors.io(parent, e);
  });
  const tmp = join(parent, `.${basename(outDir)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`);
  const written: string[] = [];
  const put = async (rel: string, content: string | Uint8Array): Promise<void> => {
    const file = join(tmp, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(rel);
  };
  const steps = figures.length + 1;
  try {
    await mkdir(tmp);
    const svgs: string[] = [];
    for (const [i, f] of figures.entries()) {
      opts.onProgress?.(i, steps, `figure ${f.id}`);
      const svg = await renderSvg(f.spec);
      svgs.push(svg);
      await put(`figures/${f.id}.vl.json`, `${JSON.stringify(f.spec, null, 1)}\n`);
      await put(`figures/${f.id}.svg`, svg);
      await put(`figures/${f.id}.png`, renderPng(svg, opts.pngScale !== undefined ? { scale: opts.pngScale } : {}));
      await put(`tables/figure-${f.id}.csv`, tableCsv(figureDataTable(f.spec)));
    }
    opts.onProgress?.(figures.length, steps, 'tables and HTML');
    for (const t of tables) await put(`tables/${t.id}.csv`, tableCsv(t));
    await put(MARKER, `${JSON.stringify({ schema: ADVICE_REPORT_SCHEMA, generatedAt, advice: p.result, breakEven: be, figures: figures.map((f) => ({ id: f.id, title: f.title, caption: f.caption })) }, null, 1)}\n`);
    await put('index.html', adviceHtml(p.result, be, figures, svgs, generatedAt));
    await swapIn(tmp, outDir);
    opts.onProgress?.(steps, steps, 'done');
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw isInferprintError(e) ? e : errors.io(outDir, e);
  }
  return { outDir, files: written.map((rel) => join(outDir, rel)) };
}
