/**
 * One answer to "what is this run's footprint?", whatever reads it: `analyze`, the store's
 * rows (`runs list`, `sql`, exports), the dashboard and `bench`'s table all come here, so the
 * same run gives the same number by every route. Pure.
 *
 * A run is assessed with the settings it was recorded with (`impact.settings`): the preset,
 * and every value chosen over the preset's defaults (a `--grid` given to `measure`, the PUE
 * CodeCarbon already applied). Bundles written before settings were recorded get them
 * inferred: the study's runs (`import thesis`) keep the study's parameters (`thesis-2025`);
 * CodeCarbon imports keep CodeCarbon's PUE; anything else the default preset. A caller may
 * override any of them (flags of `analyze`, query parameters of the dashboard).
 */
import type { EmbodiedModelId } from '../impact/embodied/index.js';
import { resolveHardware, type HardwareSpec } from '../impact/hardware.js';
import { computeImpact, type ImpactResult } from '../impact/lca.js';
import { resolveImpactParams, resolveOperationalParams, type DefaultUsed, type ImpactSettings, type PresetId, type ResolvedImpactParams } from '../impact/presets.js';
import { JOULES_PER_KWH } from '../units/index.js';
import type { RecordedImpact, RunManifest } from './manifest.js';

/** Choices a reader makes over what the run was recorded with. */
export interface ImpactOverrides {
  readonly preset?: PresetId;
  readonly grid?: string;
  readonly pue?: 'auto' | number;
  readonly lifetimeS?: number;
  readonly embodiedModel?: EmbodiedModelId;
}

/** `workload.dataset` of runs made by `import thesis`. */
export const STUDY_DATASET = 'thesis-2025';

/** The energy method CodeCarbon imports write once their energies no longer include CodeCarbon's PUE. */
export const CODECARBON_IT_ENERGY_METHOD = 'codecarbon-reported-without-pue';
/** What older CodeCarbon imports wrote: CodeCarbon's energies as it reports them, its PUE included. */
export const CODECARBON_LEGACY_ENERGY_METHOD = 'codecarbon-reported';

type Obj = Readonly<Record<string, unknown>>;

/** Whether the run is one of the study's, imported by `import thesis`. */
export function isStudyRun(m: RunManifest): boolean {
  return m.workload.kind === 'import' && (m.workload as Obj).dataset === STUDY_DATASET;
}

/** CodeCarbon's `pue` setting for a CodeCarbon import, when the file had one. */
function codecarbonPue(m: RunManifest): number | undefined {
  if (m.workload.kind !== 'import') return undefined;
  const cc = (m.workload as Obj).codecarbon;
  const pue = typeof cc === 'object' && cc !== null ? (cc as Obj).pue : undefined;
  return typeof pue === 'number' && Number.isFinite(pue) && pue >= 1 ? pue : undefined;
}

/** The settings CodeCarbon's file implies: the PUE it applied (and so the facility the run was in). */
export function codecarbonSettings(pue: number | undefined): ImpactSettings {
  return pue === undefined ? { preset: 'default' } : { preset: 'default', pue: { value: pue, why: "CodeCarbon's pue setting (emissions.csv, pue column)" } };
}

/** What the run was recorded with: its own `impact.settings`, else inferred from what it is (see the module comment). */
export function recordedSettings(m: RunManifest): ImpactSettings {
  const own = m.impact?.settings;
  if (own) return own;
  if (isStudyRun(m)) return { preset: 'thesis-2025' };
  if (m.energy?.method === CODECARBON_LEGACY_ENERGY_METHOD) return codecarbonSettings(codecarbonPue(m));
  // Older bench and measure runs: a grid given by the user is the only choice they recorded.
  const grid = m.impact?.parameters?.find((p) => p.name === 'grid');
  if (grid?.origin === 'user' && typeof grid.value === 'number') return { preset: 'default', grid: { value: String(grid.value), why: `given by the user (${grid.value} gCO2e/kWh)` } };
  return { preset: 'default' };
}

/** A stable key of settings: runs recorded alike are assessed alike (and may be averaged together). */
export function settingsKey(s: ImpactSettings): string {
  return [s.preset, s.grid?.value ?? '', s.pue?.value ?? '', s.lifetimeS?.value ?? '', s.embodiedModel?.value ?? ''].join('|');
}

/** The hardware a run measured: its recorded id, else the names its device and primary channel report. */
export function hardwareOfRun(m: RunManifest): HardwareSpec | undefined {
  const sensor = m.sensor;
  const primary = sensor?.channels.find((c) => c.name === sensor.primaryChannel);
  for (const name of [m.device.hardwareId, m.device.name, primary?.device]) {
    if (name === undefined) continue;
    const spec = resolveHardware(name);
    if (spec) return spec;
  }
  return undefined;
}

/**
 * The run's energy over its measured window as the LCA takes it: IT energy, before any PUE.
 * Older CodeCarbon imports stored CodeCarbon's energies, which already include its PUE.
 */
