#!/usr/bin/env bash
# `systemd-analyze verify` on the units of packaging/systemd/, as installed but with ExecStart
# pointing at the faultline just built (and node replaced by /bin/true): verify checks that the
# command exists. Any complaint about a unit fails the test (verify exits 0 on unknown keys and
# on values it ignores; it only prints them). The hardening of faultline.service is checked too:
# `systemd-analyze security --offline` must rate it 2.0 or better (lower is better).
#
# Lines that name neither unit are the machine speaking, not the units (verify loads the system's
# own units, and a container without systemd as PID 1 lacks some): they are shown, not counted.
#
#   systemd_verify_test.sh FAULTLINE_BINARY
# Exit 77 (CTest's SKIP_RETURN_CODE) when systemd-analyze is not installed.
set -euo pipefail
bin=${1:?usage: systemd_verify_test.sh FAULTLINE_BINARY}
src=$(cd "$(dirname "$0")/../../packaging/systemd" && pwd)

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "skipped: systemd-analyze is not installed (Debian package systemd; scripts/setup-deps.sh --test)"
  exit 77
fi
[[ -x $bin ]] || { echo "not executable: $bin" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")  # systemd wants an absolute path

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
units=(faultline.service app-with-faultline.service)
status=0

# install_copy UNIT: the unit in $tmp with the test's commands in place of the installed ones.
install_copy() {
  local unit=$1
  if ! grep -q '^ExecStart=/usr/bin/faultline ' "$src/$unit"; then
    echo "$unit: ExecStart= must start with /usr/bin/faultline (where the .deb puts it)" >&2
    status=1
  fi
  sed -e "s#^ExecStart=/usr/bin/faultline #ExecStart=$bin #" -e 's#/usr/bin/node #/bin/true #' \
    "$src/$unit" >"$tmp/$unit"
}

# verify UNIT...: 0 when verify exits 0 and says nothing about these units.
verify() {
  local out rc=0 line bad=0
  out=$(cd "$tmp" && systemd-analyze verify --man=no "${@/#/./}" 2>&1) || rc=$?
  while IFS= read -r line; do
    [[ -z $line ]] && continue
    local about_unit=0 u
    for u in "$@"; do [[ $line == *"$u"* ]] && about_unit=1; done
    if ((about_unit)); then
      echo "verify: $line" >&2
      bad=1
    else
      echo "note (not about the units): $line"
    fi
  done <<<"$out"
  if ((rc != 0)); then
    echo "verify: systemd-analyze exited $rc" >&2
    bad=1
  fi
  return $bad
}

for unit in "${units[@]}"; do install_copy "$unit"; done
verify "${units[@]}" || status=1

# The detection itself: a misspelt key must be caught here, or a silent verify proves nothing.
sed 's/^ProtectClock=yes$/ProtectClok=yes/' "$tmp/faultline.service" >"$tmp/misspelt.service"
if verify misspelt.service >/dev/null 2>&1; then
  echo "verify did not report a misspelt key in this environment; its silence proves nothing" >&2
  status=1
fi

if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  report=$(cd "$tmp" && systemd-analyze security --offline=yes --no-pager ./faultline.service 2>&1) || true
  level=$(sed -n 's/.*Overall exposure level for faultline.service: \([0-9.]*\).*/\1/p' <<<"$report")
  if [[ -z $level ]]; then
    echo "systemd-analyze security gave no exposure level:" >&2
    echo "$report" >&2
    status=1
  elif ! awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
    grep '✗' <<<"$report" >&2 || true
    echo "faultline.service: exposure level $level, above 2.0: hardening was lost" >&2
    status=1
  else
    echo "faultline.service: exposure level $level"
  fi
fi

((status == 0)) && echo "units verified: ${units[*]}"
exit $status
