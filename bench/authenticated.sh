#!/usr/bin/env bash
# What authentication costs (docs/performance.md, "Authentication"): a manager without it and one
# with --auth (TLS off) run side by side on loopback, and the same `proletariat bench` runs against
# each in turn, with a token against the second: open, authenticated, open, ... Prints each run,
# then the medians.
#   bench/authenticated.sh                           # 5 rounds of --duration 10 --concurrency 100
#   RUNS=3 bench/authenticated.sh --works 300000     # other rounds, other bench flags
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/proletariat.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -ntp -DskipTests package)
runs=${RUNS:-5}
base=${PORT:-23917}
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--duration 10 --concurrency 100)
out=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "$out"' EXIT
source "$root/bench/lib/interleave.sh"

token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
printf 'bench client,worker %s\n' "$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" > "$out/auth"
java -jar "$jar" manager --bind 127.0.0.1 --port "$base" --http-port 0 > "$out/open.log" 2>&1 & pids+=($!)
open_pid=$!
await_line "$out/open.log" "listening"
java -jar "$jar" manager --bind 127.0.0.1 --port $((base + 1)) --http-port 0 --auth "$out/auth" > "$out/auth.log" 2>&1 & pids+=($!)
auth_pid=$!
await_line "$out/auth.log" "listening"
echo "proletariat bench ${flags[*]}: against a manager without authentication and one with --auth (the bench's client and worker send a token)"
for run in $(seq 1 "$runs"); do
  bench open "$open_pid" --port "$base"
  bench authenticated "$auth_pid" --port $((base + 1)) --token "$token"
done
summary open authenticated
