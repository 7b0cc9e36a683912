#!/usr/bin/env bash
# bench/run.sh: throughput benchmark of `faultline replay --print` against a plain simdjson
# On-Demand scan (bench/scan.cpp) of the same generated pino-http file, in the same run.
# Reports seconds, MB/s, lines/s and peak RSS for both, and faultline's throughput as a ratio of
# the scan's. See bench/README.md and docs/benchmarks.md.
#
# Then the footprint (docs/benchmarks.md, "Footprint"): `pipe` on the same file, idle `pipe` and
# `run` (CPU per second and RSS), startup, an error-rate sweep with the cost per event, and
# pino-sentry side by side when it is installed. --no-footprint skips that part.
#
# Usage: bench/run.sh [--build] [--size 100M] [--error-rate 0.01] [--seed 1]
#                     [--open-requests 64] [--received-message] [--runs 5] [--scan-only]
#                     [--no-footprint] [--idle-seconds 20]
# Environment: BUILD_DIR (default: <repo>/build), FAULTLINE_BIN (default: $BUILD_DIR/faultline),
#              TIME_BIN (default: /usr/bin/time; TIME_BIN=none measures RSS through /proc).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
faultline_bin_from_env=${FAULTLINE_BIN:+1}
FAULTLINE_BIN=${FAULTLINE_BIN:-$BUILD_DIR/faultline}
GEN=$BUILD_DIR/bench/faultline-bench-gen
SCAN=$BUILD_DIR/bench/faultline-bench-scan
DATA_DIR=$BUILD_DIR/bench-data

size=100M
error_rate=0.01
seed=1
open_requests=64
received=0
runs=5
build=0
scan_only=0
footprint=1
idle_seconds=20

die() {
  echo "run.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=1 ;;
    --size) size=${2:?--size needs a value}; shift ;;
    --error-rate) error_rate=${2:?--error-rate needs a value}; shift ;;
    --seed) seed=${2:?--seed needs a value}; shift ;;
    --open-requests) open_requests=${2:?--open-requests needs a value}; shift ;;
    --received-message) received=1 ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --scan-only) scan_only=1 ;;
    --no-footprint) footprint=0 ;;
    --idle-seconds) idle_seconds=${2:?--idle-seconds needs a value}; shift ;;
    -h | --help) usage 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage 2 ;;
  esac
  shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"

if [[ $build == 1 ]]; then
  targets=(faultline-bench-gen faultline-bench-scan)
  [[ $scan_only == 1 ]] || targets+=(faultline)
  cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake configure failed"
  cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}" || die "build failed"
fi

if [[ $scan_only == 0 && ! -x $FAULTLINE_BIN ]]; then
  [[ -n $faultline_bin_from_env ]] && die "FAULTLINE_BIN=$FAULTLINE_BIN not found"
  die "build/faultline not found: run cmake --build build first (looked for $FAULTLINE_BIN; --scan-only measures the reference alone)"
fi
[[ -x $GEN ]] || die "$GEN not found: run cmake --build $BUILD_DIR --target faultline-bench-gen first (or pass --build)"
[[ -x $SCAN ]] || die "$SCAN not found: run cmake --build $BUILD_DIR --target faultline-bench-scan first (or pass --build)"

# ---- peak-RSS measurement: GNU time if present, else /proc polling ------------------------------
TIME_BIN=${TIME_BIN:-/usr/bin/time} # TIME_BIN=none forces the /proc fallback
if [[ $TIME_BIN == /usr/bin/time ]] && ! { [[ -x $TIME_BIN ]] && "$TIME_BIN" -v true >/dev/null 2>&1; }; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "run.sh: installing GNU time (Debian package 'time')" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
  fi
fi
have_gnu_time=0
if [[ -x $TIME_BIN ]] && "$TIME_BIN" -v true >/dev/null 2>&1; then have_gnu_time=1; fi

now_ns() { date +%s%N; }

