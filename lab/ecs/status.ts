import type { EcsLab } from "./index";
import { rke2Label } from "./rke2";

export interface NodeStatusRow {
  node: string;
  vm: string;
  cmHost: string;
  role: string;
  k8s: string;
  /** RKE2 on the node: running, stopped, clean (new VM), wiped, stale (removed etcd member's data). */
  rke2: string;
  etcd: string;
  pods: number;
}

interface NodeList {
  items: Array<{
    metadata: { name: string };
    spec: { unschedulable?: boolean };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

/** One row per lab node: what OpenStack, CM and Kubernetes each say about it. */
export async function labStatus(lab: EcsLab): Promise<NodeStatusRow[]> {
  const servers = lab.openstack.snapshot().servers;
  const nodes = await lab.kube.kubectl.json<NodeList>(["get", "nodes"]);
  const pods = await lab.kube.kubectl.json<{ items: Array<{ spec: { nodeName?: string } }> }>([
    "get",
    "pods",
    "-A",
  ]);
  return lab.nodes.map((n) => {
    const vm = servers.find((s) => s.name === n.name);
    const host = lab.cm.state.hostByName(n.hostname);
    const role = host && lab.cm.state.rolesOnHost(host.hostId).find((r) => r.type.startsWith("ECS_"));
    const node = nodes.items.find((x) => x.metadata.name === n.hostname);
    const ready = node?.status?.conditions?.find((c) => c.type === "Ready")?.status;
    return {
      node: n.name,
      vm: vm ? vm.status : "-",
      cmHost: host
        ? `${host.clusterName ? "in cluster" : "not in cluster"}, agent ${host.agentUp ? "up" : "silent"}`
        : "-",
      role: role ? `${role.type} ${role.state}` : "-",
      k8s: node
        ? `${ready === "True" ? "Ready" : "NotReady"}${node.spec.unschedulable ? ",cordoned" : ""}`
        : "-",
      rke2: rke2Label(lab.wiring.rke2State(n.name)),
      etcd:
        n.role === "server"
          ? lab.rke2.members.has(n.hostname)
            ? `${lab.rke2.members.get(n.hostname)} ${lab.rke2.memberRecords.get(n.hostname)?.ID ?? ""}`
            : "-"
          : "",
      pods: pods.items.filter((p) => p.spec.nodeName === n.hostname).length,
    };
  });
}

export function renderStatus(rows: NodeStatusRow[]): string {
  const header: NodeStatusRow = {
    node: "NODE",
    vm: "VM",
    cmHost: "CM HOST",
    role: "CM ROLE",
    k8s: "K8S NODE",
    rke2: "RKE2",
    etcd: "ETCD",
    pods: 0,
  };
  const cells = (r: NodeStatusRow) => [
    r.node,
    r.vm,
    r.cmHost,
    r.role,
    r.k8s,
    r.rke2,
    r.etcd,
    r === header ? "PODS" : String(r.pods),
  ];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  return (
    all
      .map((c) =>
        c
          .map((v, i) => v.padEnd(widths[i]))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
