/**
 * The advisor's figures as Vega-Lite specifications with their data inline (`inferprint advise
 * --report DIR` renders them to SVG and PNG; the dashboard's Advise page draws the same specs in
 * the browser): the footprint of each deployment stacked by what causes it, the break-even
 * curves with the points where the ranking flips, and the sensitivity tornado. Pure.
 *
 * Each spec's title carries the figure's title and, as subtitle lines, its context — grid, PUE
 * and lifetime per deployment, the workload, the Monte Carlo and the tool version — so an image
 * pasted alone keeps what it was computed with. The conventions are the report's (figures.ts):
 * one colour per deployment, units on every axis, DejaVu Sans, 10–13 px text.
 */
import type { AdviceResult, DeploymentAdvice } from '../advise/advise.js';
import { breakEvenAxes, type BreakEven, type BreakEvenAxis } from '../advise/break-even.js';
import { grouped, num } from '../advise/format.js';
import type { DefaultUsed } from '../impact/presets.js';
import { gridZoneOf } from './context.js';
import { colourChannel, r6, topLevel, type FigureSpec } from './figures.js';
import { NEUTRAL, SERIES_PALETTE } from './palette.js';

/** Totals further apart than this get a scale of their own per deployment (one axis would hide the small ones). */
export const OWN_SCALE_SPREAD = 20;

/** The parts of a total, in stacking order, with their colours: use in blues, manufacturing in oranges. */
export const FOOTPRINT_PARTS: readonly { readonly id: string; readonly label: string; readonly colour: string }[] = [
  { id: 'idle', label: 'operational: idle', colour: '#9ecae9' },
  { id: 'active', label: 'operational: active', colour: '#4c78a8' },
  { id: 'host', label: 'operational: host', colour: '#1d3f66' },
  { id: 'device', label: 'embodied: device', colour: '#f58518' },
  { id: 'embodied-host', label: 'embodied: host', colour: '#ffbf79' },
];

/** One colour per deployment, in the file's order (the order a person wrote them in). */
export function deploymentColours(r: AdviceResult): ReadonlyMap<string, string> {
  return new Map(r.deployments.map((d, i) => [d.name, SERIES_PALETTE[i % SERIES_PALETTE.length]!]));
}

// ── context ────────────────────────────────────────────────────────────────────────

const SECONDS_PER_YEAR = 8760 * 3600;

function paramOf(d: DeploymentAdvice, name: DefaultUsed['name']): DefaultUsed | undefined {
  return d.parameters.find((u) => u.name === name);
}

function gridText(u: DefaultUsed): string {
  const v = typeof u.value === 'number' ? num(u.value) : u.value;
  const zone = gridZoneOf(u);
  return zone !== undefined ? `${zone} ${v} ${u.unit}` : `${v} ${u.unit}${u.origin === 'user' ? ' (file)' : ''}`;
}

const ratio = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : num(x));

function rangeText(u: DefaultUsed, show: (v: number) => string): string {
  return u.min !== undefined && u.max !== undefined && (u.min !== u.value || u.max !== u.value) ? ` (${show(u.min)}–${show(u.max)})` : '';
}

/** `1.5 (h100-pool, orin-pool), 1.0 (orin-per-user)`, or one value when every deployment has it. */
function byDeployment(r: AdviceResult, text: (d: DeploymentAdvice) => string | undefined): string {
  const groups = new Map<string, string[]>();
  for (const d of r.deployments) {
    const t = text(d);
    if (t === undefined) continue;
    groups.set(t, [...(groups.get(t) ?? []), d.name]);
  }
  if (groups.size <= 1) return [...groups.keys()][0] ?? '';
  return [...groups].map(([t, names]) => `${t} (${names.join(', ')})`).join(', ');
}

