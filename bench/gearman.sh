#!/usr/bin/env bash
# Compares our manager with gearmand on the shapes of docs/performance.md ("Against gearmand"), interleaved:
# gearmand shape 1, ours shape 1, gearmand shape 2, ... repeated RUNS times; prints the medians as a table.
# gearmand is driven by its own C library (bench/gearman/client.c, worker.c, compiled here); ours by
# `proletariat bench` against a manager started on its own, as users run it. Installs nothing: where a
# prerequisite is missing it says what to install and exits 2.
#   bench/gearman.sh                          # ~5 minutes
#   RUNS=5 DURATION=10 bench/gearman.sh       # more and longer runs
# Environment: RUNS (3), WARMUP (2 s), DURATION (5 s), GEARMAN_PORT (19930), PORT (19931), JAR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${JAR:-$root/cli/target/proletariat.jar}"
runs=${RUNS:-3}
warmup=${WARMUP:-2}
duration=${DURATION:-5}
gport=${GEARMAN_PORT:-19930}
port=${PORT:-19931}

# Prerequisites: say everything that is missing at once.
missing=()
gearmand=$(command -v gearmand || { [ -x /usr/sbin/gearmand ] && echo /usr/sbin/gearmand; } || true)
[ -n "$gearmand" ] || missing+=("gearmand: sudo apt-get install gearman-job-server")
cc=$(command -v gcc || command -v cc || true)
if [ -z "$cc" ]; then
  missing+=("a C compiler: sudo apt-get install gcc")
elif ! echo '#include <libgearman/gearman.h>' | "$cc" -E -x c - > /dev/null 2>&1; then
  missing+=("libgearman's headers: sudo apt-get install libgearman-dev")
fi
command -v python3 > /dev/null || missing+=("python3: sudo apt-get install python3")
command -v java > /dev/null || missing+=("java 17 or later: sudo apt-get install openjdk-17-jre-headless")
[ -f "$jar" ] || missing+=("$jar: build it with (cd $root && mvn -B -q -ntp -DskipTests package)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/gearman.sh needs:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

build="$root/bench/gearman/build"
mkdir -p "$build"
"$cc" -O2 -Wall -o "$build/client" "$root/bench/gearman/client.c" -lgearman
"$cc" -O2 -Wall -pthread -o "$build/worker" "$root/bench/gearman/worker.c" -lgearman

out=$(mktemp -d)
gearmand_pid= manager_pid= worker_pid=
cleanup() {
  for pid in $worker_pid $manager_pid $gearmand_pid; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT

# One line of gearmand's text admin protocol: the "echo" function's available workers (0 when none).
echo_workers() {
  local line n=0 ended=1
  exec 3<> "/dev/tcp/127.0.0.1/$gport" || return 1
  printf 'status\n' >&3
  while IFS=$'\t' read -r -t 2 -a line <&3; do
    [ "${line[0]}" = . ] && { ended=0; break; }
    [ "${line[0]}" = echo ] && n=${line[3]}
  done
  exec 3>&-
  echo "$n"
  return $ended
}
workers_are() { [ "$(echo_workers)" = "$1" ]; }

await() { # await DESCRIPTION COMMAND...: up to 10 s
  for _ in $(seq 1 100); do "${@:2}" > /dev/null 2>&1 && return; sleep 0.1; done
  echo "$1 did not happen in 10 s" >&2; exit 1
}

"$gearmand" --listen 127.0.0.1 --port "$gport" --log-file "$out/gearmand.log" --pid-file "$out/gearmand.pid" > "$out/gearmand.out" 2>&1 &
gearmand_pid=$!
await "gearmand listening on port $gport" echo_workers
kill -0 "$gearmand_pid" 2> /dev/null || { echo "gearmand did not start: $(cat "$out/gearmand.out" "$out/gearmand.log")" >&2; exit 1; }

java -jar "$jar" manager --bind 127.0.0.1 --port "$port" --http-port 0 > "$out/manager.log" 2>&1 &
manager_pid=$!
await "the manager listening on port $port" grep -q listening "$out/manager.log"
kill -0 "$manager_pid" 2> /dev/null || { echo "the manager did not start: $(cat "$out/manager.log")" >&2; exit 1; }

start_gearman_worker() {
  "$build/worker" 127.0.0.1 "$gport" "$1" &
  worker_pid=$!
  await "$1 gearman worker connections registering" workers_are "$1"
}
stop_gearman_worker() {
  kill "$worker_pid"; wait "$worker_pid" 2> /dev/null || true; worker_pid=
  await "gearmand dropping the worker's connections" workers_are 0
}

# utime + stime of a process, in clock ticks.
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

# measure BROKER_PID COMMAND...: runs a load that marks its measured interval with "bench: measuring" on
# stderr and ends it with its JSON line on stdout; prints that line with the broker's user + system CPU
# time over the interval per work added as "brokerCpuMicrosPerWork".
measure() {
  local broker=$1; shift
  "$@" 2>&1 | {
    local t0=0 line
    while IFS= read -r line; do
      case $line in
        "bench: measuring"*) t0=$(ticks "$broker") ;;
        "{"*) python3 -c 'import json, sys
r = json.loads(sys.argv[1]); r["brokerCpuMicrosPerWork"] = round((int(sys.argv[2]) - int(sys.argv[3])) * 1e6 / int(sys.argv[4]) / max(1, r["works"]), 2)
print(json.dumps(r))' "$line" "$(ticks "$broker")" "$t0" "$hz" ;;
        "bench: "*) ;;
        *) echo "$line" >&2 ;;
      esac
    done
  }
}