# measure OUT_PREFIX CMD... : runs CMD with stdout to OUT_PREFIX.out and stderr to OUT_PREFIX.err;
# sets M_SECONDS (wall clock, ns resolution), M_CPU (user + system seconds, GNU time only, else
# empty) and M_RSS_KB (peak RSS). Fails if CMD fails.
measure() {
  local prefix=$1
  shift
  local t0 t1 status=0
  if [[ $have_gnu_time == 1 ]]; then
    t0=$(now_ns)
    "$TIME_BIN" -v -o "$prefix.time" "$@" >"$prefix.out" 2>"$prefix.err" || status=$?
    t1=$(now_ns)
    M_RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$prefix.time")
    M_CPU=$(awk -F: '/User time|System time/ {s += $2} END {printf "%.3f", s}' "$prefix.time")
  else
    t0=$(now_ns)
    "$@" >"$prefix.out" 2>"$prefix.err" &
    # Poll the kernel's high-water mark with builtins only; a late poll only delays t1 by ~5 ms.
    local pid=$! hwm=0 k v _
    while kill -0 "$pid" 2>/dev/null; do
      while read -r k v _; do
        if [[ $k == VmHWM: ]]; then
          ((v > hwm)) && hwm=$v
          break
        fi
      done <"/proc/$pid/status" 2>/dev/null || true
      sleep 0.005
    done
    wait "$pid" || status=$?
    t1=$(now_ns)
    M_RSS_KB=$hwm
    M_CPU=""
  fi
  if [[ $status != 0 ]]; then
    echo "run.sh: command failed with status $status: $*" >&2
    sed 's/^/  stderr: /' "$prefix.err" | tail -n 20 >&2
    return 1
  fi
  M_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# ---- machine ------------------------------------------------------------------------------------
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
cpu_model=${cpu_model:-$(uname -m)}
cores=$(nproc)
mem_gib=$(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
compiler=$(awk -F= '/^CMAKE_CXX_COMPILER:/ {print $2}' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
compiler_version=$("${compiler:-c++}" --version 2>/dev/null | head -n 1 || true)
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
kernels=$("$SCAN" --kernels) || die "$SCAN --kernels failed"
ondemand_kernel=$(sed -n 's/.*ondemand=\([^ ]*\).*/\1/p' <<<"$kernels")
active_kernel=$(sed -n 's/.*active=\([^ ]*\).*/\1/p' <<<"$kernels")
library_kernel=$(sed -n 's/.*library_builtin=\([^ ]*\).*/\1/p' <<<"$kernels")
read -r load1 _ </proc/loadavg

echo "machine:  $cpu_model, $cores cores, $mem_gib GiB RAM, $(uname -sr)"
echo "compiler: ${compiler_version:-unknown} (${build_type:-unknown} build in $BUILD_DIR)"
echo "simdjson: stage 1 (structural index): runtime-dispatched kernel '$active_kernel'"
echo "          On-Demand (stage 2), compiled into the scan: '$ondemand_kernel'" \
  "(builtin_implementation() of the shared library: '$library_kernel')"
if [[ $ondemand_kernel == fallback ]]; then
  echo "          ('fallback': no -march flags; -march=haswell, or x86-64-v3 plus -mpclmul, selects 'haswell')"
fi
echo "load:     $load1 (1-minute load average before the runs)"
if awk -v l="$load1" 'BEGIN {exit !(l > 0.5)}'; then
  echo "          warning: the machine is busy; figures will be noisy" >&2
fi

# ---- input --------------------------------------------------------------------------------------
mkdir -p "$DATA_DIR"
name="pino-${size}-e${error_rate}-s${seed}-o${open_requests}"
gen_args=(--size "$size" --error-rate "$error_rate" --seed "$seed" --open-requests "$open_requests")
if [[ $received == 1 ]]; then
  name+="-recv"
  gen_args+=(--received-message)
fi
input=$DATA_DIR/$name.ndjson
if [[ ! -s $input || $GEN -nt $input ]]; then
  echo "input:    generating $input ..."
  t0=$(now_ns)
  "$GEN" "${gen_args[@]}" --stats --out "$input.tmp" 2>"$DATA_DIR/$name.stats" ||
    { cat "$DATA_DIR/$name.stats" >&2; rm -f "$input.tmp"; die "generator failed"; }
  t1=$(now_ns)
  mv "$input.tmp" "$input"
  echo "          generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}') s"
else
  echo "input:    $input (cached)"
fi
[[ -f $DATA_DIR/$name.stats ]] && sed 's/^faultline-bench-gen: /          /' "$DATA_DIR/$name.stats"
bytes=$(stat -c %s "$input")
cat "$input" >/dev/null # warm the page cache: both tools then read from memory

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---- runs ---------------------------------------------------------------------------------------
scan_secs=()
scan_cpu=()
scan_rss=()
fl_secs=()
fl_cpu=()
fl_rss=()
lines=""
for ((r = 1; r <= runs; r++)); do
  measure "$WORK/scan" "$SCAN" "$input" || die "reference scan failed"
  scan_secs+=("$M_SECONDS")
  scan_cpu+=("${M_CPU:-0}")
  scan_rss+=("$M_RSS_KB")
  lines=$(sed -n 's/^lines=\([0-9]*\) .*/\1/p' "$WORK/scan.out")
  [[ -n $lines ]] || die "could not read the scan's output: $(cat "$WORK/scan.out")"
  if [[ $scan_only == 0 ]]; then
    measure "$WORK/faultline" "$FAULTLINE_BIN" replay --print "$input" || die "faultline replay failed"
    fl_secs+=("$M_SECONDS")
    fl_cpu+=("${M_CPU:-0}")
    fl_rss+=("$M_RSS_KB")
  fi
done

echo
echo "scan:      $(cat "$WORK/scan.out")"
if [[ $scan_only == 0 ]]; then
  echo "faultline: (last stderr line) $(tail -n 1 "$WORK/faultline.err")"
  echo "           $(wc -l <"$WORK/faultline.out") events printed"
fi
echo

row() { # tool seconds cpu_seconds rss_kb
  awk -v tool="$1" -v s="$2" -v cpu="$3" -v rss="$4" -v bytes="$bytes" -v lines="$lines" 'BEGIN {
    printf "| %-20s | %8.3f | %8s | %8.1f | %10.0f | %12.1f |\n", tool, s,
      (cpu > 0 ? sprintf("%.3f", cpu) : "n/a"), bytes / 1e6 / s, lines / s, rss / 1024
  }'
}
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
echo "input: $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB), $lines lines;" \
  "median of $runs run(s); cpu = user + system; peak RSS = max"
echo
echo "| tool                 | seconds  | cpu s    | MB/s     | lines/s    | peak RSS MiB |"
echo "|----------------------|----------|----------|----------|------------|--------------|"
s_med=$(median "${scan_secs[@]}")
s_cpu=$(median "${scan_cpu[@]}")
row "simdjson scan (ref)" "$s_med" "$s_cpu" "$(max "${scan_rss[@]}")"
if [[ $scan_only == 0 ]]; then
  f_med=$(median "${fl_secs[@]}")
  f_cpu=$(median "${fl_cpu[@]}")
  row "faultline replay" "$f_med" "$f_cpu" "$(max "${fl_rss[@]}")"
  echo
  awk -v f="$f_med" -v s="$s_med" -v fc="$f_cpu" -v sc="$s_cpu" 'BEGIN {
    printf "ratio: faultline throughput / scan throughput = %.2f (faultline takes %.1fx the scan'"'"'s time)\n", s / f, f / s
    if (fc > 0 && sc > 0) printf "       by CPU time: %.2f\n", sc / fc
  }'
