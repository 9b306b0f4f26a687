#!/usr/bin/env bash
# Loads the aggregates page `candor report` writes (the collector's golden report by default) in
# headless Chromium and checks it: no request leaves the page, no console error, every chart
# visible with its table. Screenshots land in target/browser-test/report/ (SHOT_DIR overrides).
#
# Usage (from anywhere, as root in CI): .ci/report-browser-test.sh [PAGE]
# Installs, only if missing, what .ci/browser-test.sh installs (Debian's chromium and nodejs).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
exec node .ci/report-browser-test.mjs "${1:-collector/tests/report/golden/report.html}"
