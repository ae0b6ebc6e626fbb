"""What bench/summarise*.py share: one sseload run's figures, from the JSON line it prints last."""
import json, sys


def read_run(path, name):
    """The run's JSON figures, with CPU µs per delivery added; None (said on stderr) when the run printed none."""
    lines = open(path).read().strip().splitlines()
    try:
        data = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        print(f"{name}: no JSON line (see the file)", file=sys.stderr)
        return None
    received = data.get("received") or 0
    data["cpu_us_per_delivery"] = (data.get("server_cpu_s") or 0) * 1e6 / received if received else None
    return data
