#!/usr/bin/env bash
# Builds the Consul agent the tests use as their referee, from Go modules, once: into
# ${CONSUL_SERVLET_CACHE:-${XDG_CACHE_HOME:-~/.cache}/consul-servlet}/consul-<version>/consul,
# outside the repository. Later runs reuse it. The last line printed is the binary's path.
#
# The version is the one go.mod beside this script requires: Consul 1.14.11, the newest release
# that is MPL-2.0 (its LICENSE in the module cache) and needs neither of the submodules that
# are not open source (consul/envoyextensions, consul/troubleshoot: both came with 1.15).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's|^[[:space:]]*github.com/hashicorp/consul v\([0-9.]*\).*|\1|p' "$here/go.mod")
cache=${CONSUL_SERVLET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/consul-servlet}
dir="$cache/consul-$version"
binary="$dir/consul"

is_expected() {
    [ -x "$1" ] && [ "$("$1" version 2>/dev/null | head -n 1)" = "Consul v$version" ]
}

mkdir -p "$dir"
exec 9>"$dir/.build.lock"
flock 9 # another build of the same cache finishes first, and this one reuses it
if is_expected "$binary"; then
    echo "Consul $version: $binary"
    exit 0
fi

command -v go >/dev/null || { echo "cannot build Consul $version: no go on the PATH" >&2; exit 2; }
echo "Building Consul $version from Go modules (once; a few minutes on a fresh machine) into $dir"
started=$(date +%s)
partial="$dir/consul.partial"
# GOTOOLCHAIN=local: build with the Go on the PATH, never a downloaded toolchain.
# BuildDate: the release's own time, which `consul version` prints (else 1970).
log="$dir/build.log" # go's own lines (a few hundred "downloading") go here, and are shown on a failure
if ! released=$(cd "$here" && GOTOOLCHAIN=local go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' \
        github.com/hashicorp/consul 2>"$log") ||
   ! (cd "$here" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath \
        -ldflags "-s -w -X github.com/hashicorp/consul/version.BuildDate=$released" \
        -o "$partial" github.com/hashicorp/consul) >>"$log" 2>&1; then
    cat "$log" >&2
    echo "building Consul $version failed; go's output is above and in $log" >&2
    exit 1
fi
# What the licence rules allow, checked on what was actually used: Consul's own LICENSE in the
# module cache, and no module that is not open source in the graph.
source_dir=$(cd "$here" && GOTOOLCHAIN=local go list -m -f '{{.Dir}}' github.com/hashicorp/consul)
# MPL-2.0's text starts with its title; HashiCorp's BUSL releases name the MPL only further down
head -n 3 "$source_dir/LICENSE" | grep -q "Mozilla Public License, version 2.0" &&
    ! grep -q "Business Source License" "$source_dir/LICENSE" ||
    { echo "$source_dir/LICENSE is not MPL-2.0: refusing to build it" >&2; exit 1; }
if ! modules=$(cd "$here" && GOTOOLCHAIN=local go list -deps -f '{{with .Module}}{{.Path}}{{end}}' github.com/hashicorp/consul 2>>"$log"); then
    cat "$log" >&2
    echo "could not list the modules Consul $version is built from; go's output is above" >&2; exit 1
fi
if grep -E '^github.com/hashicorp/consul/(envoyextensions|troubleshoot)$' <<<"$modules"; then
    echo "the build needs a module that is not open source (above): refusing it" >&2; exit 1
fi
is_expected "$partial" || { echo "the binary built does not print 'Consul v$version'" >&2; exit 1; }
mv -f "$partial" "$binary"
echo "Built Consul $version in $(( $(date +%s) - started )) s ($(du -m "$binary" | cut -f1) MB)"
echo "Consul $version: $binary"
