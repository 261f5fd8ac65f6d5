/** A simulated ECS node. Servers carry RKE2's server role labels; agents carry none, as in RKE2. */
export interface LabNodeSpec {
  /** FQDN, used as the Kubernetes Node name (RKE2 registers nodes by hostname). */
  name: string;
  role: "server" | "agent";
  /** Node InternalIP; loopback 127.0.8.x in the lab. */
  ip: string;
}

/** The seed's six-node cluster: ds01-03 ECS Server, ds04-06 ECS Agent, on 127.0.8.141-146. */
export const ECS_LAB_NODES: readonly LabNodeSpec[] = [1, 2, 3, 4, 5, 6].map((i) => ({
  name: `ds0${i}.ecs.openstack.com`,
  role: i <= 3 ? "server" : "agent",
  ip: `127.0.8.${140 + i}`,
}));

/** Labels as RKE2 sets them (servers: control-plane, etcd, master = "true"), plus a lab role label. */
export function nodeLabels(node: LabNodeSpec): Record<string, string> {
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": node.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/instance-type": "rke2",
    "node.kubernetes.io/instance-type": "rke2",
    "lab.ecs-pulumi/ecs-role": node.role === "server" ? "ECS_SERVER" : "ECS_AGENT",
  };
  if (node.role === "server") {
    labels["node-role.kubernetes.io/control-plane"] = "true";
    labels["node-role.kubernetes.io/etcd"] = "true";
    labels["node-role.kubernetes.io/master"] = "true";
  }
  return labels;
}

/**
 * The Node object a kubelet would register. Status (addresses, conditions, capacity) is filled
 * in by the node's kwok process (see kwok/stages.yaml).
 */
export function nodeManifest(node: LabNodeSpec, podCidr: string): object {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      labels: nodeLabels(node),
      annotations: {
        "rke2.io/hostname": node.name,
        "rke2.io/internal-ip": node.ip,
        "node.alpha.kubernetes.io/ttl": "0",
      },
    },
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
  };
}

/** Pod CIDR per node, inside RKE2's default cluster CIDR 10.42.0.0/16. */
export function podCidrFor(index: number): string {
  return `10.42.${index}.0/24`;
}
