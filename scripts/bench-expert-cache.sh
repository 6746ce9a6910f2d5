#!/usr/bin/env bash
# Reproduces the expert cache figures of BENCHMARKS.md ("Expert cache").
#
#   scripts/bench-expert-cache.sh speed    [MODEL]   plain mapping vs expert cache inside a 3 GiB memory cgroup
#   scripts/bench-expert-cache.sh overhead [MODEL]   plain mapping vs a cache larger than the model, no memory limit
#   scripts/bench-expert-cache.sh policy   [MODEL]   trace generations, replay them: default policy vs Belady at 2x;
#                                                    the same runs with the cache (with and without prefetch)
#   scripts/bench-expert-cache.sh all      [MODEL]
#
# MODEL defaults to olmoe-1b-7b Q8_0 from moe4j synth for speed/overhead (made if missing) and to the bundled
# models/moe4j-default.gguf for policy. speed and overhead need root (cgroup, drop_caches). Settings:
#   REPEATS=3  TOKENS=8  LIMIT=3G  BUDGET=60%  HEAP=512m  THREADS=(all)  OUT=bench-out/expert-cache
#   POLICY_PROMPTS=6  POLICY_TOKENS=1000
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-all}"
REPEATS="${REPEATS:-3}"
TOKENS="${TOKENS:-8}"
LIMIT="${LIMIT:-3G}"
BUDGET="${BUDGET:-60%}"
HEAP="${HEAP:-512m}"
OUT="${OUT:-$ROOT/bench-out/expert-cache}"
CGROUP=/sys/fs/cgroup/memory/moe4j-bench
SYNTH="${SYNTH:-$ROOT/bench-out/olmoe-1b-7b-q8_0.gguf}"
THREADS_ARG=()
[ -n "${THREADS:-}" ] && THREADS_ARG=(-t "$THREADS")
mkdir -p "$OUT"

export MOE4J_NO_BUILD=1 MOE4J_JAVA_OPTS="-Xms64m -Xmx$HEAP"
moe4j() { "$ROOT/moe4j" "$@"; }

build() {
  (cd "$ROOT" && ./build package -q) >/dev/null
}

big_model() {
  local m="${1:-}"
  if [ -n "$m" ]; then echo "$m"; return; fi
  if [ ! -f "$SYNTH" ]; then
    echo "making $SYNTH (7.4 GB of random weights)..." >&2
    moe4j synth --preset olmoe-1b-7b --type Q8_0 --out "$SYNTH" >&2
  fi
  echo "$SYNTH"
}

drop_caches() {
  sync
  echo 3 > /proc/sys/vm/drop_caches
}

# A memory cgroup (v1) with the limit; a fresh one per run so its peak and OOM counters are the run's.
make_cgroup() {
  [ -d /sys/fs/cgroup/memory ] || { echo "needs the cgroup v1 memory controller at /sys/fs/cgroup/memory" >&2; exit 1; }
  [ -d "$CGROUP" ] && rmdir "$CGROUP" 2>/dev/null || true
  mkdir -p "$CGROUP"
  local bytes
  bytes=$(numfmt --from=iec "$LIMIT")
  echo "$bytes" > "$CGROUP/memory.limit_in_bytes"
  [ -f "$CGROUP/memory.memsw.limit_in_bytes" ] && echo "$bytes" > "$CGROUP/memory.memsw.limit_in_bytes" 2>/dev/null || true
}

# in_cgroup LOG CMD...: runs CMD with its JVM inside the cgroup; records exit code, peak memory, OOM kills.
in_cgroup() {
  local log="$1"; shift
  make_cgroup
  set +e
  bash -c 'echo $$ > '"$CGROUP"'/cgroup.procs && exec "$@"' _ "$@" > "$log.out" 2> "$log.err"
  local rc=$?
  set -e
  local peak oom
  peak=$(cat "$CGROUP/memory.max_usage_in_bytes")
  oom=$(awk '/oom_kill /{print $2}' "$CGROUP/memory.oom_control" 2>/dev/null || echo "?")
  echo "rc=$rc peak_bytes=$peak oom_kills=${oom:-?}" > "$log.cgroup"
  rmdir "$CGROUP" 2>/dev/null || true
  return 0
}

json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }

median() { python3 -c "import sys,statistics; v=[float(x) for x in sys.argv[1:]]; print('%.3f' % statistics.median(v))" "$@"; }

