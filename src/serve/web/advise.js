/* global document, window */
// The Advise page: the workload files of the runs directory, and the advisor's answer for one of
// them (GET /api/advise/:name) with the report's figures (GET /api/advise/:name/figures, Vega-Lite
// specs drawn here). Everything from the API goes into the page as text.
import { api, clear, el, fmt, pageParams, ready, showError, showNote, table } from './app.js';
import { draw } from './vega-draw.js';

const kg = (f) => fmt(f.value);
const range = (f) => (f.p5 === f.p95 ? '—' : `${fmt(f.p5)}–${fmt(f.p95)}`);
const pct = (x) => (typeof x === 'number' ? `${fmt(x * 100, '', 3)} %` : '—');

function sloCell(d) {
  if (d.latency_basis === 'given') return d.slo_met === false ? 'no (unserved)' : 'assumed (capacity given)';
  const met = d.slo_met === true ? 'yes' : 'NO';
  return el('span', { class: d.slo_met === true ? 'pill ok' : 'pill bad' }, `${d.latency_ms === null ? '∞' : fmt(d.latency_ms)} ms ${met}`);
}

function renderList(list, selected) {
  document.getElementById('where').textContent = `Workload files are ${list.where}; see examples/ in the repository for their keys.`;
  const box = clear(document.getElementById('workloads'));
  if (list.workloads.length === 0) {
    box.append(el('p', { class: 'muted', id: 'no-workloads' }, 'No workload file in the runs directory. Copy one there (e.g. examples/office-assistant.yaml) to see it advised here.'));
    return;
  }
  box.append(
    table(
      [
        { header: 'file', value: (w) => el('a', { href: `?file=${encodeURIComponent(w.name)}`, 'aria-current': w.name === selected ? 'true' : undefined }, w.name) },
        { header: 'name', value: (w) => w.title ?? '' },
        { header: 'modified', value: (w) => w.modifiedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
        { header: 'status', value: (w) => (w.error === null ? el('span', { class: 'pill ok' }, 'valid') : el('span', { class: 'pill bad', title: w.error }, 'invalid')) },
        { header: 'problem', value: (w) => w.error ?? '' },
      ],
      list.workloads,
      { id: 'workloads-table' },
    ),
  );
}

function renderAdvice(r, name) {
  const w = r.workload;
  document.getElementById('advice').hidden = false;
  document.getElementById('advice-title').textContent = `${w.name ?? name}`;
  document.getElementById('workload-line').textContent =
    `${fmt(w.users)} users × ${fmt(w.queries_per_user_per_day)} queries a day = ${fmt(w.queries_per_day)} a day, busiest hour ${fmt(w.peak_qps)} queries/s; ` +
    `target p${w.slo.percentile} ≤ ${fmt(w.slo.latency_ms)} ms; horizon ${fmt(w.days)} day(s), totals over it. ` +
    (r.montecarlo.draws > 0 ? `P5–P95 from ${fmt(r.montecarlo.draws)} Monte Carlo draws (seed ${r.montecarlo.seed}).` : 'No Monte Carlo.');
  const sorted = [...r.deployments].sort((a, b) => a.total_kg.value - b.total_kg.value);
  const heads = clear(document.getElementById('headlines'));
  if (sorted.length > 1) heads.append(el('li', {}, `Lowest total: ${sorted[0].name}, ${fmt(sorted[0].total_kg.value)} kg CO₂e; highest: ${sorted.at(-1).name}, ${fmt(sorted.at(-1).total_kg.value)} kg.`));
  for (const c of r.comparisons) heads.append(el('li', {}, `P(${c.a} emits less than ${c.b}) = ${c.p_a_less.toFixed(3)}`));

  clear(document.getElementById('deployments')).append(
    table(
      [
        { header: 'deployment', value: (d) => d.name },
        { header: 'hardware', value: (d) => `${d.hardware} ${d.placement}` },
        { header: 'devices', num: true, value: (d) => fmt(d.devices.value) },
        { header: 'util. mean / peak', num: true, value: (d) => `${pct(d.utilisation.mean)} / ${pct(d.utilisation.peak)}` },
        { header: `p${w.slo.percentile} latency, met (≤ ${fmt(w.slo.latency_ms)} ms)`, num: true, value: sloCell },
        { header: 'kWh/year', num: true, value: (d) => fmt(d.kwh_per_year.value) },
        { header: 'operational kg', num: true, value: (d) => kg(d.operational_kg) },
        { header: 'embodied kg', num: true, value: (d) => kg(d.embodied_kg) },
        { header: 'total kg', num: true, value: (d) => kg(d.total_kg) },
        { header: 'P5–P95 kg', num: true, value: (d) => range(d.total_kg) },
        { header: 'mg/query', num: true, value: (d) => fmt(d.mg_per_query.value) },
        { header: 'g/user/year', num: true, value: (d) => fmt(d.g_per_user_per_year.value) },
      ],
      r.deployments,
      { id: 'deployments-table' },
    ),
  );

  const studyBox = document.getElementById('study-box');
  studyBox.hidden = r.study.length === 0;
  clear(document.getElementById('study')).append(
    table(
      [
        { header: 'deployment', value: (s) => s.name },
        { header: 'hardware', value: (s) => s.hardware },
        { header: 'QC', num: true, value: (s) => String(s.qc) },
        { header: 'per-run mg', num: true, value: (s) => fmt(s.per_run_mg) },
        { header: 'runs/user/day', num: true, value: (s) => fmt(s.runs_per_user_per_day) },
        { header: 'total kg', num: true, value: (s) => fmt(s.total_kg) },
        { header: 'mg/query', num: true, value: (s) => fmt(s.mg_per_query) },
        { header: 'per-run GWP from', value: (s) => s.source },
      ],
      r.study,
      { id: 'study-table' },
    ),
  );

  clear(document.getElementById('inputs')).append(
    table(
      [
        { header: 'deployment', value: (x) => x.d },
        { header: 'input', value: (x) => x.i.name },
        { header: 'value', num: true, value: (x) => fmt(x.i.value, x.i.unit) },
        { header: 'range', num: true, value: (x) => (x.i.min === x.i.max ? '—' : `${fmt(x.i.min)}–${fmt(x.i.max)}`) },
        { header: 'origin', value: (x) => x.i.origin },
        { header: 'source', value: (x) => x.i.source },
      ],
      r.deployments.flatMap((d) => d.inputs.map((i) => ({ d: d.name, i }))),
      { id: 'inputs-table' },
    ),
  );

  const notes = clear(document.getElementById('notes'));
  const all = [...r.deployments.flatMap((d) => d.notes), ...r.notes];
  if (all.length > 0) notes.append(el('h3', {}, 'Notes'), el('ul', {}, all.map((n) => el('li', {}, n))));
}

async function renderFigures(figures) {
  const box = clear(document.getElementById('figures'));
  for (const f of figures) {
    const holder = el('div', { class: 'figure-body' });
    box.append(el('div', { class: 'figure', 'data-figure': f.id }, el('h3', {}, f.title), el('p', { class: 'caption' }, f.caption), holder));
    try {
      await draw(holder, f.spec);
    } catch (e) {
      holder.append(el('p', { class: 'error' }, `Figure could not be drawn: ${e.message}`));
    }
  }
}

async function main() {
  let list;
  try {
    list = await api('/api/advise');
  } catch (e) {
    showError(`Could not list the workload files: ${e.message}`);
    ready();
    return;
  }
  const params = pageParams();
  const selected = params.get('file') ?? (list.workloads.length === 1 ? list.workloads[0].name : undefined);
  renderList(list, selected);
  if (selected === undefined) {
    if (list.workloads.length > 1) showNote('Choose a workload file to see its advice.');
    ready();
    return;
  }
  const query = { draws: params.get('draws') ?? undefined, seed: params.get('seed') ?? undefined };
  const path = `/api/advise/${encodeURIComponent(selected)}`;
  try {
    const [advice, figs] = await Promise.all([api(path, query), api(`${path}/figures`, query)]);
    renderAdvice(advice, selected);
    if (!window.vega || !window.vegaLite) showError('Vega could not be loaded: the figures cannot be drawn.');
    else await renderFigures(figs.figures);
  } catch (e) {
    showError(`${selected}: ${e.message}`);
  }
  ready();
}

void main();
