#!/usr/bin/env bash
# Pull-request half: preview with the policy pack, run the gate, write the plan for the PR comment.
#   tools/ci/pr-preview.sh <stack> <out-dir>
# Outputs: preview.json (reviewed steps), update-plan.json (Pulumi's update plan: the merge applies
# exactly it, `pulumi up --plan`), events.jsonl, plan.md. Exit 1 when the gate rejects.
set -uo pipefail
stack=${1:?usage: pr-preview.sh <stack> <out-dir>}
out=${2:?usage: pr-preview.sh <stack> <out-dir>}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
pulumi=${PULUMI:-pulumi}
# --event-log (the only place policy verdicts are written as JSON) is behind this switch; update
# plans (--save-plan / --plan) are behind PULUMI_EXPERIMENTAL in 3.248.
export PULUMI_DEBUG_COMMANDS=true PULUMI_EXPERIMENTAL=true

"$pulumi" preview --stack "$stack" --non-interactive --policy-pack policies \
  --json --show-replacement-steps --show-sames --event-log "$out/events.jsonl" --save-plan "$out/update-plan.json" \
  >"$out/preview.json"
preview_rc=$?
npx ts-node --transpile-only tools/preview-gate/main.ts \
  --preview "$out/preview.json" --events "$out/events.jsonl" --stack "$stack" \
  --max-agents "${ECS_MAX_AGENTS:-1}" --out "$out/plan.md" >/dev/null
gate_rc=$?
if [ "$preview_rc" -ne 0 ]; then echo "preview failed (exit $preview_rc); see $out/plan.md" >&2; exit 1; fi
exit "$gate_rc"
