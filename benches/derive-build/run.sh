#!/usr/bin/env bash
# Build time of 500 `#[derive(candor::Event)]` against 500 `#[derive(serde::Serialize)]` structs.
#
# usage: benches/derive-build/run.sh [RUNS]   (from anywhere; default 5 runs)
#
# Generates both crates under target-derive/derive-build/, builds their dependencies once, then
# times RUNS rebuilds of each crate alone (`touch src/lib.rs && cargo build`), alternating the
# two so that load from other processes hits both alike, and prints every time and the medians.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/target-derive/derive-build"
runs="${1:-5}"
python3 "$here/generate.py" "$out" 500
export CARGO_TARGET_DIR="$out/target"
for c in candor_events serde_events; do
  (cd "$out/$c" && cargo build --quiet 2>/dev/null || cargo build)
done
declare -A times
for i in $(seq "$runs"); do
  for c in candor_events serde_events; do
    touch "$out/$c/src/lib.rs"
    start=$(date +%s.%N)
    (cd "$out/$c" && cargo build --quiet)
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    times[$c]+="$t "
    echo "run $i $c ${t}s"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mc=$(echo "${times[candor_events]}" | median)
ms=$(echo "${times[serde_events]}" | median)
echo "median candor_events ${mc}s"
echo "median serde_events ${ms}s"
echo "ratio $(echo "scale=2; $mc / $ms" | bc)"
