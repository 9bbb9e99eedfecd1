/**
 * Figures to files, headless in Node: Vega-Lite `compile` → a vega `View` with no renderer →
 * `toSVG()`; SVG → PNG through resvg. No browser, no canvas package, no network.
 *
 * Determinism: vega measures text with a canvas when one is installed and estimates widths
 * otherwise; the estimate is pinned here so the layout of a figure never depends on the
 * machine. SVG clip-path ids (a process-wide counter in vega) are renumbered per figure, so
 * the same figure gives the same SVG whatever was rendered before it. PNG text uses DejaVu
 * Sans loaded from its file (Debian: `fonts-dejavu-core`), never whatever fonts the system
 * happens to have, unless that file is missing.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { None, View, logger, parse, type Loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { errors } from '../../errors.js';
import { FIGURE_FONT } from '../figures.js';

/** Where Debian and Ubuntu (`fonts-dejavu-core`), Fedora and Arch put DejaVu Sans. */
const FONT_FILE_CANDIDATES: readonly (readonly string[])[] = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  ['/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf'],
  ['/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'],
];

/** Found on the first PNG and kept: the files do not come and go while a report is written. */
let foundFontFiles: readonly string[] | undefined;

/** The font files of the figure font found on this machine, or [] (then resvg uses system fonts). */
export function figureFontFiles(): string[] {
  foundFontFiles ??= FONT_FILE_CANDIDATES.map((set) => set.filter((f) => existsSync(f))).find((present) => present.length > 0) ?? [];
  return [...foundFontFiles];
}

/** Renumber vega's `clipN` ids in order of first appearance (see the module comment). */
export function renumberClipIds(svg: string): string {
  const ids = new Map<string, string>();
  return svg.replace(/\b(id="|url\(#)clip(\d+)\b/g, (_m, lead: string, n: string) => {
    let id = ids.get(n);
    if (id === undefined) {
      id = `clip${ids.size + 1}`;
      ids.set(n, id);
    }
    return `${lead}${id}`;
  });
}

/** vega's text measurer: exported at run time, absent from its type declarations. */
const textMetrics = (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics;

/** Vega-Lite's layout notes go nowhere: the CLI's stderr is for the user's problems. */
const QUIET = logger(None);

/**
 * Figures carry their data inline: a loader that refuses every URL and file, and remembers
 * it did (vega logs a failed load and draws on without the data, which would hide it).
 */
function refusingLoader(): { loader: Loader; refused: string[] } {
  const refused: string[] = [];
  const refuse = (what: string): Promise<never> => {
    refused.push(what);
    return Promise.reject(new Error(`refusing to load ${what}`));
  };
  return { loader: { load: refuse, sanitize: refuse, http: refuse, file: refuse }, refused };
}

/** A Vega-Lite specification (data inline) rendered to an SVG document. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  textMetrics.canvas(false);
  let vgSpec;
  try {
    vgSpec = compile(spec as unknown as TopLevelSpec, { logger: QUIET }).spec;
  } catch (e) {
    throw errors.invalidValue({ field: 'spec' }, `not a valid Vega-Lite specification: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { loader, refused } = refusingLoader();
  const view = new View(parse(vgSpec), { renderer: 'none', loader, logLevel: None });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw errors.invalidValue({ field: 'spec' }, `figures carry their data inline; this one names ${refused.join(', ')}`);
    return renumberClipIds(svg);
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit (default 2: sharp in print at the figure's width). */
  readonly scale?: number;
  /** Font files to load (default: DejaVu Sans as found by `figureFontFiles`). */
  readonly fontFiles?: readonly string[];
  readonly background?: string;
}

/** An SVG document rendered to PNG bytes. */
export function renderPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const fontFiles = opts.fontFiles ?? figureFontFiles();
  const scale = opts.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) throw errors.invalidValue({ field: 'scale' }, `PNG scale ${scale} must be a positive number`);
  const resvg = new Resvg(svg, {
    // With the font file at hand, system fonts are not consulted: the PNG is the same on every machine.
    font: { loadSystemFonts: fontFiles.length === 0, fontFiles: [...fontFiles], defaultFontFamily: FIGURE_FONT, sansSerifFamily: FIGURE_FONT },
    fitTo: { mode: 'zoom', value: scale },
    background: opts.background ?? 'white',
    logLevel: 'off',
  });
  return new Uint8Array(resvg.render().asPng());
}
