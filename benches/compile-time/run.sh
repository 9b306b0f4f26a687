#!/usr/bin/env bash
# Compile time of two commits side by side: the libraries an app builds, and 500 derives.
#
# usage: benches/compile-time/run.sh BEFORE AFTER [RUNS]   (revisions; default 3 runs)
#
# Checks both revisions out as detached worktrees under target-compile/, then, alternating the
# two revisions run by run so that load from other processes hits both alike:
#   libraries  a from-scratch, non-incremental `cargo build -p candor-schema -p candor-macros
#              -p candor` (default features) in a fresh target directory: everything an app
#              that depends on candor compiles, dependencies included, plus the compiler
#   derives    each revision's own benches/derive-build/run.sh (500 `#[derive(candor::Event)]`
#              against 500 `#[derive(serde::Serialize)]`, incremental and full rebuilds)
# Prints wall and CPU time (user+sys of cargo and every rustc) per run, then medians.
set -euo pipefail
before="${1:?usage: run.sh BEFORE AFTER [RUNS]}"
after="${2:?usage: run.sh BEFORE AFTER [RUNS]}"
runs="${3:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$repo/target-compile"
mkdir -p "$out"
declare -A tree
for side in before after; do
  rev="${!side}"
  dir="$out/$side"
  if [ -d "$dir" ]; then
    git -C "$dir" checkout --quiet --detach "$rev"
  else
    git -C "$repo" worktree add --quiet --detach "$dir" "$rev"
  fi
  tree[$side]="$dir"
  echo "$side = $(git -C "$dir" log --oneline -1)"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A wall cpu
for i in $(seq "$runs"); do
  for side in before after; do
    dir="${tree[$side]}"
    target="$out/target-$side"
    rm -rf "$target"
    start=$(date +%s.%N)
    t=$(cd "$dir" && { CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" /usr/bin/time -f "%U %S" \
      cargo build --quiet -p candor-schema -p candor-macros -p candor; } 2>&1 | tail -1)
    end=$(date +%s.%N)
    w=$(echo "$end - $start" | bc)
    c=$(echo "$t" | awk '{print $1 + $2}')
    wall[$side]+="$w "
    cpu[$side]+="$c "
    echo "libraries run $i $side wall ${w}s cpu ${c}s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
rm -rf "$out/target-before" "$out/target-after"
for side in before after; do
  echo "median libraries $side: wall $(echo "${wall[$side]}" | median)s, cpu $(echo "${cpu[$side]}" | median)s"
done

for side in before after; do
  echo "== derives, $side"
  bash "${tree[$side]}/benches/derive-build/run.sh" "$runs" | grep '^median'
done
