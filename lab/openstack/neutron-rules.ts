// Security groups and their rules: Neutron's defaults and the checks real Neutron makes.
import { randomUUID } from "node:crypto";
import { ApiError } from "./http";
import { intToIp, ipToInt } from "./ipam";
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from "./types";

type NewRule = Omit<SecurityGroupRuleRecord, "id" | "createdAt" | "updatedAt" | "revision">;

function makeRule(r: NewRule, now: string): SecurityGroupRuleRecord {
  return { ...r, id: randomUUID(), createdAt: now, updatedAt: now, revision: 0 };
}

function egress(groupId: string, ethertype: "IPv4" | "IPv6"): NewRule {
  return {
    securityGroupId: groupId,
    direction: "egress",
    ethertype,
    protocol: null,
    portRangeMin: null,
    portRangeMax: null,
    remoteIpPrefix: null,
    remoteGroupId: null,
    description: "",
  };
}

/** Every new group gets two egress rules (IPv4, IPv6), as in Neutron. */
export function defaultEgressRules(groupId: string, now: string): SecurityGroupRuleRecord[] {
  return [makeRule(egress(groupId, "IPv4"), now), makeRule(egress(groupId, "IPv6"), now)];
}

/** The project's "default" group: egress anywhere, ingress from members of the same group. */
export function defaultSecurityGroup(now: string): {
  group: SecurityGroupRecord;
  rules: SecurityGroupRuleRecord[];
} {
  const id = randomUUID();
  const group: SecurityGroupRecord = {
    id,
    name: "default",
    description: "Default security group",
    stateful: true,
    tags: [],
    createdAt: now,
    updatedAt: now,
    revision: 1,
    seeded: true,
  };
  const ingress = (ethertype: "IPv4" | "IPv6"): NewRule => ({
    ...egress(id, ethertype),
    direction: "ingress",
    remoteGroupId: id,
  });
  const rules = [
    ...defaultEgressRules(id, now),
    makeRule(ingress("IPv4"), now),
    makeRule(ingress("IPv6"), now),
  ];
  return { group, rules };
}

const PORT_PROTOCOLS = new Set(["tcp", "udp", "6", "17", "sctp", "132", "dccp", "udplite"]);

/** Validates a new rule like neutron/db/securitygroups_db.py does; throws 400/409. */
export function validateRule(rule: NewRule, existing: SecurityGroupRuleRecord[]): SecurityGroupRuleRecord {
  if (rule.direction !== "ingress" && rule.direction !== "egress") {
    throw ApiError.badRequest(
      `Invalid input for direction. Reason: '${String(rule.direction)}' is not in ['ingress', 'egress'].`,
      "HTTPBadRequest",
    );
  }
  if (rule.ethertype !== "IPv4" && rule.ethertype !== "IPv6") {
    throw ApiError.badRequest(
      `Invalid input for ethertype. Reason: '${String(rule.ethertype)}' is not in ['IPv4', 'IPv6'].`,
      "HTTPBadRequest",
    );
  }
  const protocol = rule.protocol === null ? null : rule.protocol.toLowerCase();
  const hasPorts = rule.portRangeMin !== null || rule.portRangeMax !== null;
  if (hasPorts) {
    if (protocol === null || !(PORT_PROTOCOLS.has(protocol) || protocol === "icmp" || protocol === "1")) {
      throw ApiError.badRequest(
        "Must also specify protocol if port range is given.",
        "SecurityGroupProtocolRequiredWithPorts",
      );
    }
    if (PORT_PROTOCOLS.has(protocol)) {
      const min = rule.portRangeMin;
      const max = rule.portRangeMax;
      if (min === null || max === null || min < 1 || max > 65535 || min > max) {
        throw ApiError.badRequest(
          "For TCP/UDP protocols, port_range_min must be <= port_range_max",
          "SecurityGroupInvalidPortRange",
        );
      }
    }
  }
  if (rule.remoteIpPrefix !== null && rule.remoteGroupId !== null) {
    throw ApiError.badRequest(
      "Only remote_ip_prefix or remote_group_id may be provided.",
      "SecurityGroupRemoteGroupAndRemoteIpPrefix",
    );
  }
  let remoteIpPrefix = rule.remoteIpPrefix;
  if (remoteIpPrefix !== null) {
    const isV6 = remoteIpPrefix.includes(":");
    if (isV6 !== (rule.ethertype === "IPv6")) {
      throw ApiError.badRequest(
        `Conflicting value ethertype ${rule.ethertype} for CIDR ${remoteIpPrefix}`,
        "SecurityGroupRuleParameterConflict",
      );
    }
    if (!isV6) remoteIpPrefix = normalizePrefix(remoteIpPrefix);
  }
  const normalized: NewRule = { ...rule, protocol, remoteIpPrefix };
  const dup = existing.find(
    (r) =>
      r.securityGroupId === normalized.securityGroupId &&
      r.direction === normalized.direction &&
      r.ethertype === normalized.ethertype &&
      r.protocol === normalized.protocol &&
      r.portRangeMin === normalized.portRangeMin &&
      r.portRangeMax === normalized.portRangeMax &&
      r.remoteIpPrefix === normalized.remoteIpPrefix &&
      r.remoteGroupId === normalized.remoteGroupId,
  );
  if (dup)
    throw ApiError.conflict(
      `Security group rule already exists. Rule id is ${dup.id}.`,
      "SecurityGroupRuleExists",
    );
  return makeRule(normalized, new Date().toISOString());
}

/** "10.1.2.3/8" -> "10.0.0.0/8": Neutron stores the network address of the prefix. */
export function normalizePrefix(prefix: string): string {
  const [addr, len] = prefix.includes("/") ? prefix.split("/") : [prefix, "32"];
  const bits = Number(len);
  if (!/^\d{1,2}$/.test(len) || bits > 32) throw ApiError.badRequest(`Invalid remote_ip_prefix ${prefix}`);
  const size = 2 ** (32 - bits);
  const net = Math.floor(ipToInt(addr) / size) * size;
  return `${intToIp(net)}/${bits}`;
}
