import { analyze, type AnalyzeResult } from '../../app/analyze.js';
import { INPUT_FORMATS, type InputFormat } from '../../app/inputs.js';
import type { AnalysisRow } from '../../analysis/types.js';
import { PRESET_IDS } from '../../impact/presets.js';
import { parameterLines } from '../impact-parameters.js';
import { EMBODIED_MODEL_IDS } from '../../impact/embodied/index.js';
import { errors, escapeControl } from '../../errors.js';
import { durationParser, parseEmbodiedFlag, parseGridFlag, parseMethodFlag, parsePresetFlag, parsePueFlag } from '../flags.js';
import { gToMg, gramsCO2e } from '../../units/index.js';
import { debugLine, type Command } from '../command.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';
import { parseFormat, renderCsv, renderJson, renderTable, type Column } from '../output.js';
import { progressReporter } from '../progress.js';

export const ANALYZE_FLAGS = defineFlags({
  method: {
    type: 'string',
    value: 'thesis|trapezoid',
    default: 'trapezoid',
    showDefault: false,
    parse: parseMethodFlag,
    help: [
      "thesis: the study's arithmetic (intersection window, 1000-point",
      'mean profile, mean × duration); trapezoid (default): each run',
      'integrated, mean and 95 % CI across runs, full and compute phases',
    ],
  },
  preset: {
    type: 'string',
    value: PRESET_IDS.join('|'),
    parse: (raw) => parsePresetFlag(raw),
    help: [
      'parameter preset (grid, PUE, lifetime, embodied model); default: what',
      "the data were recorded with — the study's data (its dataset, its files,",
      "runs imported from it) keep the study's (thesis-2025), runs keep their",
      'own — and thesis-2025 with --method thesis',
    ],
  },
  grid: {
    type: 'string',
    value: 'ZONE|G_PER_KWH',
    parse: parseGridFlag,
    help: ['grid factor: a zone (FR, FRA, DEU, WORLD, FR-ADEME, ...) or a number', "in gCO2e/kWh (default: as recorded, else the preset's)"],
  },
  pue: { type: 'string', value: 'auto|X', parse: parsePueFlag, help: "power usage effectiveness (auto: the preset's, by hardware category)" },
  lifetime: { type: 'string', value: 'DURATION', parse: durationParser('7y or 61320h'), help: 'hardware lifetime for the embodied allocation (default 7y)' },
  embodied: { type: 'string', value: EMBODIED_MODEL_IDS.join('|'), parse: parseEmbodiedFlag, help: '' },
  device: { type: 'string', value: 'NAME', help: 'hardware of power files that do not name it (see: inferprint hardware list)' },
  'input-format': {
    type: 'string',
    value: 'FORMAT',
    parse: (raw) => parseInputFormat(raw),
    help: INPUT_FORMATS.map((f) => (f === 'auto' ? 'auto (default)' : f)).join(', '),
  },
  columns: { type: 'string', value: 'SPEC', help: 'generic CSV columns: t=COL,p=COL,unit=W|mW|kW[,timeUnit=s|ms|us|ns][,delim=;]' },
  channel: { type: 'string', value: 'NAME|gpu|total|sum', help: 'channel to integrate (default: the only one, or the GPU rail)' },
  interval: { type: 'string', value: 'DURATION', parse: durationParser('50ms'), help: 'sampling interval of logs without timestamps (tegrastats --interval), e.g. 50ms' },
  headerless: { type: 'boolean', help: 'read a header-less study CSV as timestamp,power (legacy files)' },
  format: { type: 'string', value: 'table|csv|json', default: 'table', parse: (raw) => parseFormat(raw), help: 'output format' },
});

const SPEC = defineCommand({ flags: ANALYZE_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [1] } });