/** The lines under every advisor figure's title. */
export function adviseContext(r: AdviceResult): string[] {
  const grid = byDeployment(r, (d) => {
    const u = paramOf(d, 'grid');
    return u ? gridText(u) : undefined;
  });
  const pue = byDeployment(r, (d) => {
    const u = paramOf(d, 'pue');
    return u && typeof u.value === 'number' ? `${ratio(u.value)}${rangeText(u, ratio)}` : undefined;
  });
  const life = byDeployment(r, (d) => {
    const u = paramOf(d, 'lifetime');
    const y = (s: number): string => num(s / SECONDS_PER_YEAR);
    return u && typeof u.value === 'number' ? `${y(u.value)}${rangeText(u, y)} y` : undefined;
  });
  const w = r.workload;
  const params = [grid && `grid ${grid}`, pue && `PUE ${pue}`, life && `lifetime ${life}`].filter((x): x is string => Boolean(x));
  const mc = r.montecarlo.draws > 0 ? `${grouped(r.montecarlo.draws)} draws, seed ${r.montecarlo.seed}` : 'no Monte Carlo';
  return [
    ...wrapParts(params, ' · '),
    `${grouped(w.users)} users × ${num(w.queries_per_user_per_day)} queries/day, p${w.slo.percentile} ≤ ${num(w.slo.latency_ms)} ms, ${num(w.days)} day${w.days === 1 ? '' : 's'} · fleet model · ${mc} · ${r.tool.name} ${r.tool.version}`,
  ];
}

/** Longest context line, characters: a figure stays within print width whatever the deployments are called. */
export const CONTEXT_LINE_CHARS = 110;

/** Parts joined by `sep` into lines of at most CONTEXT_LINE_CHARS; a part longer than that is broken after its commas. */
function wrapParts(parts: readonly string[], sep: string): string[] {
  const lines: string[] = [];
  let line = '';
  const push = (piece: string, joiner: string): void => {
    if (line !== '' && line.length + joiner.length + piece.length > CONTEXT_LINE_CHARS) {
      lines.push(line);
      line = piece;
    } else line = line === '' ? piece : `${line}${joiner}${piece}`;
  };
  for (const p of parts) {
    if (p.length <= CONTEXT_LINE_CHARS) push(p, sep);
    else p.split(/(?<=,) /).forEach((piece, i) => { push(piece, i === 0 ? sep : ' '); });
  }
  if (line !== '') lines.push(line);
  return lines;
}

type Draft = Omit<FigureSpec, 'spec'> & { readonly body: Record<string, unknown>; readonly notes?: readonly string[] };

function titled(f: Draft, context: readonly string[]): FigureSpec {
  return {
    id: f.id,
    title: f.title,
    caption: f.caption,
    spec: topLevel({ title: { text: f.title, subtitle: [...context, ...(f.notes ?? [])] }, ...f.body }),
  };
}

// ── 1. footprint by cause ──────────────────────────────────────────────────────────

/** How far apart the largest and the smallest positive total are (1 when one deployment). */
export function totalsSpread(r: AdviceResult): number {
  const totals = r.deployments.map((d) => d.total_kg.value).filter((t) => t > 0);
  return totals.length === 0 ? 1 : Math.max(...totals) / Math.min(...totals);
}

