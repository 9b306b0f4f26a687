#!/usr/bin/env bash
# Build time of 500 `#[derive(candor::Event)]` against 500 `#[derive(serde::Serialize)]` structs.
#
# usage: benches/derive-build/run.sh [RUNS] [--opt-macros]   (from anywhere; default 5 runs)
#
# Generates both crates under target-derive/derive-build[-opt]/, builds their dependencies
# once, then times RUNS rebuilds of each crate alone (`touch src/lib.rs && cargo build`),
# alternating the two so that load from other processes hits both alike. Prints each run's wall
# time and CPU time (user+sys of cargo and rustc, less sensitive to other load), then medians.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
opt="${2:-}"
out="$repo/target-derive/derive-build${opt:+-opt}"
python3 "$here/generate.py" "$out" 500 $opt
export CARGO_TARGET_DIR="$out/target"
for c in candor_events serde_events; do
  (cd "$out/$c" && cargo build --quiet 2>/dev/null || cargo build)
done
declare -A wall cpu
for i in $(seq "$runs"); do
  for c in candor_events serde_events; do
    touch "$out/$c/src/lib.rs"
    start=$(date +%s.%N)
    t=$(cd "$out/$c" && { /usr/bin/time -f "%U %S" cargo build --quiet; } 2>&1 | tail -1)
    end=$(date +%s.%N)
    w=$(echo "$end - $start" | bc)
    c_=$(echo "$t" | awk '{print $1 + $2}')
    wall[$c]+="$w "
    cpu[$c]+="$c_ "
    echo "run $i $c wall ${w}s cpu ${c_}s"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for kind in wall cpu; do
  declare -n m="$kind"
  a=$(echo "${m[candor_events]}" | median)
  b=$(echo "${m[serde_events]}" | median)
  echo "median $kind: candor_events ${a}s, serde_events ${b}s, ratio $(echo "scale=2; $a / $b" | bc)"
done
