/**
 * The contract between the Kubernetes stage resources (declared by the program) and the scripts
 * they run: one place that owns the variable names, their defaults and their parsing. Plain
 * settings travel in the environment, which previews show; secrets (OpenStack credentials, the
 * SSH key, kubeconfig text) travel as one JSON document on stdin, so only that input is secret
 * and no child process (kubectl, ssh) inherits them. A command's delete runs with the
 * environment and stdin stored at its last create, so the script must also understand what older
 * versions stored (see `STAGE_CONTRACT`).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  EcsRole,
  EVACUATION_MODES,
  EvacuationMode,
  KubernetesConfig,
  NodeConfig,
  SshConfig,
} from "../config/types";
import { OpenStackAuth } from "../openstack/auth";

/** Bumped when a stage needs variables older stages did not store (their deletes refuse). */
export const STAGE_CONTRACT = 2;

/** A configured node as the stages see it (identity checks, quorum, etcd peers). */
export interface ClusterNode {
  name: string;
  hostname: string;
  ip: string;
  role: EcsRole;
  sshHostKey?: string;
}

export interface ClusterFacts {
  /** ecs:clusterName: the `ecs-cluster` metadata of the cluster's VMs. */
  name: string;
  nodes: ClusterNode[];
  /** How long a server change waits for another server's change to finish. */
  serverLockTimeoutSec: number;
}

/** How a server stage reaches a peer server over SSH (etcd member list, etcd snapshot). */
export interface PeerSsh extends Pick<
  SshConfig,
  "user" | "port" | "rke2BinDir" | "rke2DataDir" | "dialTimeoutSec"
> {
  privateKey: string;
}

export interface StageEnvArgs {
  node: NodeConfig;
  kubernetes: KubernetesConfig;
  cluster: ClusterFacts;
  /** Kubeconfig text as a Pulumi secret; when absent, `kubernetes.kubeconfigPath` is used. */
  kubeconfig?: pulumi.Input<string>;
  /** The stack's OpenStack provider credentials (JSON of OpenStackAuth), a secret. */
  openstackAuth: pulumi.Input<string>;
  ssh: SshConfig;
  sshPrivateKey?: pulumi.Input<string>;
}

export function clusterFacts(name: string, nodes: NodeConfig[], kubernetes: KubernetesConfig): ClusterFacts {
  return {
    name,
    nodes: nodes.map((n) => ({
      name: n.name,
      hostname: n.hostname,
      ip: n.ip,
      role: n.role,
      ...(n.sshHostKey ? { sshHostKey: n.sshHostKey } : {}),
    })),
    serverLockTimeoutSec: kubernetes.serverLockTimeoutSec,
  };
}

/** What a stage reads from stdin: the secrets it needs, as one JSON document. */
export interface StageSecrets {
  openstackAuth?: OpenStackAuth;
  sshPrivateKey?: string;
  /** Kubeconfig text (secret ecs:kubeconfig); absent when a path is configured. */
  kubeconfig?: string;
  cmPassword?: string;
  /** PEM of CM's CA (not secret, but it can outgrow an environment variable). */
  cmCaBundle?: string;
}

/** Program side: the secret stdin document of a stage (only what is given). */
export function stageSecrets(s: {
  [K in keyof StageSecrets]?: pulumi.Input<string | undefined>;
}): pulumi.Output<string> {
  const keys = Object.keys(s) as (keyof StageSecrets)[];
  return pulumi.secret(
    pulumi.all(keys.map((k) => s[k])).apply((values) => {
      const doc: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        if (values[i] !== undefined) doc[k] = k === "openstackAuth" ? JSON.parse(values[i]!) : values[i];
      });
      return JSON.stringify(doc);
    }),
  );
}

/** Script side: the secrets a stage was given on stdin (an empty document when none). */
export function readStageSecrets(stdin: string): StageSecrets {
  return stdin.trim() ? (JSON.parse(stdin) as StageSecrets) : {};
}

/** The kubeconfig as the stages take it: a path in the environment, or its text among the secrets. */
export function kubeconfigEnv(
  kubernetes: KubernetesConfig,
  kubeconfig?: pulumi.Input<string>,
): Record<string, string> {
  return kubeconfig ? { ECS_KUBECONFIG_FROM: "stdin" } : { ECS_KUBECONFIG: kubernetes.kubeconfigPath };
}

