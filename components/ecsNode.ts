import * as command from "@pulumi/command";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHost, Role } from "./cloudera";
import { CmConnectionArgs } from "./cloudera/stages/stage-inputs";
import { ClusterConfig, NodeConfig } from "./config/types";
import { VmPower } from "./dynamicStages";
import { ClusterFacts } from "./kube/stageEnv";
import { renderUserData } from "./node/cloudInit";
import { evacuationIntent, kubernetesMembership } from "./node/membershipStage";
import { rke2Prep, rke2Preflight } from "./node/rke2PrepStage";

export interface EcsNodeArgs {
  /** The validated cluster configuration. */
  cluster: ClusterConfig;
  /** This node's entry of `cluster.nodes`. */
  node: NodeConfig;
  /** Nova server group for the node's role (anti-affinity for servers, soft for agents). */
  serverGroupId: pulumi.Input<string>;
  /** Neutron security groups for the node's port. */
  securityGroupIds: pulumi.Input<string>[];
  /** The stack's OpenStack credentials (JSON, secret): the VM power stage stops the VM before a detach. */
  openstackAuth: pulumi.Input<string>;
  /** The configured nodes as the stages check them (identity, quorum, VM siblings). */
  facts: ClusterFacts;
  /** Generation guard: nothing of the node changes before it has accepted the generations. */
  guard?: pulumi.Resource;
  /**
   * The gates of the nodes before this one in the roll (components/cluster/rollout.ts): this
   * node's chain registers only after they have passed, so the engine never runs two servers'
   * chains (or more agents' than allowed) at once.
   */
  after?: pulumi.Resource[];
  /** The runbook stages around the VM; without them the node is its machine only (day-0 provisioning). */
  stages?: StageArgs;
}

export interface StageArgs {
  /** How the CM stages reach Cloudera Manager (password is a secret). */
  cm: CmConnectionArgs;
  /** Kubeconfig text (secret), if configured; else the configured kubeconfig path is used. */
  kubeconfig?: pulumi.Input<string>;
  /** SSH private key (secret): etcd snapshots on a peer server, the RKE2 prep of a rejoin. */
  sshPrivateKey?: pulumi.Input<string>;
}

/** The runbook stages of one node, in create order. */
export interface NodeStages {
  evacuationIntent: command.local.Command;
  rke2Preflight: command.remote.Command;
  cmHost: ClusterHost;
  rke2Prep: command.remote.Command;
  cmRole: Role;
  membership: command.local.Command;
}

/**
 * One ECS node: its identity (Neutron port with the fixed IP, persistent data volume), its
 * machine (Nova instance, volume attachment), and the runbook's stages around the machine, each
 * bound to the previous one through an input its provider diffs as "replace" (DESIGN.md, "The
 * stage chain"): instance -> data attachment -> CM cluster host -> VM power -> (RKE2 prep) ->
 * CM role -> Kubernetes membership. Replacing the instance (rebuild) therefore evacuates and
 * removes the Kubernetes node, deletes the role, powers the VM off (SHUTOFF), removes the CM host,
 * detaches the data volume from the stopped VM and deletes it, then recreates all of it in
 * reverse (the volume attached again before the CM host and role come back). Replacing the RKE2
 * prep (rejoin) redoes the chain from the role down, with the machine kept and its RKE2 wiped.
 * The port and volume do not depend on the instance, so a rebuild keeps hostname, IP and data.
 */
export class EcsNode extends pulumi.ComponentResource {
  readonly name: string;
  readonly role: NodeConfig["role"];
  readonly hostname: string;
  readonly ip: string;
  readonly port: openstack.networking.Port;
  readonly dataVolume: openstack.blockstorage.Volume;
  readonly instance: openstack.compute.Instance;
  readonly dataAttachment: openstack.compute.VolumeAttach;
  readonly power: VmPower;
  readonly instanceId: pulumi.Output<string>;
  readonly stages?: NodeStages;

