#!/usr/bin/env bash
# The repository stands alone: tests, goldens, benchmarks and scripts read their fixtures and
# schemas from tests/data/, never from a folder beside the clone. Fails, naming the lines, when a
# tracked file under tests/, scripts/, bench/, cmake/, .ci/ or CMakeLists.txt points outside it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The pattern is built from pieces so that this file does not match itself.
s=shared
q="[\"']"
pattern="\.\./$s|$s/fixtures|$s/schemas|${s^^}_DIR|$q$s$q, *$q(fixtures|schemas)$q"
paths=()
for p in tests scripts bench cmake .ci CMakeLists.txt; do
  [[ -e $p ]] && paths+=("$p")
done
files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' f; do
    [[ -f $f ]] && files+=("$f")
  done < <(git ls-files -z -- "${paths[@]}")
else  # an exported source tree: every file but the installed node packages
  while IFS= read -r -d '' f; do
    files+=("$f")
  done < <(find "${paths[@]}" -path tests/peers/node_modules -prune -o -type f -print0)
fi
if ((${#files[@]} == 0)); then
  echo "standalone: found no files to check" >&2
  exit 1
fi
status=0
grep -nIE -- "$pattern" "${files[@]}" || status=$?
case $status in
  0)
    echo "standalone: the lines above read outside the clone; put the files in tests/data/" >&2
    exit 1
    ;;
  1) exit 0 ;;
  *) exit "$status" ;;
esac