const HELP = `Usage: inferprint analyze PATH... [options]

Energy, GWP and latency per device × version × scenario × query count.

PATH is one of:
  - the study's dataset layout: a folder holding Data/ and Logs/ (any subset of devices),
    or one Data/data_<tag>_<version> folder;
  - an MLPerf log tree (folders holding mlperf_log_summary.txt): latency per query count;
  - power files: study CSVs, nvidia-smi CSV logs, tegrastats logs, a generic CSV (with
    --columns) or CodeCarbon emissions.csv. Files of one device and query count are
    repetitions of one workload: their mean and 95 % CI are reported.

Options:
${optionLines(ANALYZE_FLAGS, { width: 29 })}
${debugLine(29)}
`;

export const analyzeCommand: Command = {
  name: 'analyze',
  help: HELP,
  spec: SPEC,
  run(ctx) {
    const f = parseCommandFlags(ctx.argv, ANALYZE_FLAGS);
    const { values, positionals } = f;
    const format = f.get('format');
    const method = f.get('method');
    const preset = f.get('preset');
    const pue = f.get('pue');
    const lifetimeS = f.get('lifetime');
    const embodiedModel = f.get('embodied');
    f.get('grid');
    const inputFormat = f.get('input-format');
    const intervalS = f.get('interval');
    const progress = progressReporter(ctx, 'analyze');
    const result = analyze({
      paths: positionals.map((p) => (p.startsWith('/') ? p : `${ctx.cwd}/${p}`)),
      method,
      ...(preset !== undefined ? { preset } : {}),
      ...(values.grid !== undefined ? { grid: values.grid } : {}),
      ...(pue !== undefined ? { pue } : {}),
      ...(lifetimeS !== undefined ? { lifetimeS } : {}),
      ...(embodiedModel !== undefined ? { embodiedModel } : {}),
      ...(values.headerless === true ? { headerless: true } : {}),
      ...(values.device !== undefined ? { device: values.device } : {}),
      ...(inputFormat !== undefined ? { inputFormat } : {}),
      ...(values.columns !== undefined ? { columns: values.columns } : {}),
      ...(values.channel !== undefined ? { channel: values.channel } : {}),
      ...(intervalS !== undefined ? { intervalS } : {}),
      onProgress: progress.update,
    });
    progress.done();
    ctx.stdout(render(result, format));
    // The table prints them as notes; CSV has no room for them, so they go where a person sees them.
    if (format !== 'table') for (const w of result.warnings) ctx.stderr(`inferprint: warning: ${w}\n`);
    if (format === 'csv') for (const l of skippedLines(result.skipped)) ctx.stderr(`inferprint analyze: ${l}\n`);
    return Promise.resolve(0);
  },
};




function parseInputFormat(raw: string): InputFormat {
  if ((INPUT_FORMATS as readonly string[]).includes(raw)) return raw as InputFormat;
  throw errors.usage(`unknown input format '${raw}' (expected ${INPUT_FORMATS.join(', ')})`, '--input-format');
}


const mg = (g: number | undefined): number | undefined => (g === undefined ? undefined : gToMg(gramsCO2e(g)));

