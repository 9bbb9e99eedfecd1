/* global document */
import { PALETTE, api, clear, el, facts, fmt, fmtDuration, fmtEnergy, fmtGrams, fmtTime, pageParams, ready, showError, showNote, table, widthOf } from './app.js';
import { lineChart, stackedBars } from './chart.js';

const id = pageParams().get('id') ?? '';
const enc = encodeURIComponent(id);

function card(labelText, value, range) {
  return el('div', { class: 'card' }, el('div', { class: 'label' }, labelText), el('div', { class: 'value' }, value), range ? el('div', { class: 'range' }, range) : null);
}

function workloadText(w) {
  if (w.kind === 'bench') return `bench: ${w.model}, ${w.scenario}, ${w.queryCount} queries`;
  if (w.kind === 'command') return `command: ${w.argv.join(' ')}${w.exitCode !== undefined ? ` (exit ${w.exitCode})` : ''}`;
  if (w.kind === 'llm') return `served LLM: ${w.model} at ${w.url} (${w.api}), ${w.requestsPerLevel} requests per level, max ${w.maxTokens ?? 'default'} output tokens${w.ignoreEos ? ', ignore_eos' : ''}`;
  const extra = [w.scenario, w.queryCount !== undefined ? `${w.queryCount} queries` : null, w.mode].filter(Boolean).join(', ');
  return `import (${w.format}) from ${w.sourcePath}${extra ? ` — ${extra}` : ''}`;
}

function statusText(s) {
  if (s.kind === 'completed') return 'completed';
  if (s.kind === 'interrupted') return `interrupted (${s.signal})`;
  return `failed: ${s.message}`;
}

function renderOverview(d) {
  const m = d.manifest;
  document.getElementById('title').textContent = m.label || m.id;
  document.title = `${m.label || m.id} — inferprint`;
  const r = d.run;
  const gwp = d.impact.source !== 'none' && d.impact.result ? d.impact.result.gwpG : null;
  clear(document.getElementById('overview')).append(
    el(
      'div',
      { class: 'cards' },
      card('energy (primary channel)', m.sensor ? fmtEnergy(r.energyJ) : '—', m.sensor ? null : 'no power measured'),
      card('mean power', fmt(r.meanW, 'W')),
      card('duration', fmtDuration(r.durationS)),
      card('GWP', gwp ? fmtGrams(gwp.mean) : '—', gwp ? `range ${fmtGrams(gwp.min)} – ${fmtGrams(gwp.max)}` : d.impact.source === 'none' ? d.impact.reason : null),
    ),
    facts([
      ['id', m.id],
      ['status', statusText(m.status)],
      ['started (UTC)', fmtTime(m.startedAt)],
      ['device', [r.hardwareId, r.deviceName].filter(Boolean).join(' — ') || 'unknown'],
      ['workload', workloadText(m.workload)],
      ['sensor', m.sensor ? `${m.sensor.name}${r.estimated ? ' (ESTIMATED, not measured)' : ''}, primary channel ${m.sensor.primaryChannel}` : 'none: the run measured no power'],
    ]),
  );
}

/** A run without a sensor has no trace to fetch: say so instead of asking the API for one. */
function renderNoTrace() {
  clear(document.getElementById('trace')).append(el('p', { class: 'muted', id: 'no-trace' }, 'No power trace: this run measured no power (e.g. imported MLPerf logs). Its MLPerf statistics are below.'));
  document.getElementById('trace-note').textContent = '';
  document.getElementById('window').disabled = true;
}

async function renderTrace(d, windowName) {
  const box = clear(document.getElementById('trace'));
  const note = document.getElementById('trace-note');
  note.textContent = 'loading…';
  try {
    const t = await api(`/api/runs/${enc}/trace`, { points: 2000, window: windowName || undefined });
    const series = t.channels.map((c, i) => ({ name: `${c.name}${c.device ? ` (${c.device})` : ''}`, color: PALETTE[i % PALETTE.length], t: c.tS, y: c.powerW }));
    const bands = windowName ? [] : t.windows.filter((w) => w.name !== 'full').map((w) => ({ name: w.name, t0: w.t0S, t1: w.t1S }));
    const xDomain = t.window ? [t.window.t0S, t.window.t1S] : undefined;
    box.append(lineChart({ series, bands, xLabel: 'time since start (s)', yLabel: 'power (W)', xDomain, width: widthOf(box) }));
    const total = t.channels.reduce((a, c) => a + c.samples, 0);
    const shown = t.channels.reduce((a, c) => a + c.tS.length, 0);
    note.textContent = `${total} samples${shown < total ? `, ${shown} drawn (min and max of each time slice kept)` : ''}`;
    if (t.gaps.length > 0) showNote(`${t.gaps.length} sampling gap(s): ${t.gaps.map((g) => `${g.channel} ${fmt(g.startS, 's')}–${fmt(g.endS, 's')}`).join(', ')}`);
  } catch (e) {
    note.textContent = '';
    box.append(el('p', { class: 'error' }, `Trace unavailable: ${e.message}`));
  }
}

