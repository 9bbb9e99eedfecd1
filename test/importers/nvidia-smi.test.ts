import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TraceBuilder } from '../../src/traces/builder.js';
import { importNvidiaSmiCsv } from '../../src/io/trace-files.js';
import { createNvidiaSmiLineDecoder, decodeNvidiaSmiCsv, type NvidiaSmiOptions, type NvidiaSmiSummary } from '../../src/traces/parse-nvidia-smi.js';
import type { PowerSample } from '../../src/traces/types.js';
import { drainGenerator, thrown } from '../helpers/decode.js';

// Verbatim capture (nvidia_gpu_exporter, H200, driver 590.48.01, `--query-gpu=<212 fields> --format=csv`):
// the header and the idle and load rows, from reference/nvidia_smi_samples.txt [B9]/[B10].
const H200_HEADER =
  'timestamp, driver_version, vgpu_driver_capability.heterogenous_multivGPU, count, name, serial, uuid, pci.bus_id, pci.domain, pci.bus, pci.device, pci.baseClass, pci.subClass, pci.device_id, pci.sub_device_id, vgpu_device_capability.fractional_multiVgpu, vgpu_device_capability.heterogeneous_timeSlice_profile, vgpu_device_capability.heterogeneous_timeSlice_sizes, vgpu_device_capability.homogeneous_placements, vgpu_device_capability.mig_timeSlicing, vgpu_device_capability.mig_timeSlicing_mode, pcie.link.gen.current, pcie.link.gen.gpucurrent, pcie.link.gen.max, pcie.link.gen.gpumax, pcie.link.gen.hostmax, pcie.link.width.current, pcie.link.width.max, index, display_mode, display_attached, display_active, persistence_mode, addressing_mode, accounting.mode, accounting.buffer_size, driver_model.current, driver_model.pending, vbios_version, inforom.img, inforom.oem, inforom.ecc, inforom.pwr, inforom.checksum_validation, gpu_recovery_action, gom.current, gom.pending, fan.speed [%], pstate, clocks_event_reasons.supported, clocks_event_reasons.active, clocks_event_reasons.gpu_idle, clocks_event_reasons.applications_clocks_setting, clocks_event_reasons.sw_power_cap, clocks_event_reasons.hw_slowdown, clocks_event_reasons.hw_thermal_slowdown, clocks_event_reasons.hw_power_brake_slowdown, clocks_event_reasons.sw_thermal_slowdown, clocks_event_reasons.sync_boost, clocks_event_reasons_counters.sw_power_cap [us], clocks_event_reasons_counters.sync_boost [us], clocks_event_reasons_counters.sw_thermal_slowdown [us], clocks_event_reasons_counters.hw_thermal_slowdown [us], clocks_event_reasons_counters.hw_power_brake_slowdown [us], memory.total [MiB], memory.reserved [MiB], memory.used [MiB], memory.free [MiB], compute_mode, compute_cap, utilization.gpu [%], utilization.memory [%], utilization.encoder [%], utilization.decoder [%], utilization.jpeg [%], utilization.ofa [%], encoder.stats.sessionCount, encoder.stats.averageFps, encoder.stats.averageLatency, dramEncryption.mode.current, dramEncryption.mode.pending, ecc.mode.current, ecc.mode.pending, ecc.errors.corrected.volatile.device_memory, ecc.errors.corrected.volatile.dram, ecc.errors.corrected.volatile.register_file, ecc.errors.corrected.volatile.l1_cache, ecc.errors.corrected.volatile.l2_cache, ecc.errors.corrected.volatile.texture_memory, ecc.errors.corrected.volatile.cbu, ecc.errors.corrected.volatile.sram, ecc.errors.corrected.volatile.total, ecc.errors.corrected.aggregate.device_memory, ecc.errors.corrected.aggregate.dram, ecc.errors.corrected.aggregate.register_file, ecc.errors.corrected.aggregate.l1_cache, ecc.errors.corrected.aggregate.l2_cache, ecc.errors.corrected.aggregate.texture_memory, ecc.errors.corrected.aggregate.cbu, ecc.errors.corrected.aggregate.sram, ecc.errors.corrected.aggregate.total, ecc.errors.uncorrected.volatile.device_memory, ecc.errors.uncorrected.volatile.dram, ecc.errors.uncorrected.volatile.register_file, ecc.errors.uncorrected.volatile.l1_cache, ecc.errors.uncorrected.volatile.l2_cache, ecc.errors.uncorrected.volatile.texture_memory, ecc.errors.uncorrected.volatile.cbu, ecc.errors.uncorrected.volatile.sram, ecc.errors.uncorrected.volatile.total, ecc.errors.uncorrected.aggregate.device_memory, ecc.errors.uncorrected.aggregate.dram, ecc.errors.uncorrected.aggregate.register_file, ecc.errors.uncorrected.aggregate.l1_cache, ecc.errors.uncorrected.aggregate.l2_cache, ecc.errors.uncorrected.aggregate.texture_memory, ecc.errors.uncorrected.aggregate.cbu, ecc.errors.uncorrected.aggregate.sram, ecc.errors.uncorrected.aggregate.total, ecc.errors.uncorrected.volatile.sram.parity, ecc.errors.uncorrected.volatile.sram.secded, ecc.errors.uncorrected.aggregate.sram.parity, ecc.errors.uncorrected.aggregate.sram.secded, ecc.errors.uncorrected.aggregate.sram.thresholdExceeded, ecc.errors.uncorrected.aggregate.sram.l2, ecc.errors.uncorrected.aggregate.sram.sm, ecc.errors.uncorrected.aggregate.sram.mcu, ecc.errors.uncorrected.aggregate.sram.pcie, ecc.errors.uncorrected.aggregate.sram.other, retired_pages.single_bit_ecc.count, retired_pages.double_bit.count, retired_pages.pending, remapped_rows.correctable, remapped_rows.uncorrectable, remapped_rows.pending, remapped_rows.failure, remapped_rows.histogram.max, remapped_rows.histogram.high, remapped_rows.histogram.partial, remapped_rows.histogram.low, remapped_rows.histogram.none, temperature.gpu, temperature.gpu.tlimit, temperature.memory, power.management, power.draw [W], power.draw.average [W], power.draw.instant [W], power.limit [W], enforced.power.limit [W], power.default_limit [W], power.min_limit [W], power.max_limit [W], module.power.draw.average [W], module.power.draw.instant [W], module.power.limit [W], module.enforced.power.limit [W], module.power.default_limit [W], module.power.min_limit [W], module.power.max_limit [W], power_smoothing.delayed_power_smoothing_supported, power_smoothing.primary_power_floor [W], power_smoothing.secondary_power_floor [W], power_smoothing.min_primary_floor_activation_offset [W], power_smoothing.min_primary_floor_activation_point [W], power_smoothing.window_multiplier [ms], power_smoothing.curr_profile.secondary_power_floor [W], power_smoothing.curr_profile.primary_floor_act_window_multiplier, power_smoothing.curr_profile.primary_floor_tar_window_multiplier, power_smoothing.curr_profile.primary_floor_act_offset [W], power_smoothing.admin_override.secondary_power_floor [W], power_smoothing.admin_override.primary_floor_act_window_multiplier, power_smoothing.admin_override.primary_floor_tar_window_multiplier, power_smoothing.admin_override.primary_floor_act_offset [W], edpp_multiplier [%], clocks.current.graphics [MHz], clocks.current.sm [MHz], clocks.current.memory [MHz], clocks.current.video [MHz], clocks.applications.graphics [MHz], clocks.applications.memory [MHz], clocks.default_applications.graphics [MHz], clocks.default_applications.memory [MHz], clocks.max.graphics [MHz], clocks.max.sm [MHz], clocks.max.memory [MHz], mig.mode.current, mig.mode.pending, gsp.mode.current, gsp.mode.default, c2c.mode, protected_memory.total [MiB], protected_memory.used [MiB], protected_memory.free [MiB], fabric.state, fabric.status, fabric.cliqueId, fabric.clusterUuid, fabric.health.summary, fabric.health.bandwidth, fabric.health.route_recovery_in_progress, fabric.health.route_unhealthy, fabric.health.access_timeout_recovery, fabric.health.incorrect_configuration, platform.chassis_serial_number, platform.slot_number, platform.tray_index, platform.host_id, platform.peer_type, platform.module_id, platform.gpu_fabric_guid, hostname';
