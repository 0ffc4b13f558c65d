#!/usr/bin/env bash
# 30,000 idle members over 3 cluster nodes: past one process's socket limit (~19.9k open files
# here), so two load generators (15,000 members each, 10 cafés × 1,500: one IP may create 30 cafés per window) spread their sockets
# round robin over the three nodes. Reports the peak open sockets per node (from each node's
# /metrics) and each node's RSS growth per socket. Release binaries in $BIN.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
S=bench_idle_$$
psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $S CASCADE; CREATE SCHEMA $S" >/dev/null
DB="postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D$S"
SECRET=bench-secret-0123456789-0123456789-abcdef
pids=()
for i in 0 1 2; do
  d=$(mktemp -d)
  RUST_LOG=warn $BIN/cafe-server --addr 127.0.0.1:1808$i --metrics-addr 127.0.0.1:1909$i \
    --data-dir $d --database-url "$DB" --nats-url nats://127.0.0.1:4222 --nats-prefix idle$$ \
    --node-id n$i --jwt-secret $SECRET --join-burst 1000000 --join-rate 1000000 >/tmp/idle_node$i.log 2>&1 &
  pids+=($!)
done
sleep 3
rss() { awk '/VmRSS/{print $2}' /proc/$1/status; }
conns() { curl -s http://127.0.0.1:1909$1/metrics | awk '$1 ~ /connections$/ {print $2}' | head -1; }
base=(); for p in "${pids[@]}"; do base+=($(rss $p)); done
echo "baseline RSS KiB: ${base[*]}"
gen() {
  $BIN/cafe_load --workload idle --cafes 10 --members 1500 --duration ${HOLD:-40} --settle 2 \
    --server http://127.0.0.1:18080 --also http://127.0.0.1:18081,http://127.0.0.1:18082 \
    --json > /tmp/idle_gen$1.json 2>/tmp/idle_gen$1.err
}
gen 1 & g1=$!
gen 2 & g2=$!
peak=0; best=""
while kill -0 $g1 2>/dev/null || kill -0 $g2 2>/dev/null; do
  c=(); tot=0
  for i in 0 1 2; do n=$(conns $i); n=${n%.*}; c+=(${n:-0}); tot=$((tot + ${n:-0})); done
  if [ $tot -gt $peak ]; then
    peak=$tot; r=(); for p in "${pids[@]}"; do r+=($(rss $p)); done
    best="sockets ${c[*]} rss ${r[*]}"
  fi
  sleep 2
done
wait $g1; rc1=$?; wait $g2; rc2=$?
echo "generators rc: $rc1 $rc2"
echo "peak open sockets: $peak ($best)"
set -- $best
for i in 0 1 2; do
  s=$(echo "$best" | awk -v k=$((i+2)) '{print $k}'); r=$(echo "$best" | awk -v k=$((i+6)) '{print $k}')
  [ "${s:-0}" -gt 0 ] && echo "node$i: $s sockets, RSS +$(( r - ${base[$i]} )) KiB, $(( (r - ${base[$i]}) * 1000 / s )) KiB/1000 sockets"
done
kill "${pids[@]}"; wait 2>/dev/null
psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null
