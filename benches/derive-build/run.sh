#!/usr/bin/env bash
# Build time of 500 `#[derive(candor::Event)]` against 500 `#[derive(serde::Serialize)]` structs.
#
# usage: benches/derive-build/run.sh [RUNS] [--opt-macros]   (from anywhere; default 5 runs)
#
# Generates both crates under target-derive/derive-build[-opt]/, builds their dependencies
# once, then times RUNS rebuilds of each crate alone, alternating the two so that load from
# other processes hits both alike, in two ways:
#   incremental  `touch src/lib.rs && cargo build` (debug, incremental: the edit-build loop)
#   full         the same with CARGO_INCREMENTAL=0 (every item checked and compiled again,
#                as in CI or a first build), in a target directory of its own
# Prints each run's wall time and CPU time (user+sys of cargo and rustc, less sensitive to
# other load), then medians and ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
opt="${2:-}"
out="$repo/target-derive/derive-build${opt:+-opt}"
python3 "$here/generate.py" "$out" 500 $opt
declare -A wall cpu
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for mode in incremental full; do
  if [ "$mode" = full ]; then
    export CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$out/target-full"
  else
    export CARGO_INCREMENTAL=1 CARGO_TARGET_DIR="$out/target"
  fi
  for c in candor_events serde_events; do
    (cd "$out/$c" && cargo build --quiet 2>/dev/null || cargo build)
  done
  for i in $(seq "$runs"); do
    for c in candor_events serde_events; do
      touch "$out/$c/src/lib.rs"
      start=$(date +%s.%N)
      t=$(cd "$out/$c" && { /usr/bin/time -f "%U %S" cargo build --quiet; } 2>&1 | tail -1)
      end=$(date +%s.%N)
      w=$(echo "$end - $start" | bc)
      c_=$(echo "$t" | awk '{print $1 + $2}')
      wall[$mode.$c]+="$w "
      cpu[$mode.$c]+="$c_ "
      echo "$mode run $i $c wall ${w}s cpu ${c_}s"
    done
  done
done
for mode in incremental full; do
  for kind in wall cpu; do
    declare -n m="$kind"
    a=$(echo "${m[$mode.candor_events]}" | median)
    b=$(echo "${m[$mode.serde_events]}" | median)
    echo "median $mode $kind: candor_events ${a}s, serde_events ${b}s, ratio $(echo "scale=2; $a / $b" | bc)"
  done
done
