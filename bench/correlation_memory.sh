#!/usr/bin/env bash
# bench/correlation_memory.sh: the correlator's memory stays bounded however long the input and
# however many requests are open at once. Generates 1 GB of pino-http NDJSON in which 50,000
# requests are in flight at a time (each request's "request received" line long before its
# completion), replays it with a request table large enough to hold them all, and checks that
# faultline's peak RSS stays under the stated bound. Exits non-zero when it does not.
#
# Usage: bench/correlation_memory.sh [--size 1G] [--open-requests 50000] [--bound-mib 256]
# Environment: BUILD_DIR (default: <repo>/build).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
size=1G
open_requests=50000
bound_mib=256
while [[ $# -gt 0 ]]; do
  case $1 in
    --size) size=$2; shift ;;
    --open-requests) open_requests=$2; shift ;;
    --bound-mib) bound_mib=$2; shift ;;
    *) echo "correlation_memory.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

bin=$BUILD_DIR/faultline
gen=$BUILD_DIR/bench/faultline-bench-gen
[[ -x $bin && -x $gen ]] || { echo "build faultline and faultline-bench-gen first (cmake --build build)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time, Debian package 'time')" >&2; exit 1; }

data=$BUILD_DIR/bench-data
mkdir -p "$data"
input=$data/open-$open_requests-$size.ndjson
if [[ ! -s $input || $gen -nt $input ]]; then
  # --duration-scale 1 keeps every request inside the hold window and the TTL, so what is
  # measured is 50,000 requests held at once, not their expiry.
  "$gen" --size "$size" --open-requests "$open_requests" --received-message --duration-scale 1 \
    --out "$input"
fi
config=$(mktemp)
trap 'rm -f "$config" "$config.err"' EXIT
cat >"$config" <<YAML
correlation:
  max_requests: $((open_requests + open_requests / 5))
  max_bytes: 64MiB
YAML

start=$(date +%s.%N)
/usr/bin/time -v "$bin" replay -c "$config" --print "$input" >/dev/null 2>"$config.err"
end=$(date +%s.%N)
rss_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$config.err")
summary=$(grep -E 'replay: ' "$config.err" | tail -1)
bytes=$(stat -c %s "$input")
rss_mib=$((rss_kib / 1024))
printf 'input: %s (%d MB), %d requests open at once\n' "$input" $((bytes / 1000000)) "$open_requests"
printf 'faultline: %s\n' "${summary#faultline: info: }"
printf 'seconds: %.2f\n' "$(echo "$end - $start" | bc)"
printf 'peak RSS: %d MiB (bound: %d MiB)\n' "$rss_mib" "$bound_mib"
if ((rss_mib > bound_mib)); then
  echo "FAIL: peak RSS above the bound" >&2
  exit 1
fi
echo "OK"