const H200_IDLE =
  '2026/07/03 22:10:46.109, 590.48.01, [N/A], 1, NVIDIA H200, 0000000000000, GPU-00000000-0000-0000-0000-000000000000, 00000000:83:00.0, 0x0000, 0x83, 0x00, 0x3, 0x2, 0x233510DE, 0x18BE10DE, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 5, 5, 5, 5, [N/A], 16, 16, 0, [Requested functionality has been deprecated], Yes, Disabled, Enabled, None, Disabled, 4000, [N/A], [N/A], 96.00.A5.00.03, G520.0280.02.02, 2.1, 7.16, [N/A], valid, None, [N/A], [N/A], [N/A], P0, 0x00000000000001FF, 0x0000000000000001, Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, 0 us, 0 us, 0 us, 0 us, 0 us, 143771 MiB, 614 MiB, 0 MiB, 143158 MiB, Default, 9.0, 0 %, 0 %, 0 %, 0 %, 0 %, 0 %, 0, 0, 0, [N/A], [N/A], Enabled, Enabled, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, 0, 0, No, 0, 0, 0, 0, 0, [N/A], [N/A], [N/A], 0, 0, No, No, 3072, 0, 0, 0, 0, 28, 59, 32, [Requested functionality has been deprecated], 77.71 W, 77.71 W, 78.21 W, 700.00 W, 700.00 W, 700.00 W, 200.00 W, 700.00 W, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 100.00 %, 345 MHz, 345 MHz, 3201 MHz, 765 MHz, [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], 1980 MHz, 1980 MHz, 3201 MHz, Disabled, Disabled, Enabled, Enabled, Disabled, 0 MiB, 0 MiB, 0 MiB, Completed, Success, 0, 00000000-0000-0000-0000-000000000000, N/A, N/A, N/A, N/A, N/A, N/A, , 0, 0, 1, Direct Connected, 1, 0x0000000000000000, [N/A]';
