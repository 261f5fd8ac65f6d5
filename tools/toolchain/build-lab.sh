#!/usr/bin/env bash
# Builds (or reuses) the Kubernetes half of the embedded lab from Go modules: kube-apiserver,
# kube-controller-manager, kube-scheduler and kubectl (k8s.io/kubernetes), etcd
# (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok). Idempotent: a binary that exists and
# reports the pinned version is skipped. Outputs live in a cache outside the clone, keyed by
# version, so a fresh clone on the same machine rebuilds nothing.
#
#   tools/toolchain/build-lab.sh          build what is missing
#   ECS_PULUMI_CACHE=/path ...            choose the cache (default ~/.cache/ecs-pulumi)
#   LAB_BUILD_NICE=10 ...                 niceness of the go builds (shared machines)
#
# lab/kube/binaries.ts must name the same versions (a test checks it).
set -euo pipefail
KUBE_VERSION=1.34.4
ETCD_VERSION=3.6.16
KWOK_VERSION=0.8.0

here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0
cache=${ECS_PULUMI_CACHE:-$HOME/.cache/ecs-pulumi}
toolchain="$cache/toolchain"
nice_level=${LAB_BUILD_NICE:-10}

log() { printf '[toolchain] %s\n' "$*" >&2; }

# go build in a wrapper module; when the proxy refuses a module, say which one.
go_build() {
  local dir=$1 out=$2 pkg=$3 ldflags=$4 logf
  logf=$(mktemp)
  if ! (cd "$dir" && nice -n "$nice_level" go build -mod=readonly -trimpath -ldflags "$ldflags" \
    -o "$out" "$pkg") >"$logf" 2>&1; then
    if grep -qE '403 Forbidden|404 Not Found|not available|unknown revision|invalid version' "$logf"; then
      # These lines read "<module>@<version>: reading <proxy URL>: 403 Forbidden" and the like.
      log "ERROR: the Go module proxy refused a module needed for $pkg:"
      grep -E '403 Forbidden|404 Not Found|not available|unknown revision|invalid version' "$logf" \
        | sed -E 's/^/[toolchain]   /' | head -5 >&2
      log "Fix: pin a served version in $dir/go.mod (probe: go list -m -json <module>@<version>)."
    elif grep -q 'missing go.sum entry' "$logf"; then
      log "ERROR: $dir/go.mod and go.sum disagree (edited by hand?):"
      grep 'missing go.sum entry' "$logf" | sed -E 's/^/[toolchain]   /' | head -5 >&2
      log "Fix: cd $dir && GOTOOLCHAIN=local go mod tidy"
    else
      tail -40 "$logf" >&2
    fi
    rm -f "$logf"
    return 1
  fi
  rm -f "$logf"
}

# reports BIN EXPECTED VERSION-COMMAND...: the binary's version output contains EXPECTED. The output
# is read whole first: with pipefail, `bin | grep -q` fails at random when grep exits early and
# the binary dies of SIGPIPE writing its next line (kubectl's Kustomize line did).
reports() {
  local bin=$1 expected=$2 out
  shift 2
  out=$("$bin" "$@" 2>/dev/null) || true
  [[ $out == *"$expected"* ]]
}

# build_one NAME BINDIR WRAPPER PACKAGE LDFLAGS EXPECTED VERSION-COMMAND...
# Skips when "$bin VERSION-COMMAND" prints EXPECTED; builds to a temp name, then renames, so an
# interrupted build never leaves a half-written binary that looks cached.
build_one() {
  local name=$1 bindir=$2 wrapper=$3 pkg=$4 ldflags=$5 expected=$6
  shift 6
  local bin="$bindir/$name" t
  if [ -x "$bin" ] && reports "$bin" "$expected" "$@"; then
    log "$name: cached ($expected) in $bindir"
    return
  fi
  mkdir -p "$bindir"
  t=$(date +%s)
  log "$name: building from $pkg ..."
  go_build "$here/go/$wrapper" "$bin.tmp" "$pkg" "$ldflags"
  mv "$bin.tmp" "$bin"
  if ! reports "$bin" "$expected" "$@"; then
    log "ERROR: $name built but does not report $expected"
    return 1
  fi
  log "$name: built in $(($(date +%s) - t))s, $(du -h "$bin" | cut -f1)"
}

# Kubernetes: the version variables that hack/lib/version.sh sets, for both version packages,
# so the binaries report v$KUBE_VERSION instead of v0.0.0-master.
kube_bin="$toolchain/kube-v$KUBE_VERSION/bin"
minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
kube_ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  kube_ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  build_one "$c" "$kube_bin" kube "k8s.io/kubernetes/cmd/$c" "$kube_ldflags" "v$KUBE_VERSION" --version
done
build_one kubectl "$kube_bin" kube k8s.io/kubernetes/cmd/kubectl "$kube_ldflags" \
  "v$KUBE_VERSION" version --client

# etcd: the module root is the main package.
etcd_bin="$toolchain/etcd-v$ETCD_VERSION/bin"
build_one etcd "$etcd_bin" etcd go.etcd.io/etcd/server/v3 \
  "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION" "etcd Version: $ETCD_VERSION" --version

# kwok: its version constants default to the release values; set them anyway for clarity.
kwok_bin="$toolchain/kwok-v$KWOK_VERSION/bin"
build_one kwok "$kwok_bin" kwok sigs.k8s.io/kwok/cmd/kwok \
  "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "$KWOK_VERSION" --version

log "lab ready: $kube_bin $etcd_bin $kwok_bin"