function footprintFigure(r: AdviceResult): Draft {
  const names = r.deployments.map((d) => d.name);
  const values: Record<string, unknown>[] = [];
  for (const d of r.deployments) {
    const parts = [d.operational_split_kg.idle, d.operational_split_kg.active, d.operational_split_kg.host, d.embodied_split_kg.device, d.embodied_split_kg.host];
    FOOTPRINT_PARTS.forEach((p, k) => values.push({ deployment: d.name, kind: 'part', part: p.label, order: k, kg: r6(parts[k]!) }));
    const t = d.total_kg;
    const right = Math.max(t.value, t.p95);
    values.push({ deployment: d.name, kind: 'label', at: r6(right), text: `${num(t.value)} kg${t.p5 !== t.p95 ? ` (P5–P95 ${num(t.p5)}–${num(t.p95)})` : ''}` });
    // Room for the label right of the bar: an invisible mark the scale takes in.
    values.push({ deployment: d.name, kind: 'pad', at: r6(right * 1.6) });
    if (t.p5 !== t.p95) values.push({ deployment: d.name, kind: 'range', lo: r6(t.p5), hi: r6(t.p95) }, { deployment: d.name, kind: 'end', at: r6(t.p5) }, { deployment: d.name, kind: 'end', at: r6(t.p95) });
  }
  const spread = totalsSpread(r);
  const own = spread > OWN_SCALE_SPREAD;
  const xTitle = `footprint over ${num(r.workload.days)} day${r.workload.days === 1 ? '' : 's'} (kg CO2e)`;
  const x = (field: string): Record<string, unknown> => ({ field, type: 'quantitative', title: xTitle });
  const y = { field: 'deployment', type: 'nominal', title: null, axis: null, sort: names };
  const whisker = (colour: string, width: number, cap: number): Record<string, unknown>[] => [
    { transform: [{ filter: "datum.kind === 'range'" }], mark: { type: 'rule', color: colour, strokeWidth: width, strokeCap: 'butt' }, encoding: { y, x: x('lo'), x2: { field: 'hi' } } },
    { transform: [{ filter: "datum.kind === 'end'" }], mark: { type: 'tick', orient: 'vertical', color: colour, size: cap, thickness: width, opacity: 1 }, encoding: { y, x: x('at') } },
  ];
  const notes = own ? [`each deployment on its own scale: the totals differ up to ${grouped(spread)}×`] : [];
  return {
    id: 'advise-footprint',
    title: 'Footprint of each deployment, by cause',
    caption:
      'Operational footprint of the energy the fleet draws over the horizon — the idle baseline of every powered device, the work above it, the host around each device — and the embodied footprint of the devices and their hosts (their share of the horizon over their lifetime), stacked; ' +
      'whisker: P5–P95 of the total from the Monte Carlo over every ranged input; label: the total from the inputs as given.' +
      (own ? ` Each deployment has its own scale (the totals differ up to ${grouped(spread)}×): compare the totals by their labels.` : ''),
    notes,
    body: {
      data: { values },
      facet: { row: { field: 'deployment', type: 'nominal', title: null, sort: names, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold', labelPadding: 2 } } },
      spec: {
        width: 520,
        height: 26,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'part'" }],
            mark: { type: 'bar', height: 18 },
            encoding: {
              y,
              x: { ...x('kg'), stack: 'zero' },
              color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: FOOTPRINT_PARTS.map((p) => p.label), range: FOOTPRINT_PARTS.map((p) => p.colour) }, legend: { orient: 'bottom', columns: 3 } },
              order: { field: 'order', type: 'quantitative' },
            },
          },
          ...whisker(NEUTRAL.whiskerHalo, 3.2, 14),
          ...whisker(NEUTRAL.whisker, 1.4, 11),
          { transform: [{ filter: "datum.kind === 'pad'" }], mark: { type: 'point', opacity: 0, size: 1 }, encoding: { y, x: x('at') } },
          { transform: [{ filter: "datum.kind === 'label'" }], mark: { type: 'text', align: 'left', baseline: 'middle', dx: 8, fontSize: 10.5, color: NEUTRAL.front }, encoding: { y, x: x('at'), text: { field: 'text' } } },
        ],
      },
      spacing: 6,
      resolve: { scale: { x: own ? 'independent' : 'shared' } },
    },
  };
}

// ── 2. break-even ──────────────────────────────────────────────────────────────────

const AXIS_TITLE: Readonly<Record<BreakEvenAxis['axis'], string>> = {
  queries_per_user_per_day: 'queries per user per day (log scale)',
  users_per_device: 'users per dedicated device (log scale)',
};

/** A curve's points cut into runs of one target state, each run sharing its end point with the next so the line stays whole. */
function curveRows(axis: BreakEvenAxis, panel: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const c of axis.curves) {
    let run = 0;
    let prev: string | undefined;
    const pts = c.points.filter((p) => p.totalKg > 0);
    pts.forEach((p, i) => {
      const state = p.sloMet === false ? 'target missed' : 'target met';
      if (prev !== undefined && state !== prev) {
        run++;
        // The boundary point belongs to both runs.
        const q = pts[i - 1]!;
        rows.push({ panel, kind: 'curve', deployment: c.name, run: `${c.name}#${run}`, state, x: r6(q.x), total: r6(q.totalKg) });
      }
      rows.push({ panel, kind: 'curve', deployment: c.name, run: `${c.name}#${run}`, state, x: r6(p.x), total: r6(p.totalKg) });
      prev = state;
    });
  }
  return rows;
}

