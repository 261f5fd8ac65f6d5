import { StackValidationPolicy } from "@pulumi/policy";
import { ecsRoleOf, nodeNameOf, TYPES } from "./types";

/** etcd keeps quorum only with an odd number of members; fewer than 3 survives no failure. */
export function oddServerCount(): StackValidationPolicy {
  return {
    name: "ecs-odd-server-count",
    description: "An ECS cluster has an odd number of ECS Server nodes, at least 3 (etcd quorum).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const roles = args.resources.map((r) => ecsRoleOf(r.type, r.props)).filter((r) => r !== undefined);
      if (roles.length === 0) return;
      const servers = roles.filter((r) => r === "server").length;
      if (servers < 3 || servers % 2 === 0) {
        reportViolation(
          `The stack has ${servers} ECS Server node(s); etcd needs an odd number, at least 3. ` +
            `Fix: set role: server on ${servers < 3 ? 3 - servers + " more node(s)" : "one node more or one fewer"} in ecs:nodes.`,
        );
      }
    },
  };
}

const ALLOWED_GROUP_POLICIES: Record<string, string[]> = {
  server: ["anti-affinity"],
  agent: ["anti-affinity", "soft-anti-affinity"],
};

/** Two servers on one hypervisor lose quorum together; agents should spread too. */
export function serverGroupAffinity(): StackValidationPolicy {
  return {
    name: "ecs-server-group-affinity",
    description:
      "ECS Server nodes are scheduled in an anti-affinity server group, ECS Agent nodes in an anti-affinity or soft-anti-affinity one.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      for (const r of args.resources) {
        const role = ecsRoleOf(r.type, r.props);
        if (!role) continue;
        const groups = (r.propertyDependencies.schedulerHints ?? []).filter(
          (d) => d.type === TYPES.serverGroup,
        );
        const allowed = ALLOWED_GROUP_POLICIES[role];
        const ok = groups.some((g) =>
          ((g.props.policies as string[] | undefined) ?? []).some((p) => allowed.includes(p)),
        );
        if (!ok) {
          reportViolation(
            `ECS ${role} node ${nodeNameOf(r.props)} is not in a server group with policy ${allowed.join(" or ")}. ` +
              `Fix: set schedulerHints: [{ group: <serverGroup>.id }] with policies: ["${allowed[0]}"].`,
            r.urn,
          );
        }
      }
    },
  };
}
