#!/usr/bin/env bash
# Merge half: apply exactly what was reviewed. Re-runs the preview, refuses when its steps differ
# from the reviewed preview.json (someone changed the stack or the cloud since), then updates.
#   tools/ci/apply-reviewed.sh <stack> <reviewed-preview.json>
set -euo pipefail
stack=${1:?usage: apply-reviewed.sh <stack> <reviewed-preview.json>}
reviewed=${2:?usage: apply-reviewed.sh <stack> <reviewed-preview.json>}
cd "$(dirname "$0")/../.."
pulumi=${PULUMI:-pulumi}
now=$(mktemp)
trap 'rm -f "$now"' EXIT

"$pulumi" preview --stack "$stack" --non-interactive --policy-pack policies --json --show-replacement-steps >"$now"
npx ts-node --transpile-only tools/ci/same-plan.ts "$reviewed" "$now"
"$pulumi" up --stack "$stack" --non-interactive --yes --skip-preview --policy-pack policies
