import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CmConnectionArgs } from "../cloudera/stages/stage-inputs";
import { ClusterConfig } from "../config/types";
import { StageRecord, unpackRunRecord } from "../kube/runRecord";
import { ClusterFacts, kubeconfigEnv, stageSecrets } from "../kube/stageEnv";

const GATE = "node bin/components/health/healthGate.js";

/** A node's machine as the gate checks it in Nova: VM running, data volume attached to it. */
export interface GateMachine {
  hostname: string;
  instanceId: pulumi.Input<string>;
  dataVolumeId: pulumi.Input<string>;
}

export interface HealthGateArgs {
  cluster: ClusterConfig;
  facts: ClusterFacts;
  cm: CmConnectionArgs;
  kubeconfig?: pulumi.Input<string>;
  openstackAuth: pulumi.Input<string>;
  machines: GateMachine[];
  /** What the gate follows: every node's membership id and the CM refresh time. */
  after: pulumi.Input<string>[];
}

/** The gate between nodes of a roll: which node it follows and what it holds the cluster to. */
export interface NodeGateArgs extends HealthGateArgs {
  /** Hostname of the node whose chain the gate follows. */
  hostname: string;
  /** Hostnames held to the full check: this node and every node done before it. */
  expect: string[];
  /** Hostnames of agents that may be out at the same time (other lanes). */
  alongside: string[];
}

/**
 * Cluster-wide health gate after any node change (components/health/healthGate.ts). Its inputs
 * carry every node's membership id, VM and data volume, and the CM refresh, so any chain that ran
 * changes them and the gate runs again (update), after all of them. No delete: nothing to undo.
 */
export function healthGate(name: string, args: HealthGateArgs, opts: pulumi.CustomResourceOptions) {
  return gateCommand(`${name}-health-gate`, args, {}, opts);
}

/**
 * The gate between nodes of a roll (README "Fleet-wide changes"): after a node's membership stage,
 * the node and those done before it healthy, the rest of the cluster Ready, then the pause. The
 * next node's chain waits for it; when it fails, the roll stops with the remaining nodes untouched.
 */
export function nodeGate(name: string, args: NodeGateArgs, opts: pulumi.CustomResourceOptions) {
  return gateCommand(
    `${name}-node-gate`,
    args,
    {
      ECS_GATE_NODE: args.hostname,
      ECS_GATE_EXPECT: JSON.stringify(args.expect),
      ECS_GATE_ALONGSIDE: JSON.stringify(args.alongside),
      ECS_GATE_PAUSE: String(args.cluster.rollout.pauseSec),
    },
    opts,
  );
}

function gateCommand(
  resourceName: string,
  args: HealthGateArgs,
  extra: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
) {
  const { cluster, cm } = args;
  const environment: Record<string, pulumi.Input<string>> = {
    ECS_CLUSTER: JSON.stringify(args.facts),
    ECS_GATE_MACHINES: pulumi
      .all(args.machines.map((m) => pulumi.all([m.instanceId, m.dataVolumeId])))
      .apply((ids) =>
        JSON.stringify(
          args.machines.map((m, i) => ({
            hostname: m.hostname,
            instanceId: ids[i][0],
            dataVolumeId: ids[i][1],
          })),
        ),
      ),

    ECS_GATE_TIMEOUT: String(cluster.healthGate.timeoutSec),
    ECS_GATE_STUCK_TERMINATING: String(cluster.healthGate.stuckTerminatingSec),
    ECS_GATE_AFTER: pulumi.all(args.after).apply((ids) => ids.join(",")),
    ECS_RUN_RECORD_DIR: cluster.kubernetes.runRecordDir,
    ECS_CM_URL: cm.cmUrl,
    ECS_CM_USERNAME: cm.cmUsername,
    ECS_CM_CLUSTER: cm.cluster,
    ECS_CM_INSECURE: pulumi.output(cm.cmInsecureSkipTlsVerify).apply((v) => String(v === true)),
    ...kubeconfigEnv(cluster.kubernetes, args.kubeconfig),
    ...extra,
  };
  // The CM password, the OpenStack credentials and kubeconfig text go on stdin (the environment
  // stays readable); so does the CA bundle, which can outgrow what one environment variable holds.
  const stdin = stageSecrets({
    cmPassword: cm.cmPassword,
    openstackAuth: args.openstackAuth,
    kubeconfig: args.kubeconfig,
    cmCaBundle: cm.cmCaBundle,
  });
  // The gate's own wait (a node gate's twice, around its pause) plus room for its calls: it never
  // blocks an update beyond that.
  const wait = extra.ECS_GATE_NODE
    ? 2 * cluster.healthGate.timeoutSec + cluster.rollout.pauseSec
    : cluster.healthGate.timeoutSec;
  const bound = `${wait + 600}s`;
  return new command.local.Command(
    resourceName,
    // Progress (stderr) is logged; stdout is the run record, kept as an output only.
    { create: GATE, update: GATE, environment, stdin, logging: "stderr" },
    { ...opts, customTimeouts: { create: bound, update: bound } },
  );
}

/** The gate's stdout: the run record of the last change (empty in a preview). */
export function runRecordOf(gate: command.local.Command): pulumi.Output<StageRecord[]> {
  // The record holds no secret; a provider may still mark outputs secret because stdin is.
  return pulumi.unsecret(gate.stdout).apply(unpackRunRecord);
}