/** Columns of the CSV contract (DESIGN.md §4.1) first, then the explanation columns. */
export const ANALYZE_COLUMNS: readonly Column<AnalysisRow>[] = [
  { key: 'dataset_tag', header: 'tag', value: (r) => r.datasetTag },
  { key: 'version', header: 'version', value: (r) => r.version },
  { key: 'qc', header: 'QC', value: (r) => r.queryCount, align: 'right' },
  { key: 'runs', header: 'runs', value: (r) => r.energy?.runs, align: 'right' },
  { key: 'duration_s', header: 'duration (s)', value: (r) => r.energy?.durationS, digits: 3 },
  { key: 'energy_j', header: 'energy (J)', value: (r) => r.energy?.energyJ, digits: 1 },
  { key: 'energy_ci95_lo_j', header: 'E 95% CI lo (J)', value: (r) => r.energy?.energyCi95J?.lo, digits: 1 },
  { key: 'energy_ci95_hi_j', header: 'E 95% CI hi (J)', value: (r) => r.energy?.energyCi95J?.hi, digits: 1 },
  { key: 'gwp_mg', header: 'GWP (mg CO2e)', value: (r) => mg(r.impact?.gwpG.mean ?? r.operationalOnly?.gwpG), digits: 2 },
  { key: 'gwp_min_mg', header: 'min (mg)', value: (r) => mg(r.impact?.gwpG.min), digits: 2 },
  { key: 'gwp_max_mg', header: 'max (mg)', value: (r) => mg(r.impact?.gwpG.max), digits: 2 },
  { key: 'operational_mg', header: 'operational (mg)', value: (r) => mg(r.impact?.operationalG.mean ?? r.operationalOnly?.gwpG), digits: 2 },
  { key: 'embodied_mg', header: 'embodied (mg)', value: (r) => mg(r.impact?.embodiedG.mean), digits: 3 },
  { key: 'gwp_per_query_mg', header: 'GWP/query (mg)', value: (r) => mg(r.gwpPerQueryG), digits: 4 },
  { key: 'compute_energy_j', header: 'compute E (J)', value: (r) => r.compute?.energyJ, digits: 1 },
  { key: 'noncompute_energy_j', header: 'load+other E (J)', value: (r) => r.nonComputeEnergyJ, digits: 1 },
  { key: 'max_latency_ms', header: 'max latency (ms)', value: (r) => r.latency?.maxLatencyMs, digits: 2 },
  { key: 'latency_runs', header: 'lat. runs', value: (r) => r.latency?.runs, align: 'right' },
];

/** What a row's GWP covers, in the words and values of `runs list` (its `impact_scope`); empty without one. */
const scopeOf = (r: AnalysisRow): 'operational+embodied' | 'operational' | undefined => (r.impact ? 'operational+embodied' : r.operationalOnly ? 'operational' : undefined);

/** A parameter's value as the row used it: the full LCA's, else the operational part's. */
const usedValue = (r: AnalysisRow, name: 'grid' | 'pue'): number | undefined => {
  const v = r.parameters?.find((p) => p.name === name)?.value;
  return typeof v === 'number' ? v : undefined;
};

/** Where the power came from, on every row: an estimate or a replay never reads as a measurement. */
const powerOf = (r: AnalysisRow): string => (r.provenance === null ? '' : r.provenance === 'mixed' ? 'MIXED' : r.provenance === 'measured' ? 'measured' : r.provenance.toUpperCase());

/** Extra machine columns: the parameters behind each number, so a CSV explains itself. */
const EXTRA_COLUMNS: readonly Column<AnalysisRow>[] = [
  { key: 'device', header: 'device id', value: (r) => r.device },
  { key: 'power', header: 'power', value: powerOf },
  { key: 'preset', header: 'preset', value: (r) => r.preset },
  { key: 'impact_scope', header: 'scope', value: scopeOf },
  { key: 'scenario', header: 'scenario', value: (r) => r.scenario },
  { key: 'method', header: 'method', value: (r) => r.method },
  { key: 'mean_power_w', header: 'mean power (W)', value: (r) => r.energy?.meanPowerW },
  { key: 'energy_sd_j', header: 'energy sd (J)', value: (r) => r.energy?.energySdJ },
  { key: 'gwp_ci95_lo_mg', header: 'GWP CI lo (mg)', value: (r) => mg(r.gwpCi95G?.lo) },
  { key: 'gwp_ci95_hi_mg', header: 'GWP CI hi (mg)', value: (r) => mg(r.gwpCi95G?.hi) },
  { key: 'pue', header: 'PUE', value: (r) => r.impact?.params.pue.value ?? (r.operationalOnly ? usedValue(r, 'pue') : undefined) },
  { key: 'grid_g_per_kwh', header: 'grid (g/kWh)', value: (r) => r.impact?.params.gridGPerKwh.value ?? (r.operationalOnly ? usedValue(r, 'grid') : undefined) },
  { key: 'lifetime_h', header: 'lifetime (h)', value: (r) => (r.impact ? r.impact.params.lifetimeS.value / 3600 : undefined) },
  { key: 'embodied_model', header: 'embodied model', value: (r) => r.impact?.params.embodied.model },
  { key: 'embodied_kg', header: 'F mean (kg)', value: (r) => r.impact?.params.embodied.meanKg },
  { key: 'p90_latency_ms', header: 'p90 latency (ms)', value: (r) => r.latency?.p90LatencyMs },
  { key: 'gaps', header: 'gaps', value: (r) => r.energy?.gaps },
  { key: 'compute_runs', header: 'compute runs', value: (r) => r.compute?.runs },
  { key: 'compute_duration_s', header: 'compute duration (s)', value: (r) => r.compute?.durationS },
  { key: 'compute_energy_ci95_lo_j', header: 'compute E CI lo (J)', value: (r) => r.compute?.energyCi95J?.lo },
  { key: 'compute_energy_ci95_hi_j', header: 'compute E CI hi (J)', value: (r) => r.compute?.energyCi95J?.hi },
];

