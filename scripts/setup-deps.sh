#!/usr/bin/env bash
# Installs, with apt-get, exactly the Debian 12 packages faultline needs that are missing.
# Idempotent and non-interactive; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libsimdjson-dev libcurl4-openssl-dev libcli11-dev libyaml-cpp-dev catch2 libre2-dev
  zlib1g-dev libssl-dev libcpp-httplib-dev libsystemd-dev
  clang-format
  file  # CPack's Debian package reads its dependencies from the binary with `file` and dpkg-shlibdeps
)
# Test peers (Sentry's own envelope parser, the event JSON schema, the SDK's stack parser) run
# on Node.js; the fuzz targets need clang's libFuzzer runtime; the packaging tests run
# `systemd-analyze verify` on the units and read the Kubernetes YAML with PyYAML.
if [[ "${1:-}" == "--test" ]]; then
  packages+=(clang libclang-rt-14-dev openssl systemd python3-yaml)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from Debian or from another repository (NodeSource); only a missing command
# is a reason to install Debian's.
if [[ "${1:-}" == "--test" ]]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  echo "setup-deps: everything is installed"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