/** Program side: the environment (plain) and stdin (secret) of a node's Kubernetes stages. */
export function stageInputs(args: StageEnvArgs): {
  environment: Record<string, pulumi.Input<string>>;
  stdin: pulumi.Output<string>;
} {
  return {
    environment: stageEnv(args),
    stdin: stageSecrets({
      openstackAuth: args.openstackAuth,
      kubeconfig: args.kubeconfig,
      sshPrivateKey: args.node.role === "server" ? args.sshPrivateKey : undefined,
    }),
  };
}

function stageEnv(args: StageEnvArgs): Record<string, pulumi.Input<string>> {
  const { node, kubernetes, ssh } = args;
  return {
    ECS_STAGE_CONTRACT: String(STAGE_CONTRACT),
    ECS_NODE: node.hostname,
    ECS_ROLE: node.role,
    ECS_EVACUATION: node.evacuation,
    ECS_DRAIN_TIMEOUT: String(kubernetes.drainTimeoutSec),
    ECS_READY_TIMEOUT: String(kubernetes.readyTimeoutSec),
    ECS_RUN_RECORD_DIR: kubernetes.runRecordDir,
    ECS_CLUSTER: JSON.stringify(args.cluster),
    ...kubeconfigEnv(kubernetes, args.kubeconfig),
    // Only a server stage talks to peers (etcd member list and snapshot before its member goes).
    ...(node.role === "server"
      ? {
          ECS_SSH: JSON.stringify({
            user: ssh.user,
            port: ssh.port,
            rke2BinDir: ssh.rke2BinDir,
            rke2DataDir: ssh.rke2DataDir,
            dialTimeoutSec: ssh.dialTimeoutSec,
          }),
        }
      : {}),
  };
}

/** Script side: what a stage run was given. Fields older stages did not store are undefined. */
export interface StageSettings {
  contract: number;
  node: string;
  role: EcsRole;
  evacuation: EvacuationMode;
  drainTimeoutSec: number;
  readyTimeoutSec: number;
  runRecordDir?: string;
  instanceId?: string;
  cluster?: ClusterFacts;
  openstackAuth?: OpenStackAuth;
  peerSsh?: PeerSsh;
  /** The identity a previous run of this stage recorded (its stdout), for update and delete. */
  previousStdout?: string;
}

function required(env: NodeJS.ProcessEnv, key: string): string {
  const v = env[key];
  if (!v)
    throw new Error(`${key} is not set. Fix: the stage resource sets it; run it through the Pulumi program.`);
  return v;
}

/** Parses an evacuation mode from config or a Node annotation; anything unknown is an error. */
export function evacuationMode(value: string, from: string): EvacuationMode {
  if (!EVACUATION_MODES.includes(value as EvacuationMode)) {
    throw new Error(
      `${from} says evacuation ${JSON.stringify(value)}, which is not a mode (${EVACUATION_MODES.join(", ")}). ` +
        "Nothing was changed. Fix: correct ecs:nodes[i].evacuation and re-run (pulumi up rewrites the annotation).",
    );
  }
  return value as EvacuationMode;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv, secrets: StageSecrets): StageSettings {
  const role = required(env, "ECS_ROLE");
  if (role !== "server" && role !== "agent") throw new Error(`ECS_ROLE must be server or agent, got ${role}`);
  const ssh = env.ECS_SSH ? (JSON.parse(env.ECS_SSH) as Omit<PeerSsh, "privateKey">) : undefined;
  return {
    contract: Number(env.ECS_STAGE_CONTRACT ?? 1),
    node: required(env, "ECS_NODE"),
    role,
    evacuation: evacuationMode(env.ECS_EVACUATION ?? "drain", "the stage's stored configuration"),
    drainTimeoutSec: Number(env.ECS_DRAIN_TIMEOUT ?? 600),
    readyTimeoutSec: Number(env.ECS_READY_TIMEOUT ?? 1800),
    runRecordDir: env.ECS_RUN_RECORD_DIR || undefined,
    instanceId: env.ECS_INSTANCE_ID || undefined,
    cluster: env.ECS_CLUSTER ? (JSON.parse(env.ECS_CLUSTER) as ClusterFacts) : undefined,
    openstackAuth: secrets.openstackAuth,
    peerSsh: ssh && secrets.sshPrivateKey ? { ...ssh, privateKey: secrets.sshPrivateKey } : undefined,
    previousStdout: env.PULUMI_COMMAND_STDOUT || undefined,
  };
}
