#!/usr/bin/env bash
# The layering rule of docs/architecture.md: every include points down. Layers, bottom up:
#   base/ → parsers/ → rules/ → agent/
# and inside agent/, rooms in this order (a room may include rooms listed before it, never after):
#   telemetry delivery config sentry outputs inputs pipeline server runtime cli
# (agent/delivery/ and agent/sentry/ are libraries of their own: they include only base/,
# parsers/ and themselves.) Fails, naming the lines, when a file breaks the rule.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

fail() {
  echo "layering: $1" >&2
  status=1
}

includes() {  # includes DIR: "file:line:path" for every quoted project include under DIR
  grep -rnoE '#include\s+"[^"]+"' "$1" --include='*.h' --include='*.cpp' |
    sed -E 's/#include\s+"([^"]+)"/\1/'
}

check_layer() {  # check_layer DIR ALLOWED_PREFIX_REGEX
  local dir=$1 allowed=$2 hit
  while IFS= read -r hit; do
    local path=${hit##*:}
    # Generated headers (build_info.h) and system-style includes without a folder are allowed.
    [[ $path != */* ]] && continue
    if ! [[ $path =~ $allowed ]]; then
      echo "$hit" >&2
      fail "$dir/ must not include $path"
    fi
  done < <(includes "$dir")
}

check_layer base '^base/'
check_layer parsers '^(base|parsers)/'
check_layer rules '^(base|parsers|rules)/'

rooms=(telemetry delivery config sentry outputs inputs pipeline server runtime cli)
for ((i = 0; i < ${#rooms[@]}; i++)); do
  room=${rooms[$i]}
  [[ -d agent/$room ]] || { fail "agent/$room/ is missing (update the room list)"; continue; }
  case $room in
    delivery | sentry) allowed="^(base|parsers|agent/$room)/" ;;
    *)
      below=$(IFS='|'; echo "${rooms[*]:0:$((i + 1))}")
      allowed="^(base|parsers|rules|agent/($below))/"
      ;;
  esac
  check_layer "agent/$room" "$allowed"
done

# One YAML reader: yaml-cpp is parsed into base/yaml_tree.h in one file, and read from there.
if grep -rnlE --include='*.h' --include='*.cpp' '#include\s+<yaml-cpp/' base parsers rules agent tests bench |
  grep -v '^base/yaml_parse\.cpp$' >&2; then
  fail "only base/yaml_parse.cpp includes yaml-cpp; read YAML through base/yaml_reader.h"
fi

# Every file of agent/ lives in a room (main.cpp aside), so nothing escapes the check above.
while IFS= read -r f; do
  [[ $f == agent/main.cpp ]] && continue
  fail "$f is not in a room of agent/"
done < <(find agent -maxdepth 1 -type f)
for d in agent/*/; do
  d=${d%/}
  [[ " ${rooms[*]} " == *" ${d#agent/} "* ]] || fail "$d/ is not a known room (add it to the list)"
done

exit $status
