// Neutron ports: fixed-IP allocation, binding to a server (done by Nova), and the port view.
import { randomBytes, randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError } from "./http";
import { allocate, inCidr, ipToInt } from "./ipam";
import { rfc3339 } from "./time";
import type { FixedIp, PortRecord, SimState } from "./types";

export interface PortRequest {
  networkId: string;
  name?: string;
  description?: string;
  macAddress?: string;
  adminStateUp?: boolean;
  /** Absent: one address from the network's first subnet. Empty list: no address. */
  fixedIps?: { subnetId?: string; ipAddress?: string }[];
  deviceId?: string;
  deviceOwner?: string;
  /** Absent: the project's "default" group. */
  securityGroups?: string[];
  portSecurityEnabled?: boolean;
  allowedAddressPairs?: { ip_address: string; mac_address?: string }[];
  hostId?: string;
  vnicType?: string;
  dnsName?: string;
  createdByNova?: boolean;
}

function newMac(state: SimState): string {
  for (;;) {
    const mac = `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
    if (!state.ports.some((p) => p.macAddress === mac)) return mac;
  }
}

function usedIps(state: SimState, subnetId: string, exceptPortId?: string): Set<string> {
  const used = new Set<string>();
  for (const p of state.ports) {
    if (p.id === exceptPortId) continue;
    for (const f of p.fixedIps) if (f.subnetId === subnetId) used.add(f.ipAddress);
  }
  return used;
}

/** Resolves requested fixed IPs to concrete (subnet, address) pairs, as Neutron's IPAM does. */
export function resolveFixedIps(
  state: SimState,
  networkId: string,
  requested: PortRequest["fixedIps"],
  exceptPortId?: string,
): FixedIp[] {
  const subnets = state.subnets.filter((s) => s.networkId === networkId);
  const wanted = requested ?? (subnets.length > 0 ? [{ subnetId: subnets[0].id }] : []);
  const out: FixedIp[] = [];
  for (const w of wanted) {
    let subnet = w.subnetId ? subnets.find((s) => s.id === w.subnetId) : undefined;
    if (w.subnetId && !subnet) {
      const exists = state.subnets.some((s) => s.id === w.subnetId);
      if (!exists) throw ApiError.notFound(`Subnet ${w.subnetId} could not be found.`, "SubnetNotFound");
      throw ApiError.badRequest(
        `Invalid input for operation: Failed to create port on network ${networkId}, because fixed_ips included invalid subnet ${w.subnetId}.`,
        "InvalidInput",
      );
    }
    if (!subnet && w.ipAddress) {
      const ip = w.ipAddress;
      subnet = subnets.find((s) => inCidr(ip, s.cidr));
      if (!subnet) {
        throw ApiError.badRequest(
          `IP address ${ip} is not a valid IP for any subnet on network ${networkId}.`,
          "InvalidIpForNetwork",
        );
      }
    }
    if (!subnet)
      throw ApiError.badRequest("A subnet_id or ip_address is required in fixed_ips", "InvalidInput");
    const used = usedIps(state, subnet.id, exceptPortId);
    for (const f of out) if (f.subnetId === subnet.id) used.add(f.ipAddress);
    if (w.ipAddress) {
      ipToInt(w.ipAddress);
      if (!inCidr(w.ipAddress, subnet.cidr)) {
        throw ApiError.badRequest(
          `IP address ${w.ipAddress} is not a valid IP for the specified subnet.`,
          "InvalidIpForSubnet",
        );
      }
      if (used.has(w.ipAddress) || w.ipAddress === subnet.gatewayIp) {
        throw ApiError.conflict(
          `IP address ${w.ipAddress} already allocated in subnet ${subnet.id}`,
          "IpAddressAlreadyAllocated",
        );
      }
      out.push({ subnetId: subnet.id, ipAddress: w.ipAddress });
    } else {
      const ip = allocate(subnet.allocationPools, used, subnet.gatewayIp);
      if (!ip) {
        throw ApiError.conflict(
          `No more IP addresses available on network ${networkId}.`,
          "IpAddressGenerationFailure",
        );
      }
      out.push({ subnetId: subnet.id, ipAddress: ip });
    }
  }
  return out;
}

export function defaultGroupId(state: SimState): string {
  const g = state.securityGroups.find((s) => s.name === "default");
  if (!g) throw new Error("the seeded default security group is missing");
  return g.id;
}

export function createPort(ctx: SimContext, r: PortRequest): PortRecord {
  const state = ctx.store.state;
  if (!state.networks.some((n) => n.id === r.networkId)) {
    throw ApiError.notFound(`Network ${r.networkId} could not be found.`, "NetworkNotFound");
  }
  if (state.ports.length >= state.quotas.ports) {
    throw ApiError.conflict("Quota exceeded for resources: ['port'].", "OverQuota");
  }
  const portSecurity = r.portSecurityEnabled ?? true;
  const groups = r.securityGroups ?? (portSecurity ? [defaultGroupId(state)] : []);
  for (const g of groups) {
    if (!state.securityGroups.some((s) => s.id === g)) {
      throw ApiError.notFound(`Security group ${g} does not exist`, "SecurityGroupNotFound");
    }
  }
  if (!portSecurity && groups.length > 0) {
    throw ApiError.conflict(
      "Port has no security groups but port security is disabled; remove the groups first.",
      "PortSecurityAndIPRequiredForSecurityGroups",
    );
  }
  if (r.macAddress && state.ports.some((p) => p.networkId === r.networkId && p.macAddress === r.macAddress)) {
    throw ApiError.conflict(
      `Unable to complete operation for network ${r.networkId}. The mac address ${r.macAddress} is in use.`,
      "MacAddressInUse",
    );
  }
  const now = new Date().toISOString();
  const port: PortRecord = {
    id: randomUUID(),
    networkId: r.networkId,
    name: r.name ?? "",
    description: r.description ?? "",
    adminStateUp: r.adminStateUp ?? true,
    macAddress: r.macAddress ?? newMac(state),
    fixedIps: resolveFixedIps(state, r.networkId, r.fixedIps),
    deviceId: r.deviceId ?? "",
    deviceOwner: r.deviceOwner ?? "",
    securityGroups: groups,
    allowedAddressPairs: (r.allowedAddressPairs ?? []).map((a) => ({
      ip_address: a.ip_address,
      mac_address: a.mac_address ?? "",
    })),
    portSecurityEnabled: portSecurity,
    hostId: r.hostId ?? "",
    vnicType: r.vnicType ?? "normal",
    dnsName: r.dnsName ?? "",
    tags: [],
    createdByNova: r.createdByNova ?? false,
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  for (const pair of port.allowedAddressPairs) if (!pair.mac_address) pair.mac_address = port.macAddress;
  state.ports.push(port);
  return port;
}

function touch(port: PortRecord): void {
  port.updatedAt = new Date().toISOString();
  port.revision += 1;
}

/** Nova plugs a port into a server: device_id/owner and the binding host are set. */
export function bindPort(port: PortRecord, serverId: string, host: string): void {
  port.deviceId = serverId;
  port.deviceOwner = "compute:nova";
  port.hostId = host;
  touch(port);
}

/** Nova unplugs a port: it keeps its MAC and fixed IPs (that is what lets a rebuilt VM keep its IP). */
export function unbindPort(port: PortRecord): void {
  port.deviceId = "";
  port.deviceOwner = "";
  port.hostId = "";
  touch(port);
}

/** ACTIVE when bound to a running server, DOWN otherwise (the provider accepts both after create). */
export function portStatus(state: SimState, port: PortRecord): "ACTIVE" | "DOWN" {
  if (!port.adminStateUp || !port.deviceId) return "DOWN";
  const server = state.servers.find((s) => s.id === port.deviceId);
  if (!server) return port.deviceOwner.startsWith("network:") ? "ACTIVE" : "DOWN";
  return server.status === "ACTIVE" ? "ACTIVE" : "DOWN";
}

export function portView(state: SimState, p: PortRecord): Record<string, unknown> {
  const bound = p.hostId !== "";
  const project = state.project.id;
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    network_id: p.networkId,
    admin_state_up: p.adminStateUp,
    status: portStatus(state, p),
    mac_address: p.macAddress,
    fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
    device_id: p.deviceId,
    device_owner: p.deviceOwner,
    security_groups: [...p.securityGroups],
    allowed_address_pairs: p.allowedAddressPairs.map((a) => ({ ...a })),
    port_security_enabled: p.portSecurityEnabled,
    tenant_id: project,
    project_id: project,
    "binding:host_id": p.hostId,
    "binding:vif_type": bound ? "ovs" : "unbound",
    "binding:vif_details": bound ? { port_filter: true, connectivity: "l2", bridge_name: "br-int" } : {},
    "binding:vnic_type": p.vnicType,
    "binding:profile": {},
    dns_name: p.dnsName,
    dns_assignment: p.fixedIps.map((f) => ({
      ip_address: f.ipAddress,
      hostname: `host-${f.ipAddress.replace(/\./g, "-")}`,
      fqdn: `host-${f.ipAddress.replace(/\./g, "-")}.openstacklocal.`,
    })),
    qos_policy_id: null,
    qos_network_policy_id: null,
    propagate_uplink_status: false,
    resource_request: null,
    ip_allocation: "immediate",
    tags: [...p.tags],
    created_at: rfc3339(p.createdAt),
    updated_at: rfc3339(p.updatedAt),
    revision_number: p.revision,
  };
}
