import { CHAIN_SUFFIXES, GateResult, NODE_GATE_SUFFIX, PolicyResult } from "./analyze";

/** What each stage's half does, in the runbook's words, for the reviewer. */
const STAGE_WORDS: Record<string, { out: string; back: string }> = {
  "-k8s-membership": {
    out: "evacuate per its case; server: server lock, quorum check, etcd snapshot, member removal; delete the Node",
    back: "wait Ready (server: etcd voter), uncordon",
  },
  "-cm-role": { out: "stop and delete the ECS and Docker roles in CM", back: "add and start the roles" },
  "-rke2-prep": {
    out: "(nothing: the prep has no delete)",
    back: "rke2-killall.sh, rke2-uninstall.sh on the node",
  },
  "-power": { out: "power the VM off (Nova stop, wait for SHUTOFF)", back: "make sure the VM runs" },
  "-cm-host": {
    out: "remove the host from the cluster and CM",
    back: "wait for the agent heartbeat at the node's IP, add the host",
  },
  "-data-attach": { out: "detach the data volume from the stopped VM", back: "attach the data volume" },
  "-vm": { out: "delete the VM", back: "create the VM (same port, IP and hostname)" },
};

function describeStep(step: string): string {
  const [op, resource] = step.split(" ");
  if (resource?.endsWith(NODE_GATE_SUFFIX))
    return `\`${step}\`: gate: this node and those before it healthy, the others Ready (then ecs:rollout.pauseSec); the next node waits for it`;
  const suffix = CHAIN_SUFFIXES.find((x) => resource?.endsWith(x));
  const words = suffix ? STAGE_WORDS[suffix] : undefined;
  if (!words) return `\`${step}\``;
  const removing = /delete|discard/.test(op);
  const text = op === "replace" ? `${words.out}, then ${words.back}` : removing ? words.out : words.back;
  return `\`${step}\`: ${text}`;
}

/** The nodes a node waits for directly (its `after` without those reached through another). */
function directlyAfter(result: GateResult, name: string): string[] {
  const after = (n: string) => result.nodes.find((x) => x.name === n)?.after ?? [];
  const all = after(name);
  return all.filter((a) => !all.some((b) => b !== a && after(b).includes(a)));
}

/** The replacement plan a reviewer reads in the pull request. */
export function renderPlan(result: GateResult, policies: PolicyResult[] | undefined, stack: string): string {
  const out: string[] = [];
  out.push(`## ECS replacement plan: stack \`${stack}\``, "");
  out.push(result.accepted ? "**Gate: passed.**" : "**Gate: REJECTED.**", "");
  if (result.problems.length) {
    out.push(...result.problems.map((p) => `- :x: ${p}`), "");
  }
  if (result.nodes.length === 0 && result.inPlace.length === 0) {
    out.push("No ECS node leaves the cluster in this update.", "");
  }
  if (result.nodes.length > 1) {
    out.push(
      `Roll, in this order (each node's chain starts after the gates of the nodes it waits for): ${result.nodes.map((n) => n.name).join(" → ")}`,
      "",
    );
  }
  for (const n of result.nodes) {
    out.push(
      `### ${n.name} (${n.role}): ${n.kind}`,
      "",
      `Evacuation: ${n.evacuation}`,
      "",
      ...(n.after.length ? [`Starts after: ${directlyAfter(result, n.name).join(", ")}`, ""] : []),
      "Stages, in order:",
      "",
    );
    n.steps.forEach((s, i) => out.push(`${i + 1}. ${describeStep(s)}`));
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
