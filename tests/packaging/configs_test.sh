#!/usr/bin/env bash
# `faultline check` accepts every configuration file packaging/ ships, as each place that uses it
# sees it: the host's (packaging/config/, as faultline.service and as the exec-wrapped app's unit
# expand it), the container image's, and the one inside the Kubernetes ConfigMap.
#
#   configs_test.sh FAULTLINE_BINARY
set -euo pipefail
bin=${1:?usage: configs_test.sh FAULTLINE_BINARY}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# The ConfigMap's faultline.yaml: the block scalar under its key, unindented.
awk '/^  faultline.yaml: \|$/ { on = 1; next }
     on && /^    / { print substr($0, 5); next }
     on && /^[^ ]/ { on = 0 }
     on && /^$/ { print }' "$src/packaging/kubernetes/configmap.yaml" >"$tmp/configmap.yaml"
[[ -s $tmp/configmap.yaml ]] || { echo "no faultline.yaml in configmap.yaml" >&2; exit 1; }

# The values of the app unit's Environment= lines that the configuration expands.
unit_env() {
  sed -n "s/^Environment=$1=//p" "$src/packaging/systemd/app-with-faultline.service"
}

check() {  # check NAME FILE [VAR=VALUE...]
  local name=$1 file=$2 out
  shift 2
  if out=$(env -u SENTRY_DSN -u SENTRY_RELEASE -u SENTRY_ENVIRONMENT -u STATE_DIRECTORY \
    -u FAULTLINE_LISTEN "$@" "$bin" check -c "$file" 2>&1); then
    echo "$name: ${out%%$'\n'*}"
  else
    echo "$name: $out" >&2
    status=1
  fi
}

check "faultline.service" "$src/packaging/config/faultline.yaml" STATE_DIRECTORY=/var/lib/faultline
check "app-with-faultline.service" "$src/packaging/config/faultline.yaml" \
  STATE_DIRECTORY=/var/lib/faultline-shop-api "FAULTLINE_LISTEN=$(unit_env FAULTLINE_LISTEN)"
check "by hand" "$src/packaging/config/faultline.yaml"
check "container image" "$src/packaging/docker/faultline.yaml"
check "kubernetes ConfigMap" "$tmp/configmap.yaml"
exit $status
