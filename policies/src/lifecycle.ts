import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ecsRoleOf, nodeNameOf, TYPES } from "./types";

/** The port, hostname and data volume belong to one VM at a time: the old VM must go first. */
export function nodeDeleteBeforeReplace(): ResourceValidationPolicy {
  return {
    name: "ecs-node-delete-before-replace",
    description:
      "Every ECS node instance is replaced delete-before-replace, so its stage chain runs around it.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (!ecsRoleOf(args.type, args.props)) return;
      if (args.opts.deleteBeforeReplace !== true) {
        reportViolation(
          `ECS node ${nodeNameOf(args.props)} is not delete-before-replace: a rebuild would create the new VM ` +
            "while the old one still holds the port and the stages never run. Fix: set { deleteBeforeReplace: true } on the instance.",
        );
      }
    },
  };
}

/**
 * A stage of the per-node chain: its type, the input that binds it to the previous stage, and
 * which types may be that previous stage. A stage joins the delete-before-replace cascade only
 * through such an input (a plain dependsOn does not), see DESIGN.md "Engine facts".
 */
export interface ChainStage {
  label: string;
  type: string;
  input: string;
  upstream: string[];
  /**
   * A side stage this one must also be bound to through `input`, and that must itself come after
   * the previous stage (by any dependency): the RKE2 prep between CM host and CM role.
   */
  via?: { label: string; type: string; input: string };
}

/**
 * The data volume is detached only from a stopped VM: the attachment is bound to the VM, the CM
 * host to the attachment and the VM power stage to the CM host, so the cascade deletes (in
 * reverse) role, power (VM off), host, attachment (detach), VM.
 */
export const STAGE_CHAIN: readonly ChainStage[] = [
  {
    label: "data volume attachment",
    type: TYPES.volumeAttach,
    input: "instanceId",
    upstream: [TYPES.instance],
  },
  { label: "CM cluster host", type: TYPES.cmHost, input: "dataAttachmentId", upstream: [TYPES.volumeAttach] },
  { label: "VM power", type: TYPES.vmPower, input: "upstream", upstream: [TYPES.cmHost] },
  {
    label: "CM role",
    type: TYPES.cmRole,
    input: "powerId",
    upstream: [TYPES.vmPower],
    via: { label: "RKE2 prep", type: TYPES.remoteCommand, input: "rke2PrepId" },
  },
  { label: "Kubernetes membership", type: TYPES.command, input: "triggers", upstream: [TYPES.cmRole] },
];

export function stageChainWired(chain: readonly ChainStage[] = STAGE_CHAIN): StackValidationPolicy {
  return {
    name: "ecs-stage-chain-wired",
    description:
      "Every ECS node instance has its full stage chain, each stage bound to the previous one through a replace-forcing input.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      for (const vm of args.resources.filter((r) => ecsRoleOf(r.type, r.props))) {
        let previous: PolicyResource = vm;
        for (const stage of chain) {
          const next = args.resources.find(
            (r) =>
              r.type === stage.type &&
              (r.propertyDependencies[stage.input] ?? []).some((d) => d.urn === previous.urn),
          );
          if (!next) {
            reportViolation(
              `ECS node ${nodeNameOf(vm.props)} has no ${stage.label} stage bound to its ${previous.type.split(":").pop()} ` +
                `through the input "${stage.input}", so a rebuild would not run it in order. ` +
                `Fix: create the ${stage.label} with ${stage.input}: <previous stage>.id (an Output, not a plain string).`,
              vm.urn,
            );
            break;
          }
          if (stage.via) {
            const via = stage.via;
            const side = (next.propertyDependencies[via.input] ?? []).find((d) => d.type === via.type);
            if (!side || !side.dependencies.some((d) => d.urn === previous.urn)) {
              reportViolation(
                `ECS node ${nodeNameOf(vm.props)}: its ${stage.label} is not bound to an ${via.label} stage through ` +
                  `the input "${via.input}"${side ? ` (or that stage does not come after the ${previous.type.split(":").pop()})` : ""}, ` +
                  `so a rejoin would not remove the ${stage.label} before wiping RKE2. ` +
                  `Fix: create the ${via.label} after the previous stage and pass ${via.input}: <prep>.id.`,
                vm.urn,
              );
              break;
            }
          }
          previous = next;
        }
      }
    },
  };
}
