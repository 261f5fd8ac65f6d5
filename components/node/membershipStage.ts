import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { stageInputs, StageEnvArgs } from "../kube/stageEnv";

/**
 * Runs a phase of components/kube/membership.ts, compiled (`npm run build`); relative, so state
 * survives a new checkout path.
 */
const run = (phase: string) => `node bin/components/kube/membership.js ${phase}`;

export type KubeStageArgs = StageEnvArgs;

export interface MembershipArgs extends KubeStageArgs {
  instanceId: pulumi.Input<string>;
  /** Identity of the previous stage (the CM role): a new role means a new membership. */
  upstream: pulumi.Input<string>;
}

/**
 * The evacuation intent: kept current on the Node before any chain runs (the VM depends on it),
 * because a command's delete runs with the environment stored at its last create.
 */
export function evacuationIntent(name: string, args: KubeStageArgs, opts: pulumi.CustomResourceOptions) {
  return new command.local.Command(
    `${name}-evacuation-intent`,
    {
      create: run("intent"),
      update: run("intent"),
      ...stageInputs(args),
      logging: "stdoutAndStderr",
    },
    { ...opts, customTimeouts: { create: "10m", update: "10m" } },
  );
}

/**
 * Every stage is bounded (the command is stopped when its time is up): what its own waits allow
 * plus room for the kubectl, SSH and Nova calls around them.
 */
function membershipTimeouts(k: KubeStageArgs["kubernetes"]): pulumi.CustomTimeouts {
  const join = `${2 * k.readyTimeoutSec + 600}s`;
  return { create: join, update: join, delete: `${k.serverLockTimeoutSec + k.drainTimeoutSec + 1800}s` };
}

function withInstance(inputs: ReturnType<typeof stageInputs>, instanceId: pulumi.Input<string>) {
  return { ...inputs, environment: { ...inputs.environment, ECS_INSTANCE_ID: instanceId } };
}

/**
 * Kubernetes membership: create waits for the node to be Ready (servers: etcd voter) and
 * uncordons it; delete evacuates it per case, removes its etcd member (servers, under the
 * cluster's server lock, after a snapshot) and deletes the Node. `triggers` binds it to the CM
 * role, so it joins the delete-before-replace cascade.
 */
export function kubernetesMembership(name: string, args: MembershipArgs, opts: pulumi.CustomResourceOptions) {
  return new command.local.Command(
    `${name}-k8s-membership`,
    {
      create: run("create"),
      // A changed setting (another node's host key, a timeout) only re-checks the cluster: an
      // update must not wait, uncordon or otherwise act on the node.
      update: run("update"),
      delete: run("delete"),
      ...withInstance(stageInputs(args), args.instanceId),
      triggers: [args.upstream],
      logging: "stdoutAndStderr",
    },
    { ...opts, deleteBeforeReplace: true, customTimeouts: membershipTimeouts(args.kubernetes) },
  );
}