# The shapes: name | gearman worker connections | gearman client mode and N | `proletariat bench` options.
shapes=(
  "1 in flight, 1 worker x 1 slot|1|do 1|--concurrency 1 --slots 1"
  "100 in flight, 1 worker x 10 slots|10|flight 100|--concurrency 100 --slots 10"
  "100 in flight, 1 worker x 100 slots|100|flight 100|--concurrency 100 --slots 100"
  "batches of 100, 1 worker x 10 slots|10|batch 100|--group 100 --concurrency 1 --slots 10"
)

echo "gearmand: $("$gearmand" --version 2>&1 | grep -m1 .), default options; ours: $(java -jar "$jar" --version 2>/dev/null | head -1)"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Our manager runs on a JIT: users' managers run for long, so it compiles its hot paths before the first
# measured run (gearmand, compiled C, needs no such start).
for shape in "${shapes[@]}"; do
  IFS='|' read -r _ _ _ ours <<< "$shape"
  # shellcheck disable=SC2086
  java -jar "$jar" bench --port "$port" --workers 1 $ours --warmup 0 --duration 3 --json > /dev/null 2>&1
done
echo "$runs runs of each shape, ${warmup} s warmup then ${duration} s measured, interleaved; per run:"
for run in $(seq 1 "$runs"); do
  for i in "${!shapes[@]}"; do
    IFS='|' read -r name conns client ours <<< "${shapes[$i]}"
    start_gearman_worker "$conns"
    # shellcheck disable=SC2086
    measure "$gearmand_pid" "$build/client" 127.0.0.1 "$gport" $client "$warmup" "$duration" | tee -a "$out/gearmand.$i" \
      | python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print("  %-40s gearmand %7d works/s  p50 %7.1f us  p99 %8.1f us  %6.2f us CPU/work" % (sys.argv[1], r["worksPerSecond"], r["latencyMicros"]["p50"], r["latencyMicros"]["p99"], r["brokerCpuMicrosPerWork"]))' "$run. $name"
    stop_gearman_worker
    # shellcheck disable=SC2086
    measure "$manager_pid" java -jar "$jar" bench --port "$port" --workers 1 $ours --warmup "$warmup" --duration "$duration" --json \
      | tee -a "$out/ours.$i" \
      | python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print("  %-40s ours     %7d works/s  p50 %7.1f us  p99 %8.1f us  %6.2f us CPU/work" % ("", r["worksPerSecond"], r["latencyMicros"]["p50"], r["latencyMicros"]["p99"], r["brokerCpuMicrosPerWork"]))'
  done
done

echo
echo "Medians of $runs runs; ratio = ours / gearmand works/s; broker CPU = user + system µs per work of gearmand and of our manager process over the measured interval."
echo
python3 - "$out" "${#shapes[@]}" "${shapes[@]}" <<'PY'
import json, statistics, sys
out, n, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def medians(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    m = lambda f: statistics.median(f(r) for r in rows)
    return (m(lambda r: r["worksPerSecond"]), m(lambda r: r["latencyMicros"]["p50"]), m(lambda r: r["latencyMicros"]["p99"]),
            m(lambda r: r["brokerCpuMicrosPerWork"]))
def us(v):
    return "%.2f ms" % (v / 1000) if v >= 1000 else "%.0f µs" % v
print("| shape | gearmand works/s | p50 | p99 | ours works/s | p50 | p99 | ratio | broker CPU/work gearmand | ours |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for i in range(n):
    g, o = medians("%s/gearmand.%d" % (out, i)), medians("%s/ours.%d" % (out, i))
    print("| %s | %s | %s | %s | %s | %s | %s | %.2f× | %.1f µs | %.1f µs |" % (shapes[i].split("|")[0],
          format(round(g[0]), ","), us(g[1]), us(g[2]), format(round(o[0]), ","), us(o[1]), us(o[2]), o[0] / g[0], g[3], o[3]))
PY
