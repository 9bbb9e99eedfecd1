/**
 * inferprint/impact — the pure impact layer: hardware database, embodied models, grid
 * factors, PUE, the LCA model and presets. No I/O: safe in the browser and the dashboard.
 */
export {
  ALL_HARDWARE,
  CPUS,
  CPU_CLASSES,
  CPU_HARDWARE,
  HARDWARE,
  HARDWARE_CATEGORIES,
  NO_MEMORY,
  SERVERS,
  classifyCpuName,
  genericCpu,
  genericNote,
  hardwareInCategory,
  hardwareKey,
  matchHardware,
  normaliseCpuModel,
  powerUnitOf,
  requireHardware,
  resolveHardware,
  resolveServer,
  suggestHardware,
  type CpuClass,
  type CpuModelRow,
  type DieSpec,
  type HardwareCategory,
  type HardwareKind,
  type HardwareMatch,
  type HardwareSpec,
  type ServerSpec,
} from './hardware.js';
export {
  DEFAULT_EMBODIED_MODEL,
  DEFAULT_TABLES,
  EMBODIED_MODELS,
  EMBODIED_MODEL_IDS,
  PIRSON_2023,
  candidateKey,
  dieAreaActV1,
  dieAreaDensityV1,
  dieAreaV1,
  embodiedParts,
  estimateEmbodied,
  hasThesisConstants,
  isEmbodiedModelId,
  memoryFactorFor,
  processorCandidates,
  selectIcFactors,
  spanModels,
  thesis2025Constants,
  type DieFactor,
  type EmbodiedCandidate,
  type EmbodiedModel,
  type EmbodiedModelId,
  type EmbodiedResult,
  type EmbodiedTables,
  type ProcessorCandidate,
} from './embodied/index.js';
export { GRID_ZONE_ROWS, findGridZone, resolveGrid, suggestGridZones, type GridFactor } from './grid.js';
export { PUE_TABLE, pueFor, validatePue } from './pue.js';
export {
  FUNCTIONAL_UNITS,
  LCA_FORMULA,
  LCA_MODEL,
  computeImpact,
  perFunctionalUnit,
  perQuery,
  scaleRange,
  type FunctionalImpact,
  type FunctionalUnit,
  type ImpactInput,
  type ImpactParams,
  type ImpactResult,
  type Param,
  type Range,
} from './lca.js';
export { PRESET_IDS, resolveImpactParams, type DefaultUsed, type ImpactOptions, type PresetId, type ResolvedImpactParams } from './presets.js';
export type { GridDataset, GridZoneRow, IcFactor, IcFactorCategory, LifetimeRow, MemoryFactor, PueRow, ThesisFgpuRow } from './types.js';
export { IC_FACTORS } from './data/ic-factors.generated.js';
export { MEMORY_FACTORS, MEMORY_FACTORS_ACT } from './data/memory-factors.generated.js';
// Provenance of the hardware facts (issue 10), idle power and host shares (for the advisor).
export {
  HARDWARE_FACTS,
  REFERENCES,
  factProvenance,
  referenceOf,
  studyDifferences,
  thesisSpec,
  untracedFactLines,
  untracedFacts,
  type FactProvenance,
  type HardwareFact,
  type Reference,
  type ReferenceStatus,
  type StudyDifference,
  type StudyHardwareValues,
} from './provenance.js';
export { HOST_PROFILES, IDLE_POWER, hostShareOf, idlePowerOf, type HostProfile, type HostShare, type IdleParam, type IdlePowerRow, type IdleProfile, type IdleStatus } from './idle.js';
export type { ActMemoryFactor } from './types.js';
