/* global document, window, history, URLSearchParams */
import { api, clear, colourScale, el, fmt, fmtDuration, fmtEnergy, fmtGrams, fmtTime, pageParams, ready, showError, table, widthOf } from './app.js';
import { scatterChart } from './chart.js';

const PAGE = 50;
const FILTERS = ['device', 'scenario', 'queryCount', 'status', 'label', 'job', 'node'];
/** Typed filters: reloaded after a pause in typing, not on every key. */
const TYPED = ['label', 'job', 'node'];
/** Kept from the page URL without a control of their own (e.g. ?partition=gpu from a link). */
const PASSED = ['partition'];
const form = document.getElementById('filters');
const selected = new Set();
let offset = Number(pageParams().get('offset') ?? 0) || 0;
let facetsFilled = false;

function currentFilters() {
  const f = {};
  for (const name of FILTERS) {
    const v = form.elements.namedItem(name).value.trim();
    if (v !== '') f[name] = v;
  }
  for (const name of PASSED) {
    const v = pageParams().get(name);
    if (v !== null && v !== '') f[name] = v;
  }
  return f;
}

/** The filters live in the page URL too, so a filtered view can be bookmarked and shared. */
function syncUrl(filters) {
  const p = new URLSearchParams(filters);
  if (offset > 0) p.set('offset', String(offset));
  const qs = p.toString();
  history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
}

function fillSelect(name, values, current) {
  const select = form.elements.namedItem(name);
  const first = select.options[0];
  clear(select).append(first);
  for (const v of values) select.append(el('option', { value: String(v) }, String(v)));
  if (current !== null) select.value = current;
}

function updateCompareLink() {
  const link = document.getElementById('compare-link');
  const ids = [...selected];
  link.textContent = ids.length > 0 ? `Compare selected (${ids.length})` : 'Compare all';
  link.setAttribute('href', ids.length > 0 ? `/compare.html?runs=${encodeURIComponent(ids.join(','))}` : '/compare.html');
}

function runLink(r) {
  return el('a', { href: `/run.html?id=${encodeURIComponent(r.id)}` }, r.label || r.id);
}

function renderTable(page) {
  const columns = [
    {
      header: '',
      value: (r) =>
        el('input', {
          type: 'checkbox',
          'aria-label': `select ${r.id}`,
          checked: selected.has(r.id),
          onchange: (ev) => {
            if (ev.target.checked) selected.add(r.id);
            else selected.delete(r.id);
            updateCompareLink();
          },
        }),
    },
    { header: 'started (UTC)', value: (r) => fmtTime(r.startedAt) },
    { header: 'label', value: runLink },
    { header: 'device', value: (r) => r.device ?? '—' },
    { header: 'workload', value: (r) => [r.workload, r.scenario].filter(Boolean).join(' · ') },
    { header: 'queries', num: true, value: (r) => (r.queryCount === null ? '—' : String(r.queryCount)) },
    ...(page.runs.some((r) => r.jobId !== null)
      ? [{ header: 'job · node', value: (r) => (r.jobId === null ? '—' : `${r.arrayJobId !== null && r.arrayTaskId !== null ? `${r.arrayJobId}_${r.arrayTaskId}` : r.jobId}${r.node ? ` · ${r.node}` : ''}`) }]
      : []),
    { header: 'status', value: (r) => (r.exitCode !== null && r.exitCode !== 0 ? `${r.status} (exit ${r.exitCode})` : r.status) },
    { header: 'duration', num: true, value: (r) => fmtDuration(r.durationS) },
    { header: 'energy', num: true, value: (r) => fmtEnergy(r.energyJ) },
    { header: 'mean power', num: true, value: (r) => fmt(r.meanW, 'W') },
    {
      header: 'GWP',
      num: true,
      // Operational only (hardware unknown) is a different quantity from the full LCA: say so.
      value: (r) => (r.impactScope === 'operational' ? el('span', { title: 'operational only: the hardware is not in the database' }, `${fmtGrams(r.gwpG)} (op. only)`) : fmtGrams(r.gwpG)),
    },
    {
      header: 'sensor',
      value: (r) =>
        r.sensor === null
          ? el('span', { class: 'muted', title: 'the run measured no power' }, 'none')
          : r.provenance === 'estimated' || r.provenance === 'replayed'
            ? el('span', { class: 'badge-estimated', title: r.provenanceDetail ?? '' }, `${r.sensor} (${r.provenance})`)
            : r.sensor,
    },
  ];
  const box = clear(document.getElementById('runs'));
  if (page.runs.length === 0) box.append(el('p', { class: 'muted' }, page.total === 0 ? 'No runs match.' : 'No runs on this page.'));
  else box.append(table(columns, page.runs, { id: 'runs-table' }));
  document.getElementById('count').textContent = `${page.total} run(s)${page.total > page.limit ? `, showing ${page.offset + 1}–${Math.min(page.total, page.offset + page.runs.length)}` : ''}`;
  document.getElementById('prev').disabled = page.offset === 0;
  document.getElementById('next').disabled = page.offset + page.runs.length >= page.total;
}

