import { ResourceValidationPolicy } from "@pulumi/policy";
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
