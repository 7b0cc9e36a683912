#!/usr/bin/env bash
# Regenerates tests/golden/*.events.ndjson after an intended change to the events faultline
# builds. Review the diff before committing: it is the change users will see in Sentry.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FAULTLINE_BIN:-build/faultline}
for fixture in a-default e-edge-cases; do
  env -i PATH="$PATH" SENTRY_RELEASE=shop-api@2.4.1 SENTRY_ENVIRONMENT=staging \
    "$bin" replay --print "tests/data/pino/$fixture.ndjson" \
    > "tests/golden/$fixture.events.ndjson"
done
git diff --stat -- tests/golden || true