function renderChart(page) {
  const box = clear(document.getElementById('chart'));
  const rows = page.runs.filter((r) => r.energyJ !== null && Number.isFinite(r.durationS));
  document.getElementById('chart-note').textContent = rows.length > 0 ? `(runs on this page, one colour per device)` : '';
  if (rows.length === 0) {
    box.append(el('p', { class: 'muted' }, 'No energy to plot.'));
    return;
  }
  const colour = colourScale(page.facets.devices.map(String));
  const devices = [...new Set(rows.map((r) => r.device ?? 'unknown'))].sort();
  box.append(
    scatterChart({
      points: rows.map((r) => ({
        x: r.durationS,
        y: r.energyJ,
        color: colour(r.device ?? 'unknown'),
        title: `${r.label || r.id}\n${r.device ?? 'unknown device'} · ${fmtDuration(r.durationS)} · ${fmtEnergy(r.energyJ)}`,
        href: `/run.html?id=${encodeURIComponent(r.id)}`,
      })),
      xLabel: 'duration (s)',
      yLabel: 'energy (J)',
      width: widthOf(box),
      legendItems: devices.map((d) => ({ name: d, color: colour(d) })),
    }),
  );
}

function renderSkipped(skipped) {
  const box = document.getElementById('skipped');
  box.hidden = skipped.length === 0;
  if (skipped.length === 0) return;
  box.querySelector('summary').textContent = `${skipped.length} folder(s) in the runs directory are not valid bundles and were skipped`;
  const list = clear(box.querySelector('ul'));
  for (const s of skipped.slice(0, 200)) list.append(el('li', {}, el('code', {}, s.id), ` — ${s.error}`));
}

async function load() {
  const filters = currentFilters();
  syncUrl(filters);
  try {
    const page = await api('/api/runs', { ...filters, limit: PAGE, offset });
    if (!facetsFilled) {
      const p = pageParams();
      fillSelect('device', page.facets.devices, p.get('device'));
      fillSelect('scenario', page.facets.scenarios, p.get('scenario'));
      fillSelect('queryCount', page.facets.queryCounts, p.get('queryCount'));
      fillSelect('status', page.facets.statuses, p.get('status'));
      facetsFilled = true;
    }
    renderTable(page);
    renderChart(page);
    renderSkipped(page.skipped);
  } catch (e) {
    showError(`Could not list runs: ${e.message}`);
  }
  ready();
}

function init() {
  const p = pageParams();
  for (const name of TYPED) form.elements.namedItem(name).value = p.get(name) ?? '';
  for (const name of ['device', 'scenario', 'queryCount', 'status']) {
    const v = p.get(name);
    if (v !== null) {
      const select = form.elements.namedItem(name);
      select.append(el('option', { value: v }, v));
      select.value = v;
    }
  }
  form.addEventListener('change', () => {
    offset = 0;
    void load();
  });
  let typing;
  for (const name of TYPED) {
    form.elements.namedItem(name).addEventListener('input', () => {
      window.clearTimeout(typing);
      typing = window.setTimeout(() => {
        offset = 0;
        void load();
      }, 300);
    });
  }
  form.addEventListener('submit', (ev) => ev.preventDefault());
  document.getElementById('prev').addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void load();
  });
  document.getElementById('next').addEventListener('click', () => {
    offset += PAGE;
    void load();
  });
  updateCompareLink();
  void load();
}

init();