function breakEvenPanel(r: AdviceResult, axis: BreakEvenAxis, panel: number, values: Record<string, unknown>[]): Record<string, unknown> {
  values.push(...curveRows(axis, panel));
  const marked = new Set<number>();
  for (const c of axis.curves) {
    if (c.current === undefined || !c.varies || marked.has(c.current)) continue;
    marked.add(c.current);
    values.push({ panel, kind: 'current', x: r6(c.current), label: axis.axis === 'queries_per_user_per_day' ? `file: ${num(c.current)}` : `${c.name}: ${num(c.current)}` });
  }
  axis.crossings.forEach((c, i) => {
    // Neighbouring rings' labels alternate sides so they do not print over each other.
    values.push({ panel, kind: 'crossing', side: i % 2 === 0 ? 'left' : 'right', x: r6(c.x), total: r6(Math.sqrt(Math.max(c.totalKgA, 1e-300) * Math.max(c.totalKgB, 1e-300))), label: `${i + 1}: ${axis.integer ? grouped(c.x) : num(c.x)}` });
  });
  const totals = axis.curves.flatMap((c) => c.points.map((p) => p.totalKg)).filter((t) => t > 0);
  const lo = Math.min(...totals);
  const hi = Math.max(...totals);
  const x = { field: 'x', type: 'quantitative', title: AXIS_TITLE[axis.axis], scale: { type: 'log', domain: [r6(axis.domain[0]), r6(axis.domain[1])], nice: false }, axis: { grid: false } };
  const y = { field: 'total', type: 'quantitative', title: `total over ${num(r.workload.days)} day${r.workload.days === 1 ? '' : 's'} (kg CO2e, log scale)`, scale: { type: 'log', domain: [r6(lo / 1.5), r6(hi * 1.5)], nice: false } };
  const only = (kind: string) => [{ filter: { field: 'panel', equal: panel } }, { filter: `datum.kind === '${kind}'` }];
  return {
    width: 340,
    height: 280,
    layer: [
      { transform: only('current'), mark: { type: 'rule', color: '#888888', strokeDash: [4, 3], strokeWidth: 1 }, encoding: { x } },
      { transform: only('current'), mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 9.5, color: '#555555' }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
      {
        transform: only('curve'),
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x,
          y,
          color: colourChannel('deployment', 'deployment', r.deployments.map((d) => d.name), deploymentColours(r)),
          strokeDash: { field: 'state', type: 'nominal', title: 'latency target', scale: { domain: ['target met', 'target missed'], range: [[1, 0], [2, 2]] } },
          detail: { field: 'run' },
        },
      },
      { transform: only('crossing'), mark: { type: 'point', filled: false, size: 140, strokeWidth: 1.6, color: NEUTRAL.front }, encoding: { x, y } },
      { transform: [...only('crossing'), { filter: "datum.side === 'left'" }], mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 6, dy: -5, fontSize: 10, color: NEUTRAL.front }, encoding: { x, y, text: { field: 'label' } } },
      { transform: [...only('crossing'), { filter: "datum.side === 'right'" }], mark: { type: 'text', align: 'left', baseline: 'top', dx: 6, dy: 5, fontSize: 10, color: NEUTRAL.front }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}

/** In words, for captions and tables: `1: h100-pool ↔ orin-pool at 32.1 (equal; orin-pool lower above)`. */
export function crossingText(axis: BreakEvenAxis): string[] {
  const unit = axis.axis === 'queries_per_user_per_day' ? 'queries per user per day' : 'users per device';
  return axis.crossings.map(
    (c, i) =>
      `${i + 1}: ${c.lowerBelow} is lower below ${axis.integer ? grouped(c.x) : num(c.x)} ${unit}, ${c.lowerAbove} from there on (${c.kind === 'equal' ? 'totals equal there' : 'a step in one total'}: ${num(c.totalKgA)} vs ${num(c.totalKgB)} kg)`,
  );
}

function breakEvenFigure(r: AdviceResult, be: BreakEven): Draft {
  const values: Record<string, unknown>[] = [];
  const axes = breakEvenAxes(be);
  const panels = axes.map((a, i) => breakEvenPanel(r, a, i, values));
  const n = axes.reduce((k, a) => k + a.crossings.length, 0);
  const crossings = axes.flatMap((a) => crossingText(a));
  return {
    id: 'advise-break-even',
    title: 'Break-even: total against the load, and where the ranking flips',
    caption:
      'Total footprint over the horizon of each deployment, every input at its value, against queries per user per day (two decades either side of the file value)' +
      (be.usersPerDevice ? ' and against the users sharing one dedicated device (the other deployments do not depend on it: flat lines)' : '') +
      '; both axes logarithmic; dashed where a deployment misses the latency target. Grey rule: the file value. Rings: where two deployments change order, numbered' +
      (n > 0 ? ` — ${crossings.join('; ')}.` : ' (none within these ranges).'),
    notes: [n > 0 ? `rings: the ranking flips (${n})` : 'no change of ranking within these ranges'],
    body: {
      data: { values },
      ...(panels.length === 1 ? panels[0]! : { hconcat: panels, spacing: 24, resolve: { scale: { x: 'independent', y: 'independent' } } }),
    },
  };
}

// ── 3. sensitivity tornado ─────────────────────────────────────────────────────────

/** Inputs shown per deployment, by swing. */
export const TORNADO_INPUTS = 8;

function tornadoFigure(r: AdviceResult): Draft | undefined {
  const shown = r.deployments.filter((d) => d.sensitivity.length > 0);
  if (shown.length === 0) return undefined;
  const values: Record<string, unknown>[] = [];
  for (const d of shown) {
    const base = d.total_kg.value;
    d.sensitivity.slice(0, TORNADO_INPUTS).forEach((s, k) => {
      const label = `${s.input} ${num(s.low)}–${num(s.high)} ${s.unit}`;
      values.push({ deployment: d.name, kind: 'bar', input: label, order: k, end: 'input at its low end', from: r6(base), to: r6(s.total_kg_at_low) });
      values.push({ deployment: d.name, kind: 'bar', input: label, order: k, end: 'input at its high end', from: r6(base), to: r6(s.total_kg_at_high) });
    });
    values.push({ deployment: d.name, kind: 'base', at: r6(base) });
  }
  const panel = (d: DeploymentAdvice): Record<string, unknown> => {
    const y = { field: 'input', type: 'nominal', title: null, sort: { field: 'order', op: 'min', order: 'ascending' }, axis: { labelLimit: 260 } };
    const x = (field: string): Record<string, unknown> => ({ field, type: 'quantitative', title: 'total (kg CO2e)', scale: { zero: false } });
    return {
      title: { text: `${d.name}: total ${num(d.total_kg.value)} kg`, anchor: 'start', fontSize: 12, fontWeight: 'bold', offset: 4 },
      transform: [{ filter: { field: 'deployment', equal: d.name } }],
      width: 420,
      height: { step: 20 },
      layer: [
        {
          transform: [{ filter: "datum.kind === 'bar'" }],
          mark: { type: 'bar', height: 14 },
          encoding: {
            y,
            x: x('from'),
            x2: { field: 'to' },
            color: { field: 'end', type: 'nominal', title: null, scale: { domain: ['input at its low end', 'input at its high end'], range: ['#72b7b2', '#b279a2'] }, legend: { orient: 'bottom' } },
          },
        },
        { transform: [{ filter: "datum.kind === 'base'" }], mark: { type: 'rule', color: NEUTRAL.front, strokeWidth: 1.2 }, encoding: { x: x('at') } },
      ],
    };
  };
  return {
    id: 'advise-sensitivity',
    title: 'What moves each total most (sensitivity)',
    caption:
      `For each deployment, its ${TORNADO_INPUTS} most influential ranged inputs, largest swing first: the total with that input at the low end (teal) and at the high end (purple) of its range, every other input at its value; ` +
      'the vertical line is the total from the inputs as given. Each deployment has its own scale.',
    notes: ['one input at a time at each end of its range, the others at their values'],
    body: { data: { values }, vconcat: shown.map(panel), spacing: 18, resolve: { scale: { x: 'independent', y: 'independent', color: 'shared' } } },
  };
}

/** Every advisor figure, in report order. */
export function adviseFigures(r: AdviceResult, be?: BreakEven): FigureSpec[] {
  const context = adviseContext(r);
  return [footprintFigure(r), be ? breakEvenFigure(r, be) : undefined, tornadoFigure(r)].filter((f): f is Draft => f !== undefined).map((f) => titled(f, context));
}
