#!/usr/bin/env python3
"""The disk's fsync cost in DIR (the journal's folder, so the same filesystem): append 200 bytes, fsync, COUNT times
(then the same with fdatasync, which is what SQLite calls on Linux). One JSON line. This is the physical floor
under a durable acknowledgement: one fsync per commit, however many posts the commit holds.
Usage: bench/fsync.py DIR [COUNT]"""
import json, os, statistics, sys, time

folder, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
path = os.path.join(folder, "fsync-probe.bin")
record = b"x" * 199 + b"\n"


def measure(sync):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    try:
        times = []
        start = time.perf_counter()
        for _ in range(count):
            t = time.perf_counter()
            os.write(fd, record)
            sync(fd)
            times.append((time.perf_counter() - t) * 1e6)
        total = time.perf_counter() - start
    finally:
        os.close(fd)
        os.unlink(path)
    times.sort()
    return {"p50_us": round(statistics.median(times), 1), "p99_us": round(times[int(0.99 * (len(times) - 1))], 1),
            "max_us": round(times[-1], 1), "per_s": round(count / total)}


# the mount that holds the folder: the longest mount point that prefixes its real path
real = os.path.realpath(folder)
mounts = [line.split() for line in open("/proc/mounts")]
best = max((m for m in mounts if real == m[1] or real.startswith(m[1].rstrip("/") + "/")), key=lambda m: len(m[1]))
result = {"dir": folder, "mount": best[1], "fs_type": best[2], "device": best[0], "count": count, "bytes": len(record),
          "fsync": measure(os.fsync), "fdatasync": measure(os.fdatasync)}
print(json.dumps(result))
