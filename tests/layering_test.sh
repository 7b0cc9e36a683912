#!/usr/bin/env bash
# The layering rule of ARCHITECTURE.md: base/ is the bottom layer and includes only itself;
# parsers/ and rules/ never include anything from agent/, and parsers/ does not include rules/;
# agent/delivery/ is a library of its own. Fails, naming the lines, when a file breaks it.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if grep -rnE '#include\s+"' base | grep -vE '#include\s+"base/'; then
  echo "layering: base/ is the bottom layer and includes only itself" >&2
  status=1
fi
if grep -rnE '#include\s+"agent/' parsers rules; then
  echo "layering: parsers/ and rules/ must not include agent/" >&2
  status=1
fi
if grep -rnE '#include\s+"rules/' parsers; then
  echo "layering: parsers/ must not include rules/" >&2
  status=1
fi
if grep -rnE '#include\s+"' agent/delivery | grep -vE '#include\s+"(agent/delivery|parsers|base)/'; then
  echo "layering: agent/delivery/ is a library of its own and includes only itself, parsers/ and base/" >&2
  status=1
fi
exit $status
