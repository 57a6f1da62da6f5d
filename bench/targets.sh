#!/usr/bin/env bash
# Measures the figures of docs/performance.md: starts a manager on its own (as users run it),
# runs each scenario of `proletariat bench` against it three times, and prints the medians.
#   bench/targets.sh            # all scenarios, ~4 minutes on 2 cores
#   RUNS=5 bench/targets.sh     # more runs per scenario
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/proletariat.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -ntp -DskipTests package)
port=${PORT:-19917}
runs=${RUNS:-3}
out=$(mktemp -d)

start_manager() {
  java -jar "$jar" manager --bind 127.0.0.1 --port "$port" --http-port 0 "$@" > "$out/manager.log" 2>&1 &
  manager=$!
  for _ in $(seq 1 100); do grep -q "listening" "$out/manager.log" 2>/dev/null && return; sleep 0.1; done
  echo "the manager did not start: $(cat "$out/manager.log")" >&2; exit 1
}
stop_manager() { kill "$manager" 2>/dev/null; wait "$manager" 2>/dev/null || true; }
trap stop_manager EXIT

bench() { java -jar "$jar" bench --port "$port" --json "$@" 2>/dev/null | tail -1; }

# Median of each figure over the runs, from the JSON lines on stdin.
median() {
  python3 -c '
import json, sys, statistics
rows = [json.loads(l) for l in sys.stdin if l.strip()]
def m(key, sub=None):
    vals = [(r[key][sub] if sub else r[key]) for r in rows]
    return statistics.median(vals)
print("  works/s %9.0f   p50 %8.1f us   p99 %8.1f us   p99.9 %8.1f us   (runs: %s)" % (
    m("worksPerSecond"), m("latencyMicros", "p50"), m("latencyMicros", "p99"), m("latencyMicros", "p999"),
    ", ".join(str(r["worksPerSecond"]) for r in rows)))'
}

scenario() {
  local name="$1"; shift
  echo "$name"
  echo "  proletariat bench $*"
  for _ in $(seq 1 "$runs"); do bench "$@"; done | median
}

start_manager
scenario "single works, K=100, 1 worker x 100 slots" --works 300000 --concurrency 100
scenario "single works, K=1" --works 20000 --concurrency 1
scenario "groups of 1000, K=4, 2 workers x 1000 slots" --works 2000000 --group 1000 --concurrency 4 --workers 2 --slots 1000 --answer-threshold 1000
scenario "10 ms works, 2 workers x 100 slots (ideal 20,000/s)" --duration 10 --work-ms 10 --workers 2 --slots 100 --concurrency 400
stop_manager

echo "1,000,000 queued works of 30-byte args, no worker; then 2 workers x 1000 slots drain them"
start_manager
java -jar "$jar" bench --port "$port" --preload 1000000 --group 1000 --workers 2 --slots 1000 --answer-threshold 1000 \
  --preload-hold 5 --json > "$out/drain.json" 2> "$out/drain.err" &
bench_pid=$!
for _ in $(seq 1 600); do grep -q holding "$out/drain.err" 2>/dev/null && break; sleep 0.1; done
jcmd "$manager" GC.run > /dev/null
echo "  manager heap after a full GC: $(jcmd "$manager" GC.heap_info | awk '/used/ {print $(NF-2); exit}' | tr -d ',')"
wait "$bench_pid"
echo "  $(grep queued "$out/drain.err")"
echo "  drain: $(cat "$out/drain.json")"
stop_manager

echo "10,000 idle connected clients"
start_manager
python3 - "$port" <<'PY' &
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(10000)]
print("  opened", len(s), "idle connections", flush=True)
time.sleep(120)
PY
idle=$!
sleep 8
echo "  manager resident memory with them: $(( $(ps -o rss= -p "$manager") / 1024 )) MB"
scenario "  single works, K=100, beside them" --works 300000 --concurrency 100
echo "  manager resident memory after the load: $(( $(ps -o rss= -p "$manager") / 1024 )) MB"
kill "$idle" 2>/dev/null || true
