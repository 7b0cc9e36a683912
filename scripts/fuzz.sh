#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang in a build directory of their own and runs
# each for a bounded time. Exits non-zero when a target finds a crash (or fails to build).
#
#   scripts/fuzz.sh                      # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh     # longer
#   FUZZ_TARGETS=stack_fuzz scripts/fuzz.sh
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_TARGETS (default: all),
# FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (build parallelism, default 2).
#
# The seeds in tests/fuzz/corpus/<target>/ are read, never written: what the fuzzer finds goes to
# <build>/fuzz-corpus/<target>/, which is kept between runs. A crash input is written to
# <build>/fuzz-artifacts/<target>/; once fixed, copy it to tests/fuzz/regressions/<target>/ so
# that the unit tests replay it (tests/unit/parsers/fuzz_regressions_test.cpp). The regression
# files are also replayed here before fuzzing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-record_view_fuzz stack_fuzz plain_error_fuzz}
jobs=${FUZZ_JOBS:-2}

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (libFuzzer needs clang)" >&2
  exit 2
fi

mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFAULTLINE_FUZZ=ON -DFAULTLINE_TESTS=OFF -DFAULTLINE_BENCH=OFF -DFAULTLINE_SANITIZE=OFF \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 2; }
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target $targets

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for target in $targets; do
  bin="$build/tests/fuzz/$target"
  seeds="$root/tests/fuzz/corpus/$target"
  regressions="$root/tests/fuzz/regressions/$target"
  work="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  dict=()
  [[ -f "$root/tests/fuzz/$target.dict" ]] && dict=(-dict="$root/tests/fuzz/$target.dict")

  # Known crashes first: each file once.
  mapfile -t known < <(find "$regressions" -type f ! -name '.*' 2>/dev/null | sort)
  if ((${#known[@]} > 0)); then
    echo "== $target: replaying ${#known[@]} regression input(s)"
    if ! "$bin" "${known[@]}" >"$log.regressions" 2>&1; then
      echo "!! $target: a regression input fails again; see $log.regressions" >&2
      tail -n 40 "$log.regressions" >&2
      failed+=("$target")
      continue
    fi
  fi

  echo "== $target: fuzzing for ${seconds}s (log: $log)"
  status=0
  "$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$work" "$seeds" >"$log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$log" | sed "s/^/   /" || true
  if ((status != 0)); then
    echo "!! $target: crash or failure (exit $status); inputs in $artifacts" >&2
    grep -E 'ERROR:|SUMMARY:|_fuzz: |Test unit written' "$log" | head -n 20 >&2 ||
      tail -n 20 "$log" >&2
    failed+=("$target")
  else
    echo "   $target: no crash, corpus $(find "$work" -type f | wc -l) inputs"
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all targets ran ${seconds}s without a crash"
