#!/usr/bin/env bash
# Loads the committed transparency page (docs/telemetry/index.html) in headless Chromium and
# checks it: no request leaves the page, no console error, the filters work, everything is
# visible without script. Screenshots land in target/browser-test/ (override with SHOT_DIR).
#
# Usage (from anywhere, as root in CI): .ci/browser-test.sh [PAGE]
# Installs, only if missing: Debian's `chromium` and `nodejs` packages (apt-get). No npm
# packages, no browser download: the test speaks the DevTools protocol over a pipe itself.
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
exec node .ci/browser-test.mjs "${1:-docs/telemetry/index.html}"
