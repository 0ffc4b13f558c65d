#!/usr/bin/env bash
# one café, members over 3 nodes vs 1 node (release binaries)
set -u
cd "$(dirname "$0")/.."
BIN=target/release
S=bench_cl_$$
psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $S CASCADE; CREATE SCHEMA $S" >/dev/null
DB="postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D$S"
SECRET=bench-secret-0123456789-0123456789-abcdef
pids=()
for i in 0 1 2; do
  d=$(mktemp -d)
  RUST_LOG=warn $BIN/cafe-server --addr 127.0.0.1:1808$i --data-dir $d --database-url "$DB" \
    --nats-url nats://127.0.0.1:4222 --nats-prefix bench$$ --node-id n$i --jwt-secret $SECRET \
    --join-burst 1000000 >/dev/null 2>&1 &
  pids+=($!)
done
sleep 2
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
run() { # label, extra args
  local label=$1; shift
  local before=(); for p in "${pids[@]}"; do before+=($(cpu $p)); done
  $BIN/cafe_load --workload ideas --cafes 1 --members ${MEMBERS:-300} --rate ${RATE:-20} --duration 10 --settle 2 \
     --server http://127.0.0.1:18080 "$@" --json > /tmp/bench_$label.json 2>/tmp/bench_$label.err
  local i=0; for p in "${pids[@]}"; do echo "$label node$i cpu_ticks $(( $(cpu $p) - ${before[$i]} ))"; i=$((i+1)); done
}
run one
run three --also http://127.0.0.1:18081,http://127.0.0.1:18082
kill "${pids[@]}"; wait
psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null
