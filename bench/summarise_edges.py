#!/usr/bin/env python3
"""The table of a bench/edges.sh session: the node alone beside two Nchan edges (medians of the runs)."""
import json, os, statistics, sys

from runs import read_run

out, command = sys.argv[1], sys.argv[2]
runs = {"node": [], "edge-a": [], "edge-b": []}
publish = []
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name)
    if name.startswith("node-publish-"):
        publish.append(json.load(open(path))["node_publish_cpu_s"])
        continue
    if not name.endswith(".txt") or name == "env.txt":
        continue
    kind = name.rsplit("-r", 1)[0]
    data = read_run(path, name)
    if data is None:
        continue
    cpu = data.get("server_cpu_s") or 0
    busy = cpu / data["measure_s"] if data.get("measure_s") else None  # cores the server kept busy
    data["followers_per_core"] = (data.get("connected") or 0) / busy if busy else None
    runs.setdefault(kind, []).append(data)

def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None

def fmt(v):
    return "–" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))

# Edge B's own schedule is not the one the messages were posted on (edge A's run posts them): its figures are
# latencies from the moment each message was posted (the token's send time), the same for every column.
figures = [("followers", "connected"), ("deliveries", "received"), ("lost", "lost"), ("latency p50 ms", "p50_ms"),
           ("latency p99 ms", "p99_ms"), ("latency max ms", "max_ms"), ("server CPU s", "server_cpu_s"), ("CPU µs / delivery", "cpu_us_per_delivery"),
           ("followers per busy core", "followers_per_core"), ("RSS peak MiB", "server_rss_peak_mib"), ("host busy %", "host_busy_pct")]
lines = [f"Command: {command}   (raw runs: {out})", "",
         f"### median of {len(runs['node'])} runs each: the node alone, and two edges with half the followers each", "",
         "| figure | node alone | edge A | edge B | edges, total |", "|---|---|---|---|---|"]
for label, key in figures:
    a, b, c = (median([r.get(key) for r in runs[k]]) for k in ("node", "edge-a", "edge-b"))
    total = (b + c) if key in ("connected", "received", "lost", "server_cpu_s") and b is not None and c is not None else None
    lines.append(f"| {label} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {fmt(total)} |")
lines.append(f"| node CPU s publishing to the edges | – | – | – | {fmt(median(publish))} |")
node_p99 = median([r.get("p99_ms") for r in runs["node"]])
edge_p99 = max(filter(None, [median([r.get("p99_ms") for r in runs[k]]) for k in ("edge-a", "edge-b")]), default=None)
per_core = median([r.get("followers_per_core") for r in runs["edge-a"] + runs["edge-b"]])
lines += ["", f"Headline: {fmt(per_core)} followers per busy edge core, at a latency p99 of {fmt(edge_p99)} ms on the edges "
          f"(the node alone: {fmt(node_p99)} ms). On this 2-core machine the load generators, both edges, Redis and the node "
          "share the cores: see host busy %."]
text = "\n".join(lines)
print(text)
open(os.path.join(out, "summary.md"), "w").write(text + "\n")