const H200_LOAD =
  '2026/07/03 22:11:09.763, 590.48.01, [N/A], 1, NVIDIA H200, 0000000000000, GPU-00000000-0000-0000-0000-000000000000, 00000000:83:00.0, 0x0000, 0x83, 0x00, 0x3, 0x2, 0x233510DE, 0x18BE10DE, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 5, 5, 5, 5, [N/A], 16, 16, 0, [Requested functionality has been deprecated], Yes, Disabled, Enabled, None, Disabled, 4000, [N/A], [N/A], 96.00.A5.00.03, G520.0280.02.02, 2.1, 7.16, [N/A], valid, None, [N/A], [N/A], [N/A], P0, 0x00000000000001FF, 0x0000000000000000, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, 0 us, 0 us, 0 us, 0 us, 0 us, 143771 MiB, 614 MiB, 32362 MiB, 110796 MiB, Default, 9.0, 100 %, 7 %, 0 %, 0 %, 0 %, 0 %, 0, 0, 0, [N/A], [N/A], Enabled, Enabled, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, 0, 0, No, 0, 0, 0, 0, 0, [N/A], [N/A], [N/A], 0, 0, No, No, 3072, 0, 0, 0, 0, 52, 35, 40, [Requested functionality has been deprecated], 627.40 W, 627.40 W, 626.26 W, 700.00 W, 700.00 W, 700.00 W, 200.00 W, 700.00 W, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 100.00 %, 1980 MHz, 1980 MHz, 3201 MHz, 1545 MHz, [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], 1980 MHz, 1980 MHz, 3201 MHz, Disabled, Disabled, Enabled, Enabled, Disabled, 0 MiB, 0 MiB, 0 MiB, Completed, Success, 0, 00000000-0000-0000-0000-000000000000, N/A, N/A, N/A, N/A, N/A, N/A, , 0, 0, 1, Direct Connected, 1, 0x0000000000000000, [N/A]';

function drain(lines: readonly string[], opts: NvidiaSmiOptions = {}): { samples: PowerSample[]; summary: NvidiaSmiSummary } {
  return drainGenerator(decodeNvidiaSmiCsv(lines, opts));
}


