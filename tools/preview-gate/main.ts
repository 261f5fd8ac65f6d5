/**
 * Preview gate for pull requests:
 *   pulumi preview --stack S --policy-pack policies --json --show-replacement-steps --show-sames \
 *     --event-log events.jsonl > preview.json
 *   npm run gate -- --preview preview.json --events events.jsonl --stack S [--max-agents 1] [--out plan.md]
 * Exits 1 when the update would take out more than one server at a time, more agents at a time
 * than allowed (--max-agents, default 1), or
 * remove a node before evacuating it; writes the Markdown plan either way.
 */
import * as fs from "fs";
import { analyzePreview, PolicyResult, PreviewDigest } from "./analyze";
import { renderPlan } from "./render";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Policy verdicts from the engine event log (the --json digest does not carry them). */
export function readPolicyEvents(file: string): PolicyResult[] {
  const out: PolicyResult[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as {
      policyEvent?: { policyName: string; enforcementLevel: string; message: string; resourceUrn?: string };
    };
    if (e.policyEvent) {
      const p = e.policyEvent;
      out.push({
        policy: p.policyName,
        level: p.enforcementLevel,
        message: p.message.trim(),
        urn: p.resourceUrn,
      });
    }
  }
  return out;
}

function main(): number {
  const previewFile = arg("preview");
  if (!previewFile) {
    console.error(
      "usage: gate --preview preview.json [--events events.jsonl] [--stack S] [--max-agents N] [--out plan.md]",
    );
    return 2;
  }
  const digest = JSON.parse(fs.readFileSync(previewFile, "utf8")) as PreviewDigest;
  const stack = arg("stack");
  // Never from the stack's config: the change under review must not raise the limit it is checked against.
  const maxAgents = Number(arg("max-agents", "1"));
  if (!Number.isInteger(maxAgents) || maxAgents < 0) {
    console.error(`--max-agents must be a whole number >= 0, got ${arg("max-agents")}`);
    return 2;
  }
  const events = arg("events");
  const policies = events ? readPolicyEvents(events) : undefined;
  const result = analyzePreview(digest, { maxServers: 1, maxAgents });
  const mandatory = (policies ?? []).filter((p) => p.level === "mandatory");
  if (mandatory.length)
    result.problems.push(`${mandatory.length} mandatory policy violation(s); see Policies.`);
  result.accepted = result.problems.length === 0;
  const plan = renderPlan(result, policies, stack ?? "?");
  const out = arg("out");
  if (out) fs.writeFileSync(out, plan);
  process.stdout.write(plan);
  return result.accepted ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
