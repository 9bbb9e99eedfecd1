/**
 * The report as one self-contained HTML file: figures inlined as SVG, styles inline, no
 * script, nothing fetched — it opens offline, from an e-mail attachment, or printed. Pure.
 */
import type { ReportData } from './data.js';
import { tradeOffPoints, type FigureSpec } from './figures.js';
import { seriesColours } from './palette.js';
import { reportTables, type Cell, type ReportTable } from './tables.js';

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #fff; margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 2em 0 0.6em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
.meta { color: #555; font-size: 0.9em; margin: 0.2em 0; }
nav ol { columns: 2; font-size: 0.92em; }
figure { margin: 1.5em 0 2.2em; page-break-inside: avoid; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9em; color: #333; margin-top: 0.5em; max-width: 60em; }
figcaption b { color: #000; }
.table-wrap { overflow-x: auto; margin: 0.5em 0 1.5em; }
table { border-collapse: collapse; font-size: 0.82em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
td.text { white-space: normal; min-width: 16em; }
details summary { cursor: pointer; font-weight: 600; margin: 1em 0 0.4em; }
th { background: #f5f5f5; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.4em; vertical-align: -0.05em; }
code, .formula { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; }
.formula { background: #f6f6f6; padding: 6px 10px; border-radius: 4px; display: inline-block; }
ul.sources li { font-size: 0.88em; margin-bottom: 0.3em; }
@media print { body { font-size: 11pt; } main { max-width: none; padding: 0; } h2 { page-break-after: avoid; break-after: avoid; } nav { display: none; } }
`;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values, escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Significant digits, without a locale (the report reads the same on every machine). */
function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(digits)));
}

/**
 * An SVG from vega, made safe to sit beside others in one document: its ids (clip paths,
 * gradients) get the figure's id as a prefix, since ids are document-wide, and it is labelled
 * for screen readers.
 */
export function inlineSvg(svg: string, figureId: string, label: string): string {
  const prefix = figureId.replace(/[^A-Za-z0-9_-]/g, '-');
  const ids = new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!));
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    // Inline SVG in HTML needs no namespace declarations; without them the page names no URL at all.
    .replace(/^(<svg\b[^>]*?)\s+xmlns(?::xlink)?="[^"]*"/, '$1')
    .replace(/^(<svg\b[^>]*?)\s+xmlns(?::xlink)?="[^"]*"/, '$1')
    .replace(/\b(id="|url\(#|href="#)([^")]+)/g, (m, lead: string, id: string) => (ids.has(id) ? `${lead}${prefix}-${id}` : m))
    .replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(label)}"`);
}

function swatch(colour: string | undefined): string {
  return colour ? `<span class="swatch" style="background:${escapeHtml(colour)}"></span>` : '';
}

/** Columns of prose, allowed to wrap; every other cell stays on one line. */
const TEXT_COLUMNS: ReadonlySet<string> = new Set(['source', 'why']);

/** A table as HTML; the cells of the column keyed `swatchKey` get their colour from `colours` as a swatch. */
export function tableHtml(table: ReportTable, colours: ReadonlyMap<string, string>, swatchKey = 'device'): string {
  const deviceCol = table.columns.findIndex((c) => c.key === swatchKey);
  const head = table.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('');
  const cell = (c: Cell, k: number): string => {
    if (c === null) return '<td></td>';
    if (typeof c === 'number') return `<td class="num">${escapeHtml(num(c, table.columns[k]!.digits ?? 6))}</td>`;
    const cls = TEXT_COLUMNS.has(table.columns[k]!.key) ? ' class="text"' : '';
    return `<td${cls}>${k === deviceCol ? swatch(colours.get(c)) : ''}${escapeHtml(c)}</td>`;
  };
  const body = table.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table id="table-${escapeHtml(table.id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** Headline sentences: the spread of GWP between devices at the smallest and largest query count, and the Pareto front. */
export function headlines(data: ReportData): string[] {
  const out: string[] = [];
  const withImpact = data.rows.filter((r) => r.impact && r.queryCount !== null);
  const qcs = [...new Set(withImpact.map((r) => r.queryCount!))].sort((a, b) => a - b);
  const picks = qcs.length > 1 ? [qcs[0]!, qcs[qcs.length - 1]!] : qcs;
  for (const qc of picks) {
    const at = withImpact.filter((r) => r.queryCount === qc);
    if (new Set(at.map((r) => r.series)).size < 2) continue;
    const sorted = [...at].sort((a, b) => b.impact!.gwpG.mean - a.impact!.gwpG.mean);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    const ratio = lo.impact!.gwpG.mean > 0 ? `${num(hi.impact!.gwpG.mean / lo.impact!.gwpG.mean, 2)}×` : 'more than';
    let s = `At ${qc} queries per run, ${hi.series} emits ${ratio} the GWP of ${lo.series} (${num(hi.impact!.gwpG.mean * 1000, 3)} vs ${num(lo.impact!.gwpG.mean * 1000, 3)} mg CO2e per run`;
    const lh = hi.latency?.p90LatencyMs ?? hi.latency?.maxLatencyMs;
    const ll = lo.latency?.p90LatencyMs ?? lo.latency?.maxLatencyMs;
    if (lh !== undefined && ll !== undefined) s += `), with ${hi.latency?.p90LatencyMs !== undefined && lo.latency?.p90LatencyMs !== undefined ? '90th-percentile' : 'maximum'} latency ${num(lh, 3)} vs ${num(ll, 3)} ms.`;
    else s += ').';
    out.push(s);
  }
  const t = tradeOffPoints(data);
  if (t.front.length > 0) {
    out.push(`Pareto front of GWP per query against latency: ${t.front.map((i) => `${t.rows[i]!.series} at ${t.rows[i]!.queryCount!} queries`).join('; ')}.`);
  }
  return out;
}

function methodsHtml(data: ReportData): string {
  const m = data.methods;
  const p = (lines: readonly string[]): string => lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');
  const terms = m.lca.terms
    .map(
      (t) =>
        `<tr><td><code>${escapeHtml(t.symbol)}</code></td><td>${escapeHtml(t.name)}: ${escapeHtml(t.meaning)}</td><td>${escapeHtml(t.unit)}</td>` +
        `<td>${t.values.map(escapeHtml).join('<br>') || '—'}</td><td>${t.sources.map(escapeHtml).join('<br>') || '—'}</td></tr>`,
    )
    .join('\n');
  const embodied = m.embodied
    .map((e) => `<li><code>${escapeHtml(e.model)}</code> — ${escapeHtml(e.summary)}<br><span class="formula">${escapeHtml(e.formula)}</span></li>`)
    .join('\n');
  return [
    `<h3>Energy: ${escapeHtml(m.energy.title)}</h3>`,
    p(m.energy.text),
    `<h3>Impact: LCA model <code>${escapeHtml(m.lca.model)}</code></h3>`,
    `<p><span class="formula">${escapeHtml(m.lca.formula)}</span></p>`,
    p(m.lca.text),
    `<div class="table-wrap"><table id="table-terms"><thead><tr><th>symbol</th><th>meaning</th><th>unit</th><th>values used</th><th>sources</th></tr></thead><tbody>\n${terms}\n</tbody></table></div>`,
    embodied ? `<h3>Embodied models</h3>\n<ul>${embodied}</ul>` : '',
    '<h3>Latency</h3>',
    p(m.latency.text),
    '<h3>Power profiles</h3>',
    p(m.profile.text),
    m.sources.length > 0 ? `<h3>Sources</h3>\n<ul class="sources">${m.sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}</ul>` : '',
  ].join('\n');
}

/** The body of a page's Figures section: each figure inlined (a missing SVG leaves its caption only), numbered, with its caption. */
export function figuresHtml(figures: readonly FigureSpec[], svgs: readonly string[]): string {
  return figures
    .map((f, i) => {
      const svg = svgs[i];
      return `<figure id="figure-${escapeHtml(f.id)}">\n${svg !== undefined ? inlineSvg(svg, f.id, f.title) : ''}\n<figcaption><b>Figure ${i + 1}. ${escapeHtml(f.title)}.</b> ${escapeHtml(f.caption)}</figcaption>\n</figure>`;
    })
    .join('\n');
}

/** One section of a report page: its anchor, heading and HTML body. */
export interface PageSection {
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

/**
 * A whole self-contained report page (the measurement report's and the advisor's): the shared
 * style, `title` as heading, `metaHtml` (HTML, escaped by the caller) under it, a table of
 * contents and the sections.
 */
export function pageHtml(title: string, tool: string, metaHtml: string, sections: readonly PageSection[]): string {
  const toc = sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('');
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(tool)}">
<title>${t}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${t}</h1>
<p class="meta">${metaHtml}</p>
</header>
<nav><ol>${toc}</ol></nav>
${sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</main>
</body>
</html>
`;
}

/**
 * The whole report. `svgs[i]` is figure `i` rendered (render.ts); a missing one shows its
 * caption only.
 */
export function reportHtml(data: ReportData, figures: readonly FigureSpec[], svgs: readonly string[]): string {
  const colours = seriesColours(data.series.map((s) => s.name));
  const [results, hardware, parameters] = reportTables(data);
  const sections: PageSection[] = [];

  const devices = data.series
    .map((s) => `<li>${swatch(colours.get(s.name))}<b>${escapeHtml(s.name)}</b>${s.hardwareName ? ` — ${escapeHtml(s.hardwareName)}` : ''}${s.category ? ` (${escapeHtml(s.category)})` : ''}</li>`)
    .join('\n');
  const heads = headlines(data);
  sections.push({
    id: 'summary',
    title: 'Summary',
    body: `<ul>${devices}</ul>${heads.length > 0 ? `\n<ul>${heads.map((h) => `<li>${escapeHtml(h)}</li>`).join('\n')}</ul>` : ''}`,
  });
  sections.push({
    id: 'figures',
    title: 'Figures',
    body: figuresHtml(figures, svgs),
  });
  sections.push({ id: 'results', title: 'Results', body: tableHtml(results!, colours) });
  sections.push({ id: 'hardware', title: 'Hardware', body: `<p>${escapeHtml(hardware!.title)}.</p>\n${tableHtml(hardware!, colours)}` });
  sections.push({ id: 'parameters', title: 'Parameters and sources', body: tableHtml(parameters!, colours) });
  sections.push({ id: 'methods', title: 'Methods', body: methodsHtml(data) });
  const inputs = [
    `<ul>${data.inputs.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('\n')}</ul>`,
    data.skipped.length > 0
      ? `<details><summary>Skipped inputs (${data.skipped.length})</summary>\n<ul>${data.skipped.map((s) => `<li><code>${escapeHtml(s.path)}</code>: ${escapeHtml(s.reason)}${s.detail ? ` — ${escapeHtml(s.detail)}` : ''}</li>`).join('\n')}</ul></details>`
      : '',
    data.notes.length > 0 ? `<h3>Notes</h3>\n<ul>${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>` : '',
  ].join('\n');
  sections.push({ id: 'inputs', title: 'Inputs', body: inputs });

  const tool = `${data.tool.name} ${data.tool.version}`;
  return pageHtml(
    data.title,
    tool,
    `Generated ${escapeHtml(data.generatedAt)} by ${escapeHtml(tool)} · energy method: ${escapeHtml(data.methods.energy.title)} · ${data.series.length} device series, ${data.rows.length} result rows`,
    sections,
  );
}
