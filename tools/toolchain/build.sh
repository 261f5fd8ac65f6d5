#!/usr/bin/env bash
# Builds (or reuses) the offline Pulumi toolchain: CLI, Node.js language host, dynamic-provider
# host, and the resource plugins the program uses, then compiles the program to bin/. Idempotent;
# the toolchain lands in a cache outside the clone, keyed by version, so a fresh clone on the same
# machine rebuilds nothing.
#
#   tools/toolchain/build.sh            build what is missing, print the env file to source
#   ECS_PULUMI_CACHE=/path ...          choose the cache (default ~/.cache/ecs-pulumi)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
cache=${ECS_PULUMI_CACHE:-$HOME/.cache/ecs-pulumi}
toolchain="$cache/toolchain"
bindir="$toolchain/pulumi-v$PULUMI_VERSION/bin"
pulumi_home="$cache/pulumi-home"
mkdir -p "$bindir" "$pulumi_home"

log() { printf '[toolchain] %s\n' "$*" >&2; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# go build, turning "module not served" into a message that names the module.
go_build() {
  local dir=$1 out=$2 pkg=$3 ldflags=$4 logf
  logf=$(mktemp)
  if ! (cd "$dir" && nice -n 5 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$out" "$pkg") >"$logf" 2>&1; then
    if grep -qE '403 Forbidden|not available|unknown revision|invalid version' "$logf"; then
      log "ERROR: the Go module proxy refused a module needed for $pkg:"
      grep -E '403 Forbidden|not available|unknown revision|invalid version' "$logf" | head -5 >&2
      log "Fix: pick a served version in $dir/go.mod (probe: go list -m -json <module>@<version>)."
    else
      tail -40 "$logf" >&2
    fi
    rm -f "$logf"
    return 1
  fi
  rm -f "$logf"
}

# 1. Pulumi CLI: reuse a suitable one from PATH, else build from the Go module.
pulumi_bin="$bindir/pulumi"
ambient=$(command -v pulumi || true)
if [ -n "$ambient" ] && [ "$ambient" != "$pulumi_bin" ] && [ "$("$ambient" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  log "pulumi: using $ambient (v$PULUMI_VERSION already on PATH)"
  ln -sf "$ambient" "$pulumi_bin"
elif [ -x "$pulumi_bin" ] && [ "$("$pulumi_bin" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  log "pulumi: cached v$PULUMI_VERSION"
else
  t=$(date +%s)
  log "pulumi: building v$PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (cold: ~8 min on 2 cores)"
  go_build "$here/go/pulumi-cli" "$pulumi_bin.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  mv "$pulumi_bin.tmp" "$pulumi_bin"
  log "pulumi: built in $(elapsed "$t")"
fi

# 2. Node.js language host and dynamic-provider host (TypeScript; the Go host is not served).
"$repo/tools/language-host/install.sh" "$bindir"

# 3. Resource plugins, installed into the plugin cache so the engine never downloads.
install_plugin() {
  local name=$1 version=$2 builder=$3 out="$toolchain/$1-$2/bin" t
  local cached="$pulumi_home/plugins/resource-$name-v$version/pulumi-resource-$name"
  t=$(date +%s)
  # The builder skips quickly when its output is current; reinstall only when the binary changed.
  "$builder" "$out"
  if cmp -s "$out/pulumi-resource-$name" "$cached"; then
    log "$name: plugin v$version installed"
    return
  fi
  rm -rf "$pulumi_home/plugins/resource-$name-v$version"*
  PULUMI_HOME="$pulumi_home" "$pulumi_bin" plugin install resource "$name" "$version" \
    --file "$out/pulumi-resource-$name" >/dev/null
  log "$name: plugin v$version ready in $(elapsed "$t")"
}
install_plugin openstack "$OPENSTACK_PROVIDER_VERSION" "$here/go/openstack-provider/build.sh"
install_plugin command "$COMMAND_PROVIDER_VERSION" "$here/go/command-provider/build.sh"

# 4. The lab's Kubernetes binaries (kube-apiserver & co., kubectl, etcd, kwok).
"$here/build-lab.sh"

# 5. The program itself, compiled to bin/ (Pulumi.yaml runs bin/index.js; the stages run bin/ scripts).
t=$(date +%s)
(cd "$repo" && npm run --silent build)
log "program: compiled to $repo/bin in $(elapsed "$t")"

log "ready: $bindir ($(du -sh "$toolchain" | cut -f1) in $toolchain); run Pulumi with: npm run pulumi -- <args>"
