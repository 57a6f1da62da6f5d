#!/usr/bin/env bash
# Bytes the manager process allocates per work (docs/performance.md, "Allocation per work, manager").
# Starts a manager on its own, warms it with 200,000 works, then records JFR around a measured run of
# WORKS works (100 in flight, 1 worker x 10 slots) and sums the allocation of every manager thread
# (jdk.ThreadAllocationStatistics) over the run. Deterministic to about 1 %, even on a busy machine.
#   bench/manager-alloc.sh                  # prints bytes/work per thread and in total
#   JAR=/path/to/proletariat.jar bench/manager-alloc.sh   # another build
#   PROFILE=1 bench/manager-alloc.sh        # also the largest allocation sites (JFR samples: indicative only)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${JAR:-$root/cli/target/proletariat.jar}"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -ntp -DskipTests package)
port=${PORT:-19918}
works=${WORKS:-300000}
out=$(mktemp -d)

java -jar "$jar" manager --bind 127.0.0.1 --port "$port" --http-port 0 > "$out/manager.log" 2>&1 &
manager=$!
trap 'kill "$manager" 2>/dev/null; wait "$manager" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening" "$out/manager.log" 2>/dev/null && break; sleep 0.1; done

bench() { java -jar "$jar" bench --port "$port" --concurrency 100 --slots 10 --warmup 0 --json "$@" 2>/dev/null | tail -1; }
bench --works 200000 > /dev/null
jcmd "$manager" JFR.start name=alloc settings=profile filename="$out/run.jfr" > /dev/null
sleep 0.5
bench --works "$works" > "$out/bench.json"
jcmd "$manager" JFR.stop name=alloc > /dev/null
cat "$out/bench.json"

jfr print --json --events jdk.ThreadAllocationStatistics "$out/run.jfr" > "$out/threads.json"
python3 - "$out/threads.json" "$works" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))['recording']['events']
works = int(sys.argv[2])
span = {}
for e in events:
    t = e['values']['thread']
    key = (t['javaName'], t['javaThreadId']) if t else (None, None)
    a = e['values']['allocated']
    lo, hi = span.get(key, (a, a))
    span[key] = (min(lo, a), max(hi, a))
total = 0
for (name, _), (lo, hi) in sorted(span.items(), key=lambda kv: kv[1][0] - kv[1][1]):
    total += hi - lo
    if hi - lo > works:
        print(f"  {name:32s} {(hi - lo) / works:8.1f} bytes/work")
print(f"manager total: {total / works:.1f} bytes/work")
PY

if [ -n "${PROFILE:-}" ]; then
  jfr print --json --events jdk.ObjectAllocationSample "$out/run.jfr" > "$out/samples.json"
  python3 - "$out/samples.json" "$works" <<'PY'
import json, sys, collections
events = json.load(open(sys.argv[1]))['recording']['events']
works = int(sys.argv[2])
sites = collections.Counter()
for e in events:
    v = e['values']
    frames = v['stackTrace']['frames'] if v['stackTrace'] else []
    where = ' < '.join(f"{f['method']['type']['name'].split('/')[-1]}.{f['method']['name']}:{f['lineNumber']}" for f in frames[:4])
    sites[v['objectClass']['name'] + ' @ ' + where] += v['weight']
for site, weight in sites.most_common(30):
    print(f"{weight / works:8.1f}  {site}")
PY
fi
