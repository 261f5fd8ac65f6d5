/**
 * The typed shape of the stack configuration. Raw config (what a user writes in Pulumi.<stack>.yaml)
 * is validated and normalised into these types by `validateClusterConfig` before any resource exists.
 */

/** ECS Server nodes run the RKE2 control plane and etcd; ECS Agent nodes run workloads only. */
export type EcsRole = "server" | "agent";
export const ECS_ROLES: readonly EcsRole[] = ["server", "agent"];

/**
 * How pods leave a node before it is removed (the seed runbook's cases):
 * - `drain`: case 3, planned maintenance: cordon + eviction API, honours PodDisruptionBudgets.
 * - `delete-node`: case 1, node is dead: delete the Node object, pod GC clears its pods.
 * - `force-delete-pods`: case 2, node is dead: force-delete its pods, then the Node.
 * - `out-of-service`: non-graceful node shutdown taint, only after Nova confirms the VM is off.
 * - `auto`: pick one of the above from evidence (Node Ready, lease age, Nova status, CM heartbeat).
 */
export type EvacuationMode = "drain" | "delete-node" | "force-delete-pods" | "out-of-service" | "auto";
export const EVACUATION_MODES: readonly EvacuationMode[] = [
  "drain",
  "delete-node",
  "force-delete-pods",
  "out-of-service",
  "auto",
];

export interface NodeConfig {
  /** Short name, also the OpenStack server name (`ds01`). */
  name: string;
  /** Fully qualified hostname the node registers with in CM and Kubernetes. */
  hostname: string;
  /** Fixed IPv4 address of the node's Neutron port; survives VM rebuilds. */
  ip: string;
  role: EcsRole;
  /** Bump to replace the VM (and run the whole stage chain around it). */
  rebuild: number;
  /** Bump to redo the chain (RKE2 wipe, role re-add) on the same VM. */
  rejoin: number;
  evacuation: EvacuationMode;
  /** Flavor of this node; defaults to the role's flavor. */
  flavor: string;
  /** Glance image of this node; defaults to `ecs:openstack.image` (a canary overrides it on one node). */
  image: string;
  /** Size of the persistent data volume (GiB). */
  dataVolumeGb: number;
  /**
   * The node's SSH host public key (authorized_keys form). Required for every server (a server
   * change reads etcd's member list and takes a snapshot over SSH on a healthy peer) and for a
   * rejoin (the RKE2 prep runs over SSH on the node); SSH only ever trusts this key.
   */
  sshHostKey?: string;
}

/** How the RKE2 prep of a rejoin reaches the node (the private key is the secret `ecs:sshPrivateKey`). */
export interface SshConfig {
  user: string;
  port: number;
  /** Where the ECS parcel keeps rke2, rke2-killall.sh and rke2-uninstall.sh. */
  rke2BinDir: string;
  /** RKE2's data directory on the nodes (etcd client certificates, snapshots). */
  rke2DataDir: string;
  /** Seconds one connection attempt may take (TCP connect + SSH handshake). */
  dialTimeoutSec: number;
  /** Failed connection attempts tolerated before the stage fails. */
  dialAttempts: number;
}

/** The cluster-wide check after any node change (DESIGN.md "The stage chain"). */
export interface HealthGateConfig {
  /** How long the gate waits for the cluster to be healthy before it fails the update. */
  timeoutSec: number;
  /** A pod Terminating for longer than this counts as stuck. */
  stuckTerminatingSec: number;
}

/**
 * How a change that replaces several nodes rolls (README "Fleet-wide changes"): node by node in
 * `order`, each node's whole chain and its gate done before the next node's chain starts; agents
 * may go `maxUnavailableAgents` at a time, servers always one at a time.
 */
export interface RolloutConfig {
  /** Node names in roll order (resolved from `agents-first`, `servers-first` or an explicit list). */
  order: string[];
  /** How many agents may be out at once (parallel lanes within a run of agents). */
  maxUnavailableAgents: number;
  /** Seconds to wait after a node's gate passed, then check again, before the next node starts. */
  pauseSec: number;
}

/** Who may run `npm run drill` on this stack, and the cluster timings its expectations use. */
export interface DrillsConfig {
  /** Drills (a fault injected into a node on purpose) are refused unless the stack says so. */
  allowed: boolean;
  /** kube-controller-manager's --node-monitor-grace-period: a silent node turns NotReady after this. */
  nodeMonitorGracePeriodSec: number;
}

/** The named roll orders; anything else is an explicit list of every node. */
export const ROLLOUT_ORDERS = ["agents-first", "servers-first"] as const;

export interface ClouderaConfig {
  /** Base URL of Cloudera Manager, e.g. https://cm.example.com:7183 (no /api suffix). */
  url: string;
  /** Host part of `url`; the CM agent on every node points here. */
  host: string;
  username: string;
  /** Cluster name as the CM API knows it (`ApiCluster.name`). */
  cluster: string;
  /** Names of the ECS and Docker services; when unset, the cluster's only service of that type. */
  ecsService?: string;
  dockerService?: string;
  /** Verify the CM server certificate (on unless explicitly turned off). */
  tlsVerify: boolean;
  /** Optional path to a PEM CA bundle that signed the CM certificate. */
  caBundle?: string;
  /** Allow plain http:// (labs only). */
  allowInsecureHttp: boolean;
  /** Base URL of the yum repository that serves cloudera-manager-agent. */
  agentRepoUrl: string;
}

export interface OpenStackConfig {
  /** Neutron network and subnet IDs (UUIDs): looked up by ID so preview needs no cloud access. */
  networkId: string;
  subnetId: string;
  /** CIDR of that subnet; node IPs must lie inside it and in-cluster rules are limited to it. */
  subnetCidr: string;
  /** The subnet's gateway, when given: no node may use it. */
  subnetGateway?: string;
  image: string;
  keyPair: string;
  serverFlavor: string;
  agentFlavor: string;
  dataVolumeGb: number;
  volumeType?: string;
  availabilityZone?: string;
  /** Networks allowed to reach the API, ingress and SSH from outside the cluster subnet. */
  adminCidrs: string[];
  /** Protect data volumes from deletion (a destroy or a removed node then needs an explicit unprotect). */
  protectDataVolumes: boolean;
}

export interface KubernetesConfig {
  /** Kubeconfig file on the machine that runs pulumi (used unless the secret ecs:kubeconfig is set). */
  kubeconfigPath: string;
  drainTimeoutSec: number;
  readyTimeoutSec: number;
  /** How long a server change waits while another server's change holds the cluster's server lock. */
  serverLockTimeoutSec: number;
  /** Where stages append their run record (JSON lines), relative to the project. */
  runRecordDir: string;
}

export interface ClusterConfig {
  /** Name used for OpenStack resources (security groups, server groups). */
  name: string;
  /** DNS domain the node hostnames live in. */
  domain: string;
  cloudera: ClouderaConfig;
  openstack: OpenStackConfig;
  kubernetes: KubernetesConfig;
  ssh: SshConfig;
  healthGate: HealthGateConfig;
  rollout: RolloutConfig;
  drills: DrillsConfig;
  nodes: NodeConfig[];
}