fi
echo "best run: scan $(min "${scan_secs[@]}") s$([[ $scan_only == 0 ]] && echo ", faultline $(min "${fl_secs[@]}") s")"
echo "(MB = 10^6 bytes; --size suffixes are binary: 100M = 104857600 bytes)"

[[ $scan_only == 0 && $footprint == 1 ]] || exit 0
# ---- footprint ----------------------------------------------------------------------------------
# faultline with no DSN and its state under $WORK: events are counted, nothing is sent.
export HOME=$WORK
echo
echo "## Footprint"
echo
# pipe: the same file through stdin, passed through to /dev/null.
pipe_secs=()
pipe_rss=()
for ((r = 1; r <= runs; r++)); do
  measure "$WORK/pipe" sh -c 'exec "$0" pipe <"$1" >/dev/null' "$FAULTLINE_BIN" "$input" ||
    die "faultline pipe failed"
  pipe_secs+=("$M_SECONDS")
  pipe_rss+=("$M_RSS_KB")
done
p_med=$(median "${pipe_secs[@]}")
awk -v s="$p_med" -v f="$f_med" -v sc="$s_med" -v bytes="$bytes" -v rss="$(max "${pipe_rss[@]}")" 'BEGIN {
  printf "pipe:     %.3f s, %.1f MB/s, peak RSS %.1f MiB (replay: %.3f s; pipe/scan ratio %.2f)\n",
    s, bytes / 1e6 / s, rss / 1024, f, sc / s
}'

