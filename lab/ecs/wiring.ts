import type { CmSimulator } from "../cm";
import type { KubeLab } from "../kube";
import type { OpenStackSimulator } from "../openstack/server";

/** One lab node: the seed's hostname and its loopback address. */
export interface LabNode {
  name: string;
  hostname: string;
  ip: string;
  role: "server" | "agent";
}

export type LabLog = (message: string) => void;

/**
 * Makes the three simulators behave as one cluster, the way the machines do:
 * - a VM that boots starts its CM agent heartbeat; if its ECS role is meant to run, its kubelet too;
 * - a VM that stops, crashes or is deleted silences its agent and its kubelet;
 * - a CM role that reaches STARTED starts the node's RKE2 (the node joins Kubernetes); STOPPED stops it.
 */
export function wireLab(
  os: OpenStackSimulator,
  cm: CmSimulator,
  kube: KubeLab,
  nodes: LabNode[],
  log: LabLog,
): void {
  const byIp = new Map(nodes.map((n) => [n.ip, n]));
  const byHost = new Map(nodes.map((n) => [n.hostname, n]));
  const vmUp = new Set<string>();
  const roleStarted = new Set<string>();

  const startKubelet = (n: LabNode) => {
    kube.startNode(n.hostname).then(
      () => log(`${n.name}: Kubernetes node Ready`),
      (e: Error) => log(`${n.name}: node did not come up: ${e.message}`),
    );
  };
  const stopKubelet = (n: LabNode) => void kube.stopNode(n.hostname).catch(() => undefined);

  os.hooks.onServer((e) => {
    const n = e.fixedIps.map((ip) => byIp.get(ip)).find((x) => x !== undefined);
    if (!n) return;
    if (e.type === "active" || e.type === "start" || e.type === "reboot") {
      vmUp.add(n.name);
      log(`${n.name}: VM ${e.type}; CM agent heartbeats`);
      cm.hooks.setAgentHeartbeat(n.hostname, true, n.ip);
      if (roleStarted.has(n.name)) startKubelet(n);
    } else if (e.type === "stop" || e.type === "crash" || e.type === "delete" || e.type === "error") {
      vmUp.delete(n.name);
      log(`${n.name}: VM ${e.type}; CM agent and kubelet silent`);
      cm.hooks.setAgentHeartbeat(n.hostname, false);
      stopKubelet(n);
    }
  });

  cm.hooks.onRoleState((e) => {
    const n = byHost.get(e.hostname);
    if (!n || (e.type !== "ECS_SERVER" && e.type !== "ECS_AGENT")) return;
    if (e.state === "STARTED") {
      roleStarted.add(n.name);
      log(`${n.name}: ${e.type} started; RKE2 joins the node`);
      if (vmUp.has(n.name)) startKubelet(n);
    } else if (e.state === "STOPPED") {
      roleStarted.delete(n.name);
      log(`${n.name}: ${e.type} stopped; RKE2 stops`);
      stopKubelet(n);
    }
  });
}