/**
 * Columns of served-LLM rows (`bench --sut openai|ollama`), one row per device × model × load
 * level; added to the CSV only when some row is one. `concurrency, requests, output_tokens,
 * ttft_p50_ms, ttft_p99_ms, tpot_p50_ms, tpot_p99_ms, j_per_output_token, gwp_mg_per_1k_tokens`
 * are a contract (issue 14).
 */
export const LLM_ANALYZE_COLUMNS: readonly Column<AnalysisRow>[] = [
  { key: 'model', header: 'model', value: (r) => r.llm?.model },
  { key: 'api', header: 'API', value: (r) => r.llm?.api },
  { key: 'concurrency', header: 'concurrency', value: (r) => r.llm?.concurrency ?? undefined, align: 'right' },
  { key: 'request_rate', header: 'rate (req/s)', value: (r) => r.llm?.requestRate ?? undefined, align: 'right' },
  { key: 'llm_runs', header: 'runs', value: (r) => r.llm?.runs, align: 'right' },
  { key: 'requests', header: 'requests', value: (r) => r.llm?.requests, align: 'right' },
  { key: 'failed_requests', header: 'failed', value: (r) => r.llm?.failed, align: 'right' },
  { key: 'input_tokens', header: 'in tokens', value: (r) => r.llm?.inputTokens ?? undefined, align: 'right' },
  { key: 'output_tokens', header: 'out tokens', value: (r) => r.llm?.outputTokens, align: 'right' },
  { key: 'output_tokens_source', header: 'counted from', value: (r) => r.llm?.outputTokensSource },
  { key: 'ttft_p50_ms', header: 'TTFT p50 (ms)', value: (r) => r.llm?.ttftMs?.p50, digits: 1 },
  { key: 'ttft_p90_ms', header: 'TTFT p90 (ms)', value: (r) => r.llm?.ttftMs?.p90, digits: 1 },
  { key: 'ttft_p99_ms', header: 'TTFT p99 (ms)', value: (r) => r.llm?.ttftMs?.p99, digits: 1 },
  { key: 'tpot_p50_ms', header: 'TPOT p50 (ms)', value: (r) => r.llm?.tpotMs?.p50, digits: 2 },
  { key: 'tpot_p90_ms', header: 'TPOT p90 (ms)', value: (r) => r.llm?.tpotMs?.p90, digits: 2 },
  { key: 'tpot_p99_ms', header: 'TPOT p99 (ms)', value: (r) => r.llm?.tpotMs?.p99, digits: 2 },
  { key: 'itl_p50_ms', header: 'ITL p50 (ms)', value: (r) => r.llm?.itlMs?.p50, digits: 2 },
  { key: 'itl_p99_ms', header: 'ITL p99 (ms)', value: (r) => r.llm?.itlMs?.p99, digits: 2 },
  { key: 'e2e_p50_ms', header: 'E2E p50 (ms)', value: (r) => r.llm?.e2eMs?.p50, digits: 1 },
  { key: 'e2e_p99_ms', header: 'E2E p99 (ms)', value: (r) => r.llm?.e2eMs?.p99, digits: 1 },
  { key: 'latency_source', header: 'latency from', value: (r) => r.llm?.latencySource },
  { key: 'energy_window', header: 'window', value: (r) => r.llm?.window ?? undefined },
  { key: 'window_output_tokens', header: 'window tokens', value: (r) => r.llm?.windowOutputTokens, digits: 0 },
  { key: 'j_per_output_token', header: 'J/token', value: (r) => r.llm?.jPerOutputToken ?? undefined, digits: 4 },
  { key: 'j_per_request', header: 'J/request', value: (r) => r.llm?.jPerRequest ?? undefined, digits: 3 },
  { key: 'window_power_w', header: 'power (W)', value: (r) => r.llm?.meanPowerW ?? undefined, digits: 1 },
  { key: 'prefill_j', header: 'prefill (J)', value: (r) => r.llm?.prefillJ ?? undefined, digits: 1 },
  { key: 'decode_j', header: 'decode (J)', value: (r) => r.llm?.decodeJ ?? undefined, digits: 1 },
  { key: 'split_approximate', header: 'split approx.', value: (r) => r.llm?.splitApproximate ?? undefined },
  { key: 'gwp_mg_per_1k_tokens', header: 'mg CO2e/1k tok', value: (r) => r.llm?.gwpMgPer1kTokens ?? undefined, digits: 3 },
  { key: 'operational_mg_per_1k_tokens', header: 'operational/1k (mg)', value: (r) => r.llm?.operationalMgPer1kTokens ?? undefined, digits: 3 },
  { key: 'embodied_mg_per_1k_tokens', header: 'embodied/1k (mg)', value: (r) => r.llm?.embodiedMgPer1kTokens ?? undefined, digits: 4 },
  { key: 'limits', header: 'limits (p99)', value: (r) => (r.llm && r.llm.limits.length > 0 ? r.llm.limits.map((c) => `${c.name}:${c.pass ? 'pass' : 'fail'}`).join(' ') : undefined) },
];