# idle CPU (ms per second) and RSS of a process that waits: the nanoseconds its threads spent on a
# CPU (/proc/PID/task/*/schedstat, first field), not the 10 ms ticks of /proc/PID/stat.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
idle_report() { # label pid
  local label=$1 pid=$2 t0 t1 rss
  sleep 2 # past startup
  t0=$(cpu_ns "$pid")
  sleep "$idle_seconds"
  t1=$(cpu_ns "$pid")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v l="$label" -v a="$t0" -v b="$t1" -v s="$idle_seconds" -v rss="$rss" 'BEGIN {
    printf "%s idle: %.3f ms CPU per second over %d s, RSS %.1f MiB\n", l, (b - a) / 1e6 / s, s,
      rss / 1024
  }'
}
mkfifo "$WORK/stdin"
"$FAULTLINE_BIN" pipe <"$WORK/stdin" >/dev/null 2>"$WORK/pipe-idle.err" &
pipe_pid=$!
exec 7>"$WORK/stdin" # keep stdin open and silent
idle_report "pipe" "$pipe_pid"
exec 7>&-
wait "$pipe_pid" || true

mkdir -p "$WORK/logs"
: >"$WORK/logs/app.log"
printf 'inputs:\n  - path: %s/logs/*.log\nstate:\n  dir: %s/state\n' "$WORK" "$WORK" >"$WORK/run.yaml"
"$FAULTLINE_BIN" run -c "$WORK/run.yaml" >/dev/null 2>"$WORK/run-idle.err" &
run_pid=$!
idle_report "run " "$run_pid"
kill -TERM "$run_pid"
wait "$run_pid" || true

# startup: from exec to the end of an empty replay (the default presets compiled), median of 10.
start_secs=()
: >"$WORK/empty.ndjson"
for ((r = 1; r <= 10; r++)); do
  measure "$WORK/start" "$FAULTLINE_BIN" replay --print "$WORK/empty.ndjson" || die "startup run failed"
  start_secs+=("$M_SECONDS")
done
awk -v s="$(median "${start_secs[@]}")" 'BEGIN {printf "startup:  %.1f ms (an empty replay, start to exit, median of 10)\n", s * 1000}'

# error-rate sweep on 20M inputs: throughput, and the cost per event = the CPU time above the
# same input without errors, divided by the events.
echo
echo "| error rate | seconds | cpu s | MB/s | events | µs per event |"
echo "|-----------:|--------:|------:|-----:|-------:|-------------:|"
base_cpu=""
for rate in 0 0.001 0.01 0.1; do
  sweep=$DATA_DIR/pino-20M-e$rate-s$seed-o$open_requests.ndjson
  if [[ ! -s $sweep || $GEN -nt $sweep ]]; then
    "$GEN" --size 20M --error-rate "$rate" --seed "$seed" --open-requests "$open_requests" \
      --out "$sweep.tmp" && mv "$sweep.tmp" "$sweep" || die "generator failed"
  fi
  secs=()
  cpus=()
  for ((r = 1; r <= runs; r++)); do
    measure "$WORK/sweep" "$FAULTLINE_BIN" replay --print "$sweep" || die "replay failed"
    secs+=("$M_SECONDS")
    cpus+=("${M_CPU:-0}")
  done
  events=$(wc -l <"$WORK/sweep.out")
  cpu=$(median "${cpus[@]}")
  [[ $rate == 0 ]] && base_cpu=$cpu
  awk -v r="$rate" -v s="$(median "${secs[@]}")" -v c="$cpu" -v b="$base_cpu" -v e="$events" \
    -v bytes="$(stat -c %s "$sweep")" 'BEGIN {
    per = (e > 0 && c > 0) ? sprintf("%.0f", (c - b) * 1e6 / e) : "-"
    printf "| %10s | %7.3f | %5.3f | %4.0f | %6d | %12s |\n", r * 100 "%", s, c, bytes / 1e6 / s, e, per
  }'
done

# pino-sentry (npm), side by side, when it is installed (npm install -g pino-sentry): the same
# 20 MB at 1% errors to a local receiver.
echo
if command -v pino-sentry >/dev/null 2>&1; then
  sweep=$DATA_DIR/pino-20M-e0.01-s$seed-o$open_requests.ndjson
  measure "$WORK/pino-sentry" sh -c 'exec pino-sentry --dsn "$0" <"$1" >/dev/null' \
    "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1" "$sweep" || true
  echo "pino-sentry: $M_SECONDS s, peak RSS $((M_RSS_KB / 1024)) MiB on the 20M input at 1% errors"
else
  echo "pino-sentry: not installed (npm install -g pino-sentry), no side-by-side row"
fi
