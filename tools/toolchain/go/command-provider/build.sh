#!/usr/bin/env bash
# Builds pulumi-resource-command (our provider, serving what @pulumi/command 1.2.1 expects)
# from this wrapper module into <out-bin-dir>.
#
#   tools/toolchain/go/command-provider/build.sh <out-bin-dir>
#   e.g. build.sh /root/.cache/ecs-pulumi/toolchain/command-1.2.1/bin
#
# Idempotent: an existing binary built from the same version and sources is kept.
# Uses the default GOMODCACHE/GOCACHE (shared across clones on one machine).
set -euo pipefail

VERSION=1.2.1
NAME=pulumi-resource-command
MODULE=ecs-pulumi.local/toolchain/command-provider

log() { echo "[toolchain] command: $*"; }
die() {
  echo "[toolchain] command: ERROR: $*" >&2
  exit 1
}

[ $# -eq 1 ] || die "usage: $0 <out-bin-dir>"
out_dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
# -buildvcs=false: the binary must not change with the clone's git state.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"

command -v go >/dev/null || die "go is not on PATH (Go 1.26 expected)"
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
bin="$out_dir/$NAME"
stamp="$bin.build-info" # what the binary was built from (-trimpath drops -ldflags from `go version -m`)

# Hash of everything that goes into the binary (not tests, not the TS schema check).
source_hash=$(
  find . -name '*.go' ! -name '*_test.go' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
    cat - go.mod go.sum | sha256sum | cut -c1-16
)
ldflags="-s -w -X $MODULE/provider.Version=$VERSION -X $MODULE/provider.SourceHash=$source_hash"

want_stamp="version=$VERSION sources=$source_hash $(go env GOVERSION)"
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp" ]; then
  log "$bin is current (v$VERSION, sources $source_hash); nothing to do"
  exit 0
fi

log "downloading modules (go.sum pins every version)"
if ! dl_log=$(nice go mod download 2>&1); then
  refused=$(printf '%s\n' "$dl_log" | grep -E '(403|404|410|Forbidden|Gone|not available|not found)' |
    grep -oE '[A-Za-z0-9._~/-]+@v[0-9][^: ]*' | sort -u || true)
  if [ -n "$refused" ]; then
    die "the Go module proxy refused: $(echo $refused). Pick a served version in go.mod (probe with: go list -m -json <module>@<version>)."
  fi
  printf '%s\n' "$dl_log" | tail -20 >&2
  die "go mod download failed"
fi

log "building $NAME v$VERSION (sources $source_hash) -> $bin"
start=$(date +%s)
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$tmp" ./cmd/$NAME
mv -f "$tmp" "$bin"
echo "$want_stamp" >"$stamp"
log "built in $(($(date +%s) - start)) s, $(du -h "$bin" | cut -f1)"
