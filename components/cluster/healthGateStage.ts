import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CmConnectionArgs } from "../cloudera/stages/stage-inputs";
import { ClusterConfig } from "../config/types";
import { StageRecord, unpackRunRecord } from "../kube/runRecord";
import { ClusterFacts, kubeconfigEnv, stageSecrets } from "../kube/stageEnv";

const GATE = "node -r ts-node/register/transpile-only components/health/healthGate.ts";

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

/**
 * Cluster-wide health gate after any node change (components/health/healthGate.ts). Its inputs
 * carry every node's membership id, VM and data volume, and the CM refresh, so any chain that ran
 * changes them and the gate runs again (update), after all of them. No delete: nothing to undo.
 */
export function healthGate(name: string, args: HealthGateArgs, opts: pulumi.CustomResourceOptions) {
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
  };
  // The CM password, the OpenStack credentials and kubeconfig text go on stdin (the environment
  // stays readable); so does the CA bundle, which can outgrow what one environment variable holds.
  const stdin = stageSecrets({
    cmPassword: cm.cmPassword,
    openstackAuth: args.openstackAuth,
    kubeconfig: args.kubeconfig,
    cmCaBundle: cm.cmCaBundle,
  });
  // The gate's own wait plus room for its calls: it never blocks an update beyond that.
  const bound = `${cluster.healthGate.timeoutSec + 600}s`;
  return new command.local.Command(
    `${name}-health-gate`,
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