function renderEnergy(m) {
  const box = clear(document.getElementById('energy'));
  if (!m.energy) {
    box.append(el('p', { class: 'muted' }, m.sensor ? 'No energy recorded (nothing was sampled).' : 'No energy: the run measured no power.'));
    return;
  }
  box.append(
    el('div', { class: 'table-box' }, table(
      [
        { header: 'channel', value: (c) => `${c.channel}${c.channel === m.energy.primary.channel ? ' (primary)' : ''}` },
        { header: 'energy', num: true, value: (c) => fmtEnergy(c.energyJ) },
        { header: 'mean', num: true, value: (c) => fmt(c.meanW, 'W') },
        { header: 'min', num: true, value: (c) => fmt(c.minW, 'W') },
        { header: 'max', num: true, value: (c) => fmt(c.maxW, 'W') },
        { header: 'samples', num: true, value: (c) => String(c.samples) },
      ],
      m.energy.perChannel,
    )),
  );
  if (m.energy.perWindow && m.energy.perWindow.length > 0) {
    box.append(
      el('h3', {}, 'Per window'),
      el('div', { class: 'table-box' }, table(
        [
          { header: 'window', value: (w) => w.window },
          { header: 'channel', value: (w) => w.channel },
          { header: 'duration', num: true, value: (w) => fmtDuration(w.durationS) },
          { header: 'energy', num: true, value: (w) => fmtEnergy(w.energyJ) },
          { header: 'mean power', num: true, value: (w) => (w.durationS > 0 ? fmt(w.energyJ / w.durationS, 'W') : '—') },
        ],
        m.energy.perWindow,
      )),
    );
  }
  if (m.energy.counters && m.energy.counters.length > 0) {
    box.append(
      el('h3', {}, 'Sensor energy counters'),
      el('div', { class: 'table-box' }, table(
        [
          { header: 'channel', value: (c) => c.channel },
          { header: 'counter energy', num: true, value: (c) => fmtEnergy(c.energyJ) },
          { header: 'counter − integrated', num: true, value: (c) => fmt(c.differenceFromSamplesJ, 'J') },
        ],
        m.energy.counters,
      )),
    );
  }
}

/** What min–max spans: the embodied candidates and every parameter given with a range. */
function rangeNote(params) {
  const names = { grid: 'grid factor', pue: 'PUE', lifetime: 'lifetime', embodied: 'embodied candidates' };
  const spans = params.filter((p) => p.min !== undefined && p.max !== undefined && p.min !== p.max).map((p) => names[p.name] ?? p.name);
  return spans.length === 0 ? 'min = max: one embodied candidate and no ranged parameter.' : `min–max is the envelope over: ${spans.join(', ')} (a bound, not a confidence interval).`;
}

