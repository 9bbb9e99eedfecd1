"""The study's own pipeline for Table 5.1, as its scripts run it, for timing side by side with
`inferprint analyze --method thesis` (bench/cases/analyze-study.ts runs both).

Not the study's files: its scripts hard-code their folders (`mean.py` names one device, paths
are relative to Plots/, outputs go into the dataset), so this driver repeats their steps with
the same library calls over every device of a dataset ROOT, writing into OUT instead:

1. `Plots/perf_stats_sv.py`: walk each `Logs/<Tag>_<version>_logs` with `os.walk`, read every
   `mlperf_log_summary.txt`, pull min_query_count, Max latency and the two QPS with regular
   expressions, write `mlperf_summary.csv`;
2. `Plots/mean.py`, for each device and query count: `pd.read_csv` the 10 runs, `dropna`, the
   intersection of their time spans, `np.linspace(t0, t1, 1000)`, `np.interp` each run onto it,
   the mean (divided by 1000 for the Jetsons, whose files hold mW), written as
   `MEAN/<phase>/mean_power_QC_<qc>.csv`;
3. `Plots/perf_show.py` up to its CSV (the figures are left out): each MEAN/FULL file read back,
   energy = mean power × duration, PUE 1.5 for the large-scale GPUs, GWP per F_GPU candidate,
   merged with the latency table, grouped by (QC, GPU), written as `gwp+latency_results.csv`.

Usage: python3 study-pipeline.py ROOT OUT [--phases FULL|FULL,CI]
FULL only (the default) is what Table 5.1 needs; the study's mean.py also averaged the CI runs.
"""

import csv
import os
import re
import sys
from glob import glob

import numpy as np
import pandas as pd

root, out = sys.argv[1], sys.argv[2]
phases = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[3] == "--phases" else ["FULL"]
QCS = [16, 32, 64, 128, 256]
PUE, EGM, LIFETIME_S = 1.5, 79.1, 61320 * 3600
LARGE_SCALE = ["A100_v1", "A100_v4", "A40", "H100", "L40S"]

# (name in the study's tables, data folder, file tag, log folder, version, F_GPU candidates in kg)
DEVICES = [
    ("A100_v1", "data_A100_v1.1", "A100", "A100_v1.1_logs", "v1.1", [27.678700, 20.469933, 44.818200]),
    ("A40", "data_A40_v1.1", "A40", "A40_v1.1_logs", "v1.1", [26.913520, 41.206800]),
    ("T4", "data_T4_v1.1", "T4", "T4_v1.1_logs", "v1.1", [11.314983, 24.726000]),
    ("2080Ti", "data_2080Ti_v1.1", "2080Ti", "2080Ti_v1.1_logs", "v1.1", [11.645243, 30.199200]),
    ("QRTX8000", "data_QRTX8000_v1.1", "QRTX8000", "QRTX8000_v1.1_logs", "v1.1", [24.965243, 43.519200]),
    ("QRTX6000", "data_QRTX6000_v1.1", "QRTX6000", "QRTX6000_v1.1_logs", "v1.1", [16.325243, 34.879200]),
    ("Xavier", "data_xavier_v1.1", "xavier", "Xavier_v1.1_logs", "v1.1", [8.207420, 16.82]),
    ("H100", "data_H100_v4.1", "H100", "H100_v4.1_logs", "v4.1", [44.272180]),
    ("L40S", "data_L40S_v4.1", "L40S", "L40S_v4.1_logs", "v4.1", [33.643830]),
    ("Orin", "data_orin_v4.1", "orin", "Orin_v4.1_logs", "v4.1", [25.539700, 35.895500]),
    ("A100_v4", "data_A100_v4.1", "A100", "A100_v4.1_logs", "v4.1", [27.678700, 20.469933, 44.818200]),
]
JETSONS = ["Xavier", "Orin"]
os.makedirs(out, exist_ok=True)

