#!/usr/bin/env bash
# Fails when docs/telemetry/ is not exactly what `candor docs schemas` generates, i.e. someone
# changed schemas/ (or the generator) without regenerating and committing the transparency page.
#
# Usage (from anywhere): .ci/docs-check.sh
# Needs: cargo (builds candor-cli). Installs nothing, uses no network.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --locked -p candor-cli -- docs schemas --out docs/telemetry --check
