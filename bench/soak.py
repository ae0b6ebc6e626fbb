#!/usr/bin/env python3
"""make soak: the projector left running, as at an event. /projector (1920x1080, headless Chromium) open for
SOAK_MINUTES (30 by default) while posts arrive at SOAK_RATE per second (2 by default) through /api/ingest.
Every SOAK_SAMPLE_SECONDS (30) a sample, each after a forced garbage collection (Chromium with
--js-flags=--expose-gc, then gc() twice):
  heap     performance.memory.usedJSHeapSize (precise: --enable-precise-memory-info)
  elements document.getElementsByTagName('*').length (attached elements)
  nodes    DevTools Memory.getDOMCounters: every DOM node alive, detached ones included (a leaked card shows here)
  listen   DevTools Memory.getDOMCounters: JS event listeners
  chromium the summed RSS of the Chromium processes; server: the hashwall process's RSS
Prints the time series, then first/last/max and the drift of the JS heap and the DOM nodes. The first sample is
taken once the projector is full (after one sample interval of posts); the empty wall at t=0 is printed for
reference, not counted. Goal: flat within 10%. A benchmark: prints figures, never fails on a slow machine.
Usage: SOAK_MINUTES=30 python3 bench/soak.py   (also --minutes, --rate, --sample, --port)
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import TOP, ChromeDriver, Cleanup, Hashwall, WebDriverError, rss_kib  # noqa: E402

SAMPLE = r"""
if (window.gc) { gc(); gc(); }
return {
  heap: performance.memory.usedJSHeapSize,
  total: performance.memory.totalJSHeapSize,
  elements: document.getElementsByTagName("*").length,
  cards: document.querySelectorAll("[data-post-id]").length,
};
"""

WORDS = ("bravo", "merci", "super", "table ronde", "keynote", "question", "la salle", "demo", "slides", "#bench",
         "pause café", "on adore", "quel talk", "applause", "next speaker", "live")


def sample(driver, browser, server, elapsed, posted):
    row = {"t": elapsed, "posts": posted}
    try:
        row.update(browser.run(SAMPLE))
        counters = driver.call("POST", f"/session/{browser.session}/goog/cdp/execute",
                               {"cmd": "Memory.getDOMCounters", "params": {}})
        row["nodes"] = counters.get("nodes")
        row["listeners"] = counters.get("jsEventListeners")
    except WebDriverError as error:
        row["error"] = str(error)
    row["chromiumKiB"] = rss_kib(driver.chromium_pids())
    row["serverKiB"] = rss_kib([server.process.pid])
    return row


def fmt(row):
    if "error" in row:
        return f"{row['t'] / 60:7.1f} {row['posts']:7}  sample failed: {row['error']}"
    return (f"{row['t'] / 60:7.1f} {row['posts']:7} {row['heap'] / 1e6:9.2f} {row['elements']:9} {row['cards']:6} "
            f"{row['nodes'] if row['nodes'] is not None else '-':>7} {row['listeners'] if row['listeners'] is not None else '-':>7} "
            f"{row['chromiumKiB'] / 1024:10.1f} {row['serverKiB'] / 1024:9.1f}")


def drift(rows, key, label, unit, scale):
    values = [r[key] for r in rows if r.get(key) is not None]
    if len(values) < 2:
        return f"{label}: too few samples", None
    first, last, top = values[0], values[-1], max(values)
    change = (last - first) / first * 100
    peak = (top - first) / first * 100
    flat = abs(change) <= 10 and peak <= 10
    text = (f"{label:14} first {first / scale:9.2f} {unit}, last {last / scale:9.2f}, max {top / scale:9.2f}; "
            f"drift {change:+6.1f}% (max {peak:+.1f}%)  goal flat within 10%: {'met' if flat else 'NOT met'}")
    return text, flat


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "30")))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("SOAK_RATE", "2")), help="posts per second")
    parser.add_argument("--sample", type=float, default=float(os.environ.get("SOAK_SAMPLE_SECONDS", "30")),
                        help="seconds between samples")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18082")))
    options = parser.parse_args()
    command = f"SOAK_MINUTES={options.minutes:g} python3 bench/soak.py --rate {options.rate:g} --sample {options.sample:g}"

    run = f"s{int(time.time()) % 100000:05d}"
    rng = random.Random(7)
    rows = []
    refused = 0
    header = (f"{'minute':>7} {'posts':>7} {'heap MB':>9} {'elements':>9} {'cards':>6} {'nodes':>7} {'listen':>7} "
              f"{'chromium MB':>10} {'server MB':>9}")
    print(f"soak: /projector for {options.minutes:g} min at {options.rate:g} posts/s, a sample every {options.sample:g} s "
          f"(after gc)", flush=True)
    load_before = os.getloadavg()
    with Cleanup() as cleanup:
        server = Hashwall(cleanup, port=options.port)
        driver = ChromeDriver(cleanup)
        browser = driver.browser(1920, 1080, ["--enable-precise-memory-info", "--js-flags=--expose-gc"])
        browser.open(server.base + "/projector")
        browser.wait_until("return document.readyState === 'complete' && !!document.getElementById('post-card');",
                           within=30, what="/projector to load")
        time.sleep(1)
        print(header, flush=True)
        baseline = sample(driver, browser, server, 0.0, 0)
        print(fmt(baseline) + "   (empty wall: not counted)", flush=True)
        start = time.monotonic()
        end = start + options.minutes * 60
        posted = 0
        next_sample = start + options.sample
        while True:
            now = time.monotonic()
            if now >= next_sample:
                row = sample(driver, browser, server, now - start, posted)
                rows.append(row)
                print(fmt(row), flush=True)
                next_sample += options.sample
                if now >= end:
                    break
                continue
            due = start + posted / options.rate
            if due > now:
                time.sleep(min(due, next_sample) - now)
                continue
            words = rng.sample(WORDS, rng.randint(2, 9))
            text = f"{' '.join(words).capitalize()} {rng.choice(['!', '…', ' 👏', '?'])} ({run}x{posted:06d})"
            status, _ = server.ingest({"id": f"{run}-{posted:06d}",
                                       "author": {"name": f"Soak {posted % 23}", "handle": f"soak{posted % 23}"},
                                       "text": text * rng.choice([1, 1, 1, 2, 4])})
            if status != 202:
                refused += 1
            posted += 1
    load_after = os.getloadavg()

    print()
    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, {os.cpu_count()} cores, load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; {posted} posts ({refused} refused), "
          f"{len(rows)} samples")
    for key, label, unit, scale in (("heap", "JS heap", "MB", 1e6), ("nodes", "DOM nodes", "", 1),
                                    ("elements", "elements", "", 1), ("chromiumKiB", "chromium RSS", "MB", 1024)):
        text, _ = drift(rows, key, label, unit, scale)
        print(text)
    out = os.path.join(TOP, "bench", "results")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"soak-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json")
    with open(path, "w") as f:
        json.dump({"command": command, "baseline": baseline, "samples": rows}, f, indent=1)
    print(f"raw figures: {os.path.relpath(path, TOP)}")
    print(f"reproduce: make soak SOAK_MINUTES={options.minutes:g}   (or: {command})")


if __name__ == "__main__":
    main()
