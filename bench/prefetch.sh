#!/usr/bin/env bash
# A/B of two builds (docs/performance.md, "Worker prefetch"): before (OLD_JAR, e.g. main) and after (NEW_JAR),
# each its own manager (`proletariat manager --bind 127.0.0.1 --http-port 0`) with its own `proletariat bench`,
# interleaved shape by shape and round by round. Prints one JSON line per run (with the manager's user + system
# CPU per work over the measured interval, from /proc) and then medians with the spread.
#
#   OLD_JAR=/tmp/old.jar NEW_JAR=cli/target/proletariat.jar bench/prefetch.sh
#   RUNS=5 DURATION=5 NEW_ARGS="--prefetch 0" bench/prefetch.sh      # the new build without prefetch
#
# Environment: OLD_JAR, NEW_JAR (cli/target/proletariat.jar), RUNS (5), WARMUP (2 s), DURATION (5 s), OLD_PORT (19941),
# NEW_PORT (19942), OLD_ARGS / NEW_ARGS (extra bench flags of each side), SHAPES (lines of bench flags).
set -euo pipefail
cd "$(dirname "$0")/.."
old=${OLD_JAR:?set OLD_JAR to the jar to compare against}
new=${NEW_JAR:-cli/target/proletariat.jar}
runs=${RUNS:-5}
warmup=${WARMUP:-2}
duration=${DURATION:-5}
old_port=${OLD_PORT:-19941}
new_port=${NEW_PORT:-19942}
IFS=$'\n' read -r -d '' -a shapes <<< "${SHAPES:-"--concurrency 100 --slots 10
--work-ms 10 --slots 100 --concurrency 200"}" || true

ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
java -jar "$old" manager --bind 127.0.0.1 --port "$old_port" --http-port 0 > /tmp/prefetch-old-manager.log 2>&1 &
old_pid=$!; pids+=("$old_pid")
java -jar "$new" manager --bind 127.0.0.1 --port "$new_port" --http-port 0 > /tmp/prefetch-new-manager.log 2>&1 &
new_pid=$!; pids+=("$new_pid")
sleep 3

# run SIDE JAR PORT PID FLAGS...: one bench, its JSON line with the side and the manager's CPU per work.
run() {
  local side=$1 jar=$2 port=$3 pid=$4; shift 4
  java -jar "$jar" bench --port "$port" --warmup "$warmup" --duration "$duration" --json "$@" 2>&1 | {
    local t0=0 line
    while IFS= read -r line; do
      case $line in
        "bench: measuring"*) t0=$(ticks "$pid") ;;
        "{"*) python3 -c 'import json, sys
r = json.loads(sys.argv[1]); r["side"] = sys.argv[5]; r["shape"] = sys.argv[6]
r["managerCpuMicrosPerWork"] = round((int(sys.argv[2]) - int(sys.argv[3])) * 1e6 / int(sys.argv[4]) / max(1, r["works"]), 2)
print(json.dumps(r), flush=True)' "$line" "$(ticks "$pid")" "$t0" "$hz" "$side" "$*" ;;
        *) ;;
      esac
    done
  }
}

# One unmeasured run of each shape per side, so that both managers' JIT compiled their hot paths.
for shape in "${shapes[@]}"; do
  # shellcheck disable=SC2086
  run old "$old" "$old_port" "$old_pid" $shape ${OLD_ARGS:-} > /dev/null
  # shellcheck disable=SC2086
  run new "$new" "$new_port" "$new_pid" $shape ${NEW_ARGS:-} > /dev/null
done
out=$(mktemp)
for round in $(seq 1 "$runs"); do
  for shape in "${shapes[@]}"; do
    # shellcheck disable=SC2086
    run old "$old" "$old_port" "$old_pid" $shape ${OLD_ARGS:-} | tee -a "$out"
    # shellcheck disable=SC2086
    run new "$new" "$new_port" "$new_pid" $shape ${NEW_ARGS:-} | tee -a "$out"
  done
done
python3 - "$out" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("| shape | side | works/s median (min–max) | p50 ms | p99 ms | manager CPU/work µs median (min–max) |")
print("|---|---|---|---:|---:|---|")
for shape in dict.fromkeys(r["shape"] for r in rows):
    for side in ("old", "new"):
        rs = [r for r in rows if r["shape"] == shape and r["side"] == side]
        if not rs:
            continue
        w = [r["worksPerSecond"] for r in rs]
        c = [r["managerCpuMicrosPerWork"] for r in rs]
        lat = lambda k: statistics.median(r["latencyMicros"][k] for r in rs) / 1000
        print(f"| {shape} | {side} | {statistics.median(w):,.0f} ({min(w):,.0f}–{max(w):,.0f}) | {lat('p50'):.2f} | {lat('p99'):.2f} "
              f"| {statistics.median(c):.2f} ({min(c):.2f}–{max(c):.2f}) |")
EOF
