import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CmConnectionArgs } from "../cloudera/stages/stage-inputs";
import { ClusterConfig } from "../config/types";
import { StageRecord } from "../kube/runRecord";

const GATE = "node -r ts-node/register/transpile-only components/health/healthGate.ts";

export interface HealthGateArgs {
  cluster: ClusterConfig;
  cm: CmConnectionArgs;
  kubeconfig?: pulumi.Input<string>;
  /** What the gate follows: every node's membership id and the CM refresh time. */
  after: pulumi.Input<string>[];
}

/**
 * Cluster-wide health gate after any node change (components/health/healthGate.ts). Its inputs
 * carry every node's membership id and the CM refresh, so any chain that ran changes them and
 * the gate runs again (update), after all of them. No delete: there is nothing to undo.
 */
export function healthGate(name: string, args: HealthGateArgs, opts: pulumi.CustomResourceOptions) {
  const { cluster, cm } = args;
  const environment: Record<string, pulumi.Input<string>> = {
    ECS_GATE_NODES: JSON.stringify(cluster.nodes.map((n) => ({ hostname: n.hostname, role: n.role }))),
    ECS_GATE_TIMEOUT: String(cluster.healthGate.timeoutSec),
    ECS_GATE_STUCK_TERMINATING: String(cluster.healthGate.stuckTerminatingSec),
    ECS_GATE_AFTER: pulumi.all(args.after).apply((ids) => ids.join(",")),
    ECS_RUN_RECORD_DIR: cluster.kubernetes.runRecordDir,
    ECS_CM_URL: cm.cmUrl,
    ECS_CM_USERNAME: cm.cmUsername,
    ECS_CM_PASSWORD: pulumi.secret(cm.cmPassword),
    ECS_CM_CLUSTER: cm.cluster,
    ECS_CM_INSECURE: pulumi.output(cm.cmInsecureSkipTlsVerify).apply((v) => String(v === true)),
    ECS_CM_CA_BUNDLE: pulumi.output(cm.cmCaBundle).apply((v) => v ?? ""),
    ...(args.kubeconfig
      ? { ECS_KUBECONFIG_DATA: pulumi.secret(args.kubeconfig) }
      : { ECS_KUBECONFIG: cluster.kubernetes.kubeconfigPath }),
  };
  return new command.local.Command(
    `${name}-health-gate`,
    // Progress (stderr) is logged; stdout is the run record, kept as an output only.
    { create: GATE, update: GATE, environment, logging: "stderr" },
    opts,
  );
}

/** The gate's stdout: the run record of the last change (empty in a preview). */
export function runRecordOf(gate: command.local.Command): pulumi.Output<StageRecord[]> {
  // The record holds no secret; the gate's outputs are marked secret only because its inputs carry the CM password.
  return pulumi
    .unsecret(gate.stdout)
    .apply((out) => (out && out.trim().startsWith("[") ? (JSON.parse(out) as StageRecord[]) : []));
}