# 1. latency table (perf_stats_sv.py)
rows = []
for _, _, _, logs, _, _ in DEVICES:
    for dirpath, _, filenames in os.walk(os.path.join(root, "Logs", logs)):
        for name in filenames:
            if name != "mlperf_log_summary.txt":
                continue
            with open(os.path.join(dirpath, name)) as f:
                content = f.read()
            try:
                rows.append([
                    logs,
                    re.search(r"min_query_count\s*:\s*(\d+)", content).group(1),
                    re.search(r"Max latency \(ns\)\s*:\s*(\d+)", content).group(1),
                    re.search(r"QPS w/ loadgen overhead\s*:\s*([\d\.]+)", content).group(1),
                    re.search(r"QPS w/o loadgen overhead\s*:\s*([\d\.]+)", content).group(1),
                ])
            except AttributeError:
                pass  # the study printed a warning for an empty or truncated summary
summary_csv = os.path.join(out, "mlperf_summary.csv")
with open(summary_csv, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Run ID (log path)", "QC (min query count)", "Max latency (ns)", "QPS w/ loadgen overhead", "QPS w/o loadgen overhead"])
    w.writerows(rows)

# 2. mean power profiles (mean.py)
for gpu, data_dir, tag, _, _, _ in DEVICES:
    for phase in phases:
        mean_dir = os.path.join(out, data_dir, "MEAN", phase)
        os.makedirs(mean_dir, exist_ok=True)
        for qc in QCS:
            pattern = f"consommation_energie_single_{tag}_QC_{qc}_*_ci.csv" if phase == "CI" else f"consommation_energie_single_{tag}_QC_{qc}_*.csv"
            files = sorted(glob(os.path.join(root, "Data", data_dir, phase, pattern)))
            files = [p for p in files if not p.endswith("_ci.csv") or phase == "CI"]
            if len(files) != 10:
                continue
            dfs = [pd.read_csv(p).dropna() for p in files]
            grid = np.linspace(max(d["timestamp"].min() for d in dfs), min(d["timestamp"].max() for d in dfs), 1000)
            mean = np.mean([np.interp(grid, d["timestamp"], d["gpu_power"]) for d in dfs], axis=0)
            pd.DataFrame({"timestamp": grid, "gpu_power": mean / 1000 if gpu in JETSONS else mean}).to_csv(
                os.path.join(mean_dir, f"mean_power_QC_{qc}.csv"), index=False)

# 3. GWP and latency per (QC, GPU) (perf_show.py, without its figures)
impacts = []
for gpu, data_dir, _, _, version, fgpu in DEVICES:
    for qc in QCS:
        path = os.path.join(out, data_dir, "MEAN", "FULL", f"mean_power_QC_{qc}.csv")
        if not os.path.isfile(path):
            continue
        data = pd.read_csv(path)
        duration_s = data["timestamp"].iloc[-1] - data["timestamp"].iloc[0]
        energy_kwh = data["gpu_power"].mean() * duration_s / 3600 / 1000
        if gpu in LARGE_SCALE:
            energy_kwh *= PUE
        co2 = energy_kwh * EGM
        for v in fgpu:
            impacts.append({"QC": qc, "GPU": gpu, "GWP (mg CO2 eq)": (co2 + duration_s / LIFETIME_S * v * 1000) * 1000, "Version": version})
latency = pd.read_csv(summary_csv)
latency["Version"] = latency["Run ID (log path)"].apply(lambda x: "v1.1" if "v1.1" in x else "v4.1" if "v4.1" in x else "unknown")
latency["GPU"] = latency["Run ID (log path)"].map({logs: gpu for gpu, _, _, logs, _, _ in DEVICES})
latency = latency[["QC (min query count)", "Max latency (ns)", "GPU", "Version"]].rename(columns={"QC (min query count)": "QC", "Max latency (ns)": "max_latency_ns"})
latency["max_latency_ms"] = latency["max_latency_ns"] / 1e6
merged = pd.merge(pd.DataFrame(impacts), latency, on=["GPU", "QC", "Version"], how="left")
numeric = [c for c in merged.select_dtypes(include=["float64", "int64"]).columns if c not in ["QC", "GPU"]]
table = merged.groupby(["QC", "GPU"])[numeric].mean().reset_index()
table.to_csv(os.path.join(out, "gwp+latency_results.csv"), index=False)
print(f"{len(table)} rows")
