#!/usr/bin/env bash
# Builds the Pulumi resource provider plugin pulumi-resource-openstack 3.15.2 (our bridge mapping
# of terraform-provider-openstack v1.54.1, matching npm @pulumi/openstack 3.15.2) into <out-bin-dir>.
#
#   build.sh <out-bin-dir>        e.g. build.sh ~/.cache/ecs-pulumi/toolchain/openstack-3.15.2/bin
#
# Steps: tidy check (downloads modules) -> tfgen schema -> compare schema with the npm SDK -> build.
# Skips everything when <out-bin-dir>/pulumi-resource-openstack already reports 3.15.2 (FORCE=1
# rebuilds, e.g. after a mapping change).
# The schema is kept in <out-bin-dir>/../schema/schema.json.
set -euo pipefail

readonly VERSION=3.15.2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../../../.." && pwd)

log() { echo "[toolchain] openstack: $*"; }
die() { echo "[toolchain] openstack: ERROR: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: build.sh <out-bin-dir>"
mkdir -p "$1"
out=$(cd "$1" && pwd)
schema_dir=$(dirname "$out")/schema
plugin=$out/pulumi-resource-openstack

if [[ -z ${FORCE:-} && -x $plugin ]] && [[ $("$plugin" -version 2>/dev/null || true) == "$VERSION" ]]; then
  log "up to date: $plugin reports $VERSION"
  exit 0
fi

export GOTOOLCHAIN=local CGO_ENABLED=0
command -v go >/dev/null || die "go not found on PATH"
start=$SECONDS
work=$(mktemp -d)
embed=$here/cmd/pulumi-resource-openstack/schema-embed.json
# The embed file only has to exist while the plugin compiles; removing it keeps the tree clean.
trap 'rm -rf "$work" "$embed"' EXIT

# run_go <step> <go args...>: runs go quietly; on failure shows its output and names every
# module@version it mentions, since a refused module download is the usual cause here.
run_go() {
  local step=$1
  shift
  if ! (cd "$here" && nice -n 10 go "$@") >"$work/go.log" 2>&1; then
    tail -n 15 "$work/go.log" >&2
    local refused='40[34] |410 |not available|Forbidden|Not Found|unknown revision|checksum mismatch|verifying'
    grep -E "$refused" "$work/go.log" |
      grep -oE '[A-Za-z0-9.~_-]+(/[A-Za-z0-9.~_+-]+)+@v[0-9][A-Za-z0-9.+-]*' | sort -u |
      while read -r m; do
        echo "[toolchain] openstack: ERROR: could not fetch module ${m%@*} version ${m##*@} from the Go module proxy" >&2
      done || true # no refused module: the log tail above says what went wrong
    die "step '$step' failed: go $*"
  fi
}

log "tidy (go.mod/go.sum must already be tidy; downloads modules on a cold cache)"
run_go tidy mod tidy -diff

log "tfgen schema"
run_go "tfgen build" build -trimpath -o "$work/pulumi-tfgen-openstack" ./cmd/pulumi-tfgen-openstack
mkdir -p "$schema_dir"
(cd "$work" && nice -n 10 ./pulumi-tfgen-openstack schema --skip-docs --skip-examples --out "$schema_dir") \
  >"$work/tfgen.log" 2>&1 || { tail -n 30 "$work/tfgen.log" >&2; die "tfgen failed"; }
# tfgen leaves the version out of the schema; the engine and SDK codegen want it.
node -e '
  const fs = require("fs");
  const [file, version] = process.argv.slice(1);
  const schema = JSON.parse(fs.readFileSync(file, "utf8"));
  schema.version = version;
  fs.writeFileSync(file, JSON.stringify(schema, null, 2) + "\n");
' "$schema_dir/schema.json" "$VERSION"

log "compare schema with @pulumi/openstack in $repo_root/node_modules"
(cd "$repo_root" && TS_NODE_COMPILER_OPTIONS='{"rootDir":"."}' node -r ts-node/register/transpile-only \
  "$here/scripts/compare-schema.ts" "$schema_dir/schema.json" >"$work/compare.log") ||
  { grep '^KEY' "$work/compare.log" >&2 || true; tail -n 1 "$work/compare.log" >&2; die "schema differs from the SDK"; }
tail -n 1 "$work/compare.log"
# Only a schema that matched the SDK gets embedded (compact, as the plugin serves it verbatim).
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[2], JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1], "utf8"))));' \
  "$schema_dir/schema.json" "$embed"

log "build"
run_go build build -trimpath -ldflags "-s -w" -o "$work/pulumi-resource-openstack" ./cmd/pulumi-resource-openstack
mv "$work/pulumi-resource-openstack" "$plugin"
[[ $("$plugin" -version) == "$VERSION" ]] || die "built plugin does not report $VERSION"
log "done: $plugin ($(du -m "$plugin" | cut -f1) MB) in $((SECONDS - start)) s"
