# Shared by the interleaved comparisons (bench/clustered.sh, bench/authenticated.sh): waiting for a
# process's line, one bench run with the manager's CPU per work, and the medians of each kind.
# Expects: $jar (the CLI's jar), $out (a scratch directory), $flags (the bench flags).

await_line() { # FILE PATTERN: waits up to 30 s for a line
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done
  echo "no '$2' in $1: $(cat "$1")" >&2; exit 1
}

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
# The medians of each kind of run, in the order given: summary KIND...
summary() {
  python3 - "$out/runs" "$@" <<'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, doc = line.split(" ", 1)
    rows.setdefault(kind, []).append(json.loads(doc))
for kind in sys.argv[2:]:
    r = rows.get(kind, [])
    if not r:
        continue
    med = lambda f: statistics.median(f(x) for x in r)
    print("%-13s median works/s %9.0f   p50 %7.0f us   p99 %7.0f us   manager CPU %5.2f us/work   (runs: %s)" % (
        kind, med(lambda x: x["worksPerSecond"]), med(lambda x: x["latencyMicros"]["p50"]),
        med(lambda x: x["latencyMicros"]["p99"]), med(lambda x: x["managerCpuMicrosPerWork"]),
        ", ".join("%.0f" % x["worksPerSecond"] for x in r)))
EOF
}
