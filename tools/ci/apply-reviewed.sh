#!/usr/bin/env bash
# Merge half: apply exactly what was reviewed. Re-runs the preview (the generation guard refuses a
# lowered rebuild/rejoin in it), runs the gate again on that fresh preview, refuses when its steps
# differ from the reviewed preview.json (someone changed the stack or the cloud since), then updates.
#   tools/ci/apply-reviewed.sh <stack> <reviewed-preview.json>
set -euo pipefail
stack=${1:?usage: apply-reviewed.sh <stack> <reviewed-preview.json>}
reviewed=${2:?usage: apply-reviewed.sh <stack> <reviewed-preview.json>}
cd "$(dirname "$0")/../.."
pulumi=${PULUMI:-pulumi}
now=$(mktemp -d)
trap 'rm -rf "$now"' EXIT
export PULUMI_DEBUG_COMMANDS=true # --event-log (policy verdicts as JSON)

"$pulumi" preview --stack "$stack" --non-interactive --policy-pack policies --json --show-replacement-steps \
  --event-log "$now/events.jsonl" >"$now/preview.json"
npx ts-node --transpile-only tools/preview-gate/main.ts --preview "$now/preview.json" --events "$now/events.jsonl" \
  --stack "$stack" --max-agents "${ECS_MAX_AGENTS:-1}" --out "$now/plan.md" >/dev/null ||
  { cat "$now/plan.md" >&2; echo "the gate rejects the fresh preview; not applying" >&2; exit 1; }
npx ts-node --transpile-only tools/ci/same-plan.ts "$reviewed" "$now/preview.json"
"$pulumi" up --stack "$stack" --non-interactive --yes --skip-preview --policy-pack policies
