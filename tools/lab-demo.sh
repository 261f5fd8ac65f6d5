#!/usr/bin/env bash
# The main job on the embedded lab: start the lab, create the six-node cluster with pulumi up,
# then replace ds04 the way a reviewed pull request would (preview, gate, up), print the run
# record, and stop the lab. Run after `npm ci --ignore-scripts && npm run toolchain`.
set -euo pipefail
cd "$(dirname "$0")/.."
node_name=${1:-ds04}
lab=${ECS_LAB_DIR:-$PWD/.cache/lab}
out=$lab/demo
mkdir -p "$out"
pulumi() { npx ts-node --transpile-only tools/run-pulumi.ts "$@"; }
trap 'npm run --silent lab:down || true' EXIT
# openssl and openssh-server for the lab (installed here if missing; needs root).
source tools/lab-prereqs.sh
# The policy pack has its own dependencies.
[ -d policies/node_modules ] || npm ci --ignore-scripts --no-audit --no-fund --prefix policies

npm run --silent lab:up
echo "== 1. create the cluster: VMs, CM hosts and roles, Kubernetes members"
pulumi up --stack lab --yes --non-interactive --skip-preview
npm run --silent lab:status

echo "== 2. the change under review: bump $node_name's rebuild generation"
index=$(( ${node_name#ds} - 1 ))
pulumi config set --path "ecs:nodes[$index].rebuild" 1 --stack lab
# As tools/ci/pr-preview.sh: the preview (with Pulumi's update plan, an experimental feature in
# 3.248), the policy pack and the gate's plan for the reviewer.
export PULUMI_EXPERIMENTAL=true
pulumi preview --stack lab --non-interactive --policy-pack policies --json --show-replacement-steps --show-sames \
  --event-log "$out/events.jsonl" --save-plan "$out/update-plan.json" >"$out/preview.json"
npx ts-node --transpile-only tools/preview-gate/main.ts --preview "$out/preview.json" --events "$out/events.jsonl" --stack lab --out "$out/plan.md"

echo "== 3. apply exactly the reviewed plan"
pulumi up --stack lab --yes --non-interactive --skip-preview --policy-pack policies --plan "$out/update-plan.json"
npm run --silent lab:status
# The record of this change is a stack output (all changes: $lab/run-records/records.jsonl).
pulumi stack output runRecord --json --stack lab >"$out/run-record.json"
npx ts-node --transpile-only tools/run-record.ts "$out/run-record.json" --out "$out/run-record.md"
echo "plan: $out/plan.md   run record: $out/run-record.md"
