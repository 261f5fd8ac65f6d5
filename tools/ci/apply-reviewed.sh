#!/usr/bin/env bash
# Merge half: apply exactly what was reviewed.
#   tools/ci/apply-reviewed.sh <stack> <reviewed-preview.json> <reviewed update-plan.json>
# 1. a fresh preview (the generation guard refuses a lowered rebuild/rejoin in it) and the gate on
#    it again: the cluster's config may have changed since the review;
# 2. refuse when it plans other operations than the reviewed preview (a readable difference);
# 3. `pulumi up --plan` with the reviewed update plan: the engine itself refuses any operation or
#    input that the reviewed plan does not contain, with no window between the check and the update.
set -euo pipefail
usage="usage: apply-reviewed.sh <stack> <reviewed-preview.json> <reviewed update-plan.json>"
stack=${1:?$usage}
reviewed=${2:?$usage}
plan=${3:?$usage}
cd "$(dirname "$0")/../.."
pulumi=${PULUMI:-pulumi}
now=$(mktemp -d)
trap 'rm -rf "$now"' EXIT
# --event-log (policy verdicts as JSON) and update plans are behind these switches in 3.248.
export PULUMI_DEBUG_COMMANDS=true PULUMI_EXPERIMENTAL=true

"$pulumi" preview --stack "$stack" --non-interactive --policy-pack policies --json --show-replacement-steps --show-sames \
  --event-log "$now/events.jsonl" >"$now/preview.json"
npx ts-node --transpile-only tools/preview-gate/main.ts --preview "$now/preview.json" --events "$now/events.jsonl" \
  --stack "$stack" --max-agents "${ECS_MAX_AGENTS:-1}" --out "$now/plan.md" >/dev/null ||
  { cat "$now/plan.md" >&2; echo "the gate rejects the fresh preview; not applying" >&2; exit 1; }
npx ts-node --transpile-only tools/ci/same-plan.ts "$reviewed" "$now/preview.json"
"$pulumi" up --stack "$stack" --non-interactive --yes --skip-preview --policy-pack policies --plan "$plan"
