/* global document, window, fetch, sessionStorage, history, URL, URLSearchParams */
// Shared by every page: navigation, the API client, formatting, and DOM helpers. Data from
// the API is only ever put in the page as text (textContent), never parsed as HTML.

const TOKEN_KEY = 'inferprint.token';

/** A token given in the URL is kept for this tab and taken out of the address bar. */
function initToken() {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t !== null) {
    sessionStorage.setItem(TOKEN_KEY, t);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}
const token = initToken();

/** GET a JSON endpoint; throws an Error carrying the server's reason. */
export async function api(path, params) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    url.searchParams.set(k, String(v));
  }
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch(url.pathname + url.search, { headers });
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/** URL of the live stream (EventSource cannot send headers: the token goes in the query). */
export function streamUrl(path) {
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

/** Create an element with attributes and children (strings become text nodes). */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof window.Node ? c : String(c));
  return e;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Show an error in the page's message area (and keep the page usable). */
export function showError(message) {
  const box = document.getElementById('messages');
  if (box) box.append(el('p', { class: 'error', role: 'alert' }, message));
}

export function showNote(message) {
  const box = document.getElementById('messages');
  if (box) box.append(el('p', { class: 'note' }, message));
}

/** Mark the page rendered: tests and people wait for this. */
export function ready() {
  document.body.dataset.state = 'ready';
}

const nf = (digits) => new Intl.NumberFormat('en', { maximumSignificantDigits: digits });

/** A number with its unit, 4 significant digits; an em dash when missing. */
export function fmt(v, unit = '', digits = 4) {
  if (v === null || v === undefined || typeof v !== 'number' || !Number.isFinite(v)) return '—';
  const s = Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : nf(digits).format(v);
  return unit ? `${s} ${unit}` : s;
}

/** Energy in J, shown in the unit a person reads best. */
export function fmtEnergy(j) {
  if (typeof j !== 'number' || !Number.isFinite(j)) return '—';
  if (Math.abs(j) >= 3.6e6) return fmt(j / 3.6e6, 'kWh');
  if (Math.abs(j) >= 3600) return `${fmt(j, 'J')} (${fmt(j / 3600, 'Wh')})`;
  return fmt(j, 'J');
}

/** Mass of CO2e in g, in g / mg / kg as fits. */
export function fmtGrams(g) {
  if (typeof g !== 'number' || !Number.isFinite(g)) return '—';
  if (Math.abs(g) >= 1000) return fmt(g / 1000, 'kgCO₂e');
  if (Math.abs(g) < 1 && g !== 0) return fmt(g * 1000, 'mgCO₂e');
  return fmt(g, 'gCO₂e');
}

export function fmtDuration(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '—';
  if (s < 120) return fmt(s, 's');
  if (s < 7200) return fmt(s / 60, 'min', 3);
  return fmt(s / 3600, 'h', 3);
}

export function fmtTime(iso) {
  return typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

/** Colours that stay apart for most colour-blind readers (Okabe–Ito, then Tableau). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#4E79A7', '#F28E2B', '#59A14F', '#B07AA1'];

/** One colour per name, stable for a given sorted list of names. */
export function colourScale(names) {
  const sorted = [...new Set(names)].sort();
  return (name) => PALETTE[Math.max(0, sorted.indexOf(name)) % PALETTE.length];
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  return el(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
  );
}

/** A table from column specs `{ header, value(row) → string|Node, num? }`. */
export function table(columns, rows, attrs = {}) {
  return el(
    'table',
    attrs,
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : undefined, scope: 'col' }, c.header)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, columns.map((c) => el('td', { class: c.num ? 'num' : undefined }, c.value(r)))))),
  );
}

/** Width for a chart drawn into `box`: the box's inner width, within reason. */
export function widthOf(box) {
  return Math.max(560, Math.min(1400, (box.clientWidth || 900) - 14));
}

/** Query parameters of the page itself. */
export function pageParams() {
  return new URLSearchParams(window.location.search);
}

/** Marks the current page in the navigation bar. */
function markNav() {
  const here = window.location.pathname === '/' ? '/index.html' : window.location.pathname;
  for (const a of document.querySelectorAll('nav a')) if (a.getAttribute('href') === here || (here === '/index.html' && a.getAttribute('href') === '/')) a.setAttribute('aria-current', 'page');
}
markNav();

/** Footer: what is served, from where. */
async function footer() {
  const box = document.getElementById('footer');
  if (!box) return;
  try {
    const info = await api('/api/info');
    box.textContent = `${info.tool} ${info.version} · runs from ${info.runsDir} · read-only${info.tokenRequired ? ' · token required' : ''}`;
  } catch {
    // The page itself reports what failed; the footer stays empty.
  }
}
void footer();
