#!/usr/bin/env bash
# packaging/kubernetes/ parses and holds together: check_kubernetes.py (PyYAML) checks what the
# Deployment and the ConfigMap promise each other (ports, paths, the Secret, the native sidecar,
# probes, resources, security), and `kubectl kustomize` (offline: no cluster needed) renders the
# kustomization. Each runs where its tool is installed; with neither, the test is skipped
# (exit 77, CTest's SKIP_RETURN_CODE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/../../packaging/kubernetes
ran=()
status=0

if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  python3 "$here/check_kubernetes.py" "$dir" || status=1
  ran+=(PyYAML)
fi
if command -v kubectl >/dev/null 2>&1; then
  if ! out=$(kubectl kustomize "$dir" 2>&1); then
    echo "kubectl kustomize: $out" >&2
    status=1
  fi
  ran+=(kubectl)
fi
if ((${#ran[@]} == 0)); then
  echo "skipped: neither python3 with PyYAML (python3-yaml) nor kubectl is installed"
  exit 77
fi
((status == 0)) && echo "checked with ${ran[*]}"
exit $status
