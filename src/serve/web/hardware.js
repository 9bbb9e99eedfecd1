/* global document, history, URLSearchParams, window */
import { PALETTE, api, clear, el, facts, fmt, pageParams, ready, showError, table, widthOf } from './app.js';
import { stackedBars } from './chart.js';

const form = document.getElementById('controls');
let filled = false;

function syncUrl(extra = {}) {
  const p = new URLSearchParams();
  const category = form.elements.namedItem('category').value;
  const model = form.elements.namedItem('model').value;
  if (category) p.set('category', category);
  if (model && model !== 'die-area-v1') p.set('model', model);
  for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
  const qs = p.toString();
  history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
}

function renderChart(devices) {
  const rows = devices
    .filter((d) => d.embodied)
    .sort((a, b) => a.category.localeCompare(b.category) || b.embodied.meanKg - a.embodied.meanKg)
    .map((d) => ({
      name: `${d.id} · ${d.category}`,
      parts: [
        { name: 'processor (die)', value: d.embodied.processorKg, color: PALETTE[0] },
        { name: 'memory', value: d.embodied.memoryKg, color: PALETTE[1] },
      ],
      min: d.embodied.minKg,
      max: d.embodied.maxKg,
      title: `${d.name}: ${fmt(d.embodied.meanKg)} kgCO₂e mean, ${fmt(d.embodied.minKg)}–${fmt(d.embodied.maxKg)} over ${d.embodied.candidates} candidate(s)`,
    }));
  const box = clear(document.getElementById('chart'));
  if (rows.length === 0) {
    box.append(el('p', { class: 'muted' }, 'No device has a value under this model.'));
    return;
  }
  box.append(
    stackedBars({
      rows,
      width: widthOf(box),
      xLabel: 'embodied footprint (kgCO₂e)',
      legendItems: [
        { name: 'processor (die)', color: PALETTE[0] },
        { name: 'memory', color: PALETTE[1] },
      ],
    }),
  );
}

function renderTable(devices) {
  clear(document.getElementById('devices')).append(
    table(
      [
        { header: 'id', value: (d) => el('a', { href: `?device=${encodeURIComponent(d.id)}`, onclick: (ev) => { ev.preventDefault(); void showDevice(d.id); } }, d.id) },
        { header: 'name', value: (d) => d.name },
        { header: 'category', value: (d) => d.category },
        { header: 'die', num: true, value: (d) => fmt(d.dieAreaMm2, 'mm²') },
        { header: 'node', num: true, value: (d) => fmt(d.techNodeNm, 'nm') },
        { header: 'year', num: true, value: (d) => String(d.year) },
        { header: 'foundry', value: (d) => d.foundry },
        { header: 'memory', num: true, value: (d) => `${fmt(d.memoryGb)} GB ${d.memoryType}` },
        { header: 'TDP', num: true, value: (d) => fmt(d.tdpW, 'W') },
        { header: 'F min', num: true, value: (d) => (d.embodied ? fmt(d.embodied.minKg, 'kg') : '—') },
        { header: 'F mean', num: true, value: (d) => (d.embodied ? fmt(d.embodied.meanKg, 'kg') : '—') },
        { header: 'F max', num: true, value: (d) => (d.embodied ? fmt(d.embodied.maxKg, 'kg') : '—') },
      ],
      devices,
      { id: 'hardware-table' },
    ),
  );
}

async function showDevice(name) {
  const section = document.getElementById('device');
  const body = clear(document.getElementById('device-body'));
  section.hidden = false;
  const model = form.elements.namedItem('model').value;
  syncUrl({ device: name });
  try {
    const d = await api(`/api/hardware/${encodeURIComponent(name)}`, { model: model || undefined });
    const h = d.hardware;
    const e = d.embodied;
    document.getElementById('device-title').textContent = `${h.id} — ${h.name}`;
    body.append(
      facts([
        ['kind', `${h.kind}, ${h.category} (power logged in ${h.powerUnit})`],
        ['die', `${fmt(h.dieAreaMm2, 'mm²')}, ${h.techNodeNm} nm${h.process ? ` (${h.process})` : ''}, ${h.foundry}, ${h.year}`],
        ['memory', `${fmt(h.memoryGb)} GB ${h.memoryType}`],
        ['TDP', fmt(h.tdpW, 'W')],
        ['aliases', h.aliases.join(', ') || '—'],
        ['source', `${h.source} (${h.sourceYear})`],
        ['note', h.note ?? ''],
        ['formula', e.formula],
        ['footprint', `${fmt(e.meanKg, 'kgCO₂e')} mean, ${fmt(e.minKg)}–${fmt(e.maxKg, 'kg')} over ${e.candidates.length} candidate(s)`],
      ]),
      el('div', { class: 'table-box' }, table(
        [
          { header: 'IC factor', value: (c) => c.factor.id },
          { header: 'category', value: (c) => c.factor.category },
          { header: 'key', value: (c) => String(c.factor.matchKey) },
          { header: 'kgCO₂e/cm²', num: true, value: (c) => fmt(c.factor.valueKgPerCm2) },
          { header: 'processor', num: true, value: (c) => fmt(c.processorKg, 'kg') },
          { header: 'memory', num: true, value: (c) => fmt(c.memoryKg, 'kg') },
          { header: 'total', num: true, value: (c) => fmt(c.totalKg, 'kg') },
        ],
        e.candidates,
        { id: 'candidates-table' },
      )),
      el('h3', {}, 'Sources'),
      el('ul', {}, e.sources.map((s) => el('li', {}, s))),
    );
  } catch (err) {
    body.append(el('p', { class: 'error' }, err.message));
  }
}

async function load() {
  const p = pageParams();
  try {
    const category = form.elements.namedItem('category').value || p.get('category') || undefined;
    const model = form.elements.namedItem('model').value || p.get('model') || undefined;
    const data = await api('/api/hardware', { category, model });
    if (!filled) {
      const cat = form.elements.namedItem('category');
      for (const c of data.categories) cat.append(el('option', { value: c }, c));
      cat.value = category ?? '';
      const mod = form.elements.namedItem('model');
      for (const m of data.models) mod.append(el('option', { value: m }, m));
      mod.value = data.model;
      filled = true;
    }
    renderChart(data.devices);
    renderTable(data.devices);
    syncUrl();
    const device = p.get('device');
    if (device) await showDevice(device);
  } catch (e) {
    showError(`Could not load the hardware database: ${e.message}`);
  }
  ready();
}

form.addEventListener('change', () => void load());
form.addEventListener('submit', (ev) => ev.preventDefault());
void load();
