#!/usr/bin/env python3
"""Side-by-side table of a bench/run.sh session: per scenario, the median of each server's runs and the ratio."""
import os, statistics, sys

from runs import read_run

out, command = sys.argv[1], sys.argv[2]
runs = {}
for name in sorted(os.listdir(out)):
    if not name.endswith(".txt") or name == "env.txt":
        continue
    scenario, server, _ = name[:-4].rsplit("-", 2)
    data = read_run(os.path.join(out, name), name)
    if data is None:
        continue
    runs.setdefault(scenario, {}).setdefault(server, []).append(data)

figures = [("lost", "lost"), ("from-due p50 ms", "sched_p50_ms"), ("from-due p99 ms", "sched_p99_ms"), ("fan-out max ms", "fanout_max_ms"),
           ("server CPU s", "server_cpu_s"), ("CPU µs / delivery", "cpu_us_per_delivery"), ("RSS peak MiB", "server_rss_peak_mib"),
           ("host busy %", "host_busy_pct"), ("host steal %", "host_steal_pct")]

def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None

def fmt(v):
    return "–" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))

lines = [f"Command: {command}   (raw runs: {out})", ""]
for scenario, servers in runs.items():
    hw, nc = servers.get("hashwall", []), servers.get("nchan", [])
    lines.append(f"### {scenario}: median of {len(hw)} Hashwall and {len(nc)} Nchan runs")
    lines.append("| figure | Hashwall | Nchan | Hashwall / Nchan |")
    lines.append("|---|---|---|---|")
    for label, key in figures:
        a, b = median([r.get(key) for r in hw]), median([r.get(key) for r in nc])
        ratio = f"{a / b:.2f}" if a is not None and b not in (None, 0) else "–"
        lines.append(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio} |")
    lines.append("")
text = "\n".join(lines)
print(text)
open(os.path.join(out, "summary.md"), "w").write(text + "\n")
