import { readFileSync } from 'node:fs';

/**
 * A deliberately tiny reader for the study's two-column power CSVs (`timestamp,gpu_power`),
 * so these tests do not depend on the real importer. `scale` converts the power column
 * (1e-3 for the Jetson mW files).
 */
export function readPowerCsv(path: string, scale = 1): { tS: Float64Array; powerW: Float64Array } {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '');
  const tS = new Float64Array(rows.length);
  const powerW = new Float64Array(rows.length);
  rows.forEach((line, i) => {
    const [t, p] = line.split(',');
    tS[i] = Number(t);
    powerW[i] = Number(p) * scale;
    if (!Number.isFinite(tS[i]) || !Number.isFinite(powerW[i])) throw new Error(`${path}:${i + 2}: bad row ${JSON.stringify(line)}`);
  });
  return { tS, powerW };
}