/** The served-LLM table: the columns people read first. */
const LLM_TABLE_KEYS = ['model', 'concurrency', 'request_rate', 'llm_runs', 'requests', 'failed_requests', 'output_tokens', 'ttft_p50_ms', 'ttft_p99_ms', 'tpot_p50_ms', 'tpot_p99_ms', 'j_per_output_token', 'window_power_w', 'gwp_mg_per_1k_tokens', 'limits'];

export function render(result: AnalyzeResult, format: 'table' | 'csv' | 'json'): string {
  if (format === 'json') return renderJson(result);
  const llm = result.rows.filter((r) => r.llm !== undefined);
  if (format === 'csv') return renderCsv([...ANALYZE_COLUMNS, ...EXTRA_COLUMNS, ...(llm.length > 0 ? LLM_ANALYZE_COLUMNS : [])], result.rows);
  if (llm.length > 0) {
    const device: Column<AnalysisRow> = { key: 'device', header: 'device', value: (r) => r.displayName };
    const power: Column<AnalysisRow> = { key: 'power', header: 'power', value: powerOf };
    const showPower = llm.some((r) => r.provenance !== null && r.provenance !== 'measured');
    const cols = [device, ...(showPower ? [power] : []), ...LLM_TABLE_KEYS.map((k) => LLM_ANALYZE_COLUMNS.find((c) => c.key === k)!).filter((c) => llm.some((r) => c.value(r) !== undefined))];
    const llmText = `Served LLMs — energy per output token over each level's steady state:\n${renderTable(cols, llm)}`;
    const rest = result.rows.filter((r) => r.llm === undefined);
    return rest.length === 0 ? `${llmText}\n${explain(result)}` : `${renderBenchTable({ ...result, rows: rest })}\n${llmText}\n${explain(result)}`;
  }
  return `${renderBenchTable(result)}\n${explain(result)}`;
}

