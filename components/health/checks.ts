import type { HealthReport } from "../cloudera/operations";
import { condition, isReady, NodeObject, PodObject } from "../kube/types";
import type { MachineState } from "../openstack/nova";

/** A configured node the gate expects back in the cluster. */
export interface ExpectedNode {
  hostname: string;
  role: "server" | "agent";
}

export interface GateSnapshot {
  nodes: NodeObject[];
  pods: PodObject[];
  cm: HealthReport;
  /** Per node from Nova; a string when Nova could not be asked (the reason). */
  machines: MachineState[] | string;
  /** When the snapshot was taken (ms since epoch). */
  now: number;
}

/** What a gate holds the cluster to: the final gate everything, the gate between nodes of a roll less. */
export interface GateScope {
  /** Configured nodes outside `expected`: if in Kubernetes, they must be Ready (day 0: may not be there yet). */
  others: ExpectedNode[];
  /** CM services must be FRESH (not between nodes: the CM refresh runs after the last node). */
  fresh: boolean;
  /**
   * Agents rolling in another lane, which may be out: while one of them is, CM services need not
   * be GOOD and the pods on them are their own gate's business.
   */
  alongside: string[];
}

export const FINAL_GATE: GateScope = { others: [], alongside: [], fresh: true };

/**
 * What is wrong with the cluster after a node change, one line per problem (empty = healthy):
 * every configured node Ready, schedulable and (servers) an etcd voter; no pod failed or stuck
 * Terminating; every CM service GOOD and FRESH and every ECS host GOOD (the runbook's
 * "confirm that all pods are green" and "ECS service has no alerts"); every node's VM ACTIVE in
 * Nova with its data volume attached.
 */
export function gateProblems(
  s: GateSnapshot,
  expected: ExpectedNode[],
  stuckTerminatingSec: number,
  scope: GateScope = FINAL_GATE,
): string[] {
  const problems: string[] = [];
  const byName = new Map(s.nodes.map((n) => [n.metadata.name, n]));
  for (const o of scope.others) {
    const n = byName.get(o.hostname);
    if (n && !isReady(n)) problems.push(`Node ${o.hostname} is not Ready (it is not part of this step)`);
  }
  const outAlongside = new Set(
    scope.alongside.filter((h) => {
      const n = byName.get(h);
      return !n || !isReady(n) || n.spec.unschedulable === true;
    }),
  );
  for (const e of expected) {
    const n = byName.get(e.hostname);
    if (!n) problems.push(`Node ${e.hostname} is not in the cluster`);
    else if (!isReady(n)) problems.push(`Node ${e.hostname} is not Ready`);
    else if (n.spec.unschedulable) problems.push(`Node ${e.hostname} is cordoned`);
    else if (e.role === "server" && condition(n, "EtcdIsVoter")?.status === "False")
      problems.push(`Node ${e.hostname}: its etcd member is still a learner (EtcdIsVoter=False)`);
  }
  for (const p of s.pods) {
    if (p.spec.nodeName && outAlongside.has(p.spec.nodeName)) continue;
    const id = `${p.metadata.namespace}/${p.metadata.name}`;
    const where = p.spec.nodeName ? ` on ${p.spec.nodeName}` : "";
    if (p.metadata.deletionTimestamp) {
      const age = (s.now - Date.parse(p.metadata.deletionTimestamp)) / 1000;
      if (age > stuckTerminatingSec)
        problems.push(`pod ${id}${where} stuck Terminating for ${Math.round(age)}s`);
    } else if (p.status?.phase === "Failed" && !p.metadata.ownerReferences?.some((o) => o.kind === "Job")) {
      // A failed Job pod is the Job's business; any other failed pod is a casualty of the change.
      problems.push(`pod ${id}${where} Failed`);
    }
  }
  for (const svc of s.cm.services) {
    if (outAlongside.size === 0 && svc.health !== "GOOD")
      problems.push(`CM service ${svc.name} health is ${svc.health ?? "unknown"}`);
    if (scope.fresh && svc.staleness !== "FRESH")
      problems.push(
        `CM service ${svc.name} configuration is ${svc.staleness ?? "unknown"} (needs a refresh)`,
      );
  }
  const ecsHosts = new Set(expected.map((e) => e.hostname));
  for (const h of s.cm.hosts.filter((x) => ecsHosts.has(x.hostname))) {
    if (h.health !== "GOOD") problems.push(`CM host ${h.hostname} health is ${h.health ?? "unknown"}`);
  }
  for (const e of expected) {
    if (!s.cm.hosts.some((h) => h.hostname === e.hostname))
      problems.push(`CM host ${e.hostname} is not in the cluster`);
  }
  if (typeof s.machines === "string") problems.push(`Nova could not be asked about the VMs: ${s.machines}`);
  else
    for (const m of s.machines) {
      if (m.status !== "ACTIVE") problems.push(`VM of ${m.hostname} is ${m.status} in Nova, not ACTIVE`);
      else if (!m.dataVolumeAttached)
        problems.push(`the data volume of ${m.hostname} is not attached to its VM`);
    }
  return problems;
}
