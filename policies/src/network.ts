import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./types";

/** Control-plane ports that must never face the internet. */
export const CONTROL_PORTS: ReadonlyArray<{ name: string; min: number; max: number }> = [
  { name: "Kubernetes API", min: 6443, max: 6443 },
  { name: "RKE2 supervisor", min: 9345, max: 9345 },
  { name: "etcd", min: 2379, max: 2380 },
  { name: "kubelet", min: 10250, max: 10250 },
];

const WORLD = new Set(["0.0.0.0/0", "::/0", "::0/0"]);

export function noWorldOpenControlPorts(): ResourceValidationPolicy {
  return {
    name: "ecs-no-world-open-control-ports",
    description:
      "No security rule opens the Kubernetes API, RKE2 supervisor, etcd or kubelet ports to 0.0.0.0/0, ::/0 or any source.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (args.type !== TYPES.secGroupRule) return;
      const p = args.props;
      if ((p.direction ?? "ingress") !== "ingress") return;
      if (p.protocol !== undefined && p.protocol !== "" && p.protocol !== "tcp" && p.protocol !== "6") return;
      const prefix = p.remoteIpPrefix as string | undefined;
      // A remote group is usually another resource's ID, unknown during preview: test presence only.
      const hasGroup = "remoteGroupId" in p;
      // OpenStack treats a rule with neither a prefix nor a remote group as open to every address.
      const openTo = prefix && WORLD.has(prefix) ? prefix : !prefix && !hasGroup ? "any source" : undefined;
      if (!openTo) return;
      const min = (p.portRangeMin as number | undefined) ?? 1;
      const max = (p.portRangeMax as number | undefined) ?? 65535;
      for (const port of CONTROL_PORTS) {
        if (min <= port.max && port.min <= max) {
          reportViolation(
            `Security rule ${args.name} opens the ${port.name} port${port.min === port.max ? "" : "s"} ` +
              `${port.min === port.max ? port.min : `${port.min}-${port.max}`} to ${openTo}. ` +
              "Fix: set remoteIpPrefix to the cluster subnet or an admin CIDR, or remoteGroupId to the cluster's security group.",
          );
        }
      }
    },
  };
}

/** [first, last+1) of an IPv4 CIDR; undefined for anything else (IPv6 prefixes are checked above). */
function ipv4Range(cidr: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const addr = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const start = Math.floor(addr / size) * size;
  return [start, start + size];
}

/**
 * Rules that each name a narrow source can still open a port to the world together
 * (0.0.0.0/1 + 128.0.0.0/1): the control ports' ingress sources, merged, must leave a gap.
 */
export function noWorldOpenTogether(): StackValidationPolicy {
  return {
    name: "ecs-no-world-open-together",
    description: "The sources of the rules that reach a control port do not add up to every IPv4 address.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const rules = args.resources.filter(
        (r) =>
          r.type === TYPES.secGroupRule &&
          (r.props.direction ?? "ingress") === "ingress" &&
          typeof r.props.remoteIpPrefix === "string",
      );
      for (const port of CONTROL_PORTS) {
        const reaching = rules.filter(
          (r) =>
            ((r.props.portRangeMin as number | undefined) ?? 1) <= port.max &&
            port.min <= ((r.props.portRangeMax as number | undefined) ?? 65535),
        );
        const ranges = reaching
          .map((r) => ipv4Range(r.props.remoteIpPrefix as string))
          .filter((x): x is [number, number] => x !== undefined)
          .sort((a, b) => a[0] - b[0]);
        let reached = 0;
        for (const [start, end] of ranges) if (start <= reached) reached = Math.max(reached, end);
        if (reached >= 2 ** 32) {
          reportViolation(
            `The ${port.name} port is open to every IPv4 address through several rules together ` +
              `(${reaching.map((r) => `${r.name}: ${r.props.remoteIpPrefix}`).join(", ")}). ` +
              "Fix: name the admin networks that need access (ecs:openstack.adminCidrs), not halves of the internet.",
          );
        }
      }
    },
  };
}
