/* global document */
// Small SVG charts drawn without a library: power traces (lines over time, with windows as
// shaded bands and a hover read-out), scatter plots and stacked bars. Presentation goes through
// SVG attributes and CSS classes, never inline style, so the pages keep a strict CSP.

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values, pad = 0) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

const label = (v) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(6))));

function frame(width, height, margin) {
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart', role: 'img' });
  const plot = { x0: margin.left, x1: width - margin.right, y0: height - margin.bottom, y1: margin.top };
  return { svg, plot };
}

function axes(g, plot, xScale, yScale, xd, yd, xLabel, yLabel) {
  const ax = s('g', { class: 'axes' });
  for (const v of ticks(yd[0], yd[1], 5)) {
    const y = yScale(v);
    ax.append(s('line', { x1: plot.x0, x2: plot.x1, y1: y, y2: y, class: 'grid' }));
    ax.append(s('text', { x: plot.x0 - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, label(v)));
  }
  for (const v of ticks(xd[0], xd[1], 6)) {
    const x = xScale(v);
    ax.append(s('line', { x1: x, x2: x, y1: plot.y0, y2: plot.y0 + 5, class: 'axis' }));
    ax.append(s('text', { x, y: plot.y0 + 18, 'text-anchor': 'middle', class: 'tick' }, label(v)));
  }
  ax.append(s('line', { x1: plot.x0, x2: plot.x1, y1: plot.y0, y2: plot.y0, class: 'axis' }));
  ax.append(s('line', { x1: plot.x0, x2: plot.x0, y1: plot.y0, y2: plot.y1, class: 'axis' }));
  ax.append(s('text', { x: (plot.x0 + plot.x1) / 2, y: plot.y0 + 36, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  ax.append(s('text', { x: 14, y: (plot.y0 + plot.y1) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(plot.y0 + plot.y1) / 2})`, class: 'axis-label' }, yLabel));
  g.append(ax);
}

function legend(svg, plot, items) {
  const g = s('g', { class: 'legend' });
  let x = plot.x0;
  for (const it of items) {
    g.append(s('rect', { x, y: 6, width: 12, height: 12, fill: it.color }));
    const t = s('text', { x: x + 16, y: 16, class: 'legend-label' }, it.name);
    g.append(t);
    x += 28 + 7 * it.name.length;
  }
  svg.append(g);
}

/**
 * Lines over time. `series`: [{ name, color, t: number[], y: number[] }]; `bands`: [{ name, t0, t1 }]
 * shaded behind the lines. Returns the SVG element; the hover read-out shows the nearest sample.
 */
export function lineChart({ series, bands = [], xLabel, yLabel, width = 900, height = 320, xDomain, yDomain }) {
  const margin = { top: 26, right: 16, bottom: 46, left: 64 };
  const { svg, plot } = frame(width, height, margin);
  const xd = xDomain ?? extent(series.flatMap((se) => [se.t[0], se.t[se.t.length - 1]]).concat(bands.flatMap((b) => [b.t0, b.t1])));
  const yd0 = yDomain ?? extent(series.flatMap((se) => se.y), 0.05);
  const yd = yDomain ? yd0 : [Math.min(0, yd0[0]), yd0[1]];
  const xScale = (v) => plot.x0 + ((v - xd[0]) / (xd[1] - xd[0] || 1)) * (plot.x1 - plot.x0);
  const yScale = (v) => plot.y0 - ((v - yd[0]) / (yd[1] - yd[0] || 1)) * (plot.y0 - plot.y1);

  const bandG = s('g', { class: 'bands' });
  bands.forEach((b, i) => {
    const x0 = Math.max(plot.x0, xScale(b.t0));
    const x1 = Math.min(plot.x1, xScale(b.t1));
    if (!(x1 >= x0)) return;
    bandG.append(s('rect', { x: x0, y: plot.y1, width: Math.max(1, x1 - x0), height: plot.y0 - plot.y1, class: `band band-${i % 4}` }, s('title', {}, `${b.name}: ${label(b.t0)}–${label(b.t1)} s`)));
    bandG.append(s('text', { x: x0 + 3, y: plot.y1 + 12 + 12 * (i % 3), class: 'band-label' }, b.name));
  });
  svg.append(bandG);
  axes(svg, plot, xScale, yScale, xd, yd, xLabel, yLabel);

  const lines = s('g', { class: 'lines', 'clip-path': undefined });
  for (const se of series) {
    if (se.t.length === 0) continue;
    let d = '';
    for (let i = 0; i < se.t.length; i++) d += `${i === 0 ? 'M' : 'L'}${xScale(se.t[i]).toFixed(1)},${yScale(se.y[i]).toFixed(1)}`;
    if (se.t.length === 1) d += `h1`;
    lines.append(s('path', { d, fill: 'none', stroke: se.color, 'stroke-width': 1.5, class: 'series', 'data-series': se.name }, s('title', {}, se.name)));
  }
  svg.append(lines);
  legend(svg, plot, series.map((se) => ({ name: se.name, color: se.color })));

  // Hover read-out: nearest sample of each series at the pointer's time.
  const rule = s('line', { x1: 0, x2: 0, y1: plot.y1, y2: plot.y0, class: 'rule', visibility: 'hidden' });
  const readout = s('text', { x: plot.x1 - 4, y: plot.y1 + 12, 'text-anchor': 'end', class: 'readout' });
  const hit = s('rect', { x: plot.x0, y: plot.y1, width: plot.x1 - plot.x0, height: plot.y0 - plot.y1, class: 'hit', fill: 'transparent' });
  svg.append(rule, readout, hit);
  hit.addEventListener('mousemove', (ev) => {
    const box = svg.getBoundingClientRect();
    const px = ((ev.clientX - box.left) / box.width) * width;
    const t = xd[0] + ((px - plot.x0) / (plot.x1 - plot.x0)) * (xd[1] - xd[0]);
    rule.setAttribute('x1', String(px));
    rule.setAttribute('x2', String(px));
    rule.setAttribute('visibility', 'visible');
    const parts = series.map((se) => {
      const i = nearest(se.t, t);
      return i < 0 ? null : `${se.name} ${label(se.y[i])} W`;
    });
    readout.textContent = `t = ${label(t)} s   ${parts.filter(Boolean).join('   ')}`;
  });
  hit.addEventListener('mouseleave', () => {
    rule.setAttribute('visibility', 'hidden');
    readout.textContent = '';
  });
  return svg;
}

function nearest(ts, t) {
  if (ts.length === 0) return -1;
  let lo = 0;
  let hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(ts[lo - 1] - t) < Math.abs(ts[lo] - t) ? lo - 1 : lo;
}

/** Points: [{ x, y, color, title, href? }]. */
export function scatterChart({ points, xLabel, yLabel, width = 900, height = 280, legendItems = [] }) {
  const margin = { top: 26, right: 16, bottom: 46, left: 64 };
  const { svg, plot } = frame(width, height, margin);
  const xd = extent(points.map((p) => p.x), 0.03);
  const yd0 = extent(points.map((p) => p.y), 0.08);
  const yd = [Math.min(0, yd0[0]), yd0[1]];
  const xScale = (v) => plot.x0 + ((v - xd[0]) / (xd[1] - xd[0] || 1)) * (plot.x1 - plot.x0);
  const yScale = (v) => plot.y0 - ((v - yd[0]) / (yd[1] - yd[0] || 1)) * (plot.y0 - plot.y1);
  axes(svg, plot, xScale, yScale, xd, yd, xLabel, yLabel);
  const g = s('g', { class: 'points' });
  for (const p of points) {
    const c = s('circle', { cx: xScale(p.x), cy: yScale(p.y), r: 4, fill: p.color, class: 'point' }, s('title', {}, p.title));
    if (p.href) {
      const a = s('a', { href: p.href });
      a.append(c);
      g.append(a);
    } else g.append(c);
  }
  svg.append(g);
  legend(svg, plot, legendItems);
  return svg;
}

/**
 * Horizontal stacked bars with an optional range whisker:
 * rows [{ name, parts: [{ name, value, color }], min?, max?, title }].
 */
export function stackedBars({ rows, xLabel, width = 900, rowHeight = 22, legendItems = [] }) {
  const margin = { top: 30, right: 24, bottom: 46, left: 200 };
  const height = margin.top + margin.bottom + rows.length * rowHeight;
  const { svg, plot } = frame(width, height, margin);
  const maxV = Math.max(1e-9, ...rows.map((r) => Math.max(r.max ?? 0, r.parts.reduce((a, p) => a + p.value, 0))));
  const xd = [0, maxV * 1.05];
  const xScale = (v) => plot.x0 + (v / xd[1]) * (plot.x1 - plot.x0);
  const ax = s('g', { class: 'axes' });
  for (const v of ticks(0, xd[1], 6)) {
    ax.append(s('line', { x1: xScale(v), x2: xScale(v), y1: plot.y1, y2: plot.y0, class: 'grid' }));
    ax.append(s('text', { x: xScale(v), y: plot.y0 + 18, 'text-anchor': 'middle', class: 'tick' }, label(v)));
  }
  ax.append(s('text', { x: (plot.x0 + plot.x1) / 2, y: plot.y0 + 36, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  svg.append(ax);
  const g = s('g', { class: 'bars' });
  rows.forEach((r, i) => {
    const y = plot.y1 + i * rowHeight + 3;
    const h = rowHeight - 6;
    g.append(s('text', { x: plot.x0 - 6, y: y + h / 2 + 4, 'text-anchor': 'end', class: 'tick' }, r.name));
    let acc = 0;
    for (const p of r.parts) {
      g.append(s('rect', { x: xScale(acc), y, width: Math.max(0, xScale(acc + p.value) - xScale(acc)), height: h, fill: p.color, class: 'bar' }, s('title', {}, `${r.name} — ${p.name}: ${label(p.value)}`)));
      acc += p.value;
    }
    if (r.min !== undefined && r.max !== undefined) {
      const cy = y + h / 2;
      g.append(s('line', { x1: xScale(r.min), x2: xScale(r.max), y1: cy, y2: cy, class: 'whisker' }, s('title', {}, r.title ?? `${r.name}: ${label(r.min)}–${label(r.max)}`)));
      g.append(s('line', { x1: xScale(r.min), x2: xScale(r.min), y1: cy - 4, y2: cy + 4, class: 'whisker' }));
      g.append(s('line', { x1: xScale(r.max), x2: xScale(r.max), y1: cy - 4, y2: cy + 4, class: 'whisker' }));
    }
  });
  svg.append(g);
  legend(svg, plot, legendItems);
  return svg;
}
