import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesConfig, NodeConfig } from "../config/types";

/** Runs a phase of components/kube/membership.ts; relative, so state survives a new checkout path. */
const run = (phase: string) =>
  `node -r ts-node/register/transpile-only components/kube/membership.ts ${phase}`;

export interface KubeStageArgs {
  node: NodeConfig;
  kubernetes: KubernetesConfig;
  /** Kubeconfig text as a Pulumi secret; when absent, `kubernetes.kubeconfigPath` is used. */
  kubeconfig?: pulumi.Input<string>;
}

export interface MembershipArgs extends KubeStageArgs {
  instanceId: pulumi.Input<string>;
  /** Identity of the previous stage (the CM role): a new role means a new membership. */
  upstream: pulumi.Input<string>;
}

function stageEnv(args: KubeStageArgs): Record<string, pulumi.Input<string>> {
  return {
    ECS_NODE: args.node.hostname,
    ECS_ROLE: args.node.role,
    ECS_EVACUATION: args.node.evacuation,
    ECS_DRAIN_TIMEOUT: String(args.kubernetes.drainTimeoutSec),
    ECS_READY_TIMEOUT: String(args.kubernetes.readyTimeoutSec),
    ECS_RUN_RECORD_DIR: args.kubernetes.runRecordDir,
    // A path keeps the environment readable in previews; kubeconfig text makes it all secret.
    // Nova credentials (OS_*) come from the environment pulumi runs in, never from inputs.
    ...(args.kubeconfig
      ? { ECS_KUBECONFIG_DATA: pulumi.secret(args.kubeconfig) }
      : { ECS_KUBECONFIG: args.kubernetes.kubeconfigPath }),
  };
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
      environment: stageEnv(args),
      logging: "stdoutAndStderr",
    },
    opts,
  );
}

/**
 * Kubernetes membership: create waits for the node to be Ready (servers: etcd voter) and
 * uncordons it; delete evacuates it per case, removes its etcd member (servers) and deletes the
 * Node. `triggers` binds it to the CM role, so it joins the delete-before-replace cascade.
 */
export function kubernetesMembership(name: string, args: MembershipArgs, opts: pulumi.CustomResourceOptions) {
  return new command.local.Command(
    `${name}-k8s-membership`,
    {
      create: run("create"),
      update: run("create"),
      delete: run("delete"),
      environment: { ...stageEnv(args), ECS_INSTANCE_ID: args.instanceId },
      triggers: [args.upstream],
      logging: "stdoutAndStderr",
    },
    { ...opts, deleteBeforeReplace: true },
  );
}
