#!/usr/bin/env bash
# What being clustered costs the leader (docs/performance.md, "Clustered leader"): a lone manager and
# a cluster of three on a single-node ZooKeeper run side by side on loopback, and the same
# `proletariat bench` runs against each in turn: alone, clustered, alone, clustered, ... Every
# process stays up through every run, so both sides share the same neighbours; prints each run, then
# the medians.
#   bench/clustered.sh                           # 5 rounds of --duration 10 --concurrency 100
#   RUNS=3 bench/clustered.sh --works 300000     # other rounds, other bench flags
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/proletariat.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -ntp -DskipTests package)
runs=${RUNS:-5}
base=${PORT:-22917}
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--duration 10 --concurrency 100)
out=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "$out"' EXIT

source "$root/bench/lib/interleave.sh"

java -jar "$jar" manager --bind 127.0.0.1 --port "$base" --http-port 0 > "$out/alone.log" 2>&1 & pids+=($!)
alone_pid=$!
await_line "$out/alone.log" "listening"
java -jar "$jar" zookeeper --port 0 > "$out/zk.log" 2>&1 & pids+=($!)
await_line "$out/zk.log" "listening on"
zk=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$out/zk.log")
managers=""
for i in 1 2 3; do
  port=$((base + i))
  java -jar "$jar" manager --zookeeper "$zk" --bind 127.0.0.1 --port "$port" --http-port 0 > "$out/m$i.log" 2>&1 & pids+=($!)
  await_line "$out/m$i.log" "this manager is"
  [ "$i" = 1 ] && leader_pid=$!  # the first to join leads: checked below
  managers="${managers:+$managers,}127.0.0.1:$port"
done
grep -q "this manager is leader" "$out/m1.log" || { echo "the first manager did not lead: $(cat "$out/m1.log")" >&2; exit 1; }
echo "proletariat bench ${flags[*]}: against a lone manager (--port $base) and the leader of three (--managers $managers)"

for run in $(seq 1 "$runs"); do
  bench alone "$alone_pid" --port "$base"
  bench clustered "$leader_pid" --managers "$managers"
done

summary alone clustered
