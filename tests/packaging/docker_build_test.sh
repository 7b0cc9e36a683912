#!/usr/bin/env bash
# Builds packaging/docker/Dockerfile where a container runtime works, then checks the image: it
# runs as uid 10001, its ENTRYPOINT runs a command through `faultline exec` (passing the output
# and the exit status on), the sidecar form (`--entrypoint faultline … run`) starts, and its
# HEALTHCHECK command answers while faultline runs.
#
# Skipped (exit 77, CTest's SKIP_RETURN_CODE) with the reason when docker is not installed, its
# daemon does not answer, or the Debian base images are neither present nor pullable in 60 s.
# The build compiles faultline in the container: minutes, not seconds.
#
#   docker_build_test.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)

skip() {
  echo "skipped: $1"
  exit 77
}
command -v docker >/dev/null 2>&1 || skip "docker is not installed"
if ! info=$(timeout 20 docker info 2>&1); then
  skip "no container runtime answers (docker info: $(grep -m1 -iE 'error|cannot' <<<"$info" || echo failed))"
fi
for base in debian:12 debian:12-slim; do
  if ! docker image inspect "$base" >/dev/null 2>&1 && ! timeout 60 docker pull -q "$base" >/dev/null 2>&1; then
    skip "base image $base is not present and could not be pulled within 60 s"
  fi
done

tag=faultline-packaging-test:$$
name=faultline-packaging-test-$$
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker rmi -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
status=0
fail() {
  echo "docker: $1" >&2
  status=1
}

docker build -q -f "$src/packaging/docker/Dockerfile" -t "$tag" "$src" >/dev/null

[[ $(docker image inspect -f '{{.Config.User}}' "$tag") == 10001:10001 ]] ||
  fail "the image does not run as 10001:10001"
[[ $(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$tag") == *"/healthz"* ]] ||
  fail "no HEALTHCHECK through /healthz"

# exec: the command's output passes through unchanged, its exit status is the container's.
out=$(docker run --rm "$tag" sh -c 'echo "{\"level\":30,\"msg\":\"hello\"}"; exit 3') && rc=0 || rc=$?
[[ $out == '{"level":30,"msg":"hello"}' ]] || fail "exec passed on: $out"
((rc == 3)) || fail "exec exited $rc, expected the command's 3"

# The HEALTHCHECK's own command, while faultline runs a command that waits.
answers() {  # answers PATH: 0 once faultline in the container answers 200 there (10 s at most)
  for _ in $(seq 1 50); do
    docker exec "$name" curl -fsS -o /dev/null "http://127.0.0.1:9464$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$1 did not answer 200 within 10 s: $(docker logs "$name" 2>&1 | tail -n 5)" >&2
  return 1
}
docker run -d --name "$name" "$tag" sleep 60 >/dev/null
answers /healthz || fail "the HEALTHCHECK would fail"
docker rm -f "$name" >/dev/null

# The sidecar form: `run` with inputs, as packaging/kubernetes/ starts it.
cfg='inputs: [{path: /tmp/logs/*.log}]\nstate: {dir: /var/lib/faultline}\nserver: {listen: 127.0.0.1:9464}\n'
docker run -d --name "$name" --entrypoint sh "$tag" \
  -c "mkdir -p /tmp/logs && printf '$cfg' > /tmp/f.yaml && exec faultline run -c /tmp/f.yaml" >/dev/null
answers /readyz || fail "faultline run did not become ready"

((status == 0)) && echo "image built and checked: $(docker image inspect -f '{{.Size}}' "$tag") bytes"
exit $status
