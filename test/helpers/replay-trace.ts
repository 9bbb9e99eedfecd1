/**
 * The name of a generated trace in the study's CSV layout (`timestamp,gpu_power`) that a test
 * replays as a GPU (`--sensor replay:FILE`). A study CSV does not say whether its power is in W
 * or mW, so the replay reads the unit from the device its file name tags, else from the
 * hardware the caller names, else refuses (src/sensors/replay.md). Tests that name no hardware
 * give their trace this name: the study's tag `H100`, a GPU, so W. `run` keeps several apart.
 */
export function gpuTraceName(run = 1): string {
  return `consommation_energie_single_H100_QC_16_${run}.csv`;
}
