#!/usr/bin/env bash
# Builds the Debian package with CPack from the build directory (into a temporary directory; the
# build is only packaged, not rebuilt when it is up to date) and checks it with dpkg-deb:
# its name, version and architecture, that Depends names the package of every library the binary
# and the HTTP module link and libcurl4 (opened at run time), its files (binary, module, unit,
# configuration as a conffile, docs; no /var/lib/faultline), that the unit and the configuration
# are the ones in packaging/, and that the packaged binary runs and finds its module.
#
#   deb_test.sh BUILD_DIR VERSION
# Exit 77 (CTest's SKIP_RETURN_CODE) when dpkg-deb is not installed (not a Debian system).
set -euo pipefail
build=${1:?usage: deb_test.sh BUILD_DIR VERSION}
version=${2:?usage: deb_test.sh BUILD_DIR VERSION}
src=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "skipped: dpkg-deb is not installed (the package is built on Debian)"
  exit 77
fi
for tool in cpack file dpkg-shlibdeps dpkg-architecture readelf; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is needed to build the package's dependency list; run scripts/setup-deps.sh" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
  echo "deb: $1" >&2
  status=1
}

if ! cpack -G DEB -B "$tmp" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  fail "cpack failed"
  exit 1
fi
arch=$(dpkg --print-architecture)
deb=$tmp/faultline_${version}_${arch}.deb
if [[ ! -f $deb ]]; then
  cat "$tmp/cpack.log" >&2
  fail "no $(basename "$deb") in $(ls "$tmp" | tr '\n' ' ')"
  exit 1
fi

# --- control: dpkg-deb -I
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == faultline ]] || fail "Package: $(field Package), expected faultline"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), expected $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: $(field Architecture), expected $arch"
depends=$(field Depends)
[[ -n $depends ]] || fail "no Depends (CPack's shlibdeps needs \`file\` and dpkg-shlibdeps)"
# Every library the binary and the module ask for must come with a package named in Depends;
# so must libcurl, which the binary opens itself.
names=$(sed -E 's/\([^)]*\)//g; s/[,|]/\n/g' <<<"$depends" | tr -d ' ')
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
while read -r soname; do
  owner=$(dpkg -S "*/$multiarch/$soname" 2>/dev/null | head -n1 | cut -d: -f1) || true
  if [[ -z $owner ]]; then
    fail "no installed package holds $soname"
  elif ! grep -qxF -- "$owner" <<<"$names"; then
    fail "Depends lacks $owner (for $soname): $depends"
  fi
done < <(
  readelf -d "$build/faultline" "$build/faultline-http.so" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u
  echo libcurl.so.4
)
if readelf -d "$build/faultline" | grep -qE 'NEEDED.*\[(libcurl|libcpp-httplib|libssl)'; then
  fail "the binary links libcurl, cpp-httplib or libssl: they are opened when needed"
fi
dpkg-deb -I "$deb" >"$tmp/info"
for script in postinst prerm postrm; do
  grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script " "$tmp/info" ||
    fail "no executable $script in the control archive"
done
conffiles=$(dpkg-deb -I "$deb" conffiles 2>/dev/null || echo "(none)")
[[ $conffiles == /etc/faultline/faultline.yaml ]] ||
  fail "conffiles: $conffiles, expected /etc/faultline/faultline.yaml"

# --- files: dpkg-deb -c
dpkg-deb -c "$deb" | awk '{print $1, $NF}' >"$tmp/contents"
expect() {  # expect MODE PATH
  grep -qxF -- "$1 ./$2" "$tmp/contents" || fail "no $2 with mode $1"
}
expect -rwxr-xr-x usr/bin/faultline
module=$(grep -oE '\./usr/lib/([^/]+/)?faultline/faultline-http\.so$' "$tmp/contents" | head -n1 || true)
[[ -n $module ]] || fail "no usr/lib[/MULTIARCH]/faultline/faultline-http.so"
expect -rw-r--r-- lib/systemd/system/faultline.service
expect -rw-r--r-- etc/faultline/faultline.yaml
for doc in config.example.yaml operations.md scaling.md app-with-faultline.service; do
  expect -rw-r--r-- "usr/share/doc/faultline/$doc"
done
if grep -q '\./var/' "$tmp/contents"; then
  fail "the package holds files under /var (StateDirectory= creates /var/lib/faultline)"
fi
known='usr/bin/faultline|usr/lib/([^/]+/)?faultline/faultline-http\.so'
known+='|lib/systemd/system/faultline\.service|etc/faultline/faultline\.yaml'
known+='|usr/share/doc/faultline/[^/]+'
others=$(grep -E '^-' "$tmp/contents" | grep -vE " \./($known)\$" || true)
[[ -z $others ]] || fail "unexpected files: $others"

# --- what the files hold
mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root"
cmp -s "$tmp/root/lib/systemd/system/faultline.service" "$src/packaging/systemd/faultline.service" ||
  fail "the packaged unit differs from packaging/systemd/faultline.service"
cmp -s "$tmp/root/etc/faultline/faultline.yaml" "$src/packaging/config/faultline.yaml" ||
  fail "the packaged configuration differs from packaging/config/faultline.yaml"
out=$("$tmp/root/usr/bin/faultline" version 2>&1) || fail "the packaged binary does not run: $out"
[[ $out == *"faultline $version"* ]] || fail "faultline version says: $out"
# The packaged binary finds the packaged module (../lib/.../faultline from its directory).
[[ $out == *"$tmp/root/${module#./}, opened for server.listen"* ]] ||
  fail "the packaged binary does not find its module: $out"

((status == 0)) && echo "$(basename "$deb"): $(wc -l <"$tmp/contents") entries; Depends: $depends"
exit $status
