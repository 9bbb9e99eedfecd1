/* global document, window, EventSource */
import { PALETTE, clear, el, fmt, fmtTime, ready, streamUrl, widthOf } from './app.js';
import { lineChart } from './chart.js';

/** Seconds of history drawn per session. */
const SPAN_S = 60;
/** Samples kept per channel in the page. */
const KEEP = 6000;

const sessions = new Map();
const box = document.getElementById('sessions');
const status = document.getElementById('status');
let scheduled = false;

function setStatus(text, kind) {
  status.textContent = text;
  status.className = `pill ${kind ?? ''}`;
}

function updateEmpty() {
  document.getElementById('empty').hidden = [...sessions.values()].some((s) => !s.ended);
}

function addSession(info, recent = []) {
  let s = sessions.get(info.session);
  if (!s) {
    const node = el('article', { class: 'session', 'data-session': info.session, 'data-samples': '0' });
    s = { info, node, channels: new Map(), count: 0, ended: false };
    sessions.set(info.session, s);
    box.prepend(node);
  }
  s.info = info;
  addSamples(s, recent);
  updateEmpty();
  schedule();
}

function addSamples(s, samples) {
  for (const x of samples) {
    let ch = s.channels.get(x.channel);
    if (!ch) {
      ch = { t: [], w: [] };
      s.channels.set(x.channel, ch);
    }
    ch.t.push(x.t);
    ch.w.push(x.watts);
    if (ch.t.length > 2 * KEEP) {
      ch.t = ch.t.slice(-KEEP);
      ch.w = ch.w.slice(-KEEP);
    }
  }
  s.count += samples.length;
}

/** Redraw at most a few times a second, however fast samples arrive. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  window.setTimeout(() => {
    scheduled = false;
    for (const s of sessions.values()) render(s);
  }, 250);
}

function render(s) {
  const { info, node } = s;
  node.dataset.samples = String(s.count);
  node.classList.toggle('ended', s.ended);
  let tMax = -Infinity;
  for (const ch of s.channels.values()) if (ch.t.length > 0) tMax = Math.max(tMax, ch.t[ch.t.length - 1]);
  const t0 = Number.isFinite(tMax) ? Math.max(0, tMax - SPAN_S) : 0;
  const names = info.channels.length > 0 ? info.channels.map((c) => c.name) : [...s.channels.keys()];
  const series = names.map((name, i) => {
    const ch = s.channels.get(name) ?? { t: [], w: [] };
    let from = ch.t.length;
    while (from > 0 && ch.t[from - 1] >= t0) from--;
    return { name, color: PALETTE[i % PALETTE.length], t: ch.t.slice(from), y: ch.w.slice(from) };
  });
  const latest = series.map((se) => el('span', {}, el('strong', {}, se.name), ` ${se.y.length > 0 ? fmt(se.y[se.y.length - 1], 'W') : '—'}`));
  clear(node).append(
    el('h2', {}, info.label || `process ${info.pid}`, ' ', el('span', { class: `pill ${s.ended ? '' : 'ok'}` }, s.ended ? 'ended' : 'measuring')),
    el(
      'p',
      { class: 'muted' },
      `${info.sensor}${info.estimated ? ' (ESTIMATED)' : ''} · pid ${info.pid} on ${info.host || 'unknown host'} · started ${fmtTime(info.startedAt)} · `,
      el('span', { class: 'sample-count' }, `${s.count} samples received`),
    ),
    el('div', { class: 'latest' }, latest),
  );
  const chartBox = el('div', { class: 'chart-box' });
  node.append(chartBox);
  chartBox.append(lineChart({ series, xLabel: 'time since start (s)', yLabel: 'power (W)', height: 260, width: widthOf(chartBox), xDomain: Number.isFinite(tMax) ? [t0, Math.max(tMax, t0 + 1)] : [0, SPAN_S] }));
}

function connect() {
  const source = new EventSource(streamUrl('/api/live'));
  source.addEventListener('open', () => setStatus('connected', 'ok'));
  source.addEventListener('error', () => setStatus('reconnecting…', 'bad'));
  source.addEventListener('snapshot', (ev) => {
    const data = JSON.parse(ev.data);
    for (const sess of data.sessions) addSession(sess, sess.recent ?? []);
    updateEmpty();
    ready();
  });
  source.addEventListener('session', (ev) => addSession(JSON.parse(ev.data)));
  source.addEventListener('samples', (ev) => {
    const data = JSON.parse(ev.data);
    const s = sessions.get(data.session);
    if (!s) return;
    addSamples(s, data.samples);
    schedule();
  });
  source.addEventListener('end', (ev) => {
    const s = sessions.get(JSON.parse(ev.data).session);
    if (!s) return;
    s.ended = true;
    updateEmpty();
    schedule();
  });
}

connect();