function renderImpact(d) {
  const box = clear(document.getElementById('impact'));
  const imp = d.impact;
  if (imp.source === 'none') {
    box.append(el('p', { class: 'muted' }, `No impact: ${imp.reason}`));
  } else if (!imp.result) {
    box.append(el('p', {}, `Operational part only: ${fmtGrams(imp.operationalOnlyG)} (the hardware is not in the database, so the embodied part is left out).`));
  } else {
    const res = imp.result;
    box.append(
      el('p', { class: 'muted' }, imp.source === 'recorded' ? `As recorded with the run (model ${res.model}).` : `Assessed now with the ${imp.preset} preset and the settings the run was recorded with (model ${res.model}).`),
      el('p', {}, el('code', {}, res.formula)),
      stackedBars({
        width: widthOf(box),
        rows: [
          {
            name: 'this run',
            parts: [
              { name: 'operational', value: res.operationalG.mean, color: PALETTE[0] },
              { name: 'embodied', value: res.embodiedG.mean, color: PALETTE[1] },
            ],
            min: res.gwpG.min,
            max: res.gwpG.max,
          },
        ],
        xLabel: 'GWP (gCO₂e)',
        legendItems: [
          { name: 'operational', color: PALETTE[0] },
          { name: 'embodied (manufacturing share)', color: PALETTE[1] },
        ],
      }),
      el('div', { class: 'table-box' }, table(
        [
          { header: '', value: (r) => r[0] },
          { header: 'mean', num: true, value: (r) => fmtGrams(r[1].mean) },
          { header: 'min', num: true, value: (r) => fmtGrams(r[1].min) },
          { header: 'max', num: true, value: (r) => fmtGrams(r[1].max) },
        ],
        [
          ['operational', res.operationalG],
          ['embodied', res.embodiedG],
          ['total GWP', res.gwpG],
        ],
      )),
      el('p', { class: 'muted' }, rangeNote(Array.isArray(imp.parameters) ? imp.parameters : [])),
    );
  }
  const params = Array.isArray(imp.parameters) ? imp.parameters : [];
  if (params.length > 0) {
    box.append(
      el('h3', {}, 'Parameters used'),
      el('div', { class: 'table-box' }, table(
        [
          { header: 'parameter', value: (p) => p.name },
          { header: 'value', num: true, value: (p) => paramValue(p, p.value) },
          { header: 'range', num: true, value: (p) => (p.min !== undefined && p.max !== undefined ? `${paramValue(p, p.min)} – ${paramValue(p, p.max)}` : '—') },
          { header: 'origin', value: (p) => p.origin ?? '' },
          { header: 'why', value: (p) => p.why ?? '' },
          { header: 'source', value: (p) => p.source ?? '' },
        ],
        params,
      )),
    );
  }
  if (d.embodied) {
    const e = d.embodied;
    box.append(
      el('h3', {}, `Manufacturing footprint of ${e.hardwareId} (${e.model})`),
      el('p', {}, `${fmt(e.meanKg, 'kgCO₂e')} mean over ${e.candidates.length} candidate(s), ${fmt(e.minKg)}–${fmt(e.maxKg, 'kg')}. `, el('a', { href: `/hardware.html?device=${encodeURIComponent(e.hardwareId)}` }, 'Breakdown')),
    );
  }
}

const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** A parameter value in its unit; lifetimes (stored in s) in years, as people state them. */
function paramValue(p, v) {
  if (typeof v !== 'number') return String(v);
  if (p.unit === 's' && v >= SECONDS_PER_YEAR / 12) return fmt(v / SECONDS_PER_YEAR, 'y', 3);
  return fmt(v, p.unit);
}

const ms = (ns) => (typeof ns === 'number' ? fmt(ns / 1e6, 'ms') : '—');

/** A served-LLM run (`bench --sut openai|ollama`): one row per load level, in a section of its own after the overview. */
function renderLlm(d) {
  const w = d.manifest.workload;
  if (w.kind !== 'llm') return;
  const foot = new Map((d.llm ?? []).map((x) => [x.level, x.footprint]));
  const p = (dist, k) => (dist ? fmt(dist[k], 'ms') : '—');
  const section = el('section', { id: 'llm' }, el('h2', {}, 'LLM serving'));
  section.append(
    el('div', { class: 'table-box' }, table(
      [
        { header: 'level', value: (l) => l.name },
        { header: 'requests', num: true, value: (l) => String(l.requests) },
        { header: 'failed', num: true, value: (l) => String(l.failed) },
        { header: 'output tokens', num: true, value: (l) => String(l.outputTokens) },
        { header: 'TTFT p50', num: true, value: (l) => p(l.ttftMs, 'p50') },
        { header: 'TTFT p99', num: true, value: (l) => p(l.ttftMs, 'p99') },
        { header: 'TPOT p50', num: true, value: (l) => p(l.tpotMs, 'p50') },
        { header: 'TPOT p99', num: true, value: (l) => p(l.tpotMs, 'p99') },
        { header: 'J / token', num: true, value: (l) => (l.energy && l.energy.jPerOutputToken !== null ? fmt(l.energy.jPerOutputToken, 'J') : '—') },
        { header: 'power', num: true, value: (l) => (l.energy ? fmt(l.energy.meanPowerW, 'W') : '—') },
        { header: 'CO₂e / 1k tokens', num: true, value: (l) => { const f = foot.get(l.name); return f && f.gwpMgPer1kTokens !== null ? fmt(f.gwpMgPer1kTokens, 'mg') : '—'; } },
        { header: 'limits (p99)', value: (l) => (l.limits ?? []).map((c) => `${c.name} ${c.pass ? 'pass' : 'FAIL'}`).join(', ') || '—' },
      ],
      w.levels,
      { id: 'llm-table' },
    )),
    el('p', { class: 'muted' }, 'Latency over the requests that ended well; energy per token over each level\'s steady state (every client has its first token → the first client has no next request; the window is named <level>-steady in the trace), else over the whole level.'),
  );
  const failed = w.levels.filter((l) => l.failed > 0);
  if (failed.length > 0) section.append(el('p', { class: 'error' }, `Failed requests: ${failed.map((l) => `${l.name}: ${Object.entries(l.outcomes).filter(([k, n]) => k !== 'ok' && n > 0).map(([k, n]) => `${n} ${k}`).join(', ')}`).join('; ')}`));
  document.getElementById('overview').after(section);
}

