#!/usr/bin/env bash
# Benchmarks of issue #5: runs the cafe_load workloads against a release build of the server,
# each against a fresh server with a temporary data directory, and writes one JSON file per
# run plus a summary table.
#
#   scripts/bench.sh                 # every workload (~25 min on 2 cores)
#   scripts/bench.sh idle bigroom    # only some (names: see WORKLOADS below)
#   SKIP_BUILD=1 scripts/bench.sh    # reuse target/release binaries
#   OUT=/tmp/bench scripts/bench.sh  # where results go (default target/bench/<time>)
#
# Network rule: the server listens on 127.0.0.1 only and cafe_load refuses any other target.
# The generator and the server share this machine's cores; every result reports both CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-18080}"
URL="http://127.0.0.1:${PORT}"
OUT="${OUT:-target/bench/$(date +%Y%m%d-%H%M%S)}"
SERVER=target/release/cafe-server
LOAD=target/release/cafe_load
WORKERS="${WORKERS:-1}"
mkdir -p "$OUT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cargo build --release -p cafe-server -p cafe-tests
fi

# Both processes hold one socket per member: lift the open-file limit to the hard limit.
ulimit -n "$(ulimit -Hn)"

DATA=""
PIDFILE="$OUT/server.pid"
SERVER_LOG=""

start_server() { # start_server <name> [keep-data]
  if [[ "${2:-}" != keep ]]; then
    DATA="$(mktemp -d /tmp/cafe-bench.XXXXXX)"
  fi
  SERVER_LOG="$OUT/$1.server.log"
  RUST_LOG=warn "$SERVER" --addr "127.0.0.1:${PORT}" --data-dir "$DATA" --join-burst 1000000 >>"$SERVER_LOG" 2>&1 &
  echo $! >"$PIDFILE"
  # Bounded wait for the health check (30 s).
  for _ in $(seq 1 300); do
    if curl -fsS "$URL/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "server did not come up; see $SERVER_LOG" >&2
  return 1
}

stop_server() { # stop_server [signal]
  local pid
  pid="$(cat "$PIDFILE")"
  kill "-${1:-TERM}" "$pid" 2>/dev/null || true
  # Bounded wait for exit (30 s), then force.
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  [[ -f "$PIDFILE" ]] && stop_server KILL
  [[ -n "$DATA" && -d "$DATA" ]] && rm -rf "$DATA"
}
trap cleanup EXIT

load() { # load <name> <cafe_load args...>
  local name="$1"
  shift
  echo "== $name: cafe_load $*" | tee -a "$OUT/commands.txt"
  "$LOAD" --server "$URL" --server-pid-file "$PIDFILE" --workers "$WORKERS" \
    --label "$name" --json "$@" >"$OUT/$name.json"
}

run_simple() { # run_simple <name> <cafe_load args...>
  start_server "$1"
  load "$@" || echo "!! $1 failed" >&2
  stop_server
  rm -rf "$DATA"
}

# ---- the workloads of issue #5 ----
idle() {
  run_simple idle-1k --workload idle --cafes 100 --members 10 --duration 10 --settle 5
  run_simple idle-5k --workload idle --cafes 100 --members 50 --duration 10 --settle 5
  run_simple idle-10k --workload idle --cafes 100 --members 100 --duration 10 --settle 5
}
bigroom() {
  run_simple bigroom-1k --workload ideas --cafes 1 --members 1000 --rate 10 --duration 30
  run_simple bigroom-5k --workload ideas --cafes 1 --members 5000 --rate 10 --duration 30
}
ramp() {
  run_simple ramp-1x1000 --workload ramp --cafes 1 --members 1000 --step-secs 10 \
    --ramp 10000,25000,50000,100000,200000,300000,400000,500000
  run_simple ramp-100x50 --workload ramp --cafes 100 --members 50 --step-secs 10 \
    --ramp 10000,25000,50000,100000,200000,300000,400000,500000
}
votestorm() {
  start_server votestorm
  load votestorm --workload vote-storm --cafes 1 --members 1000 --duration 5 \
    --state-file "$OUT/votestorm.state.json" || echo "!! votestorm failed" >&2
  # Durability: kill -9 right after the storm, restart on the same data, count the dots.
  stop_server KILL
  start_server votestorm-verify keep
  load votestorm-verify --workload verify-vote --state-file "$OUT/votestorm.state.json" ||
    echo "!! verify failed" >&2
  stop_server
  rm -rf "$DATA"
}
slow() {
  # 500-character ideas at 150/s: the stalled member's socket buffers (~4 MB) fill within
  # ~35 s, after which the server's 1,024-item queue must overflow and close it with 4000.
  run_simple slow-consumer --workload slow-consumer --cafes 1 --members 200 --rate 150 \
    --idea-bytes 500 --duration 120
  # The same with nobody stalling: the room grows through both halves, so the others'
  # latency in the second half is compared with this run's second half, not the first.
  run_simple slow-control --workload slow-consumer --cafes 1 --members 200 --rate 150 \
    --idea-bytes 500 --duration 120 --no-stall
}
churn() {
  run_simple churn --workload churn --cafes 1 --members 1000 --rate 10 --churn-rate 200 --duration 30
}
restart() {
  start_server restart
  rm -f "$OUT/restart.ready"
  load restart --workload restart --cafes 50 --members 100 --rate 100 --duration 40 \
    --ready-file "$OUT/restart.ready" &
  local gen=$!
  # Bounded wait for the generator to start measuring (15 min covers setup of 5,000).
  for _ in $(seq 1 9000); do
    [[ -f "$OUT/restart.ready" ]] && break
    kill -0 "$gen" 2>/dev/null || break
    sleep 0.1
  done
  sleep 10
  echo "restart: SIGTERM at $(date +%T.%N)" | tee -a "$OUT/commands.txt"
  stop_server TERM
  start_server restart keep
  echo "restart: up again at $(date +%T.%N)" | tee -a "$OUT/commands.txt"
  wait "$gen" || echo "!! restart failed" >&2
  stop_server
  rm -rf "$DATA"
}

WORKLOADS=(idle bigroom votestorm slow ramp churn restart)
if [[ $# -gt 0 ]]; then WORKLOADS=("$@"); fi
{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "commit: $(git rev-parse --short HEAD)  date: $(date -u +%FT%TZ)"
} | tee "$OUT/machine.txt"
for w in "${WORKLOADS[@]}"; do
  "$w"
done

# ---- summary (one line per measured step) ----
jq -r '
  select(.steps != null) | . as $r | .steps[] |
  [$r.label, .label, .samples, .first_p50_ms, .p50_ms, .p99_ms, .lost, .gaps,
   (.deliveries_per_s|floor), (.server_cpu_us_per_delivery*100|round/100),
   (.server_cpu_pct|round), (.generator_cpu_pct|round), (.irq_cpu_pct|round), (.other_cpu_pct|round),
   (.server_rss_max_mib|round)] | @tsv' "$OUT"/*.json |
  (echo -e "run\tstep\tsamples\tfirst_p50_ms\tp50_ms\tp99_ms\tlost\tgaps\tdeliv/s\tsrv_us/deliv\tsrv_cpu%\tgen_cpu%\tirq_cpu%\tother_cpu%\trss_mib"; cat) |
  column -t -s $'\t' | tee "$OUT/summary.txt"
echo "results in $OUT"
