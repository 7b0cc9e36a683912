#!/usr/bin/env bash
# The main job on the bundled example: installs what is missing, builds faultline, and prints
# the Sentry events it would send for examples/app.ndjson (no DSN needed).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target faultline
build/faultline replay --print examples/app.ndjson