function renderMlperf(d) {
  const box = clear(document.getElementById('mlperf'));
  if (d.mlperf === null) {
    box.append(el('p', { class: 'muted' }, 'The run has no MLPerf summary.'));
    return;
  }
  if (d.mlperf.error) {
    box.append(el('p', { class: 'error' }, `${d.mlperf.file}: ${d.mlperf.error}`));
    return;
  }
  const s = d.mlperf.summary;
  box.append(
    facts([
      ['SUT', s.sutName],
      ['scenario', `${s.scenario}, ${s.mode}`],
      ['result', s.resultValid ? 'VALID' : 'INVALID'],
      [s.headline.key, String(s.headline.value)],
      ['min query count', String(s.params.minQueryCount)],
    ]),
    el('div', { class: 'table-box' }, table(
      [
        { header: 'statistic', value: (r) => r[0] },
        { header: 'value', num: true, value: (r) => r[1] },
      ],
      [
        ['QPS with LoadGen overhead', fmt(s.stats.qpsWithLoadgenOverhead)],
        ['QPS without LoadGen overhead', fmt(s.stats.qpsWithoutLoadgenOverhead)],
        ['min latency', ms(s.stats.minLatencyNs)],
        ['mean latency', ms(s.stats.meanLatencyNs)],
        ['max latency', ms(s.stats.maxLatencyNs)],
        ...Object.entries(s.stats.percentilesNs).map(([p, v]) => [`p${p} latency`, ms(v)]),
      ],
      { id: 'mlperf-table' },
    )),
  );
  if (s.recommendations.length > 0) box.append(el('ul', {}, s.recommendations.map((r) => el('li', { class: 'muted' }, r))));
}

function renderDetails(d) {
  const m = d.manifest;
  const h = m.host;
  clear(document.getElementById('details')).append(
    facts([
      ['host', [h.os, h.kernel, h.cpuModel, h.cpuCores ? `${h.cpuCores} cores` : null, h.gpus?.map((g) => g.name).join(', ')].filter(Boolean).join(' · ')],
      ['sampling', m.sensor ? `requested ${fmt(m.sensor.requestedIntervalS, 's')}, measured ${fmt(m.sensor.measuredIntervalS, 's')}` : 'none (no power measured)'],
      ['channels', m.sensor ? m.sensor.channels.map((c) => `${c.name} (${c.kind}${c.device ? `, ${c.device}` : ''})`).join(', ') : '—'],
      ['windows', m.windows.map((w) => `${w.name} ${fmt(w.t0S)}–${fmt(w.t1S, 's')}`).join(', ') || '—'],
      ['tool', `${m.tool.name} ${m.tool.version}`],
      ['files', d.files.map((f) => `${f.name} (${f.role})`).join(', ')],
    ]),
  );
  const notes = [...(m.notes ?? []), ...(m.sensor ? m.sensor.notes : [])];
  if (notes.length > 0) document.getElementById('details').append(el('ul', {}, notes.map((n) => el('li', { class: 'muted' }, n))));
}

async function main() {
  if (id === '') {
    showError('No run given: open a run from the runs page.');
    ready();
    return;
  }
  let d;
  try {
    d = await api(`/api/runs/${enc}`);
  } catch (e) {
    showError(`Could not load run ${id}: ${e.message}`);
    ready();
    return;
  }
  renderOverview(d);
  renderLlm(d);
  renderEnergy(d.manifest);
  renderImpact(d);
  renderMlperf(d);
  renderDetails(d);
  if (!d.manifest.sensor) {
    renderNoTrace();
    ready();
    return;
  }
  const select = document.getElementById('window');
  for (const w of d.manifest.windows) select.append(el('option', { value: w.name }, `${w.name} (${fmt(w.t0S)}–${fmt(w.t1S, 's')})`));
  select.addEventListener('change', () => void renderTrace(d, select.value));
  await renderTrace(d, '');
  ready();
}

void main();