export function itEnergyJ(m: RunManifest): { readonly energyJ: number; readonly durationS: number } | undefined {
  const energy = m.energy;
  if (!energy) return undefined;
  const p = energy.primary;
  const pue = energy.method === CODECARBON_LEGACY_ENERGY_METHOD ? codecarbonPue(m) : undefined;
  return { energyJ: pue !== undefined ? p.energyJ / pue : p.energyJ, durationS: p.durationS };
}

/** How a run's footprint was assessed; `scope` says what it covers. */
export type RunAssessment =
  | { readonly scope: 'operational+embodied'; readonly hardware: HardwareSpec; readonly resolved: ResolvedImpactParams; readonly result: ImpactResult }
  | {
      readonly scope: 'operational';
      /** Operational GWP, g. */
      readonly operationalG: number;
      readonly used: readonly DefaultUsed[];
      readonly settings: ImpactSettings;
      /** Why the embodied part is missing. */
      readonly reason: string;
    }
  | { readonly scope: 'none'; readonly reason: string };

/** The settings to assess with: the caller's preset, else the recorded one; recorded values stay unless the caller overrides them. */
export function effectiveSettings(recorded: ImpactSettings, o: ImpactOverrides): { readonly preset: PresetId; readonly recorded: Omit<ImpactSettings, 'preset'> } {
  const { preset, ...values } = recorded;
  return { preset: o.preset ?? preset, recorded: values };
}

/** Why a footprint is the operational part alone. */
export const OPERATIONAL_ONLY_REASON = 'the run names no hardware the database knows: the embodied part cannot be estimated';

/** The operational footprint of an energy, with the parameters and settings behind it. */
export interface OperationalAssessment {
  /** E_kWh × grid × PUE, g. */
  readonly operationalG: number;
  readonly used: readonly DefaultUsed[];
  readonly settings: ImpactSettings;
  readonly preset: PresetId;
}

/**
 * The operational footprint alone, `E_kWh × grid × PUE`, of an energy (IT energy, J) whose
 * hardware is unknown, so that no embodied part can be allocated: with the settings it was
 * recorded with and the caller's overrides (grid, PUE; lifetime and embodied model do not
 * apply). The one formula behind every operational-only figure: `assessRun` (runs list, sql,
 * the dashboard), `recordImpact` (what writers record) and `analyze`'s rows.
 */
export function assessOperational(energyJ: number, recorded: ImpactSettings, o: ImpactOverrides = {}): OperationalAssessment {
  const { preset, recorded: values } = effectiveSettings(recorded, o);
  const op = resolveOperationalParams({ preset, recorded: values, ...(o.grid !== undefined ? { grid: o.grid } : {}), ...(o.pue !== undefined ? { pue: o.pue } : {}) });
  return { operationalG: (energyJ / JOULES_PER_KWH) * op.gridGPerKwh * op.pue, used: op.used, settings: op.settings, preset };
}

/** Assess a run with the settings it was recorded with, and the caller's overrides. */
export function assessRun(m: RunManifest, o: ImpactOverrides = {}, hardware: HardwareSpec | undefined = hardwareOfRun(m)): RunAssessment {
  if (m.sensor === undefined) return { scope: 'none', reason: 'the run measured no power: there is no energy to assess' };
  const e = itEnergyJ(m);
  if (!e) return { scope: 'none', reason: 'the run has no energy to assess' };
  const { preset, recorded } = effectiveSettings(recordedSettings(m), o);
  const given = {
    ...(o.grid !== undefined ? { grid: o.grid } : {}),
    ...(o.pue !== undefined ? { pue: o.pue } : {}),
    ...(o.lifetimeS !== undefined ? { lifetimeS: o.lifetimeS } : {}),
  };
  if (!hardware) return { scope: 'operational', ...assessOperational(e.energyJ, recordedSettings(m), o), reason: OPERATIONAL_ONLY_REASON };
  const resolved = resolveImpactParams({ preset, hardware, ...given, ...(o.embodiedModel !== undefined ? { embodiedModel: o.embodiedModel } : {}), recorded });
  return { scope: 'operational+embodied', hardware, resolved, result: computeImpact({ energyJ: e.energyJ, durationS: e.durationS, params: resolved.params }) };
}

/** The figures a listing shows for a run: what was recorded, else assessed now with the recorded settings. */
export interface RunFootprint {
  readonly scope: 'operational+embodied' | 'operational' | null;
  readonly gwpG: number | null;
  readonly gwpMinG: number | null;
  readonly gwpMaxG: number | null;
  readonly operationalG: number | null;
  readonly embodiedG: number | null;
  readonly gridGPerKwh: number | null;
  readonly pue: number | null;
  readonly lifetimeS: number | null;
  readonly model: string | null;
  readonly preset: PresetId | null;
  /** `recorded` when the figures are the run's own, `assessed` when computed on reading. */
  readonly origin: 'recorded' | 'assessed' | null;
}

const NONE: RunFootprint = { scope: null, gwpG: null, gwpMinG: null, gwpMaxG: null, operationalG: null, embodiedG: null, gridGPerKwh: null, pue: null, lifetimeS: null, model: null, preset: null, origin: null };

