#!/usr/bin/env bash
# Measures a failover as a user sees it (docs/cluster.md, "Takeover time"): a single-node ZooKeeper
# and three managers of one cluster on loopback, a worker running `cat` once per work, and a push of
# numbered works whose results are timestamped as they arrive. Mid-push the leader gets SIGKILL (or
# SIGNAL: TERM stops it gracefully, and it leaves the election at once); the
# script prints, per run, the longest gap between two results, when a standby logged that it leads,
# when results came again and when 100 more had come, and the new leader's resumed and rerun counters.
#   bench/takeover.sh                               # 5 runs, --zk-session-timeout 4000 (the default)
#   RUNS=3 SESSION_TIMEOUT=2000 bench/takeover.sh   # other values
#   SIGNAL=TERM bench/takeover.sh                   # a planned restart of the leader
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/proletariat.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -ntp -DskipTests package)
runs=${RUNS:-5}
timeout=${SESSION_TIMEOUT:-4000}
works=${WORKS:-12000}
base=${PORT:-21917}
signal=${SIGNAL:-KILL}
out=$(mktemp -d)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'cleanup; rm -rf "$out"' EXIT

await_line() { # FILE PATTERN: waits up to 30 s for a line
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done
  echo "no '$2' in $1: $(cat "$1")" >&2; exit 1
}

echo "three managers, --zk-session-timeout $timeout; a worker (cat, 8 slots); a push of $works numbered works; SIG$signal to the leader"
for run in $(seq 1 "$runs"); do
  java -jar "$jar" zookeeper --port 0 > "$out/zk.log" 2>&1 & pids+=($!)
  await_line "$out/zk.log" "listening on"
  zk=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$out/zk.log")
  managers=""
  declare -A manager_pid=()
  for i in 0 1 2; do
    port=$((base + i))
    java -jar "$jar" manager --zookeeper "$zk" --zk-session-timeout "$timeout" --bind 127.0.0.1 --port "$port" \
      --http-port $((base + 10 + i)) > "$out/manager-$port.log" 2>&1 & pids+=($!)
    manager_pid[$port]=$!
    managers="${managers:+$managers,}127.0.0.1:$port"
    await_line "$out/manager-$port.log" "this manager is"
  done
  java -jar "$jar" worker --managers "$managers" --slots 8 -- cat > "$out/worker.log" 2>&1 & pids+=($!)
  await_line "$out/worker.log" "connected to"
  leader=$(java -jar "$jar" status --managers "$managers" | sed -n 's/.*role leader, epoch [0-9]*, leader 127.0.0.1:\([0-9]*\).*/\1/p')
  : > "$out/results"
  # Each result line stamped with the time it arrived (seconds since the epoch, as date +%s.%N).
  (seq 1 "$works" | java -jar "$jar" push --managers "$managers" --each --timeout 300000 2> "$out/push.err" \
    | python3 -u -c 'import sys, time
for line in sys.stdin:
    print("%.6f %s" % (time.time(), line), end="")' > "$out/results") & push=$!
  for _ in $(seq 1 600); do [ "$(wc -l < "$out/results")" -ge 2000 ] && break; sleep 0.05; done
  sleep 2
  killed=$(date +%s.%N)
  kill -s "$signal" "${manager_pid[$leader]}"
  wait "${manager_pid[$leader]}" 2>/dev/null || true
  wait "$push" || true
  new_leader=""
  for port in "${!manager_pid[@]}"; do
    if [ "$port" != "$leader" ] && grep -q "this manager is leader" "$out/manager-$port.log"; then new_leader=$port; fi
  done
  elected=$(grep "this manager is leader" "$out/manager-$new_leader.log" | tail -1 | cut -d' ' -f1)
  metrics=$(python3 -c 'import urllib.request, sys
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' $((new_leader + 10)) 2>/dev/null || true)
  python3 - "$out/results" "$killed" "$elected" "$works" "$run" "$metrics" <<'EOF'
import sys, datetime, json
path, killed, elected, works, run = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
metrics = sys.argv[6] if len(sys.argv) > 6 else ""
rows = [l.split(" ", 1) for l in open(path)]
distinct = len({json.loads(r)["index"] for _, r in rows})
times = [float(t) for t, _ in rows]
# The longest silence from a second before the kill on (results already on their way still arrive after it).
gaps = [(b - a, b) for a, b in zip(times, times[1:]) if b > killed - 1]
gap, resumed_at = max(gaps) if gaps else (float("nan"), float("nan"))
later = [t for t in times if t >= resumed_at]
flowing_at = later[100] if len(later) > 100 else float("nan")  # the 100th result after the gap: works run again
day = datetime.datetime.fromtimestamp(killed)
h, m, s = elected.split(":")
elected_at = day.replace(hour=int(h), minute=int(m), second=0, microsecond=0).timestamp() + float(s)
def counter(name):
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    return "?"
print("run %s: %d results for %d works (%d distinct); longest gap between two results %.2f s; "
      "new leader %.2f s after the kill, results again %.2f s after it, 100 more by %.2f s; resumed %s, rerun %s" % (
    run, len(rows), works, distinct, gap, elected_at - killed, resumed_at - killed, flowing_at - killed,
    counter("proletariat_works_resumed_total"), counter("proletariat_works_rerun_total")))
EOF
  cleanup
  unset manager_pid
done
