#!/usr/bin/env bash
# Instructions per call of the secret scanner for every bench case, counted
# with callgrind on the release build: (Ir of N calls - Ir of 0 calls) / N.
# Usage: bash runtime/benches/scanner_callgrind.sh [N]   (default 2000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n="${1:-2000}"
cargo build -q --release -p candor --example scanner_cost
bin=target/release/examples/scanner_cost
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(ir harmless/identifier 0)
"$bin" --list 0 | while IFS=$'\t' read -r name len; do
    total=$(ir "$name" "$n")
    per=$(( (total - base) / n ))
    if [ "$len" -gt 64 ]; then
        printf '%-32s %6s bytes %8s instr/call %6s.%02d instr/byte\n' "$name" "$len" "$per" \
            $((per / len)) $(( (per * 100 / len) % 100 ))
    else
        printf '%-32s %6s bytes %8s instr/call\n' "$name" "$len" "$per"
    fi
done