function paramValue(used: readonly DefaultUsed[] | undefined, name: DefaultUsed['name']): number | null {
  const v = used?.find((p) => p.name === name)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A parameter's value as the recorded LCA result holds it (`params.<key>.value`), else from the parameters list. */
function recordedParam(imp: RecordedImpact, key: 'gridGPerKwh' | 'pue' | 'lifetimeS', name: DefaultUsed['name']): number | null {
  // The manifest reader checked the value (a finite number ≥ 0) when the result has it.
  return imp.result?.params?.[key]?.value ?? paramValue(imp.parameters, name);
}

/** A run's footprint for listings (one row per run): cheap when recorded, assessed otherwise. */
export function runFootprint(m: RunManifest): RunFootprint {
  const imp = m.impact;
  const preset = recordedSettings(m).preset;
  if (imp?.result) {
    const r = imp.result;
    return {
      scope: 'operational+embodied',
      gwpG: r.gwpG.mean,
      gwpMinG: r.gwpG.min,
      gwpMaxG: r.gwpG.max,
      operationalG: r.operationalG.mean,
      embodiedG: r.embodiedG.mean,
      gridGPerKwh: recordedParam(imp, 'gridGPerKwh', 'grid'),
      pue: recordedParam(imp, 'pue', 'pue'),
      lifetimeS: recordedParam(imp, 'lifetimeS', 'lifetime'),
      model: r.model,
      preset,
      origin: 'recorded',
    };
  }
  if (imp?.operationalOnlyG !== undefined) {
    return {
      ...NONE,
      scope: 'operational',
      gwpG: imp.operationalOnlyG,
      operationalG: imp.operationalOnlyG,
      gridGPerKwh: paramValue(imp.parameters, 'grid'),
      pue: paramValue(imp.parameters, 'pue'),
      preset,
      origin: 'recorded',
    };
  }
  // Nothing recorded (the study's runs imported before impacts were recorded): assessed now.
  let a: RunAssessment;
  try {
    a = assessRun(m);
  } catch {
    // A setting the tables no longer know: the listing shows no figure rather than failing.
    return NONE;
  }
  switch (a.scope) {
    case 'operational+embodied': {
      const r = a.result;
      return {
        scope: a.scope,
        gwpG: r.gwpG.mean,
        gwpMinG: r.gwpG.min,
        gwpMaxG: r.gwpG.max,
        operationalG: r.operationalG.mean,
        embodiedG: r.embodiedG.mean,
        gridGPerKwh: r.params.gridGPerKwh.value,
        pue: r.params.pue.value,
        lifetimeS: r.params.lifetimeS.value,
        model: r.model,
        preset: a.resolved.preset,
        origin: 'assessed',
      };
    }
    case 'operational':
      return { ...NONE, scope: a.scope, gwpG: a.operationalG, operationalG: a.operationalG, gridGPerKwh: paramValue(a.used, 'grid'), pue: paramValue(a.used, 'pue'), preset, origin: 'assessed' };
    case 'none':
      return NONE;
  }
}

/**
 * What the recorded impact of a run whose energy adds up several GPUs leaves out: the
 * embodied part allocates one device (the hardware database's entry is one GPU), not all of
 * them. One wording for every writer (`import … --channel sum`, the GPU sensors' `sum`).
 */
export function summedGpusEmbodiedNote(gpus: number, hardwareId: string, how: string): string {
  return `the energy adds up ${gpus} GPUs (${how}); the embodied part counts one GPU of ${gpus} (one ${hardwareId})`;
}

/** The note above for a sensor whose primary channel sums GPUs (SensorInfo.primarySums); [] otherwise. */
export function sensorSumImpactNotes(
  info: { readonly primaryChannel: string; readonly primarySums?: readonly string[]; readonly channels: readonly { readonly name: string; readonly kind: string }[] },
  hardware: HardwareSpec | undefined,
): string[] {
  const gpus = (info.primarySums ?? []).filter((n) => info.channels.some((c) => c.name === n && c.kind === 'gpu')).length;
  if (!hardware || gpus < 2) return [];
  return [summedGpusEmbodiedNote(gpus, hardware.id, `channel ${info.primaryChannel} = ${(info.primarySums ?? []).join(' + ')}`)];
}

/**
 * The `impact` block a writer records with a run: the assessment with `settings` (what the
 * run was recorded with), the parameters used, and the settings themselves so every later
 * reader assesses the run the same way.
 */
export function recordImpact(settings: ImpactSettings, hardware: HardwareSpec | undefined, energy: { readonly energyJ: number; readonly durationS: number }, notes: readonly string[] = []): RecordedImpact {
  if (!hardware) {
    const op = assessOperational(energy.energyJ, settings);
    return {
      settings: op.settings,
      operationalOnlyG: op.operationalG,
      parameters: op.used,
      notes: ['the hardware is not in the database: embodied part left out', ...notes],
    };
  }
  const { preset, recorded } = effectiveSettings(settings, {});
  const resolved = resolveImpactParams({ preset, hardware, recorded });
  return {
    settings: resolved.settings,
    result: computeImpact({ energyJ: energy.energyJ, durationS: energy.durationS, params: resolved.params }),
    parameters: resolved.used,
    ...(notes.length > 0 ? { notes } : {}),
  };
}
