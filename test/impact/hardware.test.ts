import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HARDWARE, hardwareKey, powerUnitOf, requireHardware, resolveHardware, suggestHardware } from '../../src/impact/index.js';
import { isInferprintError } from '../../src/errors.js';

// Names as tools and folders write them → the database id they must resolve to.
const ALIASES: readonly [string, string][] = [
  // nvidia-smi / metadata.json
  ['NVIDIA H100 NVL', 'H100-NVL'],
  ['NVIDIA A100-PCIE-40GB', 'A100-PCIE-40GB'],
  ['Tesla T4', 'Tesla-T4'],
  ['NVIDIA GeForce RTX 2080 Ti', 'RTX-2080Ti'],
  ['Quadro RTX 6000', 'Quadro-RTX-6000'],
  ['NVIDIA L40S', 'L40S'],
  ['NVIDIA H200', 'H200'],
  ['NVIDIA L4', 'L4'],
  ['NVIDIA GeForce RTX 4090', 'RTX-4090'],
  // tegrastats / device-tree model strings
  ['Jetson AGX Orin Developer Kit', 'AGX-Orin'],
  ['NVIDIA Jetson AGX Orin Developer Kit', 'AGX-Orin'],
  ['NVIDIA Jetson AGX Xavier', 'AGX-Xavier'],
  ['NVIDIA Jetson Orin NX Engineering Reference Developer Kit', 'Orin-NX-16GB'],
  ['NVIDIA Jetson Orin Nano Developer Kit', 'Orin-Nano-8GB'],
  // the study's dataset folder tags (data_<tag>_<version>)
  ['A100', 'A100'],
  ['orin', 'AGX-Orin'],
  ['xavier', 'AGX-Xavier'],
  ['T4', 'Tesla-T4'],
  ['2080Ti', 'RTX-2080Ti'],
  ['QRTX6000', 'Quadro-RTX-6000'],
  ['QRTX8000', 'Quadro-RTX-8000'],
  ['A40', 'A40'],
  ['H100', 'H100'],
  ['L40S', 'L40S'],
  // log directory prefixes (<GPU>_v<ver>_logs)
  ['Orin', 'AGX-Orin'],
  ['Xavier', 'AGX-Xavier'],
  // MLPerf system folders
  ['A100-PCIex1_TRT', 'A100-PCIE-40GB'],
  ['A100_TRT', 'A100'],
  ['T4x1_TRT', 'Tesla-T4'],
  ['Orin_TRT', 'AGX-Orin'],
  ['AGX_Xavier_TRT', 'AGX-Xavier'],
  ['GeForce RTX 2080 Tix1_TRT', 'RTX-2080Ti'],
  ['Quadro RTX 8000x1_TRT', 'Quadro-RTX-8000'],
  ['L40S_TRT', 'L40S'],
  ['H100_TRT', 'H100'],
  ['A40x1_TRT', 'A40'],
  // g5k ids and loose spellings
  ['AGX-Orin', 'AGX-Orin'],
  ['tesla_t4', 'Tesla-T4'],
  ['  rtx 2080 ti ', 'RTX-2080Ti'],
  ['h100 nvl', 'H100-NVL'],
];

void describe('resolveHardware', () => {
  for (const [name, id] of ALIASES) {
    void it(`${JSON.stringify(name)} → ${id}`, () => {
      assert.equal(resolveHardware(name)?.id, id);
    });
  }
  void it('returns undefined for unknown names', () => {
    assert.equal(resolveHardware('NVIDIA B200'), undefined);
    assert.equal(resolveHardware(''), undefined);
  });
  void it('resolves every id, name and alias of the table to its own row', () => {
    for (const h of HARDWARE) for (const n of [h.id, h.name, ...h.aliases]) assert.equal(resolveHardware(n)?.id, h.id, n);
  });
  void it('normalises case, spaces, -/_, NVIDIA and MLPerf suffixes', () => {
    assert.equal(hardwareKey('NVIDIA GeForce RTX 2080 Tix1_TRT'), 'geforcertx2080ti');
    assert.equal(hardwareKey('AGX_Xavier_TRT'), 'agxxavier');
  });
});

void describe('requireHardware', () => {
  void it('throws UNKNOWN_HARDWARE with close matches and where', () => {
    assert.throws(
      () => requireHardware('A10O', { file: 'data_A10O_v4.1' }),
      (e: unknown) =>
        isInferprintError(e) && e.code === 'UNKNOWN_HARDWARE' && e.exitCode === 1 && e.message.includes('data_A10O_v4.1') && /did you mean A100\b/.test(e.message),
    );
  });
  void it('says nothing misleading when no name is close', () => {
    assert.throws(() => requireHardware('zzzzzzzzzzzz'), (e: unknown) => isInferprintError(e) && !e.message.includes('did you mean'));
  });
  void it('suggests Jetsons for a partial Jetson name', () => {
    assert.ok(suggestHardware('jetson orin').includes('AGX-Orin'));
  });
});

void describe('device facts', () => {
  void it('Jetsons log power in mW (tegrastats), GPUs in W (nvidia-smi)', () => {
    assert.equal(powerUnitOf(requireHardware('orin')), 'mW');
    assert.equal(powerUnitOf(requireHardware('xavier')), 'mW');
    assert.equal(powerUnitOf(requireHardware('Orin-Nano-8GB')), 'mW');
    assert.equal(powerUnitOf(requireHardware('A100')), 'W');
  });
  void it('records the cards the study measured where they differ from its table', () => {
    const a = requireHardware('NVIDIA A100-PCIE-40GB');
    assert.deepEqual([a.tdpW, a.dieAreaMm2, a.memoryGb], [250, 826, 40]);
    const h = requireHardware('NVIDIA H100 NVL');
    assert.deepEqual([h.tdpW, h.dieAreaMm2, h.memoryGb, h.memoryType, h.process], [400, 814, 94, 'HBM3', 'TSMC 4N']);
    assert.equal(requireHardware('H100').memoryGb, 80);
    assert.equal(requireHardware('NVIDIA H200').memoryGb, 141);
  });
  void it('every row has a source, and the unpublished Orin die area says so', () => {
    for (const h of HARDWARE) assert.ok(h.source.length > 10 && h.sourceYear > 2000, h.id);
    for (const id of ['AGX-Orin', 'Orin-NX-16GB', 'Orin-Nano-8GB']) assert.match(requireHardware(id).note ?? '', /untraced/i, id);
  });
});
