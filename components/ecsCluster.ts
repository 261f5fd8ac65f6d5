import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Refresh } from "./cloudera";
import { CmConnectionArgs } from "./cloudera/stages/stage-inputs";
import { ClusterConfig, EcsRole } from "./config/types";
import { healthGate, nodeGate, runRecordOf } from "./cluster/healthGateStage";
import { rollPlan } from "./cluster/rollout";
import { GenerationGuard } from "./dynamicStages";
import { EcsNode } from "./ecsNode";
import { StageRecord } from "./kube/runRecord";
import { clusterFacts } from "./kube/stageEnv";
import { expandFirewallRules, RuleGroup } from "./network/firewall";

export interface EcsClusterArgs {
  /** Validated configuration (see `loadConfig` / `validateClusterConfig`). */
  cluster: ClusterConfig;
  /** Password of the CM user, a Pulumi secret. */
  cmPassword: pulumi.Input<string>;
  /** PEM text of the CA bundle that signed CM's certificate, if configured. */
  cmCaBundle?: string;
  /** Kubeconfig text (secret), if configured. */
  kubeconfig?: pulumi.Input<string>;
  /** SSH private key (secret): etcd snapshots on a peer server, the RKE2 prep of a rejoin. */
  sshPrivateKey?: pulumi.Input<string>;
  /** The stack's OpenStack provider credentials as JSON (secret; see components/openstack/auth.ts). */
  openstackAuth: pulumi.Input<string>;
  /** Run the runbook stages around each VM (default). `false`: machines only, for day-0 provisioning. */
  stages?: boolean;
}

/** Nova scheduling policy per role: servers must never share a hypervisor; agents should not. */
export const SERVER_GROUP_POLICY: Record<EcsRole, string> = {
  server: "anti-affinity",
  agent: "soft-anti-affinity",
};

/**
 * The ECS cluster on OpenStack: security groups with the ECS/RKE2 rules, one server group per
 * role, and one `EcsNode` per configured node. Growing the cluster is a config change only.
 */
export class EcsCluster extends pulumi.ComponentResource {
  readonly securityGroups: Record<RuleGroup, openstack.networking.SecGroup>;
  readonly serverGroups: Record<EcsRole, openstack.compute.ServerGroup>;
  readonly nodes: EcsNode[];
  readonly cmRefresh?: Refresh;
  readonly healthGate?: command.local.Command;
  /** The gates between nodes of a roll, in roll order. */
  readonly nodeGates: command.local.Command[];
  readonly generations: GenerationGuard;

  constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecs:index:Cluster", name, {}, opts);
    const { cluster } = args;
    const child = { parent: this };

    const secGroup = (group: RuleGroup, description: string) =>
      new openstack.networking.SecGroup(
        `${name}-${group}`,
        { name: `${cluster.name}-${group}`, description, deleteDefaultRules: false },
        child,
      );
    this.securityGroups = {
      cluster: secGroup("cluster", `ECS ${cluster.name}: traffic every node accepts`),
      servers: secGroup("servers", `ECS ${cluster.name}: control plane and etcd on ECS Server nodes`),
    };

    for (const r of expandFirewallRules(cluster.openstack.subnetCidr, cluster.openstack.adminCidrs)) {
      new openstack.networking.SecGroupRule(
        `${name}-${r.rule.group}-${r.name}`,
        {
          description: r.rule.description,
          direction: "ingress",
          ethertype: "IPv4",
          protocol: r.rule.protocol,
          portRangeMin: r.rule.portMin,
          portRangeMax: r.rule.portMax,
          remoteIpPrefix: r.remoteIpPrefix,
          remoteGroupId: r.remoteGroup ? this.securityGroups[r.remoteGroup].id : undefined,
          securityGroupId: this.securityGroups[r.rule.group].id,
        },
        child,
      );
    }

    const serverGroup = (role: EcsRole) =>
      new openstack.compute.ServerGroup(
        `${name}-${role}s`,
        { name: `${cluster.name}-${role}s`, policies: [SERVER_GROUP_POLICY[role]] },
        child,
      );
    this.serverGroups = { server: serverGroup("server"), agent: serverGroup("agent") };

    const cm: CmConnectionArgs = {
      cmUrl: cluster.cloudera.url,
      cmUsername: cluster.cloudera.username,
      cmPassword: pulumi.secret(args.cmPassword),
      cmCaBundle: args.cmCaBundle,
      cmInsecureSkipTlsVerify: !cluster.cloudera.tlsVerify,
      cluster: cluster.cloudera.cluster,
      // Only when configured: an absent key keeps the stored stage inputs as they were.
      ...(cluster.cloudera.ecsService ? { ecsService: cluster.cloudera.ecsService } : {}),
      ...(cluster.cloudera.dockerService ? { dockerService: cluster.cloudera.dockerService } : {}),
      runRecordDir: cluster.kubernetes.runRecordDir,
    };