speed() {
  local model; model=$(big_model "${1:-}")
  echo "== speed: $model in a $LIMIT cgroup, -Xmx$HEAP, $TOKENS generated tokens per run, $REPEATS runs each"
  local base=() cache=()
  for r in $(seq 1 "$REPEATS"); do
    drop_caches
    in_cgroup "$OUT/mapped-$r" "$ROOT/moe4j" bench -m "$model" -p 0 -n "$TOKENS" -r 1 --bandwidth-gib 0 "${THREADS_ARG[@]}" \
      --json --stats --stats-json "$OUT/mapped-$r.json"
    cat "$OUT/mapped-$r.cgroup"
    base+=("$(json_field "$OUT/mapped-$r.json" "['tokens_per_s']")")
    echo "mapped run $r: ${base[-1]} tokens/s"
    drop_caches
    in_cgroup "$OUT/cache-$r" "$ROOT/moe4j" bench -m "$model" -p 0 -n "$TOKENS" -r 1 --bandwidth-gib 0 "${THREADS_ARG[@]}" \
      --json --expert-cache "$BUDGET" --stats --stats-json "$OUT/cache-$r.json"
    cat "$OUT/cache-$r.cgroup"
    cache+=("$(json_field "$OUT/cache-$r.json" "['tokens_per_s']")")
    echo "cache run $r: ${cache[-1]} tokens/s, hit rate $(json_field "$OUT/cache-$r.json" "['hit_rate']"), stall $(json_field "$OUT/cache-$r.json" "['stall_seconds']") s"
  done
  local mb mc
  mb=$(median "${base[@]}"); mc=$(median "${cache[@]}")
  echo "median generation tokens/s: mapped $mb, expert cache $mc, speed-up $(python3 -c "print('%.2f' % ($mc / $mb))")x"
}

overhead() {
  local model; model=$(big_model "${1:-}")
  local size; size=$(stat -c %s "$model")
  echo "== overhead: $model, no memory limit, budget above the model size, $REPEATS runs each"
  local base=() cache=()
  for r in $(seq 1 "$REPEATS"); do
    cat "$model" > /dev/null # plain mapping at its best: the whole file in the page cache
    moe4j bench -m "$model" -p 0 -n 32 -r 3 --bandwidth-gib 0 "${THREADS_ARG[@]}" --json --stats-json "$OUT/big-mapped-$r.json" \
      > "$OUT/big-mapped-$r.out" 2> "$OUT/big-mapped-$r.err"
    base+=("$(json_field "$OUT/big-mapped-$r.json" "['tokens_per_s']")")
    moe4j bench -m "$model" -p 0 -n 32 -r 3 --bandwidth-gib 0 "${THREADS_ARG[@]}" --json --expert-cache "$((size / 1048576 + 64))MiB" \
      --stats-json "$OUT/big-cache-$r.json" > "$OUT/big-cache-$r.out" 2> "$OUT/big-cache-$r.err"
    cache+=("$(json_field "$OUT/big-cache-$r.json" "['tokens_per_s']")")
    echo "run $r: mapped ${base[-1]}, cache ${cache[-1]} tokens/s (hit rate $(json_field "$OUT/big-cache-$r.json" "['hit_rate']"))"
  done
  local mb mc
  mb=$(median "${base[@]}"); mc=$(median "${cache[@]}")
  echo "median generation tokens/s: mapped $mb, expert cache $mc, cost $(python3 -c "print('%.1f' % (100 * (1 - $mc / $mb)))")%"
}

