#!/usr/bin/env bash
# Every test: installs what is missing, builds, runs the unit, integration and packaging tests
# (CTest), then builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit
# and integration tests once more.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh --test
jobs=$(nproc)

# The Node test peers (@sentry/core, ajv) are npm packages pinned in tests/peers/package-lock.json.
if [[ -f tests/peers/package.json ]]; then
  (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== build and test (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build and test (AddressSanitizer + UndefinedBehaviorSanitizer)"
# The packaging tests (the .deb, the systemd units, the container files) check files, not memory:
# they ran above, against the Release build.
# -O1 -g1: what the sanitizers need (line numbers in their reports), and faster to compile
# than -O2 -g on two cores (the CI run must stay under 30 minutes).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAULTLINE_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DFAULTLINE_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE packaging

echo "== all tests passed"
