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

await_line() { # FILE PATTERN: waits up to 30 s for a line
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done
  echo "no '$2' in $1: $(cat "$1")" >&2; exit 1
}

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

# CPU ticks (user + system, all threads) of a process, from /proc.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# One bench run against a manager process: its JSON line, with the manager's CPU per work added.
bench() {
  local kind=$1 pid=$2; shift 2
  local before; before=$(ticks "$pid")
  java -jar "$jar" bench --json "$@" "${flags[@]}" 2>/dev/null | tail -1 > "$out/last"
  python3 - "$kind" "$before" "$(ticks "$pid")" "$(getconf CLK_TCK)" "$out/last" <<'EOF' | tee -a "$out/runs"
import json, sys
kind, before, after, hz, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
doc = json.load(open(path))
# The manager's CPU over the whole run (warm-up included) per work measured: a ratio to compare, not an absolute figure.
doc["managerCpuMicrosPerWork"] = round((after - before) * 1e6 / hz / max(1, doc["works"]), 2)
print(kind, json.dumps(doc))
EOF
}
for run in $(seq 1 "$runs"); do
  bench alone "$alone_pid" --port "$base"
  bench clustered "$leader_pid" --managers "$managers"
done

python3 - "$out/runs" <<'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, doc = line.split(" ", 1)
    rows.setdefault(kind, []).append(json.loads(doc))
for kind in ("alone", "clustered"):
    r = rows.get(kind, [])
    if not r:
        continue
    med = lambda f: statistics.median(f(x) for x in r)
    print("%-9s median works/s %9.0f   p50 %7.0f us   p99 %7.0f us   manager CPU %5.2f us/work   (runs: %s)" % (
        kind, med(lambda x: x["worksPerSecond"]), med(lambda x: x["latencyMicros"]["p50"]),
        med(lambda x: x["latencyMicros"]["p99"]), med(lambda x: x["managerCpuMicrosPerWork"]),
        ", ".join("%.0f" % x["worksPerSecond"] for x in r)))
EOF
