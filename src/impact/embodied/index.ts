/**
 * Embodied (manufacturing) models, selected by name. Each is a versioned module: a change
 * to a formula or a rule is a new id, so a stored result always says which made it.
 */
import { errors } from '../../errors.js';
import type { HardwareSpec } from '../types.js';
import type { EmbodiedModel, EmbodiedModelId, EmbodiedResult, EmbodiedTables } from './common.js';
import { dieAreaActV1Model } from './die-area-act-v1.js';
import { dieAreaDensityV1Model } from './die-area-density-v1.js';
import { dieAreaV1Model } from './die-area-v1.js';
import { thesis2025ConstantsModel } from './thesis-2025-constants.js';

export type { DieFactor, EmbodiedCandidate, EmbodiedModel, EmbodiedModelId, EmbodiedResult, EmbodiedTables, ProcessorCandidate } from './common.js';
export { DEFAULT_TABLES, PIRSON_2023, actMemoryFactorFor, candidateKey, embodiedParts, memoryFactorFor, processorCandidates, selectIcFactors, spanModels } from './common.js';
export { dieAreaV1 } from './die-area-v1.js';
export { dieAreaActV1 } from './die-area-act-v1.js';
export { dieAreaDensityV1 } from './die-area-density-v1.js';
export { hasThesisConstants, thesis2025Constants } from './thesis-2025-constants.js';

export const EMBODIED_MODELS: Readonly<Record<EmbodiedModelId, EmbodiedModel>> = {
  'die-area-v1': dieAreaV1Model,
  'die-area-density-v1': dieAreaDensityV1Model,
  'die-area-act-v1': dieAreaActV1Model,
  'thesis-2025-constants': thesis2025ConstantsModel,
};
export const EMBODIED_MODEL_IDS = Object.keys(EMBODIED_MODELS) as EmbodiedModelId[];
export const DEFAULT_EMBODIED_MODEL: EmbodiedModelId = 'die-area-v1';

export function isEmbodiedModelId(s: string): s is EmbodiedModelId {
  return Object.hasOwn(EMBODIED_MODELS, s);
}

/** Estimate a device's manufacturing footprint with the named model. */
export function estimateEmbodied(model: EmbodiedModelId, spec: HardwareSpec, tables?: EmbodiedTables): EmbodiedResult {
  const m = EMBODIED_MODELS[model] as EmbodiedModel | undefined;
  if (!m) throw errors.invalidValue({ field: 'embodied model' }, `unknown embodied model '${model}' (expected ${EMBODIED_MODEL_IDS.join(', ')})`);
  return m.estimate(spec, tables);
}