const near = (a: number, b: number, tol = 1e-9) => { assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`); };

test('real H200 capture: 212 columns, power.draw.instant preferred, exact W and relative times', () => {
  const { samples, summary } = drain([H200_HEADER, H200_IDLE, H200_LOAD], { file: 'h200.csv' });
  assert.deepEqual(
    samples.map((s) => [s.channel, s.powerW, s.line]),
    [
      ['gpu0', 78.21, 2],
      ['gpu0', 626.26, 3],
    ],
  );
  near(samples[0]!.tS, 0);
  near(samples[1]!.tS, 23.654); // 22:11:09.763 - 22:10:46.109
  assert.equal(summary.powerField, 'power.draw.instant');
  assert.equal(summary.unitInSource, 'W');
  assert.equal(summary.gpuKey, 'index');
  assert.equal(summary.hasHeader, true);
  assert.equal(summary.originEpochMs, Date.UTC(2026, 6, 3, 22, 10, 46, 109));
});

test('real H200 capture: power.draw (1 s average on Ampere+) on request', () => {
  const { samples, summary } = drain([H200_HEADER, H200_IDLE, H200_LOAD], { powerField: 'power.draw' });
  assert.deepEqual(
    samples.map((s) => s.powerW),
    [77.71, 627.4],
  );
  assert.equal(summary.powerField, 'power.draw');
});

test('timestamps are local time in the declared zone (Paris is UTC+2 in July)', () => {
  const { summary } = drain([H200_HEADER, H200_IDLE], { timeZone: 'Europe/Paris' });
  assert.equal(summary.originEpochMs, Date.UTC(2026, 6, 3, 20, 10, 46, 109));
  const winter = drain(['timestamp, power.draw [W]', '2024/01/15 10:00:00.000, 50.00 W'], { timeZone: 'Europe/Paris' });
  assert.equal(winter.summary.originEpochMs, Date.UTC(2024, 0, 15, 9, 0, 0, 0));
  const e = thrown(() => drain(['timestamp, power.draw [W]', '2024/01/15 10:00:00.000, 50.00 W'], { timeZone: 'Mars/Olympus' }));
  assert.equal(e.code, 'USAGE');
});

test('a log crossing a DST change keeps real elapsed time (Europe/Paris, spring and autumn 2024)', () => {
  const spring = drain(['timestamp, power.draw [W]', '2024/03/31 01:59:59.500, 50.00 W', '2024/03/31 03:00:00.500, 51.00 W'], { timeZone: 'Europe/Paris' });
  near(spring.samples[1]!.tS, 1); // 02:00 CET → 03:00 CEST
  const autumn = drain(['timestamp, power.draw [W]', '2024/10/27 01:59:59.000, 50.00 W', '2024/10/27 03:00:00.000, 51.00 W'], { timeZone: 'Europe/Paris' });
  near(autumn.samples[1]!.tS, 7201); // 01:59:59 CEST (23:59:59 UTC) → 03:00:00 CET (02:00:00 UTC)
  assert.equal(autumn.summary.originEpochMs, Date.UTC(2024, 9, 26, 23, 59, 59));
});

test('several GPUs: one channel per index, whitespace after commas, units mode', () => {
  const { samples } = drain([
    'timestamp, index, name, power.draw [W]',
    '2024/05/14 10:31:22.123, 0, NVIDIA A100-SXM4-40GB, 55.10 W',
    '2024/05/14 10:31:22.124, 1, NVIDIA A100-SXM4-40GB, 61.25 W',
    '2024/05/14 10:31:22.223, 0, NVIDIA A100-SXM4-40GB, 250.00 W',
    '2024/05/14 10:31:22.224, 1, NVIDIA A100-SXM4-40GB, 260.50 W',
  ]);
  const byChannel = (c: string) => samples.filter((s) => s.channel === c);
  assert.deepEqual(byChannel('gpu0').map((s) => s.powerW), [55.1, 250]);
  assert.deepEqual(byChannel('gpu1').map((s) => s.powerW), [61.25, 260.5]);
  near(byChannel('gpu0')[1]!.tS, 0.1);
  near(byChannel('gpu1')[0]!.tS, 0.001);
  near(byChannel('gpu1')[1]!.tS, 0.101);
});

test('nounits with a header: the unit comes from the [W] bracket', () => {
  const { samples, summary } = drain(['timestamp, power.draw [W]', '2024/05/14 10:31:22.123, 69.85', '2024/05/14 10:31:22.173, 70.02']);
  assert.deepEqual(samples.map((s) => s.powerW), [69.85, 70.02]);
  near(samples[1]!.tS, 0.05);
  assert.equal(summary.unitInSource, 'W');
  assert.equal(samples[0]!.channel, 'gpu');
});

test('a header in mW would be converted (the unit is read, never assumed)', () => {
  const { samples } = drain(['timestamp, power.draw [mW]', '2024/05/14 10:31:22.123, 69850']);
  assert.equal(samples[0]!.powerW, 69.85);
});

test('noheader: the declared field list gives the columns', () => {
  const lines = ['2024/05/14 10:31:22.123, 0, 69.85 W', '2024/05/14 10:31:22.223, 0, 72.00 W'];
  const { samples, summary } = drain(lines, { fields: ['timestamp', 'index', 'power.draw'] });
  assert.deepEqual(samples.map((s) => [s.channel, s.powerW, s.line]), [
    ['gpu0', 69.85, 1],
    ['gpu0', 72, 2],
  ]);
  assert.equal(summary.hasHeader, false);
  const e = thrown(() => drain(lines, { file: 'loop.csv' }));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /^loop\.csv:1: no header line/);
});

test('noheader,nounits with no timestamp (PowerJoular style) and a declared interval', () => {
  const { samples, summary } = drain(['69.85', '70.10', '71.00'], { fields: ['power.draw'], intervalS: 0.1 });
  assert.deepEqual(samples.map((s) => s.powerW), [69.85, 70.1, 71]);
  samples.forEach((s, i) => { near(s.tS, i * 0.1); });
  assert.equal(summary.originEpochMs, undefined);
  const e = thrown(() => drain(['69.85'], { fields: ['power.draw'], file: 'p.csv' }));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /p\.csv:1 field 'timestamp'/);
});

test('a shell loop calling nvidia-smi once per sample repeats the header: repeats are skipped', () => {
  const { samples } = drain(['timestamp, power.draw [W]', '2024/05/14 10:31:22.100, 40.00 W', 'timestamp, power.draw [W]', '2024/05/14 10:31:22.150, 41.00 W']);
  assert.deepEqual(samples.map((s) => [s.powerW, s.line]), [
    [40, 2],
    [41, 4],
  ]);
});

test('uuid names the channel when there is no index column; gpu.power.draw is an alias', () => {
  const { samples } = drain([
    'timestamp, uuid, gpu.power.draw [W]',
    '2024/05/14 10:31:22.100, GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa, 40.00 W',
  ]);
  assert.equal(samples[0]!.channel, 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa');
});

test('[N/A] power: an error by default, left out with unavailable: skip', () => {
  const lines = ['timestamp, index, power.draw.instant [W]', '2024/05/14 10:31:22.100, 0, [N/A]', '2024/05/14 10:31:22.200, 0, 41.00 W'];
  const e = thrown(() => drain(lines, { file: 'na.csv' }));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.match(e.message, /^na\.csv:2 field 'power\.draw\.instant': power not available \(\[N\/A\]\)/);
  const { samples, summary } = drain(lines, { unavailable: 'skip' });
  assert.equal(summary.skippedUnavailable, 1);
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.tS, 0); // t = 0 is the first sample kept
  const ns = thrown(() => drain(['timestamp, power.draw [W]', '2024/05/14 10:31:22.100, [Not Supported]']));
  assert.equal(ns.code, 'INVALID_VALUE');
});

test("[N/A] power in a log: the error says what a user can do today (delete the rows, or log another field), not an option that does not exist", () => {
  const one = ['timestamp, index, power.draw [W]', '2024/05/14 10:31:22.100, 0, 40.00 W', '2024/05/14 10:31:22.200, 0, [N/A]', '2024/05/14 10:31:22.300, 0, 42.00 W'];
  const e = thrown(() => drain(one, { file: 'smi_na.csv' }));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.ok(!e.message.includes('\n'), 'one line');
  // Before: "… pick another power field or skip unavailable rows": no flag picks the field or skips rows.
  assert.doesNotMatch(e.message, /pick another power field|skip unavailable rows/);
  assert.equal(
    e.message,
    "smi_na.csv:3 field 'power.draw': power not available ([N/A]): the GPU did not report power.draw in this row, and an nvidia-smi log is read only where every row has a number; " +
      'delete the rows that hold [N/A] (the trace bridges them; a long gap is reported), or log another power field this GPU reports (power.draw.instant, power.draw.average), ' +
      'e.g. nvidia-smi --query-gpu=timestamp,index,power.draw.instant --format=csv -lms 100 [INVALID_VALUE]',
  );
  // What it says works: without the [N/A] row the log reads.
  assert.equal(drain(one.filter((l) => !l.includes('[N/A]')), { file: 'smi_na.csv' }).samples.length, 2);

  // A log with a second power column: deleting the unavailable one makes inferprint read the other.
  const two = ['timestamp, index, power.draw.instant [W], power.draw [W]', '2024/05/14 10:31:22.100, 0, 40.00 W, 40.00 W', '2024/05/14 10:31:22.200, 0, [N/A], 41.00 W'];
  const e2 = thrown(() => drain(two, { file: 'two.csv' }));
  assert.match(e2.message, /^two\.csv:3 field 'power\.draw\.instant': .*, or delete the power\.draw\.instant column \(this log's power\.draw is then read\), or log another power field this GPU reports \(power\.draw, power\.draw\.average\)/);
  const without = two.map((l) => l.split(', ').filter((_, i) => i !== 2).join(', '));
  const read = drain(without, { file: 'two.csv' });
  assert.equal(read.summary.powerField, 'power.draw');
  assert.deepEqual(read.samples.map((x) => x.powerW), [40, 41]);
});

test('[N/A] power from a live nvidia-smi (the line decoder): the fact only, no advice about editing a log', () => {
  const d = createNvidiaSmiLineDecoder({ file: 'nvidia-smi', fields: ['timestamp', 'index', 'power.draw.instant'] });
  assert.equal(d.line('2024/05/14 10:31:22.100, 0, 40.00', 1).length, 1);
  const e = thrown(() => d.line('2024/05/14 10:31:22.200, 0, [N/A]', 2));
  assert.equal(e.message, "nvidia-smi:2 field 'power.draw.instant': power not available ([N/A]): the GPU did not report power.draw.instant in this row [INVALID_VALUE]");
});

test('declared fields that disagree with the header are rejected', () => {
  const e = thrown(() => drain(['timestamp, power.draw [W]', '2024/05/14 10:31:22.100, 40.00 W'], { fields: ['timestamp', 'index', 'power.draw'] }));
  assert.equal(e.code, 'PARSE');
});

test('the file adapter builds a trace that records the power field and the origin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-smi-'));
  try {
    const path = join(dir, 'h200.csv');
    writeFileSync(path, `${H200_HEADER}\n${H200_IDLE}\n${H200_LOAD}\n`);
    const trace = importNvidiaSmiCsv(path);
    assert.equal(trace.source.format, 'nvidia-smi-csv:power.draw.instant');
    assert.equal(trace.source.path, path);
    assert.equal(trace.source.unitInSource, 'W');
    assert.deepEqual(trace.provenance, { kind: 'measured', sensor: 'nvidia-smi' });
    assert.equal(trace.originEpochMs, Date.UTC(2026, 6, 3, 22, 10, 46, 109));
    assert.equal(trace.channels.length, 1);
    assert.deepEqual([...trace.channels[0]!.powerW], [78.21, 626.26]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
function smiTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

test('property: a generated nvidia-smi log round-trips (times and values within 1e-9)', () => {
  const log = fc.record({
    startMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }),
    gpus: fc.integer({ min: 1, max: 3 }),
    stepsMs: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 0, maxLength: 40 }),
    centiwatts: fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 3 * 41, maxLength: 3 * 41 }),
    header: fc.boolean(),
    units: fc.boolean(),
    field: fc.constantFrom('power.draw', 'power.draw.instant', 'power.draw.average'),
  });
  fc.assert(
    fc.property(log, ({ startMs, gpus, stepsMs, centiwatts, header, units, field }) => {
      const times = [startMs];
      for (const step of stepsMs) times.push(times[times.length - 1]! + step);
      const lines: string[] = header ? [`timestamp, index, ${field} [W]`] : [];
      times.forEach((t, i) => {
        for (let g = 0; g < gpus; g++) {
          const w = (centiwatts[i * 3 + g]! / 100).toFixed(2);
          lines.push(`${smiTimestamp(t)}, ${g}, ${w}${units ? ' W' : ''}`);
        }
      });
      const opts: NvidiaSmiOptions = header ? {} : { fields: ['timestamp', 'index', field] };
      const builder = new TraceBuilder();
      const gen = decodeNvidiaSmiCsv(lines, opts);
      let summary: NvidiaSmiSummary | undefined;
      for (;;) {
        const r = gen.next();
        if (r.done === true) {
          summary = r.value;
          break;
        }
        builder.add(r.value);
      }
      assert.equal(summary.originEpochMs, startMs);
      assert.equal(summary.powerField, field);
      const trace = builder.build({ format: 'x', unitInSource: 'W' }, { kind: 'measured', sensor: 'nvidia-smi' });
      assert.equal(trace.channels.length, gpus);
      for (let g = 0; g < gpus; g++) {
        const ch = trace.channels.find((c) => c.name === `gpu${g}`)!;
        assert.equal(ch.tS.length, times.length);
        times.forEach((t, i) => {
          near(ch.tS[i]!, (t - startMs) / 1000);
          near(ch.powerW[i]!, centiwatts[i * 3 + g]! / 100);
        });
      }
    }),
    { numRuns: 200 },
  );
});
