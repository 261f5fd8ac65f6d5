/**
 * The ports ECS on RKE2 needs, as data. Sources are always the cluster's own subnet, the
 * server group itself, or the named admin CIDRs: never the whole internet.
 * Port list: RKE2 "Inbound network rules" requirements, Cloudera ECS host requirements.
 */

/** Which security group a rule belongs to: every node, or ECS Server nodes only. */
export type RuleGroup = "cluster" | "servers";
/** Where traffic may come from. */
export type RuleSource = "subnet" | "servers" | "admin";

export interface FirewallRule {
  /** Stable key, also part of the resource name: changing it replaces the rule. */
  key: string;
  description: string;
  group: RuleGroup;
  protocol: "tcp" | "udp" | "icmp";
  portMin?: number;
  portMax?: number;
  sources: RuleSource[];
}

export const ECS_FIREWALL_RULES: readonly FirewallRule[] = [
  {
    key: "ssh",
    description: "SSH for RKE2 clean-up on rejoin",
    group: "cluster",
    protocol: "tcp",
    portMin: 22,
    portMax: 22,
    sources: ["subnet", "admin"],
  },
  {
    key: "icmp",
    description: "ICMP inside the cluster",
    group: "cluster",
    protocol: "icmp",
    sources: ["subnet"],
  },
  {
    key: "kube-api",
    description: "Kubernetes API (kube-apiserver)",
    group: "servers",
    protocol: "tcp",
    portMin: 6443,
    portMax: 6443,
    sources: ["subnet", "admin"],
  },
  {
    key: "rke2-supervisor",
    description: "RKE2 supervisor API (node join)",
    group: "servers",
    protocol: "tcp",
    portMin: 9345,
    portMax: 9345,
    sources: ["subnet"],
  },
  {
    key: "etcd",
    description: "etcd client and peer traffic",
    group: "servers",
    protocol: "tcp",
    portMin: 2379,
    portMax: 2380,
    sources: ["servers"],
  },
  {
    key: "kubelet",
    description: "kubelet API (metrics, logs, exec)",
    group: "cluster",
    protocol: "tcp",
    portMin: 10250,
    portMax: 10250,
    sources: ["subnet"],
  },
  {
    key: "cni-vxlan",
    description: "CNI overlay (Canal/Flannel VXLAN)",
    group: "cluster",
    protocol: "udp",
    portMin: 8472,
    portMax: 8472,
    sources: ["subnet"],
  },
  {
    key: "cni-health",
    description: "CNI health checks",
    group: "cluster",
    protocol: "tcp",
    portMin: 9099,
    portMax: 9099,
    sources: ["subnet"],
  },
  {
    key: "ingress-http",
    description: "ECS ingress (HTTP)",
    group: "cluster",
    protocol: "tcp",
    portMin: 80,
    portMax: 80,
    sources: ["subnet", "admin"],
  },
  {
    key: "ingress-https",
    description: "ECS ingress (HTTPS)",
    group: "cluster",
    protocol: "tcp",
    portMin: 443,
    portMax: 443,
    sources: ["subnet", "admin"],
  },
  {
    key: "nodeports-tcp",
    description: "Kubernetes NodePort services (TCP)",
    group: "cluster",
    protocol: "tcp",
    portMin: 30000,
    portMax: 32767,
    sources: ["subnet", "admin"],
  },
  {
    key: "nodeports-udp",
    description: "Kubernetes NodePort services (UDP)",
    group: "cluster",
    protocol: "udp",
    portMin: 30000,
    portMax: 32767,
    sources: ["subnet"],
  },
  {
    key: "cm-agent",
    description: "Cloudera Manager agent (CM server to agent)",
    group: "cluster",
    protocol: "tcp",
    portMin: 9000,
    portMax: 9000,
    sources: ["subnet", "admin"],
  },
  {
    key: "ecs-registry",
    description: "ECS embedded Docker registry",
    group: "cluster",
    protocol: "tcp",
    portMin: 5000,
    portMax: 5000,
    sources: ["subnet"],
  },
  {
    key: "longhorn",
    description: "Longhorn storage manager and replicas",
    group: "cluster",
    protocol: "tcp",
    portMin: 9500,
    portMax: 9503,
    sources: ["subnet"],
  },
];

/** One concrete rule to create: a FirewallRule expanded for one source. */
export interface ExpandedRule {
  name: string;
  rule: FirewallRule;
  /** A CIDR, or undefined when the source is the server security group itself. */
  remoteIpPrefix?: string;
  remoteGroup?: "servers";
}

/** Expands the table for a cluster: one rule per (rule, source CIDR). */
export function expandFirewallRules(subnetCidr: string, adminCidrs: string[]): ExpandedRule[] {
  const out: ExpandedRule[] = [];
  for (const rule of ECS_FIREWALL_RULES) {
    for (const source of rule.sources) {
      if (source === "servers") out.push({ name: `${rule.key}-from-servers`, rule, remoteGroup: "servers" });
      if (source === "subnet")
        out.push({ name: `${rule.key}-from-subnet`, rule, remoteIpPrefix: subnetCidr });
      if (source === "admin") {
        // Admin CIDRs inside the subnet are already covered by the subnet rule.
        adminCidrs
          .filter((c) => c !== subnetCidr)
          .forEach((cidr) =>
            out.push({ name: `${rule.key}-from-${cidr.replace(/[./]/g, "-")}`, rule, remoteIpPrefix: cidr }),
          );
      }
    }
  }
  return out;
}
