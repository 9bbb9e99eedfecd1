/* global document, window */
import { PALETTE, api, clear, el, pageParams, ready, showError, showNote } from './app.js';
import { draw } from './vega-draw.js';

const ids = (pageParams().get('runs') ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/**
 * The report's device colours, read from its figures' colour scales, so a device has one colour
 * on this page too; devices the report does not colour get the page's palette.
 */
function reportColours(figures) {
  const colours = new Map();
  const visit = (v) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const { domain, range } = v;
      if (Array.isArray(domain) && Array.isArray(range) && domain.length === range.length && range.every((c) => typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c))) {
        domain.forEach((d, i) => {
          if (typeof d === 'string' && !colours.has(d)) colours.set(d, range[i]);
        });
      }
      Object.values(v).forEach(visit);
    }
  };
  for (const f of figures) if (f.id !== 'embodied-by-hardware') visit(f.spec);
  return colours;
}

/** A figure of its own, so the page says something even without the report's figures. */
function overviewSpec(rows, colours) {
  const withQc = rows.some((r) => r.queryCount !== null);
  const devices = [...new Set(rows.map((r) => r.device ?? 'unknown'))].sort();
  let spare = 0;
  const range = devices.map((d) => colours.get(d) ?? PALETTE[spare++ % PALETTE.length]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 300,
    data: {
      values: rows
        .filter((r) => r.energyJ !== null)
        .map((r) => ({ run: r.label || r.id, id: r.id, device: r.device ?? 'unknown', queries: r.queryCount, duration: r.durationS, energy: r.energyJ, gwp: r.gwpG === null ? null : r.gwpG * 1000 })),
    },
    mark: { type: 'point', filled: true, size: 70, tooltip: true },
    encoding: {
      x: withQc
        ? { field: 'queries', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'query count' }
        : { field: 'duration', type: 'quantitative', title: 'duration (s)' },
      y: { field: 'energy', type: 'quantitative', title: 'energy (J)' },
      color: { field: 'device', type: 'nominal', scale: { domain: devices, range }, title: 'device' },
      tooltip: [
        { field: 'run', title: 'run' },
        { field: 'device' },
        { field: 'queries', title: 'queries' },
        { field: 'duration', title: 'duration (s)', format: '.3~g' },
        { field: 'energy', title: 'energy (J)', format: '.4~g' },
        ...(rows.some((r) => r.gwpG !== null) ? [{ field: 'gwp', title: 'GWP (mg CO₂e)', format: '.4~g' }] : []),
      ],
    },
  };
}

async function main() {
  document.getElementById('selection').textContent =
    ids.length > 0 ? `${ids.length} run(s) selected on the runs page.` : 'All runs in the runs directory (select runs on the runs page to narrow this down).';
  if (!window.vega || !window.vegaLite) {
    showError('Vega could not be loaded: the figures cannot be drawn.');
    ready();
    return;
  }
  const runsParam = ids.length > 0 ? ids.join(',') : undefined;
  let figures = [];
  try {
    const info = await api('/api/info');
    if (!info.figures) showNote("This build has no report layer: only the overview is shown (the report's figures come with `inferprint report`).");
    else {
      const out = await api('/api/figures', { runs: runsParam });
      figures = out.figures;
      // Runs without power (imported MLPerf logs) have latency figures only: said first and plainly.
      if (out.noPower) document.getElementById('messages').append(el('p', { class: 'note', id: 'no-power' }, out.noPower.message));
      for (const n of out.notes ?? []) showNote(n);
    }
  } catch (e) {
    showError(`Could not load the report's figures: ${e.message}`);
  }

  try {
    const page = await api('/api/runs', { id: runsParam, limit: 1000, order: 'asc' });
    const box = clear(document.getElementById('overview-figure'));
    const powered = page.runs.filter((r) => r.energyJ !== null);
    if (page.runs.length === 0) box.append(el('p', { class: 'muted' }, 'No runs to compare.'));
    else if (powered.length === 0) {
      // An energy chart with no point would be an empty frame: say why instead.
      box.append(el('p', { class: 'muted', id: 'overview-empty' }, `No energy to plot: none of these ${page.runs.length} run(s) measured power (imported MLPerf logs carry latency only). Their latency is in the figures below.`));
    } else {
      await draw(box, overviewSpec(page.runs, reportColours(figures)));
      const without = page.runs.length - powered.length;
      if (without > 0) box.append(el('p', { class: 'muted' }, `${without} run(s) without power are not in this chart (no energy); their latency is in the figures below.`));
    }
  } catch (e) {
    showError(`Could not load runs: ${e.message}`);
  }

  const box = clear(document.getElementById('figures'));
  for (const f of figures) {
    const holder = el('div', { class: 'figure-body' });
    box.append(el('div', { class: 'figure', 'data-figure': f.id }, el('h3', {}, f.title), f.caption ? el('p', { class: 'caption' }, f.caption) : null, holder));
    try {
      await draw(holder, f.spec);
    } catch (e) {
      holder.append(el('p', { class: 'error' }, `Figure could not be drawn: ${e.message}`));
    }
  }
  ready();
}

void main();
