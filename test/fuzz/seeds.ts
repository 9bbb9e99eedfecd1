/**
 * Seed inputs of the fuzz suite: real lines of every format the decoders read, which the
 * mutators then damage. Sources:
 * - tegrastats: verbatim lines of every L4T format, from datadog-agent's Jetson test constants
 *   (TX1, TX2, Nano, AGX Xavier, Xavier NX, the `mW` and r36 formats, AGX Orin) and jetson_stats'
 *   "real tegrastats line" (AGX Orin, JetPack 7.2, three values per rail), as in
 *   test/importers/tegrastats.test.ts;
 * - nvidia-smi: the H200 capture of utkuozdemir/nvidia_gpu_exporter (212 columns), as in
 *   test/importers/nvidia-smi.test.ts, and the short log most users write
 *   (`--query-gpu=timestamp,index,power.draw --format=csv`) with values from that capture;
 * - the study's CSVs: the first rows of an A100 and an AGX Orin FULL trace (Simeu 2025);
 * - CodeCarbon 2.x `emissions.csv` (header of its EmissionsData, as in test/importers/codecarbon.test.ts);
 * - MLPerf: the v4.1 SingleStream summary and detail lines of test/helpers/mlperf-samples.ts and
 *   test/mlperf/detail.test.ts (values of real A100/H100 runs);
 * - a manifest as the writer formats it (test/runs/manifest.test.ts's complete sample).
 */
