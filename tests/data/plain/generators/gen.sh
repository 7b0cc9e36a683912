#!/bin/sh
# Writes node-crashes.stderr.txt and node-console.stderr.txt next to this directory, from the
# scripts here run by the `node` on PATH (the checked-in files: Node v20.20.2). The scripts run
# from a copy in /tmp/app, so that the paths in the stacks look like an app's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rm -rf /tmp/app && mkdir -p /tmp/app && cp "$here"/*.js /tmp/app/
cd /tmp/app
: > "$here/../node-crashes.stderr.txt"
for s in crash-throw crash-timer crash-rejection crash-async-cause crash-string crash-emitter crash-assert; do
  node "$s.js" 2>> "$here/../node-crashes.stderr.txt" || true
done
node console.js 2> "$here/../node-console.stderr.txt"
node elision.js 2>> "$here/../node-console.stderr.txt"