  constructor(name: string, args: EcsNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecs:index:Node", name, {}, opts);
    const { cluster, node } = args;
    const os = cluster.openstack;
    const child = { parent: this };
    this.name = node.name;
    this.role = node.role;
    this.hostname = node.hostname;
    this.ip = node.ip;

    this.port = new openstack.networking.Port(
      `${name}-port`,
      {
        name: `${cluster.name}-${node.name}`,
        networkId: os.networkId,
        fixedIps: [{ subnetId: os.subnetId, ipAddress: node.ip }],
        securityGroupIds: args.securityGroupIds,
        adminStateUp: true,
      },
      child,
    );

    this.dataVolume = new openstack.blockstorage.Volume(
      `${name}-data`,
      {
        name: `${cluster.name}-${node.name}-data`,
        size: node.dataVolumeGb,
        volumeType: os.volumeType,
        availabilityZone: os.availabilityZone,
        description: `ECS data for ${node.hostname}; kept across VM rebuilds`,
      },
      { ...child, protect: os.protectDataVolumes },
    );

    const guarded = [args.guard, ...(args.after ?? [])].filter((r): r is pulumi.Resource => r !== undefined);
    const kube = args.stages && {
      node,
      kubernetes: cluster.kubernetes,
      cluster: args.facts,
      kubeconfig: args.stages.kubeconfig,
      openstackAuth: args.openstackAuth,
      ssh: cluster.ssh,
      sshPrivateKey: args.stages.sshPrivateKey,
    };
    const intent = kube && evacuationIntent(name, kube, { ...child, dependsOn: guarded });
    const prepArgs = args.stages && { node, ssh: cluster.ssh, privateKey: args.stages.sshPrivateKey };
    const preflight = prepArgs && rke2Preflight(name, prepArgs, { ...child, dependsOn: guarded });

    this.instance = new openstack.compute.Instance(
      `${name}-vm`,
      {
        name: node.name,
        flavorName: node.flavor,
        imageName: node.image,
        keyPair: os.keyPair,
        availabilityZone: os.availabilityZone,
        networks: [{ port: this.port.id }],
        schedulerHints: [{ group: args.serverGroupId }],
        userData: renderUserData(node, cluster.cloudera),
        metadata: {
          "ecs-cluster": cluster.name,
          "ecs-role": node.role,
          "ecs-hostname": node.hostname,
          "ecs-rebuild": String(node.rebuild),
        },
        // The power stage has stopped the guest already; stop it cleanly in any other case too.
        stopBeforeDestroy: true,
      },
      // The port, hostname and volume can belong to one VM at a time: delete the old VM first.
      // The generation guard, the evacuation intent and the rejoin preflight run before the chain.
      {
        ...child,
        deleteBeforeReplace: true,
        // On a new flavor the provider would resize the running VM in place (a restart, maybe on
        // another host), on a new image it would rebuild it in place (a fresh root disk): outside
        // the chain, with no drain and no role stop. A replacement goes through the chain; see
        // README "What an update may change in place".
        replaceOnChanges: ["flavorName", "flavorId", "imageName", "imageId"],
        dependsOn: [...guarded, ...(intent && preflight ? [intent, preflight] : [])],
      },
    );
    this.instanceId = this.instance.id;

    // Bound to the instance (instanceId): part of the chain, detached only after the VM power stage
    // (further down the chain) has stopped the VM, attached again before the CM host comes back.
    this.dataAttachment = new openstack.compute.VolumeAttach(
      `${name}-data-attach`,
      { instanceId: this.instance.id, volumeId: this.dataVolume.id },
      { ...child, deleteBeforeReplace: true },
    );

    const powerArgs = {
      node: node.hostname,
      serverName: node.name,
      instanceId: this.instance.id,
      clusterName: cluster.name,
      siblings: args.facts.nodes.filter((n) => n.name !== node.name).map((n) => n.name),
      openstackAuth: args.openstackAuth,
      runRecordDir: cluster.kubernetes.runRecordDir,
    };

    if (args.stages && kube && intent && prepArgs && preflight) {
      const cm = args.stages.cm;
      const cmHost = new ClusterHost(
        `${name}-cm-host`,
        {
          ...cm,
          hostname: node.hostname,
          ipAddress: node.ip,
          instanceId: this.instance.id,
          dataAttachmentId: this.dataAttachment.id,
        },
        child,
      );
      // Before the CM host goes: a running agent would register the host again as soon as CM deleted it.
      this.power = new VmPower(`${name}-power`, { ...powerArgs, upstream: cmHost.hostId }, child);
      const prep = rke2Prep(name, prepArgs, { ...child, dependsOn: [this.power, preflight] });
      const cmRole = new Role(
        `${name}-cm-role`,
        {
          ...cm,
          hostname: node.hostname,
          hostId: cmHost.hostId,
          powerId: this.power.id,
          rke2PrepId: prep.id,
          roleType: node.role === "server" ? "ECS_SERVER" : "ECS_AGENT",
        },
        child,
      );
      const membership = kubernetesMembership(
        name,
        { ...kube, instanceId: this.instance.id, upstream: cmRole.id },
        child,
      );
      this.stages = {
        evacuationIntent: intent,
        rke2Preflight: preflight,
        cmHost,
        rke2Prep: prep,
        cmRole,
        membership,
      };
    } else {
      // Machines only: the VM is still stopped before its volume is detached.
      this.power = new VmPower(`${name}-power`, { ...powerArgs, upstream: this.dataAttachment.id }, child);
    }

    this.registerOutputs({
      hostname: node.hostname,
      ip: node.ip,
      role: node.role,
      instanceId: this.instanceId,
      portId: this.port.id,
      dataVolumeId: this.dataVolume.id,
      cmHostId: this.stages?.cmHost.hostId,
      cmRoleName: this.stages?.cmRole.id,
    });
  }
}
