// The small description a lab starts from: project, flavors, image, the pre-existing network, hypervisors.
import { randomBytes, randomUUID } from "node:crypto";
import { defaultPool, firstHost } from "./ipam";
import { defaultSecurityGroup } from "./neutron-rules";
import { nowIso } from "./time";
import type { AccountRecord, Quotas, SimState } from "./types";

export interface SeedFlavor {
  name: string;
  vcpus: number;
  ramMb: number;
  diskGb: number;
}

export interface SeedNetwork {
  name: string;
  subnetName?: string;
  cidr: string;
  /** null for no gateway; default: first host address. */
  gatewayIp?: string | null;
  allocationPool?: { start: string; end: string };
}

export interface SeedDescription {
  domain?: string;
  projectName?: string;
  userName?: string;
  /** The second project (visibility tests) and its user; same domain and password as the first. */
  otherProjectName?: string;
  otherUserName?: string;
  region?: string;
  flavors?: SeedFlavor[];
  images?: { name: string; sizeBytes?: number }[];
  networks?: SeedNetwork[];
  /** A count of identical hosts or an explicit list. */
  hypervisors?: number | { name: string; vcpus: number; ramMb: number }[];
  hypervisorVcpus?: number;
  hypervisorRamMb?: number;
  volumeTypes?: string[];
  quotas?: Partial<Quotas>;
}

export const DEFAULT_SEED: Required<
  Omit<SeedDescription, "hypervisors" | "quotas" | "hypervisorVcpus" | "hypervisorRamMb">
> & {
  hypervisors: number;
} = {
  domain: "default",
  projectName: "ecs",
  userName: "ecs-admin",
  otherProjectName: "ecs-other",
  otherUserName: "ecs-other-user",
  region: "RegionOne",
  flavors: [
    { name: "ecs.server", vcpus: 8, ramMb: 32768, diskGb: 100 },
    { name: "ecs.agent", vcpus: 16, ramMb: 65536, diskGb: 200 },
    { name: "m1.small", vcpus: 1, ramMb: 2048, diskGb: 20 },
  ],
  images: [{ name: "rhel-8.8-ecs", sizeBytes: 2147483648 }],
  networks: [{ name: "ecs-net", subnetName: "ecs-subnet", cidr: "127.0.8.0/24" }],
  hypervisors: 3,
  volumeTypes: ["__DEFAULT__"],
};

export const DEFAULT_QUOTAS: Quotas = {
  instances: 10,
  cores: 200,
  ramMb: 1048576,
  volumes: 20,
  gigabytes: 10000,
  ports: 50,
  securityGroups: 10,
  securityGroupRules: 100,
};

/** Keystone IDs are 32 hex characters (no dashes). */
function keystoneId(): string {
  return randomBytes(16).toString("hex");
}

/** The second project and its user (also added to state files written before it existed). */
export function otherAccount(seed: SeedDescription): AccountRecord {
  const domainId = seed.domain ?? DEFAULT_SEED.domain;
  return {
    project: { id: keystoneId(), name: seed.otherProjectName ?? DEFAULT_SEED.otherProjectName, domainId },
    user: { id: keystoneId(), name: seed.otherUserName ?? DEFAULT_SEED.otherUserName, domainId },
  };
}

export function buildInitialState(seed: SeedDescription): SimState {
  const d = { ...DEFAULT_SEED, ...seed };
  const now = nowIso();
  const domain = d.domain;
  const hvCount = typeof seed.hypervisors === "number" ? seed.hypervisors : DEFAULT_SEED.hypervisors;
  const hypervisors = Array.isArray(seed.hypervisors)
    ? seed.hypervisors
    : Array.from({ length: hvCount }, (_, i) => ({
        name: `compute-${i + 1}.lab`,
        vcpus: seed.hypervisorVcpus ?? 32,
        ramMb: seed.hypervisorRamMb ?? 131072,
      }));
  const state: SimState = {
    version: 1,
    project: { id: keystoneId(), name: d.projectName, domainId: domain },
    user: { id: keystoneId(), name: d.userName, domainId: domain },
    otherAccounts: [otherAccount(seed)],
    region: d.region,
    tokens: [],
    flavors: d.flavors.map((f) => ({
      id: randomUUID(),
      name: f.name,
      vcpus: f.vcpus,
      ram: f.ramMb,
      disk: f.diskGb,
      extraSpecs: {},
    })),
    images: d.images.map((i) => ({
      id: randomUUID(),
      name: i.name,
      size: i.sizeBytes ?? 1073741824,
      diskFormat: "qcow2",
      minDisk: 0,
      minRam: 0,
      createdAt: now,
      properties: {},
    })),
    volumeTypes: d.volumeTypes,
    hypervisors,
    quotas: { ...DEFAULT_QUOTAS, ...(seed.quotas ?? {}) },
    networks: [],
    subnets: [],
    ports: [],
    securityGroups: [],
    securityGroupRules: [],
    servers: [],
    serverGroups: [],
    keypairs: [],
    volumes: [],
    nextKeypairId: 1,
    detachAudit: [],
  };
  for (const n of d.networks) {
    const networkId = randomUUID();
    state.networks.push({
      id: networkId,
      name: n.name,
      description: "",
      adminStateUp: true,
      shared: false,
      external: false,
      mtu: 1500,
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      seeded: true,
    });
    const gatewayIp = n.gatewayIp === undefined ? firstHost(n.cidr) : n.gatewayIp;
    state.subnets.push({
      id: randomUUID(),
      networkId,
      name: n.subnetName ?? `${n.name}-subnet`,
      description: "",
      cidr: n.cidr,
      gatewayIp,
      allocationPools: [n.allocationPool ?? defaultPool(n.cidr, gatewayIp)],
      dnsNameservers: [],
      enableDhcp: true,
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      seeded: true,
    });
  }
  const { group, rules } = defaultSecurityGroup(now);
  state.securityGroups.push(group);
  state.securityGroupRules.push(...rules);
  return state;
}
