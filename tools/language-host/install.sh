#!/bin/sh
# Installs the TypeScript Node.js language host next to a Pulumi CLI:
#   <bin-dir>/pulumi-language-nodejs          sh wrapper -> node <bin-dir>/../language-host/dist/main.js
#   <bin-dir>/../language-host/               compiled host, its own node_modules, the gRPC stubs
#   <bin-dir>/pulumi-resource-pulumi-nodejs   dynamic-provider host, copied from @pulumi/pulumi
# Everything lands in the cache dir, so a later run from another clone needs nothing from this one.
# CLI >= 3.221 runs TypeScript policy packs through the host's RunPlugin, so no
# pulumi-analyzer-policy is installed. Idempotent: rerunning replaces the installed files.
# Usage: tools/language-host/install.sh <bin-dir>
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 <bin-dir>" >&2
  exit 2
fi
mkdir -p "$1"
BIN_DIR=$(cd "$1" && pwd)
HOST_SRC=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HOST_SRC/../.." && pwd)
ROOT=$(dirname "$BIN_DIR")/language-host
SDK="$REPO/node_modules/@pulumi/pulumi"

log() { echo "[language-host] $*"; }

[ -f "$SDK/package.json" ] || { echo "missing $SDK: run npm ci in $REPO first" >&2; exit 1; }
[ -x "$REPO/node_modules/.bin/tsc" ] || { echo "missing TypeScript in $REPO/node_modules" >&2; exit 1; }
SDK_VERSION=$(node -p "require('$SDK/package.json').version")
log "installing into $ROOT (stubs from @pulumi/pulumi $SDK_VERSION)"
mkdir -p "$ROOT"

# Runtime dependencies: only reinstalled when the lock file changed.
if ! cmp -s "$HOST_SRC/package-lock.json" "$ROOT/package-lock.json" || [ ! -d "$ROOT/node_modules/@grpc/grpc-js" ]; then
  log "npm ci (@grpc/grpc-js, google-protobuf)"
  cp "$HOST_SRC/package.json" "$HOST_SRC/package-lock.json" "$ROOT/"
  (cd "$ROOT" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
else
  cp "$HOST_SRC/package.json" "$ROOT/"
  log "runtime dependencies up to date"
fi

log "compiling TypeScript"
rm -rf "$ROOT/dist.new"
"$REPO/node_modules/.bin/tsc" -p "$HOST_SRC/tsconfig.json" --outDir "$ROOT/dist.new"
rm -rf "$ROOT/dist" && mv "$ROOT/dist.new" "$ROOT/dist"

# The generated stubs resolve @grpc/grpc-js and google-protobuf from $ROOT/node_modules, the same
# copies the host uses (the stubs' serializers check `instanceof`).
log "copying gRPC stubs"
rm -rf "$ROOT/proto"
mkdir -p "$ROOT/proto"
(cd "$SDK/proto" && find . -name '*.js' | while read -r f; do
  mkdir -p "$ROOT/proto/$(dirname "$f")"
  cp "$f" "$ROOT/proto/$f"
done)

log "writing $BIN_DIR/pulumi-language-nodejs"
cat >"$BIN_DIR/pulumi-language-nodejs.tmp" <<'EOF'
#!/bin/sh
# Pulumi Node.js language host (TypeScript, from ecs-pulumi tools/language-host).
here=$(dirname "$(readlink -f "$0")")
exec node "$here/../language-host/dist/main.js" "$@"
EOF
chmod 755 "$BIN_DIR/pulumi-language-nodejs.tmp"
mv "$BIN_DIR/pulumi-language-nodejs.tmp" "$BIN_DIR/pulumi-language-nodejs"

log "copying pulumi-resource-pulumi-nodejs (dynamic providers)"
cp "$SDK/pulumi-resource-pulumi-nodejs" "$BIN_DIR/pulumi-resource-pulumi-nodejs.tmp"
chmod 755 "$BIN_DIR/pulumi-resource-pulumi-nodejs.tmp"
mv "$BIN_DIR/pulumi-resource-pulumi-nodejs.tmp" "$BIN_DIR/pulumi-resource-pulumi-nodejs"

log "checking the host starts"
"$BIN_DIR/pulumi-language-nodejs" --version
log "done"