/** The table of every row that is not a served-LLM level. */
function renderBenchTable(result: AnalyzeResult): string {
  // The table shows only columns with something in them (the thesis method has no CI or compute phase).
  // Devices go by one name everywhere (the hardware id); the dataset's own tag only where it says more.
  const tagsOf = new Map<string, Set<string>>();
  for (const r of result.rows) (tagsOf.get(`${r.displayName} ${r.version}`) ?? tagsOf.set(`${r.displayName} ${r.version}`, new Set()).get(`${r.displayName} ${r.version}`)!).add(r.datasetTag);
  const showTag = [...tagsOf.values()].some((t) => t.size > 1);
  const filled = ANALYZE_COLUMNS.filter((c) => (c.key !== 'dataset_tag' || showTag) && result.rows.some((r) => c.value(r) !== undefined && c.value(r) !== ''));
  const device: Column<AnalysisRow> = { key: 'device', header: 'device', value: (r) => r.displayName };
  // Say on every row what the power is when any row's is not measured.
  const power: Column<AnalysisRow> = { key: 'power', header: 'power', value: powerOf };
  const showPower = result.rows.some((r) => r.provenance !== null && r.provenance !== 'measured');
  // A row whose energy is 0 J is not a measurement of a working device: flagged, never a plain row.
  const zero: Column<AnalysisRow> = { key: 'flag', header: 'check', value: (r) => (r.energy && r.energy.energyJ === 0 ? '0 J: see notes' : '') };
  const showZero = result.rows.some((r) => r.energy?.energyJ === 0);
  // What each GWP covers, as runs list says it, when some row's is the operational part alone.
  const scope: Column<AnalysisRow> = { key: 'impact_scope', header: 'scope', value: (r) => (scopeOf(r) === 'operational' ? 'operational only' : scopeOf(r) === undefined ? '' : 'op.+embodied') };
  const showScope = result.rows.some((r) => r.operationalOnly !== undefined);
  const cols = [device, ...(showPower ? [power] : []), ...(showZero ? [zero] : []), ...filled, ...(showScope ? [scope] : [])];
  return renderTable(cols, result.rows);
}

/** Skipped inputs shown by name and reason (the first ones; JSON lists them all). */
const SKIPPED_SHOWN = 10;

/** Each skipped input with why, the first SKIPPED_SHOWN of them; nothing when none was skipped. */
export function skippedLines(skipped: AnalyzeResult['skipped']): string[] {
  if (skipped.length === 0) return [];
  const lines = [`Skipped ${skipped.length} input(s):`];
  for (const x of skipped.slice(0, SKIPPED_SHOWN)) lines.push(`  ${escapeControl(x.path)}: ${escapeControl(x.reason)}${x.detail !== undefined ? ` — ${escapeControl(x.detail)}` : ''}`);
  if (skipped.length > SKIPPED_SHOWN) lines.push(`  ... and ${skipped.length - SKIPPED_SHOWN} more (--format json lists them all)`);
  return lines;
}

function explain(result: AnalyzeResult): string {
  const out: string[] = [];
  out.push(
    result.method === 'thesis'
      ? 'Method: thesis-2025 — energy = mean of the runs on a 1000-point grid over their common window × its duration (as the study computed Table 5.1).'
      : 'Method: trapezoid — each run integrated over its own span; mean across runs with a 95 % Student-t interval.',
  );
  const full = result.rows.some((r) => r.impact !== undefined);
  if (full || !result.rows.some((r) => r.operationalOnly !== undefined)) {
    out.push('GWP = E_kWh × grid × PUE + (duration / lifetime) × F_embodied; the mean over the embodied candidates.');
    out.push(
      result.rangeSpans.length > 0
        ? `min–max: the envelope over ${result.rangeSpans.join(', ')} (each at the end of its range that lowers or raises the GWP; a bound, not a confidence interval).`
        : 'min = max: one embodied candidate and no ranged parameter.',
    );
  }
  if (result.rows.some((r) => r.operationalOnly !== undefined)) {
    out.push("Scope 'operational only': GWP = E_kWh × grid × PUE, without the embodied part (the hardware is unknown).");
  }
  for (const p of result.parameters) {
    out.push(`Parameters for ${p.device}:`);
    out.push(...parameterLines(p.used));
  }
  out.push(...skippedLines(result.skipped));
  for (const n of result.notes) out.push(`Note: ${n}`);
  return `${out.join('\n')}\n`;
}