# Prompts for the policy traces: $1 slices of 300 bytes, starting at line breaks spread over the two corpora.
make_prompts() {
  python3 - "$1" "$OUT" "$ROOT/../shared/corpus/kjv.txt" "$ROOT/../shared/corpus/state_of_the_union.txt" <<'PY'
import sys
n, out, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
for i in range(n):
    data = open(files[i % len(files)], 'rb').read()
    at = data.index(b'\n', len(data) * (i // len(files) + 1) // (n // len(files) + 2)) + 1
    open(f'{out}/prompt-{i + 1}.txt', 'wb').write(data[at:at + 300].rsplit(b' ', 1)[0])
PY
}

# Traces POLICY_PROMPTS generations of the model (until its context is full) with the expert cache at 2x the active
# experts, with and without prefetch; replays each trace in cache-sim; sums hits over all runs.
policy() {
  local model="${1:-$ROOT/models/moe4j-default.gguf}"
  [ -f "$model" ] || { echo "no model $model (give one: scripts/bench-expert-cache.sh policy MODEL)" >&2; exit 1; }
  local name; name=$(basename "$model" .gguf)
  local n="${POLICY_PROMPTS:-6}" tokens="${POLICY_TOKENS:-1000}"
  make_prompts "$n"
  echo "== policy: $model, $n traced generations (up to $tokens tokens each, the context permitting), cache at 2x the active experts"
  moe4j run -m "$model" -f "$OUT/prompt-1.txt" --no-echo -n 4 --trace "$OUT/$name-probe.trace" > /dev/null 2> "$OUT/$name-probe.err"
  moe4j cache-sim --trace "$OUT/$name-probe.trace" --model "$model" --budget 2x --json > "$OUT/$name-probe.json"
  local budget; budget=$(json_field "$OUT/$name-probe.json" "['budgets'][0]['budget_bytes']")
  for i in $(seq 1 "$n"); do
    local run=(run -m "$model" -f "$OUT/prompt-$i.txt" --no-echo -n "$tokens" --temp 0.7 --seed "$i" --expert-cache "$budget")
    moe4j "${run[@]}" --no-prefetch --trace "$OUT/$name-$i.trace" --trace-predictions --stats-json "$OUT/$name-$i-noprefetch.json" > /dev/null 2> "$OUT/$name-$i.err"
    moe4j "${run[@]}" --stats-json "$OUT/$name-$i-prefetch.json" > /dev/null 2>> "$OUT/$name-$i.err"
    moe4j cache-sim --trace "$OUT/$name-$i.trace" --budget 2x --policy lru,lfu,lfru,next-use,quota,pinned --json > "$OUT/$name-$i-sim.json"
  done
  moe4j cache-sim --trace "$OUT/$name-1.trace" --budget 1x,1.5x,2x,3x,4x --plot "$OUT/$name-hit-rates.png"
  python3 - "$OUT" "$name" "$n" <<'PY'
import json, sys
out, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sims = [json.load(open(f'{out}/{name}-{i}-sim.json')) for i in range(1, n + 1)]
runs = {m: [json.load(open(f'{out}/{name}-{i}-{m}.json')) for i in range(1, n + 1)] for m in ('noprefetch', 'prefetch')}
acc = sum(s['accesses'] for s in sims)
rate = {}
for p in sims[0]['budgets'][0]['hit_rates']:
    rate[p] = sum(s['budgets'][0]['hit_rates'][p] * s['accesses'] for s in sims) / acc
print(f"{n} traces, {sum(s['tokens'] for s in sims)} tokens, {acc} expert accesses, {sims[0]['experts']} experts, "
      f"{sims[0]['budgets'][0]['slots']} slots (2x)")
for p, r in rate.items():
    print(f"  cache-sim {p:8s} hit rate {100 * r:5.1f}%  = {100 * r / rate['belady']:5.1f}% of Belady")
pre = {}
for p in sims[0]['budgets'][0]['prefetch_hit_rates']:
    pre[p] = sum(s['budgets'][0]['prefetch_hit_rates'][p] * s['accesses'] for s in sims) / acc
for p, r in pre.items():
    print(f"  cache-sim {p:8s} + prefetch hit rate {100 * r:5.1f}%  = {100 * r / rate['belady']:5.1f}% of Belady")
steps = sum(s['gate_prediction']['steps'] for s in sims)
prec = sum(s['gate_prediction']['precision'] * s['gate_prediction']['steps'] for s in sims) / steps
print(f"  gate prediction: {100 * prec:.1f}% of predicted experts selected ({steps} layer steps)")
for m, rs in runs.items():
    a = sum(r['accesses'] for r in rs)
    h = sum(r['hits'] for r in rs)
    f = sum(r['in_flight'] for r in rs)
    print(f"  moe4j run, {m:10s} hit rate {100 * h / a:5.1f}%  = {100 * h / a / rate['belady']:5.1f}% of Belady "
          f"(in flight at routing {100 * f / a:.1f}%, {a} accesses)")
d = sims[0]['default_policy']
live = sum(r['hits'] for r in runs['prefetch']) / sum(r['accesses'] for r in runs['prefetch'])
print(f"default cache at 2x (policy {d} with gate-prediction prefetch, as moe4j runs by default): "
      f"{pre[d] / rate['belady']:.3f} of Belady's demand-paging hit rate in replay, {live / rate['belady']:.3f} live "
      f"(in-flight reads not counted as hits) (target >= 0.9)")
print(f"  the eviction policy alone (--no-prefetch): {rate[d] / rate['belady']:.3f}; "
      f"with prefetch against Belady's eviction given the same prefetches: {pre[d] / pre['belady']:.3f}")
PY
}

build
case "$MODE" in
  speed) speed "${2:-}" ;;
  overhead) overhead "${2:-}" ;;
  policy) policy "${2:-}" ;;
  all) speed "${2:-}"; overhead "${2:-}"; policy ;;
  *) echo "usage: $0 speed|overhead|policy|all [MODEL]" >&2; exit 2 ;;
esac
