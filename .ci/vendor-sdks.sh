#!/usr/bin/env bash
# Creates target/vendor-sdks-venv: a Python venv with the vendors' official SDKs
# (segment-analytics-python, mixpanel, posthog, snowplow-tracker), pinned in
# interop/tests/conformance/requirements.txt, for the conformance tests of candor-interop
# (`cargo test -p candor-interop --test conformance`). Idempotent: does nothing when the venv
# already matches the pins. Safe to run concurrently (takes a lock).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv="${CANDOR_VENDOR_SDKS_VENV:-target/vendor-sdks-venv}"
pins="interop/tests/conformance/requirements.txt"
mkdir -p "$(dirname "$venv")"

exec 9>"$venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && cmp -s "$pins" "$venv/.pins" 2>/dev/null; then
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$pins"
cp "$pins" "$venv/.pins"
echo "vendor SDKs installed in $venv"
