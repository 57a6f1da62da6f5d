#!/usr/bin/env bash
# Bytes allocated per work by the manager and by the Java client and worker libraries, as `proletariat bench`
# drives them (docs/performance.md, "Allocation per work"). Starts a manager in its own JVM and runs the bench
# in another, both under JFR, and splits each JVM's allocation in the bench's measured window by thread
# (manager I/O and core, client I/O, worker I/O, ...) and by who allocated it (ours, or the bench's own code),
# with the largest allocation sites. Allocation per work is exact and steady even on a busy machine, unlike CPU time.
#   bench/alloc-per-work.sh                                 # 100 in flight, 1 worker x 10 slots, 10 s
#   bench/alloc-per-work.sh --group 100 --answer-threshold 100
# Extra arguments go to `proletariat bench`. Environment: PORT (19941), WARMUP (3 s), DURATION (10 s),
# CONCURRENCY (100), SLOTS (10), TOP (12 allocation sites per thread group), JFR (keep the recording there), JAR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${JAR:-$root/cli/target/proletariat.jar}"
port=${PORT:-19941}
[ -f "$jar" ] || { echo "$jar: build it with (cd $root && mvn -B -q -ntp -DskipTests package)" >&2; exit 2; }

out=$(mktemp -d)
jfr="${JFR:-$out/bench.jfr}"
manager_pid=
cleanup() {
  [ -z "$manager_pid" ] || kill "$manager_pid" 2> /dev/null || true
  wait 2> /dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT

settings="settings=profile,settings=$root/bench/alloc-per-work.jfc"
java "-XX:StartFlightRecording=filename=$out/manager.jfr,dumponexit=true,$settings" \
    -jar "$jar" manager --bind 127.0.0.1 --port "$port" --http-port 0 > "$out/manager.log" 2>&1 &
manager_pid=$!
for _ in $(seq 1 100); do grep -q listening "$out/manager.log" && break; sleep 0.1; done
grep -q listening "$out/manager.log" || { echo "the manager did not start: $(cat "$out/manager.log")" >&2; exit 1; }

# Each line of the bench's output with the wall-clock time it arrived: the window starts at
# "bench: measuring" and ends at the JSON report, printed as soon as the run ends.
java "-XX:StartFlightRecording=filename=$jfr,$settings" -jar "$jar" bench \
    --port "$port" --concurrency "${CONCURRENCY:-100}" --slots "${SLOTS:-10}" --warmup "${WARMUP:-3}" --duration "${DURATION:-10}" \
    --json "$@" 2>&1 | while IFS= read -r line; do echo "${EPOCHREALTIME/./} $line"; done > "$out/bench.log"
start=$(awk '/ bench: measuring/ {print substr($1, 1, length($1) - 3); exit}' "$out/bench.log")
report=$(grep -m1 ' {"works"' "$out/bench.log") || { echo "no report from the bench:" >&2; cat "$out/bench.log" >&2; exit 1; }
end=$(( ${report%% *} / 1000 ))
json=${report#* }
works=$(echo "$json" | sed 's/.*"works":\([0-9]*\).*/\1/')
echo "$json"
kill "$manager_pid"; wait "$manager_pid" 2> /dev/null || true; manager_pid= # the manager writes its recording as it exits
echo; echo "== the manager"
java "$root/bench/AllocPerWork.java" "$out/manager.jfr" "$start" "$end" "$works" "${TOP:-12}"
echo; echo "== the bench JVM (client and worker libraries)"
java "$root/bench/AllocPerWork.java" "$jfr" "$start" "$end" "$works" "${TOP:-12}"
