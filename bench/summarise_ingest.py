#!/usr/bin/env python3
"""The table of a bench/ingest.sh session (durable ingest, restart, idle SSE memory) from its raw files."""
import json, os, statistics, sys

out, command = sys.argv[1], sys.argv[2]


def last_json(name):
    """The last line of a raw file that is a JSON object (sseload, the wrk script and fsync.py all end with one)."""
    try:
        lines = open(os.path.join(out, name)).read().strip().splitlines()
    except FileNotFoundError:
        return {}
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    print(f"{name}: no JSON line (see the file)", file=sys.stderr)
    return {}


def json_lines(name):
    try:
        lines = open(os.path.join(out, name)).read().splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(l) for l in lines if l.startswith("{")]


def quantile(values, q):
    """sseload's exact quantile (the smallest value with at least q of them at or below it)."""
    if not values:
        return None
    values = sorted(values)
    return values[min(max(int(q * len(values) + 0.999999), 1), len(values)) - 1]


def acks_from_due(name):
    """Per POST of the paced run: time from when it was due by the schedule to its answer (send lag + round trip),
    so that a server that falls behind the rate is not flattered by POSTs waiting in sseload (coordinated omission)."""
    try:
        rows = open(os.path.join(out, name)).read().splitlines()[1:]
    except FileNotFoundError:
        return []
    values = []
    for line in rows:
        k, due, sent, post, status = line.split(",")[:5]
        if float(sent) >= 0 and status == "ok":
            values.append(float(sent) - float(due) + float(post))
    return values


def fmt(v, digits=3):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 10 ** digits else f"{v:.{digits}g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def goal(value, target, higher_is_better):
    if value is None:
        return "no figure"
    return "met" if (value >= target if higher_is_better else value <= target) else "not met"


wrk, ack, disk = last_json("ingest-wrk.txt"), last_json("ack-1000.txt"), last_json("fsync.txt")
cpu = last_json("ingest-cpu.txt")
phases = json_lines("restart.txt")
seed = next((p for p in phases if p.get("phase") == "seed"), {})
ups = [p["up_ms"] for p in phases if p.get("phase") == "restart" and isinstance(p.get("up_ms"), (int, float))]
hw, nc = last_json("idle-hashwall.txt"), last_json("idle-nchan.txt")

rows = []  # figure, Hashwall, Nchan, ratio, goal


def row(label, a, b=None, target=None):
    ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "–"
    rows.append((label, fmt(a) if not isinstance(a, str) else a, fmt(b) if not isinstance(b, str) else b, ratio, target or "–"))


acked = wrk.get("acked_per_s")
row(f"posts acked/s, 64 connections, wrk {fmt(wrk.get('duration_s'))} s", acked,
    target=f"≥ 10,000/s: {goal(acked, 10_000, True)}")
row("ack latency under that load, p50 / p99 ms", f"{fmt(wrk.get('p50_ms'))} / {fmt(wrk.get('p99_ms'))}")
if cpu.get("posts"):
    row("  server CPU µs per post acked; server CPU s; host busy % (wrk shares the cores)",
        f"{fmt(round(cpu['server_cpu_s'] * 1e6 / cpu['posts']))}; {fmt(round(cpu['server_cpu_s'], 2))}; {fmt(cpu.get('host_busy_pct'))}")
errors = sum((wrk.get("socket_errors") or {}).values())
row("non-202 answers (by code); socket errors",
    f"{fmt(wrk.get('non_202'))} {json.dumps(wrk.get('non_202_codes') or {})}; {errors}" if wrk else None)
ack_p99 = ack.get("post_rtt_p99_ms")
row(f"ack p50 ms at a steady 1,000/s ({fmt(ack.get('published_ok'))} posts, sseload)", ack.get("post_rtt_p50_ms"))
row("ack p99 ms at a steady 1,000/s", ack_p99, target=f"≤ 10 ms: {goal(ack_p99, 10, False)}")
due = acks_from_due("ack-1000.csv")
row("  ack p50 / p99 ms counted from each POST's due time", f"{fmt(quantile(due, 0.5))} / {fmt(quantile(due, 0.99))}"
    if due else None, target="= the above unless POSTs fell behind")
row("  POSTs failed; max lag behind schedule ms; host busy %",
    f"{fmt(ack.get('publish_errors'))}; {fmt(ack.get('publish_lag_max_ms'))}; {fmt(ack.get('host_busy_pct'))}" if ack else None)
fs = disk.get("fsync") or {}
row(f"disk: 200 B write + fsync, p50 / p99 µs ({disk.get('fs_type', '?')} on {disk.get('device', '?')})",
    f"{fmt(fs.get('p50_us'))} / {fmt(fs.get('p99_us'))}" if fs else None, target="floor under one durable ack")
row("disk: fsyncs/s, one writer in a loop", fs.get("per_s"))
up = statistics.median(ups) if ups else None
row(f"restart to first /healthz 200 with {fmt(seed.get('posts'))} posts, ms (median of {len(ups)})", up,
    target=f"≤ 2,000 ms: {goal(up, 2000, False)}")
row("  each restart ms", ", ".join(fmt(u) for u in ups) if ups else None)
rss = [p["rss_after_start_kib"] / 1024 for p in phases if p.get("phase") == "restart" and p.get("rss_after_start_kib")]
row("  RSS MiB once up (median)", statistics.median(rss) if rss else None)
downs = [p["shutdown_ms"] for p in phases if p.get("phase") == "restart"]
row("  SIGTERM to exit ms (median)", statistics.median(downs) if downs else None)
if seed:
    db, wal = (seed.get("db_bytes") or 0) / 2 ** 20, (seed.get("wal_bytes") or 0) / 2 ** 20
    row("database size MiB after SIGTERM (wall.sqlite + -wal)", f"{fmt(db + wal)} ({fmt(db)} + {fmt(wal)})")
    row("  seeding: seconds for those posts (64 connections)", seed.get("seconds"))
n_hw, n_nc = hw.get("connected"), nc.get("connected")
row(f"idle SSE clients connected (of {fmt(hw.get('clients') or nc.get('clients'))})", n_hw, n_nc)
row("RSS MiB with them connected", hw.get("server_rss_connected_mib"), nc.get("server_rss_connected_mib"))
row("RSS MiB at start", hw.get("server_rss_start_mib"), nc.get("server_rss_start_mib"))


def per_client(d):
    if not d.get("connected"):
        return None
    return (d["server_rss_connected_mib"] - d["server_rss_start_mib"]) * 1024 / d["connected"]


row("RSS KiB per idle client", per_client(hw), per_client(nc))

lines = [f"Command: {command}   (raw runs: {out})", "",
         "| figure | Hashwall | Nchan | Hashwall / Nchan | goal |", "|---|---|---|---|---|"]
lines += [f"| {' | '.join(r)} |" for r in rows]
text = "\n".join(lines) + "\n"
print(text)
open(os.path.join(out, "summary.md"), "w").write(text)
