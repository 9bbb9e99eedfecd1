/**
 * The application layer of `inferprint report`: load the data, build the figures, render
 * them, and write the report folder in one step — everything goes into a hidden temporary
 * sibling that replaces the output folder by rename, so a reader never sees half a report and
 * a failed run leaves the previous report as it was.
 *
 * Layout of the folder:
 *
 *   index.html                 self-contained report (figures inlined, no external resource)
 *   report.json                the ReportData behind it (marks the folder as a report)
 *   figures/<id>.svg|.png      each figure; <id>.vl.json its Vega-Lite spec, data inline
 *   tables/<name>.csv          results, hardware, parameters, and each figure's data
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { REPORT_DATA_SCHEMA, type ReportData } from '../report/data.js';
import { reportFigures, type FigureSpec } from '../report/figures.js';
import { reportHtml } from '../report/html.js';
import { loadReportData, type LoadReportDataOptions } from './report-data.js';
import { renderPng, renderSvg } from '../report/io/render.js';
import { figureDataTable, reportTables, tableCsv } from '../report/tables.js';

export type ReportFormat = 'html' | 'svg' | 'png';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'svg', 'png'];
export const DEFAULT_REPORT_DIR = 'inferprint-report';

export interface WriteReportOptions extends LoadReportDataOptions {
  /** Output folder (created; a previous report there is replaced). */
  readonly outDir: string;
  /** What to write besides report.json and the tables (default: all three). */
  readonly formats?: readonly ReportFormat[];
  /** PNG pixels per SVG unit (default 2). */
  readonly pngScale?: number;
  /** Progress of loading and then of each figure, on one scale. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Clock for the report's `generatedAt`. */
  readonly now?: () => Date;
  /** Data already loaded (the paths are then not read again). */
  readonly data?: ReportData;
}

export interface WrittenReport {
  readonly outDir: string;
  /** Every file written, as absolute paths, in writing order. */
  readonly files: string[];
}

/** The measurement report's folder: report.json marks it. */
const REPORT_FOLDER: ReportFolderKind = { marker: 'report.json', schema: REPORT_DATA_SCHEMA, what: 'report', flag: '--out', choose: '--out' };

/** Build the report for `opts.paths` and write it to `opts.outDir` atomically. */
export async function writeReport(opts: WriteReportOptions): Promise<WrittenReport> {
  const outDir = resolve(opts.outDir);
  const formats = new Set(opts.formats ?? REPORT_FORMATS);
  checkReplaceable(outDir, REPORT_FOLDER);
  // One progress scale for both stages: loading (its own step count), then one step per figure.
  let loadSteps = 0;
  const data =
    opts.data ??
    (await loadReportData({
      paths: opts.paths,
      ...(opts.method !== undefined ? { method: opts.method } : {}),
      ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
      ...(opts.onProgress
        ? {
            onProgress: (d: number, t: number, label: string) => {
              loadSteps = t;
              opts.onProgress?.(d, t + 1, label);
            },
          }
        : {}),
      ...(opts.now ? { now: opts.now } : {}),
    }));
  const figures = reportFigures(data);
  const step = (i: number, label: string): void => opts.onProgress?.(loadSteps + i, loadSteps + figures.length + 1, label);

  const files = await writeFolderAtomically(outDir, async (put) => {
    const svgs = await putFigures(put, figures, { svg: formats.has('svg'), png: formats.has('png'), pngScale: opts.pngScale }, step);
    step(figures.length, 'tables and HTML');
    for (const t of reportTables(data)) await put(`tables/${t.id}.csv`, tableCsv(t));
    await put('report.json', `${JSON.stringify({ ...data, figures: figures.map((f: FigureSpec) => ({ id: f.id, title: f.title, caption: f.caption })) }, null, 1)}\n`);
    if (formats.has('html')) await put('index.html', reportHtml(data, figures, svgs));
  });
  step(figures.length + 1, 'done');
  return { outDir, files };
}

/** What makes a non-empty output folder one this command may replace. */
export interface ReportFolderKind {
  /** The file that marks the folder as ours, and the `schema` it must carry. */
  readonly marker: string;
  readonly schema: string;
  /** The folder's name in the refusal ("report", "advice report"), the option that named it, and what to choose instead. */
  readonly what: string;
  readonly flag: string;
  readonly choose: string;
}

/**
 * The output folder may be absent, empty, or a previous report of this kind (its marker file has
 * the schema). Anything else is refused rather than replaced: `--out .` must never wipe a project.
 */
export function checkReplaceable(outDir: string, kind: ReportFolderKind): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw errors.usage(`${outDir} exists and is not a folder`, kind.flag);
  if (readdirSync(outDir).length === 0) return;
  let schema: unknown;
  try {
    schema = (JSON.parse(readFileSync(join(outDir, kind.marker), 'utf8')) as { schema?: unknown }).schema;
  } catch {
    schema = undefined;
  }
  if (schema !== kind.schema) throw errors.usage(`${outDir} is not empty and holds no earlier ${kind.what} (no ${kind.marker}): choose another ${kind.choose}`, kind.flag);
}

/** Adds one file to the folder being written: `rel` is relative to it. */
export type PutFile = (rel: string, content: string | Uint8Array) => Promise<void>;

/**
 * Write a report folder atomically: `fill` puts every file into a hidden temporary sibling,
 * which then replaces `outDir` (swapIn); on any failure the sibling goes and `outDir` stays as
 * it was. Returns the files written, absolute, in writing order.
 */
export async function writeFolderAtomically(outDir: string, fill: (put: PutFile) => Promise<void>): Promise<string[]> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw errors.io(parent, e);
  });
  const tmp = join(parent, `.${basename(outDir)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`);
  const written: string[] = [];
  const put: PutFile = async (rel, content) => {
    const file = join(tmp, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(rel);
  };
  try {
    await mkdir(tmp);
    await fill(put);
    await swapIn(tmp, outDir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw isInferprintError(e) ? e : errors.io(outDir, e);
  }
  return written.map((rel) => join(outDir, rel));
}

/**
 * Render each figure and put its Vega-Lite spec, its SVG and PNG (as asked) and its data table;
 * `step(i, label)` before figure `i`. Returns the SVGs, in the figures' order, for the page.
 */
export async function putFigures(
  put: PutFile,
  figures: readonly FigureSpec[],
  opts: { readonly svg: boolean; readonly png: boolean; readonly pngScale?: number | undefined },
  step: (i: number, label: string) => void,
): Promise<string[]> {
  const svgs: string[] = [];
  for (const [i, f] of figures.entries()) {
    step(i, `figure ${f.id}`);
    const svg = await renderSvg(f.spec);
    svgs.push(svg);
    await put(`figures/${f.id}.vl.json`, `${JSON.stringify(f.spec, null, 1)}\n`);
    if (opts.svg) await put(`figures/${f.id}.svg`, svg);
    if (opts.png) await put(`figures/${f.id}.png`, renderPng(svg, opts.pngScale !== undefined ? { scale: opts.pngScale } : {}));
    await put(`tables/figure-${f.id}.csv`, tableCsv(figureDataTable(f.spec)));
  }
  return svgs;
}

/** Replace `outDir` by `tmp`: the old report moves aside, the new one takes its name, the old one goes. */
async function swapIn(tmp: string, outDir: string): Promise<void> {
  if (!existsSync(outDir)) {
    await rename(tmp, outDir);
    return;
  }
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}-${randomBytes(3).toString('hex')}`);
  await rename(outDir, old);
  try {
    await rename(tmp, outDir);
  } catch (e) {
    await rename(old, outDir).catch(() => undefined);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
