import { REPORT_DATA_SCHEMA, type PowerProfileData, type ReportData, type ReportRow } from '../../src/report/data.js';
import { hardwareFootprints } from '../../src/report/hardware-footprints.js';
import { describeMethods } from '../../src/report/methods.js';

/**
 * Report data built by hand, for the pure layers (figures, HTML) without any input files:
 * each series gets three query counts with energy, impact, latency and a profile.
 */
export function syntheticReportData(names: readonly string[] = ['Zeta-GPU v1', 'A100 v4.1', 'AGX-Orin v4.1', 'H100-NVL v4.1']): ReportData {
  const rows: ReportRow[] = [];
  const profiles: PowerProfileData[] = [];
  names.forEach((series, s) => {
    for (const [k, qc] of [16, 64, 256].entries()) {
      const durationS = 5 + k;
      const energyJ = (s + 1) * 100 * (1 + k / 4);
      const op = (energyJ / 3.6e6) * 79.1;
      const emb = (durationS / 2.2e8) * (20 + 5 * s) * 1000;
      const gwp = { mean: op + emb, min: 0.9 * (op + emb), max: 1.2 * (op + emb) };
      rows.push({
        series,
        hardwareId: series.split(' ')[0]!,
        datasetTag: '',
        version: 'v1',
        scenario: 'SingleStream',
        queryCount: qc,
        method: 'trapezoid',
        provenance: 'measured',
        energy: { runs: 3, durationS, energyJ, energySdJ: 1, meanPowerW: energyJ / durationS, gaps: 0 },
        impact: {
          model: 'berthelot-2022-v1',
          energyKwh: energyJ / 3.6e6,
          allocation: { mean: durationS / 2.2e8, min: durationS / 2.2e8, max: durationS / 9.4e7 },
          operationalG: { mean: op, min: op, max: op },
          embodiedG: { mean: emb, min: emb / 2, max: emb * 2 },
          gwpG: gwp,
          perCandidateG: [gwp.mean],
          gridGPerKwh: 79.1,
          pue: 1,
          lifetimeS: 2.2e8,
          embodiedModel: 'die-area-v1',
          embodiedKg: { mean: 20 + 5 * s, min: 15, max: 40 },
        },
        gwpPerQueryG: { mean: gwp.mean / qc, min: gwp.min / qc, max: gwp.max / qc },
        latency: { runs: 3, maxLatencyMs: 2 * (s + 1) * (1 + k / 10), p90LatencyMs: (s + 1) * (1 + k / 10) },
      });
      const tS = Array.from({ length: 50 }, (_, i) => (i * durationS) / 49);
      profiles.push({
        series,
        queryCount: qc,
        phase: 'full',
        runs: 3,
        tS,
        meanW: tS.map((t) => (t > 2 && t < 3 ? 100 * (s + 1) : 30 * (s + 1))),
        sdW: tS.map((_, i) => (i === 0 ? null : 2)),
        windows: [{ name: 'compute', t0S: 2, t1S: 3 }],
      });
    }
  });
  const parameters = names.map((device) => ({
    device,
    used: [
      { name: 'grid' as const, value: 79.1, unit: 'gCO2e/kWh', source: 'ADEME Base Empreinte', year: null, origin: 'preset' as const, why: 'the study zone' },
      { name: 'lifetime' as const, value: 2.2e8, min: 9.4e7, max: 2.2e8, unit: 's', source: 'Simeu 2025', year: 2025, origin: 'preset' as const, why: '7 y' },
    ],
  }));
  return {
    schema: REPORT_DATA_SCHEMA,
    title: 'Synthetic report',
    generatedAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'inferprint', version: '0.0.0-test' },
    method: 'trapezoid',
    inputs: ['/data/runs'],
    series: [...names].sort().map((name) => ({ name, hardwareId: name.split(' ')[0]!, hardwareName: '', category: '', version: 'v1', datasetTag: '' })),
    rows,
    profiles,
    hardware: hardwareFootprints(new Set(['A100', 'AGX-Orin'])),
    hardwareModel: 'die-area-v1',
    parameters,
    methods: describeMethods({ method: 'trapezoid', embodiedModels: ['die-area-v1'], parameters, profilePoints: 50 }),
    skipped: [{ path: '/data/runs/.x', reason: 'invalid run bundle' }],
    notes: ['a note'],
  };
}