import { mllog, V41_DETAIL_EFFECTIVE, V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';

export const TEGRASTATS_LINES: Readonly<Record<string, string>> = {
  TX1: 'RAM 1179/3983MB (lfb 120x4MB) IRAM 0/252kB(lfb 252kB) CPU [1%@102,4%@102,0%@102,0%@102] EMC_FREQ 7%@408 GR3D_FREQ 0%@76 APE 25 AO@42.5C CPU@37.5C GPU@39C PLL@37C Tdiode@42.75C PMIC@100C Tboard@42C thermal@38.5C VDD_IN 2532/2698 VDD_CPU 76/178 VDD_GPU 19/19',
  TX2: 'RAM 2344/7852MB (lfb 1154x4MB) SWAP 0/3926MB (cached 0MB) CPU [1%@345,off,off,1%@345,0%@345,2%@345] EMC_FREQ 4%@1600 GR3D_FREQ 0%@624 APE 150 PLL@37.5C MCPU@37.5C PMIC@100C Tboard@32C GPU@35C BCPU@37.5C thermal@36.5C Tdiode@34.25C VDD_SYS_GPU 152/152 VDD_SYS_SOC 687/687 VDD_4V0_WIFI 0/0 VDD_IN 3056/3056 VDD_SYS_CPU 152/152 VDD_SYS_DDR 883/883',
  NANO: 'RAM 534/3964MB (lfb 98x4MB) SWAP 5/1982MB (cached 1MB) IRAM 0/252kB(lfb 252kB) CPU [16%@204,9%@204,0%@204,0%@204] EMC_FREQ 0%@204 GR3D_FREQ 0%@76 APE 25 PLL@34C CPU@36.5C PMIC@100C GPU@36C AO@39.5C thermal@36.25C POM_5V_IN 1022/1022 POM_5V_GPU 0/0 POM_5V_CPU 204/204',
  AGX_XAVIER: 'RAM 721/31927MB (lfb 7291x4MB) SWAP 0/15963MB (cached 0MB) CPU [2%@1190,0%@1190,0%@1190,0%@1190,off,off,off,off] EMC_FREQ 0%@665 GR3D_FREQ 0%@318 APE 150 MTS fg 0% bg 0% AO@37.5C GPU@37.5C Tdiode@40C PMIC@100C AUX@36C CPU@37.5C thermal@36.9C Tboard@37C GPU 0/0 CPU 311/311 SOC 932/932 CV 0/0 VDDRQ 621/621 SYS5V 1482/1482',
  XAVIER_NX: 'RAM 4412/7772MB (lfb 237x4MB) SWAP 139/3886MB (cached 2MB) CPU [9%@1190,6%@1190,6%@1190,5%@1190,4%@1190,8%@1267] EMC_FREQ 10%@1600 GR3D_FREQ 62%@306 APE 150 MTS fg 0% bg 0% AO@41.5C GPU@43C PMIC@100C AUX@41.5C CPU@43.5C thermal@42.55C VDD_IN 4067/4067 VDD_CPU_GPU_CV 738/738 VDD_SOC 1353/1353',
  VOLTAGE_UNIT: 'RAM 6334/15388MB (lfb 1770x4MB) SWAP 491/7694MB (cached 0MB) CPU [6%@729,9%@729,5%@729,16%@729,off,off,off,off] EMC_FREQ 0%@2133 GR3D_FREQ 0%@611 VIC_FREQ 729 APE 174 CV0@45.812C CPU@47.937C SOC2@46.093C SOC0@46.968C CV1@46.406C GPU@45.875C tj@48.875C SOC1@48.875C CV2@45.75C VDD_IN 5299mW/5299mW VDD_CPU_GPU_CV 773mW/773mW VDD_SOC 1424mW/1424mW',
  R36: 'RAM 29114/30697MB (lfb 3x4MB)    SWAP 4915/15348MB (cached 1MB) CPU [3%@729,4%@729,0%@729,1%@729,0%@2201,100%@2201,1%@2201,0%@2201,100%@2201,0%@2201,0%@2201,0%@2201] EMC_FREQ 1%@2133 GR3D_FREQ 0%@[305,305] NVENC      off  NVDEC    off NVJPG off NVJPG1    off         VIC        off          OFA           off          NVDLA0    off       NVDLA1     off          PVA0_FREQ off         APE           174        cpu@53.062C soc2@48.25C soc0@48.843C  gpu@47.812C tj@53.062C soc1@48.968C    VDD_GPU_SOC 3205mW/3205mW VDD_CPU_CV 4405mW/4405mW VIN_SYS_5V0 4767mW/4767mW',
  AGX_ORIN: 'RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201,0%@2201] GR3D_FREQ 0% cpu@42C soc2@37.843C soc0@39.187C gpu@37.75C tj@42C soc1@37.937C VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/988mW VIN_SYS_5V0 4442mW/4442mW',
  ORIN_JP7: '07-25-2026 09:08:28 RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201,10%@2201,4%@2201,14%@2201,30%@2201,18%@2201,10%@2201,10%@2201,33%@2201,7%@2201,5%@2201,27%@2201] EMC_FREQ 3%@3199 GR3D_FREQ 12%@[1300,1300] NVENC0 off NVDEC0 off NVJPG0 off NVJPG1 off VIC off OFA off NVDLA0 off NVDLA1 off PVA0_FREQ off APE 174 cpu@52.968C/52.968C soc2@48.406C/48.406C soc0@49.531C/49.531C gpu@47.625C/47.625C VDD_GPU_SOC 5139mW/5139mW/5139mW VDD_CPU_CV 3268mW/3268mW/3268mW VIN_SYS_5V0 5500mW/5500mW/5500mW',
};

export const NVIDIA_SMI_H200 = [
  'timestamp, driver_version, vgpu_driver_capability.heterogenous_multivGPU, count, name, serial, uuid, pci.bus_id, pci.domain, pci.bus, pci.device, pci.baseClass, pci.subClass, pci.device_id, pci.sub_device_id, vgpu_device_capability.fractional_multiVgpu, vgpu_device_capability.heterogeneous_timeSlice_profile, vgpu_device_capability.heterogeneous_timeSlice_sizes, vgpu_device_capability.homogeneous_placements, vgpu_device_capability.mig_timeSlicing, vgpu_device_capability.mig_timeSlicing_mode, pcie.link.gen.current, pcie.link.gen.gpucurrent, pcie.link.gen.max, pcie.link.gen.gpumax, pcie.link.gen.hostmax, pcie.link.width.current, pcie.link.width.max, index, display_mode, display_attached, display_active, persistence_mode, addressing_mode, accounting.mode, accounting.buffer_size, driver_model.current, driver_model.pending, vbios_version, inforom.img, inforom.oem, inforom.ecc, inforom.pwr, inforom.checksum_validation, gpu_recovery_action, gom.current, gom.pending, fan.speed [%], pstate, clocks_event_reasons.supported, clocks_event_reasons.active, clocks_event_reasons.gpu_idle, clocks_event_reasons.applications_clocks_setting, clocks_event_reasons.sw_power_cap, clocks_event_reasons.hw_slowdown, clocks_event_reasons.hw_thermal_slowdown, clocks_event_reasons.hw_power_brake_slowdown, clocks_event_reasons.sw_thermal_slowdown, clocks_event_reasons.sync_boost, clocks_event_reasons_counters.sw_power_cap [us], clocks_event_reasons_counters.sync_boost [us], clocks_event_reasons_counters.sw_thermal_slowdown [us], clocks_event_reasons_counters.hw_thermal_slowdown [us], clocks_event_reasons_counters.hw_power_brake_slowdown [us], memory.total [MiB], memory.reserved [MiB], memory.used [MiB], memory.free [MiB], compute_mode, compute_cap, utilization.gpu [%], utilization.memory [%], utilization.encoder [%], utilization.decoder [%], utilization.jpeg [%], utilization.ofa [%], encoder.stats.sessionCount, encoder.stats.averageFps, encoder.stats.averageLatency, dramEncryption.mode.current, dramEncryption.mode.pending, ecc.mode.current, ecc.mode.pending, ecc.errors.corrected.volatile.device_memory, ecc.errors.corrected.volatile.dram, ecc.errors.corrected.volatile.register_file, ecc.errors.corrected.volatile.l1_cache, ecc.errors.corrected.volatile.l2_cache, ecc.errors.corrected.volatile.texture_memory, ecc.errors.corrected.volatile.cbu, ecc.errors.corrected.volatile.sram, ecc.errors.corrected.volatile.total, ecc.errors.corrected.aggregate.device_memory, ecc.errors.corrected.aggregate.dram, ecc.errors.corrected.aggregate.register_file, ecc.errors.corrected.aggregate.l1_cache, ecc.errors.corrected.aggregate.l2_cache, ecc.errors.corrected.aggregate.texture_memory, ecc.errors.corrected.aggregate.cbu, ecc.errors.corrected.aggregate.sram, ecc.errors.corrected.aggregate.total, ecc.errors.uncorrected.volatile.device_memory, ecc.errors.uncorrected.volatile.dram, ecc.errors.uncorrected.volatile.register_file, ecc.errors.uncorrected.volatile.l1_cache, ecc.errors.uncorrected.volatile.l2_cache, ecc.errors.uncorrected.volatile.texture_memory, ecc.errors.uncorrected.volatile.cbu, ecc.errors.uncorrected.volatile.sram, ecc.errors.uncorrected.volatile.total, ecc.errors.uncorrected.aggregate.device_memory, ecc.errors.uncorrected.aggregate.dram, ecc.errors.uncorrected.aggregate.register_file, ecc.errors.uncorrected.aggregate.l1_cache, ecc.errors.uncorrected.aggregate.l2_cache, ecc.errors.uncorrected.aggregate.texture_memory, ecc.errors.uncorrected.aggregate.cbu, ecc.errors.uncorrected.aggregate.sram, ecc.errors.uncorrected.aggregate.total, ecc.errors.uncorrected.volatile.sram.parity, ecc.errors.uncorrected.volatile.sram.secded, ecc.errors.uncorrected.aggregate.sram.parity, ecc.errors.uncorrected.aggregate.sram.secded, ecc.errors.uncorrected.aggregate.sram.thresholdExceeded, ecc.errors.uncorrected.aggregate.sram.l2, ecc.errors.uncorrected.aggregate.sram.sm, ecc.errors.uncorrected.aggregate.sram.mcu, ecc.errors.uncorrected.aggregate.sram.pcie, ecc.errors.uncorrected.aggregate.sram.other, retired_pages.single_bit_ecc.count, retired_pages.double_bit.count, retired_pages.pending, remapped_rows.correctable, remapped_rows.uncorrectable, remapped_rows.pending, remapped_rows.failure, remapped_rows.histogram.max, remapped_rows.histogram.high, remapped_rows.histogram.partial, remapped_rows.histogram.low, remapped_rows.histogram.none, temperature.gpu, temperature.gpu.tlimit, temperature.memory, power.management, power.draw [W], power.draw.average [W], power.draw.instant [W], power.limit [W], enforced.power.limit [W], power.default_limit [W], power.min_limit [W], power.max_limit [W], module.power.draw.average [W], module.power.draw.instant [W], module.power.limit [W], module.enforced.power.limit [W], module.power.default_limit [W], module.power.min_limit [W], module.power.max_limit [W], power_smoothing.delayed_power_smoothing_supported, power_smoothing.primary_power_floor [W], power_smoothing.secondary_power_floor [W], power_smoothing.min_primary_floor_activation_offset [W], power_smoothing.min_primary_floor_activation_point [W], power_smoothing.window_multiplier [ms], power_smoothing.curr_profile.secondary_power_floor [W], power_smoothing.curr_profile.primary_floor_act_window_multiplier, power_smoothing.curr_profile.primary_floor_tar_window_multiplier, power_smoothing.curr_profile.primary_floor_act_offset [W], power_smoothing.admin_override.secondary_power_floor [W], power_smoothing.admin_override.primary_floor_act_window_multiplier, power_smoothing.admin_override.primary_floor_tar_window_multiplier, power_smoothing.admin_override.primary_floor_act_offset [W], edpp_multiplier [%], clocks.current.graphics [MHz], clocks.current.sm [MHz], clocks.current.memory [MHz], clocks.current.video [MHz], clocks.applications.graphics [MHz], clocks.applications.memory [MHz], clocks.default_applications.graphics [MHz], clocks.default_applications.memory [MHz], clocks.max.graphics [MHz], clocks.max.sm [MHz], clocks.max.memory [MHz], mig.mode.current, mig.mode.pending, gsp.mode.current, gsp.mode.default, c2c.mode, protected_memory.total [MiB], protected_memory.used [MiB], protected_memory.free [MiB], fabric.state, fabric.status, fabric.cliqueId, fabric.clusterUuid, fabric.health.summary, fabric.health.bandwidth, fabric.health.route_recovery_in_progress, fabric.health.route_unhealthy, fabric.health.access_timeout_recovery, fabric.health.incorrect_configuration, platform.chassis_serial_number, platform.slot_number, platform.tray_index, platform.host_id, platform.peer_type, platform.module_id, platform.gpu_fabric_guid, hostname',
  '2026/07/03 22:10:46.109, 590.48.01, [N/A], 1, NVIDIA H200, 0000000000000, GPU-00000000-0000-0000-0000-000000000000, 00000000:83:00.0, 0x0000, 0x83, 0x00, 0x3, 0x2, 0x233510DE, 0x18BE10DE, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 5, 5, 5, 5, [N/A], 16, 16, 0, [Requested functionality has been deprecated], Yes, Disabled, Enabled, None, Disabled, 4000, [N/A], [N/A], 96.00.A5.00.03, G520.0280.02.02, 2.1, 7.16, [N/A], valid, None, [N/A], [N/A], [N/A], P0, 0x00000000000001FF, 0x0000000000000001, Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, 0 us, 0 us, 0 us, 0 us, 0 us, 143771 MiB, 614 MiB, 0 MiB, 143158 MiB, Default, 9.0, 0 %, 0 %, 0 %, 0 %, 0 %, 0 %, 0, 0, 0, [N/A], [N/A], Enabled, Enabled, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, 0, 0, No, 0, 0, 0, 0, 0, [N/A], [N/A], [N/A], 0, 0, No, No, 3072, 0, 0, 0, 0, 28, 59, 32, [Requested functionality has been deprecated], 77.71 W, 77.71 W, 78.21 W, 700.00 W, 700.00 W, 700.00 W, 200.00 W, 700.00 W, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 100.00 %, 345 MHz, 345 MHz, 3201 MHz, 765 MHz, [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], 1980 MHz, 1980 MHz, 3201 MHz, Disabled, Disabled, Enabled, Enabled, Disabled, 0 MiB, 0 MiB, 0 MiB, Completed, Success, 0, 00000000-0000-0000-0000-000000000000, N/A, N/A, N/A, N/A, N/A, N/A, , 0, 0, 1, Direct Connected, 1, 0x0000000000000000, [N/A]',
  '2026/07/03 22:11:09.763, 590.48.01, [N/A], 1, NVIDIA H200, 0000000000000, GPU-00000000-0000-0000-0000-000000000000, 00000000:83:00.0, 0x0000, 0x83, 0x00, 0x3, 0x2, 0x233510DE, 0x18BE10DE, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 5, 5, 5, 5, [N/A], 16, 16, 0, [Requested functionality has been deprecated], Yes, Disabled, Enabled, None, Disabled, 4000, [N/A], [N/A], 96.00.A5.00.03, G520.0280.02.02, 2.1, 7.16, [N/A], valid, None, [N/A], [N/A], [N/A], P0, 0x00000000000001FF, 0x0000000000000000, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, 0 us, 0 us, 0 us, 0 us, 0 us, 143771 MiB, 614 MiB, 32362 MiB, 110796 MiB, Default, 9.0, 100 %, 7 %, 0 %, 0 %, 0 %, 0 %, 0, 0, 0, [N/A], [N/A], Enabled, Enabled, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, [N/A], [N/A], [N/A], [N/A], [N/A], 0, 0, 0, 0, 0, 0, No, 0, 0, 0, 0, 0, [N/A], [N/A], [N/A], 0, 0, No, No, 3072, 0, 0, 0, 0, 52, 35, 40, [Requested functionality has been deprecated], 627.40 W, 627.40 W, 626.26 W, 700.00 W, 700.00 W, 700.00 W, 200.00 W, 700.00 W, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 100.00 %, 1980 MHz, 1980 MHz, 3201 MHz, 1545 MHz, [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], [Requested functionality has been deprecated], 1980 MHz, 1980 MHz, 3201 MHz, Disabled, Disabled, Enabled, Enabled, Disabled, 0 MiB, 0 MiB, 0 MiB, Completed, Success, 0, 00000000-0000-0000-0000-000000000000, N/A, N/A, N/A, N/A, N/A, N/A, , 0, 0, 1, Direct Connected, 1, 0x0000000000000000, [N/A]',
] as const;

export const NVIDIA_SMI_SHORT = [
  'timestamp, index, power.draw [W]',
  '2026/07/03 22:10:46.109, 0, 77.71 W',
  '2026/07/03 22:10:46.209, 0, 78.21 W',
  '2026/07/03 22:10:46.309, 1, 627.40 W',
  '2026/07/03 22:10:46.409, 0, 626.26 W',
  '2026/07/03 22:10:46.509, 1, 626.26 W',
] as const;

export const THESIS_A100 = ['timestamp,gpu_power', '.002378151,65.44', '.054473123,65.44', '.106378408,65.44', '.158412007,70.12', '.210377950,212.87'] as const;
export const THESIS_ORIN = ['timestamp,gpu_power', '.009,2793', '.016,2793', '.042,2793', '.061,4417', '.083,5230'] as const;

export const GENERIC_WIDE = ['t,gpu0,gpu1', '0.0,71.5,70.1', '0.1,72.5,70.3', '0.2,301.2,299.9', '0.3,305.0,302.4'] as const;
export const GENERIC_LONG = ['t,device,watts', '0.0,gpu0,71.5', '0.0,gpu1,70.1', '0.1,gpu0,72.5', '0.1,gpu1,70.3', '0.2,gpu0,301.2'] as const;

export const CODECARBON_HEADER =
  'timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue';
export function codecarbonRow(timestamp: string, durationS: number, totalKwh: number, runId = 'bc722d50-3edb-4c40-90e8-c00219f885a1'): string {
  return `${timestamp},bert-inference,${runId},5b0fa12a-3dd7-45bb-9766-cc326314d9f1,${durationS},0.000276,2.38e-06,42.5,265.3,20.0,0.001,0.002,0.0005,${totalKwh},France,FRA,,,,Linux-6.8.0-45-generic-x86_64-with-glibc2.35,3.11.9,2.8.3,32,"AMD EPYC 7763 64-Core Processor, 2 sockets",1,1 x NVIDIA A100-SXM4-40GB,2.35,48.85,256.0,machine,N,1.0`;
}
export const CODECARBON = [CODECARBON_HEADER, codecarbonRow('2025-10-09T11:25:06', 6.1, 0.00053), codecarbonRow('2025-10-09T11:25:12', 12.1, 0.00107), codecarbonRow('2025-10-09T11:30:00', 3.0, 0.00004, 'second-run')];

export const SUMMARY = V41_SUMMARY_16Q;

export const DETAIL_LINES = [
  mllog('loadgen_version', '"4.1 @ 379ee5345a"'),
  mllog('test_datetime', '"2025-05-30T12:48:45Z"', '0.025929'),
  mllog('requested_scenario', '"SingleStream"', '0.035918'),
  mllog('requested_single_stream_expected_latency_ns', '6.2e+06', '0.035918'),
  mllog('requested_sample_index_rng_seed', '10688027786191513374', '0.035918'),
  ...V41_DETAIL_EFFECTIVE,
  mllog('loaded_qsl_set', '[4119,3771,2947,5174]', '0.05'),
  mllog('error_runtime', '"IssueQueryThread 0 Ending early: Max query count reached. query_count 64"', '207.815108', true),
  mllog('power_begin', '"05-30-2025 10:48:45.926"', '213.031460'),
  mllog('power_end', '"05-30-2025 10:48:46.020"', '213.031460'),
  mllog('result_validity', '"INVALID"', '239.406170'),
  mllog('result_min_duration_met', 'false', '239.406170'),
  mllog('result_min_queries_met', 'true', '239.406170'),
  mllog('result_query_count', '64', '239.406170'),
  mllog('result_qps_with_loadgen_overhead', '678.195', '239.406170'),
  mllog('result_qps_without_loadgen_overhead', '683.279', '239.406170'),
  mllog('early_stopping_latency_ss', '1853432', '239.406170'),
  mllog('result_min_latency_ns', '1331682', '239.406170'),
  mllog('result_max_latency_ns', '1853432', '239.406170'),
  mllog('result_mean_latency_ns', '1463531', '239.406170'),
  mllog('result_50.00_percentile_latency_ns', '1436810', '239.406170'),
  mllog('result_90.00_percentile_latency_ns', '1614734', '239.406170'),
];

/** A complete manifest as the writer formats it (two-space JSON). */
export const MANIFEST = `${JSON.stringify(
  {
    schemaVersion: 1,
    id: '2026-11-26T11-42-03.123Z-bert-ab12',
    label: 'bert',
    createdAt: '2026-11-26T11:42:10.000Z',
    startedAt: '2026-11-26T11:42:03.123Z',
    endedAt: '2026-11-26T11:42:09.500Z',
    status: { kind: 'completed' },
    host: { os: 'linux', kernel: '6.8.0', cpuModel: 'AMD EPYC 9354', cpuCores: 64, memoryBytes: 270_000_000_000, gpus: [{ index: 0, name: 'NVIDIA H200', uuid: 'GPU-1234' }], driverVersion: '550.90.07' },
    tool: { name: 'inferprint', version: '0.1.0' },
    sensor: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      requestedIntervalS: 0.05,
      measuredIntervalS: 0.0501,
      channels: [
        { name: 'gpu0', kind: 'gpu', unit: 'W', device: 'NVIDIA H200' },
        { name: 'board', kind: 'board-total', unit: 'W' },
      ],
      primaryChannel: 'gpu0',
      updatePeriodS: 0.1,
      notes: ['energy counter supported'],
    },
    workload: { kind: 'command', argv: ['python', 'infer.py'], cwd: '/home/u', exitCode: 0 },
    device: { hardwareId: 'nvidia-h200-sxm', name: 'NVIDIA H200' },
    windows: [
      { name: 'full', t0S: 0, t1S: 6.377 },
      { name: 'load', t0S: 1, t1S: 5.4 },
    ],
    gaps: [{ channel: 'gpu0', startS: 2.5, endS: 3.1 }],
    energy: {
      method: 'trapezoid',
      perChannel: [{ channel: 'gpu0', energyJ: 1234.5, meanW: 193.6, maxW: 402.1, minW: 70.2, samples: 128 }],
      counters: [{ channel: 'gpu0', energyJ: 1240, differenceFromSamplesJ: 5.5 }],
      primary: { channel: 'gpu0', energyJ: 1234.5, durationS: 6.377 },
      perWindow: [{ window: 'load', channel: 'gpu0', energyJ: 1000, durationS: 4.4 }],
    },
    impact: {
      settings: { preset: 'default' },
      result: { model: 'lca-v1', gwpG: { mean: 0.04, min: 0.03, max: 0.05 }, operationalG: { mean: 0.03, min: 0.025, max: 0.035 }, embodiedG: { mean: 0.01, min: 0.005, max: 0.015 } },
      operationalOnlyG: 0.03,
    },
    files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' }],
  },
  null,
  2,
)}\n`;
