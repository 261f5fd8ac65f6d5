// Records the simulator keeps (and persists). They hold API-level facts; views render them per service.

/** A delayed state change, applied lazily (on the next request or by a timer), so it survives restarts. */
export interface Transition<S extends string> {
  to: S;
  at: string;
  /** Message for a server that ends in ERROR. */
  fault?: string;
  /** Lab hook to fire when the change lands ("active", "stop", "start", ...). */
  event?: "active" | "error" | "stop" | "start" | "reboot" | "resized";
}

export interface ProjectRecord {
  id: string;
  name: string;
  domainId: string;
}

export interface UserRecord {
  id: string;
  name: string;
  domainId: string;
}

/** A Keystone project and the one user with a role in it. */
export interface AccountRecord {
  project: ProjectRecord;
  user: UserRecord;
}

export interface TokenRecord {
  /** sha256 of the token; the token itself is never stored. */
  hash: string;
  expiresAt: string;
  issuedAt: string;
  scoped: boolean;
  userId: string;
  /** The project the token is scoped to; null when unscoped. */
  projectId: string | null;
}

export interface FlavorRecord {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  extraSpecs: Record<string, string>;
}

export interface ImageRecord {
  id: string;
  name: string;
  size: number;
  diskFormat: string;
  minDisk: number;
  minRam: number;
  createdAt: string;
  properties: Record<string, string>;
}

export interface HypervisorRecord {
  name: string;
  vcpus: number;
  ramMb: number;
}

export interface NetworkRecord {
  id: string;
  name: string;
  description: string;
  adminStateUp: boolean;
  shared: boolean;
  external: boolean;
  mtu: number;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  revision: number;
  seeded: boolean;
}

export interface SubnetRecord {
  id: string;
  networkId: string;
  name: string;
  description: string;
  cidr: string;
  gatewayIp: string | null;
  allocationPools: { start: string; end: string }[];
  dnsNameservers: string[];
  enableDhcp: boolean;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  revision: number;
  seeded: boolean;
}

export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

export interface PortRecord {
  id: string;
  networkId: string;
  name: string;
  description: string;
  adminStateUp: boolean;
  macAddress: string;
  fixedIps: FixedIp[];
  deviceId: string;
  deviceOwner: string;
  securityGroups: string[];
  allowedAddressPairs: { ip_address: string; mac_address: string }[];
  portSecurityEnabled: boolean;
  hostId: string;
  vnicType: string;
  dnsName: string;
  tags: string[];
  /** Ports Nova made for a `networks: [{uuid}]` request are deleted with their server. */
  createdByNova: boolean;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  stateful: boolean;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  revision: number;
  seeded: boolean;
}

export interface SecurityGroupRuleRecord {
  id: string;
  securityGroupId: string;
  direction: "ingress" | "egress";
  ethertype: "IPv4" | "IPv6";
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export type ServerStatus =
  "BUILD" | "ACTIVE" | "SHUTOFF" | "ERROR" | "RESIZE" | "VERIFY_RESIZE" | "REVERT_RESIZE" | "REBOOT";

export interface ServerRecord {
  id: string;
  name: string;
  /** Owning project: only tokens scoped to it see the server. */
  projectId: string;
  status: ServerStatus;
  transition?: Transition<ServerStatus>;
  fault?: { code: number; message: string; created: string };
  flavorId: string;
  imageId: string;
  keyName: string | null;
  metadata: Record<string, string>;
  tags: string[];
  availabilityZone: string;
  /** Hypervisor the scheduler chose; null when no host was found. */
  host: string | null;
  serverGroupId: string | null;
  /** Port IDs in the order the server was given its networks. */
  portIds: string[];
  /** Length of user_data; the data itself may hold secrets and is not kept. */
  userDataBytes: number;
  createdAt: string;
  updatedAt: string;
  launchedAt: string | null;
  /** Power state as Nova reports it: 1 running, 4 shutdown, 0 nostate. */
  powerState: number;
  /** Flavor before a resize, until it is confirmed or reverted. */
  oldFlavorId: string | null;
  /** Host before a resize (Nova moves the server), until it is confirmed or reverted. */
  resizeSourceHost?: string | null;
}

export interface ServerGroupRecord {
  id: string;
  name: string;
  policy: string;
  maxServerPerHost: number | null;
  members: string[];
}

export interface KeypairRecord {
  name: string;
  publicKey: string;
  fingerprint: string;
  type: string;
  createdAt: string;
  id: number;
}

export type VolumeStatus =
  "creating" | "available" | "attaching" | "in-use" | "detaching" | "extending" | "deleting" | "error";

export interface VolumeAttachmentRecord {
  attachmentId: string;
  serverId: string;
  device: string;
  hostName: string;
  attachedAt: string;
}

export interface VolumeRecord {
  id: string;
  name: string;
  /** Owning project: only tokens scoped to it see the volume. */
  projectId: string;
  description: string;
  size: number;
  status: VolumeStatus;
  transition?: Transition<VolumeStatus>;
  volumeType: string;
  availabilityZone: string;
  metadata: Record<string, string>;
  attachment: VolumeAttachmentRecord | null;
  bootable: boolean;
  createdAt: string;
  updatedAt: string;
}

export type DetachKind = "nova-detach" | "cinder-detach" | "server-delete";

/** What a detach from a non-SHUTOFF server meets: "refuse" (409, the default) or "allow" (real OpenStack). */
export type LiveDetachPolicy = "refuse" | "allow";

/** One volume detach, performed or refused, with the server's Nova status at the moment of the request. */
export interface DetachRecord {
  at: string;
  kind: DetachKind;
  serverId: string;
  serverName: string;
  serverStatus: string;
  volumeId: string;
  volumeName: string;
  volumeStatus: string;
  refused: boolean;
  reason?: string;
}

export interface Quotas {
  instances: number;
  cores: number;
  ramMb: number;
  volumes: number;
  gigabytes: number;
  ports: number;
  securityGroups: number;
  securityGroupRules: number;
}

export interface SimState {
  version: 1;
  /** The lab's project ("ecs") and user ("ecs-admin"), the ones the provider uses. */
  project: ProjectRecord;
  user: UserRecord;
  /** Further projects, each with its own user ("ecs-other"): a token for one sees none of the lab's servers. */
  otherAccounts: AccountRecord[];
  region: string;
  tokens: TokenRecord[];
  flavors: FlavorRecord[];
  images: ImageRecord[];
  volumeTypes: string[];
  hypervisors: HypervisorRecord[];
  quotas: Quotas;
  networks: NetworkRecord[];
  subnets: SubnetRecord[];
  ports: PortRecord[];
  securityGroups: SecurityGroupRecord[];
  securityGroupRules: SecurityGroupRuleRecord[];
  servers: ServerRecord[];
  serverGroups: ServerGroupRecord[];
  keypairs: KeypairRecord[];
  volumes: VolumeRecord[];
  nextKeypairId: number;
  /** Every volume detach asked for or performed, oldest first. */
  detachAudit: DetachRecord[];
}
