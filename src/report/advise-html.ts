/**
 * The advisor's report as one self-contained HTML file: figures inlined as SVG, styles inline,
 * no script, nothing fetched (as the measurement report, html.ts, whose style and table layout
 * it shares). Pure.
 */
import type { AdviceResult } from '../advise/advise.js';
import { breakEvenAxes, type BreakEven } from '../advise/break-even.js';
import { grouped, num, range } from '../advise/format.js';
import { ADVISOR_METHOD } from '../advise/method.js';
import { crossingText, deploymentColours } from './advise-figures.js';
import { adviseTables } from './advise-tables.js';
import type { FigureSpec } from './figures.js';
import { escapeHtml, figuresHtml, pageHtml, tableHtml, type PageSection } from './html.js';

/** The workload in one sentence. */
export function workloadLine(r: AdviceResult): string {
  const w = r.workload;
  return `${w.name !== undefined ? `${w.name}: ` : ''}${grouped(w.users)} users × ${num(w.queries_per_user_per_day)} queries a day = ${grouped(w.queries_per_day)} queries a day, busiest hour ${num(w.peak_qps)} queries/s (${w.hourly_profile === 'flat' ? 'flat profile' : 'hourly profile'}); target p${w.slo.percentile} ≤ ${num(w.slo.latency_ms)} ms; horizon ${num(w.days)} day${w.days === 1 ? '' : 's'} (totals are over it).`;
}

/** What a reader should take away, in plain sentences. */
export function adviceHeadlines(r: AdviceResult): string[] {
  const out: string[] = [];
  const ds = [...r.deployments].sort((a, b) => a.total_kg.value - b.total_kg.value);
  const lo = ds[0];
  const hi = ds[ds.length - 1];
  if (lo && hi && lo !== hi) {
    const times = lo.total_kg.value > 0 ? ` — ${num(hi.total_kg.value / lo.total_kg.value)}× more` : '';
    out.push(`Lowest total: ${lo.name}, ${num(lo.total_kg.value)} kg CO2e (P5–P95 ${range(lo.total_kg)}); highest: ${hi.name}, ${num(hi.total_kg.value)} kg${times}.`);
  } else if (lo) out.push(`${lo.name}: ${num(lo.total_kg.value)} kg CO2e (P5–P95 ${range(lo.total_kg)}).`);
  for (const c of r.comparisons) if (c.p_a_less > 0.05 && c.p_a_less < 0.95) out.push(`${c.a} and ${c.b} are close: ${c.a} emits less in ${num(c.p_a_less * 100)} % of the Monte Carlo draws.`);
  for (const s of r.study) {
    const d = r.deployments.find((x) => x.name === s.name);
    if (d) out.push(`The study's per-run accounting puts ${s.name} (${s.hardware}) at ${num(s.total_kg)} kg; the fleet model at ${num(d.total_kg.value)} kg.`);
  }
  for (const d of r.deployments) if (d.slo_met === false) out.push(`${d.name} misses the latency target (p${r.workload.slo.percentile} ≤ ${num(r.workload.slo.latency_ms)} ms).`);
  return out;
}

function methodsHtml(r: AdviceResult): string {
  const steps = ADVISOR_METHOD.map(
    (s) =>
      `<h3>${escapeHtml(s.title)}</h3>\n${s.formulas.length > 0 ? `<p>${s.formulas.map((f) => `<span class="formula">${escapeHtml(f)}</span>`).join('<br>')}</p>\n` : ''}${s.text.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}`,
  );
  const mc =
    r.montecarlo.draws > 0
      ? `<p>This report: ${escapeHtml(grouped(r.montecarlo.draws))} draws, seed ${r.montecarlo.seed} (${escapeHtml(r.montecarlo.distribution)}).</p>`
      : '<p>This report: no Monte Carlo (--draws 0): the figures are the inputs as given.</p>';
  return [...steps, mc].join('\n');
}

/**
 * The whole report. `svgs[i]` is figure `i` rendered; `generatedAt` an ISO time (the caller's
 * clock, so the page is a pure function of its arguments).
 */
export function adviceHtml(r: AdviceResult, be: BreakEven | undefined, figures: readonly FigureSpec[], svgs: readonly string[], generatedAt: string): string {
  const colours = deploymentColours(r);
  const tables = new Map(adviseTables(r, be).map((t) => [t.id, t]));
  const table = (id: string): string => {
    const t = tables.get(id);
    return t ? `<h3>${escapeHtml(t.title)}</h3>\n${tableHtml(t, colours, 'deployment')}` : '';
  };
  const sections: PageSection[] = [];
  const heads = adviceHeadlines(r);
  sections.push({ id: 'summary', title: 'Summary', body: `<p>${escapeHtml(workloadLine(r))}</p>\n<ul>${heads.map((h) => `<li>${escapeHtml(h)}</li>`).join('\n')}</ul>` });
  sections.push({
    id: 'figures',
    title: 'Figures',
    body: figuresHtml(figures, svgs),
  });
  sections.push({ id: 'results', title: 'Results', body: [table('deployments'), table('footprint-split'), table('comparisons')].join('\n') });
  if (tables.has('study')) sections.push({ id: 'study', title: "The study's accounting", body: table('study') });
  if (be) {
    const lines = breakEvenAxes(be).flatMap((a) => crossingText(a));
    sections.push({
      id: 'break-even',
      title: 'Break-even',
      body: lines.length > 0 ? `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('\n')}</ul>\n${table('break-even')}` : '<p>No change of ranking within the ranges of figure 2.</p>',
    });
  }
  sections.push({ id: 'inputs', title: 'Inputs and sources', body: table('inputs') });
  sections.push({ id: 'methods', title: 'Methods', body: methodsHtml(r) });
  const notes = [...r.deployments.flatMap((d) => d.notes), ...r.notes];
  if (notes.length > 0) sections.push({ id: 'notes', title: 'Notes', body: `<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>` });

  const tool = `${r.tool.name} ${r.tool.version}`;
  return pageHtml(
    `Deployment advice${r.workload.name !== undefined ? `: ${r.workload.name}` : ''}`,
    tool,
    `Generated ${escapeHtml(generatedAt)} by ${escapeHtml(tool)} from <code>${escapeHtml(r.file)}</code> · ${r.deployments.length} deployment${r.deployments.length === 1 ? '' : 's'}`,
    sections,
  );
}
