#!/usr/bin/env bash
# The layering rule of ARCHITECTURE.md: base/ includes nothing above it, parsers/ and rules/ never
# include anything from agent/, parsers/ does not include rules/, and only base/yaml_parse.cpp
# includes yaml-cpp. Fails, naming the lines, when a file breaks it.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if grep -rnE '#include\s+"(parsers|rules|agent)/' base; then
  echo "layering: base/ includes nothing from parsers/, rules/ or agent/" >&2
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
if grep -rnE '#include\s+"agent/' agent/delivery | grep -v '#include\s*"agent/delivery/'; then
  echo "layering: agent/delivery/ is a library of its own and includes only itself and parsers/" >&2
  status=1
fi
# One YAML reader: yaml-cpp is parsed into base/yaml_tree.h in one file, and read from there.
if grep -rnlE --include='*.h' --include='*.cpp' '#include\s+<yaml-cpp/' base parsers rules agent tests bench | grep -v '^base/yaml_parse\.cpp$'; then
  echo "layering: only base/yaml_parse.cpp includes yaml-cpp; read YAML through base/yaml_reader.h" >&2
  status=1
fi
exit $status
