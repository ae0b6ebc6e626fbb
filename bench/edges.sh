#!/usr/bin/env bash
# make bench-edges: followers through two nginx + Nchan edges sharing Redis (their configuration from
# `hashwall nchan-config`, one worker each), beside the single node, same scenario, same session
# (../shared/bench/sseload). The edges' followers are split in two halves, one sseload per edge: the first posts the
# messages to the node (which publishes them to edge A, Redis carries them to B), the second times the same messages
# on edge B (its own POSTs go to a sink). Raw output in bench/results/edges-*/; prints a table and the command.
# Usage: bench/edges.sh [REPS] [SCENARIO]      scenarios: c1k, c5k10 (default), c10k: the same totals as bench/run.sh;
#   c1k10, c2k10: c5k10's messages (200 at 10/s) with 1,000 or 2,000 followers, to find how many an edge holds at
#   the node's c5k10 p99 on a machine that every process shares
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${HASHWALL_SHARED:-$top/../shared}
bench=$shared/bench
reps=${1:-2}; scenario=${2:-c5k10}
out=$top/bench/results/edges-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
binary=$top/.build/release/hashwall
[ -x "$binary" ] || { echo "build the release binary first: swift build -c release" >&2; exit 1; }
[ -x "$bench/sseload" ] || { echo "no $bench/sseload: ../shared must sit beside the checkout" >&2; exit 1; }
case $scenario in
    c1k)   clients=1000;  messages=200; rate=50 ;;
    c5k10) clients=5000;  messages=200; rate=10 ;;
    c1k10) clients=1000;  messages=200; rate=10 ;;
    c2k10) clients=2000;  messages=200; rate=10 ;;
    c10k)  clients=10000; messages=200; rate=50 ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
half=$((clients / 2))
node_port=18081; edge_a=18091; edge_b=18092; pub_a=18093; pub_b=18094; sink=18095; redis_port=16390
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/hashwall-edges.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for f in "$work"/*/nginx.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
    [ -s "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
    sleep 1; rm -rf "$work"
}
trap cleanup EXIT

cpu_of() {   # utime + stime of a process and its children, in clock ticks
    local total=0 p
    for p in $1 $(pgrep -P "$1" || true); do
        [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$total"
}

start_node() {   # fanout on or off; prints the pid
    local fanout=$1 dir="$work/node-$RANDOM"
    mkdir -p "$dir"
    cat > "$dir/config.json" <<JSON
{ "server": {"host": "127.0.0.1", "port": $node_port, "maxStreamsPerAddress": 200000, "maxStreams": 200000},
  "channels": {"demo": {"enabled": false}}, "moderation": {"mode": "post"}, "storage": {"path": "$dir/wall.sqlite"},
  "log": {"level": "warning"}, "fanout": {"nchan": {"enabled": $fanout, "publishURL": "http://127.0.0.1:$pub_a/pub"}} }
JSON
    HASHWALL_INGEST_TOKEN=bench-token HASHWALL_MODERATOR_TOKEN=bench-mod "$binary" --config "$dir/config.json" > "$dir/out.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$node_port/healthz" && { echo "$pid"; return 0; }; sleep 0.1; done
    echo "the node did not come up: $dir/out.log" >&2; exit 1
}

start_edge() {   # name listen publisher-port; prints the master pid
    local dir="$work/edge-$1"
    mkdir -p "$dir"
    "$binary" nchan-config --listen "$2" --publisher-port "$3" --redis "redis://127.0.0.1:$redis_port" \
        --upstream "http://127.0.0.1:$node_port" --address 127.0.0.1 --prefix "$dir" \
        | sed 's/^worker_processes auto;/worker_processes 1;/' > "$dir/nginx.conf"
    nginx -p "$dir/" -c "$dir/nginx.conf" 2>/dev/null
    for _ in $(seq 50); do [ -s "$dir/nginx.pid" ] && curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/api/wall" && { cat "$dir/nginx.pid"; return 0; }; sleep 0.1; done
    echo "edge $1 did not come up: $dir/error.log" >&2; exit 1
}

run_node() {   # rep
    local pid; pid=$(start_node false); pids+=("$pid")
    sleep 1
    "$bench/sseload" --label node --sub "http://127.0.0.1:$node_port/events" --pub "http://127.0.0.1:$node_port/api/ingest" \
        --header "Authorization: Bearer bench-token" --clients "$clients" --messages "$messages" --rate "$rate" --timeout 60 \
        --server-pid "$pid" > "$out/node-r$1.txt" 2>&1 || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    sleep 2
}

run_edges() {   # rep
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --pidfile "$work/redis.pid" \
        --logfile "$work/redis.log"
    local node a b
    node=$(start_node true); pids+=("$node")
    a=$(start_edge a "$edge_a" "$pub_a"); b=$(start_edge b "$edge_b" "$pub_b")
    mkdir -p "$work/sink"
    printf 'pid %s/sink/nginx.pid;\nerror_log %s/sink/error.log;\nevents {}\nhttp { access_log off; client_body_temp_path %s/sink/b; server { listen 127.0.0.1:%s; location / { return 204; } } }\n' \
        "$work" "$work" "$work" "$sink" > "$work/sink/nginx.conf"
    nginx -p "$work/sink/" -c "$work/sink/nginx.conf" 2>/dev/null
    for _ in $(seq 100); do
        [ "$(curl -s "http://127.0.0.1:$node_port/healthz" | jq -r '.fanout.state')" = ok ] && break; sleep 0.1
    done
    local before; before=$(cpu_of "$node")
    # Edge B's clients open first and wait longer, so they are all in before edge A's run posts anything.
    "$bench/sseload" --label edge-b --sub "http://127.0.0.1:$edge_b/events" --pub "http://127.0.0.1:$sink/sink" \
        --clients "$half" --messages "$messages" --rate "$rate" --timeout 60 --settle-seconds 1 \
        --server-pid "$b" > "$out/edge-b-r$1.txt" 2>&1 &
    local second=$!
    "$bench/sseload" --label edge-a --sub "http://127.0.0.1:$edge_a/events" --pub "http://127.0.0.1:$node_port/api/ingest" \
        --header "Authorization: Bearer bench-token" --clients "$half" --messages "$messages" --rate "$rate" --timeout 60 \
        --settle-seconds 2 --server-pid "$a" > "$out/edge-a-r$1.txt" 2>&1 || true
    wait "$second" || true
    local after; after=$(cpu_of "$node")
    awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "{\"node_publish_cpu_s\": %.3f}\n", t / hz }' > "$out/node-publish-r$1.json"
    kill "$node"; wait "$node" 2>/dev/null || true
    for dir in "$work"/edge-a "$work"/edge-b "$work"/sink; do [ -s "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")"; done
    kill "$(cat "$work/redis.pid")"; sleep 2
}

{ echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# $(nginx -v 2>&1), libnginx-mod-nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null), $(redis-server --version)"
  echo "# hashwall $(git -C "$top" rev-parse --short HEAD); scenario $scenario: $clients followers, $messages messages at $rate/s"; } > "$out/env.txt"

for r in $(seq "$reps"); do
    echo ">>> $scenario run $r: the node alone" >&2; run_node "$r"
    echo ">>> $scenario run $r: two edges" >&2; run_edges "$r"
done
python3 "$top/bench/summarise_edges.py" "$out" "bench/edges.sh $reps $scenario"
