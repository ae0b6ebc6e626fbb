#!/usr/bin/env bash
# make bench-ingest (and the second half of make bench): the write side and memory, not fan-out.
#   1. durable ingest: wrk, 64 keep-alive connections POSTing unique posts to /api/ingest for INGEST_SECONDS
#      (acks/s, ack latency); sseload POSTing ACK_MESSAGES posts at a steady 1,000/s to one SSE client (ack
#      round trip p50/p99); the disk's own fsync cost in the journal's folder (the floor under a durable ack);
#   2. restart: SEED_POSTS posts put in through the server, then RESTARTS times: SIGTERM, start again on the same
#      database, time from exec to the first 200 from /healthz (curl every 10 ms);
#   3. memory: IDLE_CLIENTS idle SSE clients on Hashwall, then on nginx + Nchan (sseload), server RSS.
# Each on a fresh server started as bench/run.sh does (post moderation, demo off, synchronous FULL, port 18081).
# Raw output in bench/results/<time>-ingest/; prints one table and the command that reproduces it.
# A benchmark: it prints figures and does not fail because the machine is slow.
# Usage: [INGEST_SECONDS=20] [ACK_MESSAGES=10000] [SEED_POSTS=100000] [RESTARTS=3] [IDLE_CLIENTS=10000] bench/ingest.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${HASHWALL_SHARED:-$top/../shared}
bench=$shared/bench
out=$top/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-ingest
secs=${INGEST_SECONDS:-20}
ack_messages=${ACK_MESSAGES:-10000}
seed=${SEED_POSTS:-100000}
restarts=${RESTARTS:-3}
idle=${IDLE_CLIENTS:-10000}
command="INGEST_SECONDS=$secs ACK_MESSAGES=$ack_messages SEED_POSTS=$seed RESTARTS=$restarts IDLE_CLIENTS=$idle bench/ingest.sh"
binary=$top/.build/release/hashwall
url=http://127.0.0.1:18081
for tool in wrk curl python3; do command -v $tool >/dev/null || { echo "$tool missing: make bench-ingest installs it" >&2; exit 1; }; done
[ -x "$bench/sseload" ] || { echo "no $bench/sseload: ../shared must sit beside the checkout" >&2; exit 1; }
mkdir -p "$out"

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pid="" dir="" wrk_pid="" nchan_prefix=""
stop() {   # SIGTERM the server, wait for it (30 s, then SIGKILL); sets stop_ms
    stop_ms=0
    if [ -n "$pid" ]; then
        local t0=$EPOCHREALTIME
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 3000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
        if kill -0 "$pid" 2>/dev/null; then echo "server $pid ignored SIGTERM for 30 s: killed" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
        stop_ms=$(ms_since "$t0")
        pid=""
    fi
}
cleanup() {
    [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
    stop
    [ -n "$dir" ] && rm -rf "$dir"
    [ -n "$nchan_prefix" ] && rm -rf "$nchan_prefix"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms_since() { python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000, 1))" "$1" "$EPOCHREALTIME"; }

wait_binary() {   # the release binary may be in the middle of a rebuild: wait for it (10 min at most)
    for _ in $(seq 600); do [ -x "$binary" ] && return 0; sleep 1; done
    echo "no $binary: build it first (swift build -c release)" >&2; exit 1
}

new_dir() {   # a fresh journal folder with the config bench/run.sh uses
    [ -n "$dir" ] && rm -rf "$dir"
    dir=$(mktemp -d /tmp/hashwall-bench.XXXXXX)
    cat > "$dir/config.json" <<JSON
{ "server": {"host": "127.0.0.1", "port": 18081, "maxStreamsPerAddress": 200000, "maxStreams": 200000}, "channels": {"demo": {"enabled": false}},
  "moderation": {"mode": "post"}, "storage": {"path": "$dir/wall.sqlite"}, "log": {"level": "warning"} }
JSON
}

launch() {   # start the server on $dir's config (and database) without waiting
    wait_binary
    HASHWALL_INGEST_TOKEN=bench-token HASHWALL_MODERATOR_TOKEN=bench-mod "$binary" --config "$dir/config.json" >> "$dir/out.log" 2>&1 &
    pid=$!
}

start_hashwall() {   # launch, then wait for /healthz (10 s)
    if curl -s -o /dev/null --max-time 1 "$url/healthz"; then echo "something already listens on $url" >&2; exit 1; fi
    launch
    for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 "$url/healthz" && return 0; sleep 0.1; done
    echo "hashwall did not come up: $dir/out.log" >&2; cat "$dir/out.log" >&2; exit 1
}

accepted() { curl -s --max-time 5 "$url/metrics" | awk '/^hashwall_posts_accepted_total\{channel="api"\}/ {print int($2)}'; }

wrk_args() {   # DURATION LUA-ARGS...: wrk's output ends with the Lua summary (one JSON line)
    local duration=$1; shift
    echo "-t2 -c64 -d$duration --timeout 10s --latency -s $top/bench/ingest.lua $url/api/ingest -- $*"
}

{ echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# $(wrk --version 2>&1 | head -1), $(nginx -v 2>&1), libnginx-mod-nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null), $(go version 2>/dev/null)"
  echo "# hashwall $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+changes'), binary $(stat -c '%y' "$binary" 2>/dev/null)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "\$ $command"; } > "$out/env.txt"

# ---- 1. durable ingest ----
echo ">>> ingest: fsync cost, then wrk -t2 -c64 -d${secs}s" >&2
new_dir
{ echo "\$ bench/fsync.py $dir 2000"; python3 "$top/bench/fsync.py" "$dir" 2000; } > "$out/fsync.txt"
start_hashwall
sleep 1
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }   # the server's user + system time, in clock ticks
host_ticks() { awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat; }   # all, idle + iowait
before=$(cpu_ticks) host_before=$(host_ticks) posts_before=$(accepted || true)
# shellcheck disable=SC2046
{ echo "\$ wrk $(wrk_args "${secs}s" tput)"; wrk $(wrk_args "${secs}s" tput) 2>&1; } > "$out/ingest-wrk.txt" || true
after=$(cpu_ticks) host_after=$(host_ticks) posts_after=$(accepted || true)
echo "# server counter after the run: hashwall_posts_accepted_total{channel=\"api\"} $posts_after" >> "$out/ingest-wrk.txt"
read -r all0 idle0 <<< "$host_before"; read -r all1 idle1 <<< "$host_after"
printf '{"server_cpu_s":%s,"posts":%s,"host_busy_pct":%s}\n' \
    "$(python3 -c "print(($after - $before) / $(getconf CLK_TCK))")" "$((${posts_after:-0} - ${posts_before:-0}))" \
    "$(python3 -c "print(round(100 * (1 - ($idle1 - $idle0) / max(1, $all1 - $all0)), 1))")" > "$out/ingest-cpu.txt"
stop

echo ">>> ingest: $ack_messages posts at 1,000/s (sseload, 1 SSE client)" >&2
new_dir
start_hashwall
sleep 1
args=(--label hashwall-ack1000 --sub "$url/events" --pub "$url/api/ingest" --header "Authorization: Bearer bench-token"
      --clients 1 --messages "$ack_messages" --rate 1000 --timeout 30 --server-pid "$pid" --csv "$out/ack-1000.csv")
{ echo "\$ sseload ${args[*]@Q}"; "$bench/sseload" "${args[@]}" 2>&1; } > "$out/ack-1000.txt" || true
stop

# ---- 2. restart with a big journal ----
echo ">>> restart: seeding $seed posts through the server" >&2
new_dir
start_hashwall
sleep 1
quota=$(( (seed + 1) / 2 ))   # 202s per wrk thread, then it stops
echo "\$ wrk $(wrk_args 3600s seed "$quota")   (SIGINT once the server counts $seed posts)" > "$out/seed-wrk.txt"
t0=$EPOCHREALTIME
# shellcheck disable=SC2046
wrk $(wrk_args 3600s seed "$quota") >> "$out/seed-wrk.txt" 2>&1 &
wrk_pid=$!
last=-1 still=0
while kill -0 "$wrk_pid" 2>/dev/null; do
    n=$(accepted || true); n=${n:-0}
    [ "$n" -ge "$seed" ] && break
    if [ "$n" -eq "$last" ]; then still=$((still + 1)); else still=0 last=$n; fi
    [ "$still" -ge 60 ] && { echo "seeding: the server's count stayed at $n for 30 s; going on with that" >&2; break; }
    sleep 0.5
done
kill -INT "$wrk_pid" 2>/dev/null || true   # wrk prints its summary on SIGINT
wait "$wrk_pid" || true
wrk_pid=""
seed_ms=$(ms_since "$t0")
posts=$(accepted || true); posts=${posts:-0}
stop
db_bytes=$(stat -c %s "$dir/wall.sqlite")
wal_bytes=$(stat -c %s "$dir/wall.sqlite-wal" 2>/dev/null || echo 0)
{ echo "# seeded through POST /api/ingest; posts = hashwall_posts_accepted_total{channel=\"api\"} before SIGTERM"
  printf '{"phase":"seed","posts":%s,"seconds":%s,"shutdown_ms":%s,"db_bytes":%s,"wal_bytes":%s}\n' \
      "$posts" "$(python3 -c "print(round($seed_ms / 1000, 1))")" "$stop_ms" "$db_bytes" "$wal_bytes"; } > "$out/restart.txt"
ls -l "$dir" >> "$out/restart.txt"

for r in $(seq "$restarts"); do
    echo ">>> restart $r of $restarts with $posts posts" >&2
    if curl -s -o /dev/null --max-time 1 "$url/healthz"; then echo "something already listens on $url" >&2; exit 1; fi
    wait_binary
    t0=$EPOCHREALTIME
    launch
    up_ms=""
    for _ in $(seq 30000); do   # 10 ms apart, 5 min at most
        if curl -sf -o /dev/null --max-time 1 "$url/healthz"; then up_ms=$(ms_since "$t0"); break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    health=$(curl -s --max-time 5 "$url/healthz" || true)
    rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    stop
    printf '{"phase":"restart","run":%s,"up_ms":%s,"shutdown_ms":%s,"rss_after_start_kib":%s,"healthz":%s}\n' \
        "$r" "${up_ms:-null}" "$stop_ms" "$rss_kib" "${health:-null}" >> "$out/restart.txt"
    [ -n "$up_ms" ] || { echo "restart $r: no 200 from /healthz (see $dir/out.log)" >&2; cat "$dir/out.log" >> "$out/restart.txt"; }
    sleep 1
done
ls -l "$dir" >> "$out/restart.txt"

# ---- 3. memory with idle SSE clients ----
idle_args() { echo "--clients $idle --messages 1 --rate 1 --ramp-seconds 5 --settle-seconds 5 --timeout 60"; }
echo ">>> memory: $idle idle SSE clients on hashwall" >&2
new_dir
start_hashwall
sleep 1
# shellcheck disable=SC2207
args=(--label hashwall --sub "$url/events" --pub "$url/api/ingest" --header "Authorization: Bearer bench-token"
      $(idle_args) --server-pid "$pid")
{ echo "\$ sseload ${args[*]@Q}"; "$bench/sseload" "${args[@]}" 2>&1; } > "$out/idle-hashwall.txt" || true
stop
rm -rf "$dir"; dir=""
sleep 2

echo ">>> memory: $idle idle SSE clients on nginx + Nchan" >&2
if pid=$("$bench/nchan/run-nchan.sh" 2>"$out/nchan-start.txt"); then
    nchan_prefix=$(grep -o '/tmp/nchan-bench\.[A-Za-z0-9]*' "$out/nchan-start.txt" | head -1 || true)
    sleep 1
    # shellcheck disable=SC2207
    args=(--label nchan --sub http://127.0.0.1:18080/sub --pub http://127.0.0.1:18080/pub $(idle_args) --server-pid "$pid")
    { echo "\$ sseload ${args[*]@Q}"; "$bench/sseload" "${args[@]}" 2>&1; } > "$out/idle-nchan.txt" || true
    stop
    [ -n "$nchan_prefix" ] && rm -rf "$nchan_prefix"
    nchan_prefix=""
else
    pid=""
    echo "nginx + Nchan did not start (see $out/nchan-start.txt): no Nchan column" >&2
fi

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
python3 "$top/bench/summarise_ingest.py" "$out" "$command"
