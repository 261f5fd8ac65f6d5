import { GateResult, PolicyResult } from "./analyze";

/** The replacement plan a reviewer reads in the pull request. */
export function renderPlan(result: GateResult, policies: PolicyResult[] | undefined, stack: string): string {
  const out: string[] = [];
  out.push(`## ECS replacement plan: stack \`${stack}\``, "");
  out.push(result.accepted ? "**Gate: passed.**" : "**Gate: REJECTED.**", "");
  if (result.problems.length) {
    out.push(...result.problems.map((p) => `- :x: ${p}`), "");
  }
  if (result.nodes.length === 0) {
    out.push("No ECS node leaves the cluster in this update.", "");
  }
  for (const n of result.nodes) {
    out.push(
      `### ${n.name} (${n.role}): ${n.kind}`,
      "",
      `Evacuation: ${n.evacuation}`,
      "",
      "Stages, in order:",
      "",
    );
    n.steps.forEach((s, i) => out.push(`${i + 1}. \`${s}\``));
    out.push("");
  }
  out.push("### Policies", "");
  if (!policies) out.push("Not run (no event log given).");
  else if (policies.length === 0) out.push("All policies passed.");
  else {
    out.push("| policy | level | message |", "| --- | --- | --- |");
    for (const p of policies)
      out.push(`| ${p.policy} | ${p.level} | ${p.message.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
  }
  out.push("");
  return out.join("\n");
}
