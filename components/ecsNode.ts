import * as command from "@pulumi/command";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHost, Role } from "./cloudera";
import { CmConnectionArgs } from "./cloudera/stages/stage-inputs";
import { ClusterConfig, NodeConfig } from "./config/types";
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
  /** The runbook stages around the VM; without them the node is its machine only (day-0 provisioning). */
  stages?: StageArgs;
}

export interface StageArgs {
  /** How the CM stages reach Cloudera Manager (password is a secret). */
  cm: CmConnectionArgs;
  /** Kubeconfig text (secret), if configured; else the configured kubeconfig path is used. */
  kubeconfig?: pulumi.Input<string>;
  /** SSH private key (secret) for the RKE2 prep of a rejoin. */
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
 * stage chain"): instance -> CM cluster host -> (RKE2 prep) -> CM role -> Kubernetes membership.
 * Replacing the instance (rebuild) therefore evacuates and removes the Kubernetes node, then
 * deletes the role, the host and the VM, and recreates them in reverse. Replacing the RKE2 prep
 * (rejoin) does the same from the role down, with the machine kept and its RKE2 wiped in between.
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

    const kube = args.stages && { node, kubernetes: cluster.kubernetes, kubeconfig: args.stages.kubeconfig };
    const intent = kube && evacuationIntent(name, kube, child);
    const prepArgs = args.stages && { node, ssh: cluster.ssh, privateKey: args.stages.sshPrivateKey };
    const preflight = prepArgs && rke2Preflight(name, prepArgs, child);

    this.instance = new openstack.compute.Instance(
      `${name}-vm`,
      {
        name: node.name,
        flavorName: node.flavor,
        imageName: os.image,
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
        // Shut the guest down cleanly before Nova deletes it.
        stopBeforeDestroy: true,
      },
      // The port, hostname and volume can belong to one VM at a time: delete the old VM first.
      // The evacuation intent and the rejoin preflight run before the node's chain does.
      { ...child, deleteBeforeReplace: true, dependsOn: intent && preflight ? [intent, preflight] : [] },
    );
    this.instanceId = this.instance.id;

    // Depends on the instance through instanceId, so it is detached before the old VM is deleted.
    this.dataAttachment = new openstack.compute.VolumeAttach(
      `${name}-data-attach`,
      { instanceId: this.instance.id, volumeId: this.dataVolume.id },
      child,
    );

    if (args.stages && kube && intent && prepArgs && preflight) {
      const cm = args.stages.cm;
      const cmHost = new ClusterHost(
        `${name}-cm-host`,
        { ...cm, hostname: node.hostname, instanceId: this.instance.id },
        child,
      );
      const prep = rke2Prep(name, prepArgs, { ...child, dependsOn: [cmHost, preflight] });
      const cmRole = new Role(
        `${name}-cm-role`,
        {
          ...cm,
          hostname: node.hostname,
          hostId: cmHost.hostId,
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
