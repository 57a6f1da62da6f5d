#!/usr/bin/env bash
# Measures a healthy load's latency beside hostile peers (docs/reliability.md, "Under attack"):
# starts a manager on its own with a 512 MiB heap, runs `proletariat bench` quietly, then again
# while AbuseLoad (the test suite's abuse patterns) runs against the same manager at the lowest
# CPU priority, as an attacker on another machine would not share our CPU; prints both and the
# manager's largest resident memory meanwhile.
#   bench/abuse.sh          # every pattern at once
#   bench/abuse.sh 3        # one pattern, 1 to 6 (see AbuseLoad)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pattern=${1:-0}
port=${PORT:-19300}
work=$(mktemp -d)
trap 'kill "${manager:-}" "${rss:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

mvn -q -B -ntp -DskipTests install >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
mvn -q -B -ntp -pl client test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
cp="client/target/test-classes:client/target/classes:$(cat "$work/cp.txt")"
jar=cli/target/proletariat.jar

java -Xmx512m -XX:+ExitOnOutOfMemoryError -jar "$jar" manager --port "$port" --http-port 0 \
  >"$work/manager.out" 2>"$work/manager.err" &
manager=$!
until grep -q "listening on" "$work/manager.out" 2>/dev/null; do sleep 0.2; done

bench() {
  java -jar "$jar" bench --port "$port" --duration 8 --warmup 2 --concurrency 10 --slots 10 --json 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%d works/s, p50 %.0f us, p99 %.0f us, %d errors" % (d["worksPerSecond"], d["latencyMicros"]["p50"], d["latencyMicros"]["p99"], d["errors"]))'
}

echo "quiet:        $(bench)"
nice -n 19 java -cp "$cp" io.proletariat.reliability.AbuseLoad "$port" 14 "$pattern" >"$work/abuse.out" 2>&1 &
abuse=$!
sleep 2
(while kill -0 "$abuse" 2>/dev/null; do ps -o rss= -p "$manager"; sleep 0.5; done) >"$work/rss.txt" &
rss=$!
echo "under attack: $(bench)"
wait "$abuse"
echo "$(tail -1 "$work/abuse.out"); manager's largest RSS: $(sort -n "$work/rss.txt" | tail -1 | tr -d ' ') KiB"
