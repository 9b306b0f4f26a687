#!/usr/bin/env bash
# Instructions per call of both stages of the secret scanner for every bench
# case, counted with callgrind on the release build: (Ir of N calls - Ir of 0
# calls) / N. "prescreen" is what track() pays on the caller; "full" is the
# full scan the sender thread runs on strings the prescreen could not clear;
# "record" is what the sender runs for a flagged record (the 5-field event of
# the benchmarks with the case as its string, read back from its JSON and
# every string scanned).
# Usage: bash runtime/benches/scanner_callgrind.sh [N]   (default 2000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n="${1:-2000}"
cargo build -q --release -p candor --example scanner_cost
bin=target/release/examples/scanner_cost
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base_pre=$(ir harmless/identifier 0 prescreen)
base_full=$(ir harmless/identifier 0 full)
base_rec=$(ir harmless/identifier 0 record)
printf '%-32s %6s %10s %10s %10s\n' case bytes prescreen full record
"$bin" --list 0 | while IFS=$'\t' read -r name len; do
    pre=$(( ($(ir "$name" "$n" prescreen) - base_pre) / n ))
    full=$(( ($(ir "$name" "$n" full) - base_full) / n ))
    if [ "$len" -gt 64 ]; then
        printf '%-32s %6s %10s %10s %10s   per byte: %s.%02d %s.%02d\n' "$name" "$len" "$pre" "$full" - \
            $((pre / len)) $(( (pre * 100 / len) % 100 )) $((full / len)) $(( (full * 100 / len) % 100 ))
    else
        rec=$(( ($(ir "$name" "$n" record) - base_rec) / n ))
        printf '%-32s %6s %10s %10s %10s\n' "$name" "$len" "$pre" "$full" "$rec"
    fi
done
