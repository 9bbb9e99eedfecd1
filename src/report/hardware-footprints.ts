/**
 * The embodied breakdown of every database device, as the report's hardware figure and table show
 * it. Pure: computed from the hardware database and the embodied model alone.
 */
import { isInferprintError } from '../errors.js';
import { embodiedParts, estimateEmbodied, type EmbodiedModelId, type EmbodiedResult } from '../impact/embodied/index.js';
import { HARDWARE } from '../impact/hardware.js';
import type { HardwareFootprint } from './data.js';

/** Embodied model of the hardware breakdown figure: the study's Fig. 5.1–5.2, whatever the default model becomes. */
export const HARDWARE_FIGURE_MODEL: EmbodiedModelId = 'die-area-v1';

/** Every database device with an estimate under the figure's model (a device without matching factors is left out). */
export function hardwareFootprints(inReport: ReadonlySet<string>): HardwareFootprint[] {
  return HARDWARE.flatMap((spec) => {
    let e: EmbodiedResult;
    try {
      e = estimateEmbodied(HARDWARE_FIGURE_MODEL, spec);
    } catch (err) {
      if (isInferprintError(err)) return [];
      throw err;
    }
    const parts = embodiedParts(e);
    return [
      {
        id: spec.id,
        name: spec.name,
        category: spec.category,
        dieAreaMm2: spec.dieAreaMm2,
        techNodeNm: spec.techNodeNm,
        year: spec.year,
        memoryGb: spec.memoryGb,
        memoryType: spec.memoryType,
        model: e.model,
        candidates: e.candidates.length,
        processorKg: parts.processorKg,
        memoryKg: parts.memoryKg.mean,
        totalKg: { mean: e.meanKg, min: e.minKg, max: e.maxKg },
        inReport: inReport.has(spec.id),
      },
    ];
  });
}
