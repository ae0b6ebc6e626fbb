#!/usr/bin/env bash
# make bench: Hashwall and nginx + Nchan under the same SSE fan-out load (../shared/bench/sseload), in the same
# session, alternating which goes first, REPS runs each. Raw output in bench/results/ (not committed); prints one
# side-by-side table (medians, ratios) and the command that reproduces it.
# Usage: bench/run.sh [REPS] [scenario ...]    scenarios: c1k c5k10 (default), c5k, c10k, burst
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${HASHWALL_SHARED:-$top/../shared}
bench=$shared/bench
out=$top/bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
reps=${1:-3}; shift || true
scenarios=${*:-c1k c5k10}
binary=$top/.build/release/hashwall
[ -x "$binary" ] || { echo "build the release binary first: swift build -c release" >&2; exit 1; }
[ -x "$bench/sseload" ] || { echo "no $bench/sseload: ../shared must sit beside the checkout" >&2; exit 1; }

args_for() {   # the peer's own scenarios (nchan/bench-nchan.sh)
    case $1 in
        c1k)   echo "--clients 1000  --messages 200  --rate 50   --timeout 60" ;;
        c5k)   echo "--clients 5000  --messages 200  --rate 50   --timeout 60" ;;
        c10k)  echo "--clients 10000 --messages 200  --rate 50   --timeout 90" ;;
        burst) echo "--clients 1000  --messages 1000 --rate 1000 --timeout 60" ;;
        c5k10) echo "--clients 5000  --messages 200  --rate 10   --timeout 60" ;;
        *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; pid=""; fi; }
trap stop EXIT

start_hashwall() {   # post moderation, no demo, a fresh journal, port 18081
    local dir; dir=$(mktemp -d /tmp/hashwall-bench.XXXXXX)
    cat > "$dir/config.json" <<JSON
{ "server": {"host": "127.0.0.1", "port": 18081, "maxStreamsPerAddress": 200000, "maxStreams": 200000}, "channels": {"demo": {"enabled": false}},
  "moderation": {"mode": "post"}, "storage": {"path": "$dir/wall.sqlite"}, "log": {"level": "warning"} }
JSON
    HASHWALL_INGEST_TOKEN=bench-token HASHWALL_MODERATOR_TOKEN=bench-mod "$binary" --config "$dir/config.json" > "$dir/out.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:18081/healthz && return 0; sleep 0.1; done
    echo "hashwall did not come up: $dir/out.log" >&2; exit 1
}

run_one() {   # server scenario rep
    local server=$1 s=$2 r=$3 args
    if [ "$server" = hashwall ]; then
        start_hashwall
        args=(--label hashwall --sub http://127.0.0.1:18081/events --pub http://127.0.0.1:18081/api/ingest
              --header "Authorization: Bearer bench-token")
    else
        pid=$("$bench/nchan/run-nchan.sh" 2>/dev/null)
        args=(--label nchan --sub http://127.0.0.1:18080/sub --pub http://127.0.0.1:18080/pub)
    fi
    # shellcheck disable=SC2207
    args+=($(args_for "$s") --server-pid "$pid")
    sleep 1
    echo ">>> $s $server run $r" >&2
    { echo "\$ sseload ${args[*]}"; "$bench/sseload" "${args[@]}" 2>&1; } > "$out/$s-$server-r$r.txt" || true
    stop
    rm -rf /tmp/hashwall-bench.* /tmp/nchan-bench.* 2>/dev/null || true
    sleep 2
}

{ echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# $(nginx -v 2>&1), libnginx-mod-nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null), $(go version 2>/dev/null)"
  echo "# hashwall $(git -C "$top" rev-parse --short HEAD), $(swift --version 2>/dev/null | head -1)"; } > "$out/env.txt"

for s in $scenarios; do
    for r in $(seq "$reps"); do
        if [ $((r % 2)) -eq 1 ]; then order="hashwall nchan"; else order="nchan hashwall"; fi
        for server in $order; do run_one "$server" "$s" "$r"; done
    done
done

python3 "$top/bench/summarise.py" "$out" "bench/run.sh $reps $scenarios"