    // Refuses lowered rebuild/rejoin generations and a node's new IP before any node's chain may start.
    this.generations = new GenerationGuard(
      `${name}-generations`,
      {
        generations: Object.fromEntries(
          cluster.nodes.map((n) => [n.name, { rebuild: n.rebuild, rejoin: n.rejoin }]),
        ),
        addresses: Object.fromEntries(cluster.nodes.map((n) => [n.name, n.ip])),
      },
      child,
    );
    const facts = clusterFacts(cluster.name, cluster.nodes, cluster.kubernetes);

    // A change to several nodes rolls (README "Fleet-wide changes"): each node's chain starts only
    // after the gates of the nodes before it in the roll have passed (servers one at a time, agents
    // in at most ecs:rollout.maxUnavailableAgents lanes), so a plain `pulumi up` of a new image never
    // takes out two servers or more agents than allowed; a failed node stops the roll.
    const built = new Map<string, EcsNode>();
    const gates = new Map<string, command.local.Command>();
    const hostnameOf = (name: string) => cluster.nodes.find((n) => n.name === name)!.hostname;
    for (const step of rollPlan(cluster.nodes, cluster.rollout)) {
      const node = step.node;
      const ecsNode = new EcsNode(
        node.name,
        {
          cluster,
          node,
          facts,
          guard: this.generations,
          after: step.after.flatMap((n) => gates.get(n) ?? []),
          openstackAuth: args.openstackAuth,
          serverGroupId: this.serverGroups[node.role].id,
          securityGroupIds:
            node.role === "server"
              ? [this.securityGroups.cluster.id, this.securityGroups.servers.id]
              : [this.securityGroups.cluster.id],
          stages:
            args.stages === false
              ? undefined
              : { cm, kubeconfig: args.kubeconfig, sshPrivateKey: args.sshPrivateKey },
        },
        child,
      );
      built.set(node.name, ecsNode);
      if (ecsNode.stages)
        gates.set(
          node.name,
          nodeGate(
            node.name,
            {
              cluster,
              facts,
              cm,
              kubeconfig: args.kubeconfig,
              openstackAuth: args.openstackAuth,
              // Nova is asked about this node's VM only: a rebuild elsewhere must not re-run this gate.
              machines: [
                {
                  hostname: node.hostname,
                  instanceId: ecsNode.instanceId,
                  dataVolumeId: ecsNode.dataVolume.id,
                },
              ],
              after: [membershipRun(ecsNode.stages.membership)],
              hostname: node.hostname,
              expect: [node.name, ...step.before].map(hostnameOf),
              alongside: step.alongside.map(hostnameOf),
            },
            { parent: ecsNode },
          ),
        );
    }
    // Outputs and the final gate list the nodes in config order.
    this.nodes = cluster.nodes.map((n) => built.get(n.name)!);
    this.nodeGates = [...gates.values()];

    // Runbook "refresh ECS" (clears "outdated configuration") whenever any node's role changed.
    const roles = this.nodes.flatMap((n) => (n.stages ? [n.stages.cmRole.id] : []));
    if (roles.length > 0) {
      this.cmRefresh = new Refresh(`${name}-cm-refresh`, { ...cm, triggers: roles }, child);
      const memberships = this.nodes.flatMap((n) => (n.stages ? [membershipRun(n.stages.membership)] : []));
      this.healthGate = healthGate(
        name,
        {
          cluster,
          facts,
          cm,
          kubeconfig: args.kubeconfig,
          openstackAuth: args.openstackAuth,
          machines: this.nodes.map((n) => ({
            hostname: n.hostname,
            instanceId: n.instanceId,
            dataVolumeId: n.dataVolume.id,
          })),
          after: [...memberships, this.cmRefresh.refreshedAt],
        },
        { ...child, dependsOn: this.nodeGates },
      );
    }

    this.registerOutputs({ nodes: this.nodeSummary() });
  }

  /** The run record of the last change that passed the health gate (stages in order, with evidence). */
  runRecord(): pulumi.Output<StageRecord[]> {
    return this.healthGate ? runRecordOf(this.healthGate) : pulumi.output([]);
  }

  /** Per-node facts for stack outputs and run records. */
  nodeSummary(): pulumi.Output<
    Record<string, { hostname: string; ip: string; role: EcsRole; instanceId: string }>
  > {
    return pulumi
      .all(this.nodes.map((n) => n.instanceId))
      .apply((ids) =>
        Object.fromEntries(
          this.nodes.map((n, i) => [
            n.name,
            { hostname: n.hostname, ip: n.ip, role: n.role, instanceId: ids[i] },
          ]),
        ),
      );
  }
}

/**
 * Which run of a node's membership stage a gate follows: its id, but unknown in a preview that
 * replaces it. The preview reports the old id there, so a saved update plan (`up --plan`) would
 * hold the gate to it and refuse the new one; the stage's stdout is unknown until it has run.
 */
function membershipRun(membership: command.local.Command): pulumi.Output<string> {
  return pulumi.all([membership.id, membership.stdout]).apply(([id]) => id);
}
