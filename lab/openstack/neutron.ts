// Neutron v2.0 (network endpoint, "/network"): networks, subnets, ports, security groups and rules.
import { randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError, noContent, ok, Router, type Req } from "./http";
import { defaultPool, firstHost, parseCidr } from "./ipam";
import {
  optArray,
  optBool,
  optNumber,
  optString,
  optStringArray,
  record,
  reqString,
  type JsonRecord,
} from "./json";
import { defaultEgressRules, validateRule } from "./neutron-rules";
import { createPort, portView, resolveFixedIps, type PortRequest } from "./neutron-ports";
import { rfc3339 } from "./time";
import type {
  NetworkRecord,
  SecurityGroupRecord,
  SecurityGroupRuleRecord,
  SimState,
  SubnetRecord,
} from "./types";

export function neutronErrorBody(e: ApiError): unknown {
  return { NeutronError: { type: e.type ?? "HTTPError", message: e.message, detail: "" } };
}

const IGNORED_FILTERS = new Set(["fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"]);

/** Neutron list filtering: equality on top-level fields, repeated keys mean OR, tag filters. */
export function applyFilters(
  items: Record<string, unknown>[],
  query: URLSearchParams,
): Record<string, unknown>[] {
  const keys = [...new Set(query.keys())].filter((k) => !IGNORED_FILTERS.has(k));
  return items.filter((item) =>
    keys.every((key) => {
      const values = query.getAll(key);
      const tags = Array.isArray(item.tags) ? (item.tags as string[]) : [];
      const wanted = values.flatMap((v) => v.split(","));
      switch (key) {
        case "tags":
          return wanted.every((t) => tags.includes(t));
        case "tags-any":
          return wanted.some((t) => tags.includes(t));
        case "not-tags":
          return !wanted.every((t) => tags.includes(t));
        case "not-tags-any":
          return !wanted.some((t) => tags.includes(t));
        case "fixed_ips":
          return values.some((v) => {
            const [k, val] = v.split("=");
            const ips = (item.fixed_ips ?? []) as Record<string, string>[];
            return ips.some((f) => f[k] === val);
          });
      }
      if (!(key in item)) return true;
      const actual = item[key];
      return values.some((v) => {
        if (Array.isArray(actual)) return actual.map(String).includes(v);
        if (typeof actual === "boolean") return String(actual) === v.toLowerCase();
        return String(actual) === v;
      });
    }),
  );
}

function find<T extends { id: string }>(items: T[], id: string, what: string, type: string): T {
  const item = items.find((i) => i.id === id);
  if (!item) throw ApiError.notFound(`${what} ${id} could not be found.`, type);
  return item;
}

function bodyOf(req: Req, key: string): JsonRecord {
  return record(record(req.body, "body")[key], key);
}

function touch(r: { updatedAt: string; revision: number }): void {
  r.updatedAt = new Date().toISOString();
  r.revision += 1;
}

function networkView(state: SimState, n: NetworkRecord): Record<string, unknown> {
  const project = state.project.id;
  return {
    id: n.id,
    name: n.name,
    description: n.description,
    status: "ACTIVE",
    admin_state_up: n.adminStateUp,
    subnets: state.subnets.filter((s) => s.networkId === n.id).map((s) => s.id),
    shared: n.shared,
    tenant_id: project,
    project_id: project,
    mtu: n.mtu,
    port_security_enabled: true,
    "router:external": n.external,
    availability_zone_hints: [],
    availability_zones: ["nova"],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    qos_policy_id: null,
    dns_domain: "",
    "provider:network_type": "vxlan",
    "provider:physical_network": null,
    "provider:segmentation_id": 1000,
    tags: [...n.tags],
    created_at: rfc3339(n.createdAt),
    updated_at: rfc3339(n.updatedAt),
    revision_number: n.revision,
  };
}

function subnetView(state: SimState, s: SubnetRecord): Record<string, unknown> {
  const project = state.project.id;
  return {
    id: s.id,
    network_id: s.networkId,
    name: s.name,
    description: s.description,
    ip_version: 4,
    cidr: s.cidr,
    gateway_ip: s.gatewayIp,
    allocation_pools: s.allocationPools.map((p) => ({ ...p })),
    dns_nameservers: [...s.dnsNameservers],
    host_routes: [],
    enable_dhcp: s.enableDhcp,
    tenant_id: project,
    project_id: project,
    ipv6_address_mode: null,
    ipv6_ra_mode: null,
    subnetpool_id: null,
    service_types: [],
    dns_publish_fixed_ip: false,
    tags: [...s.tags],
    created_at: rfc3339(s.createdAt),
    updated_at: rfc3339(s.updatedAt),
    revision_number: s.revision,
  };
}

function ruleView(state: SimState, r: SecurityGroupRuleRecord): Record<string, unknown> {
  const project = state.project.id;
  return {
    id: r.id,
    security_group_id: r.securityGroupId,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.portRangeMin,
    port_range_max: r.portRangeMax,
    remote_ip_prefix: r.remoteIpPrefix,
    remote_group_id: r.remoteGroupId,
    remote_address_group_id: null,
    normalized_cidr: r.remoteIpPrefix,
    description: r.description,
    tenant_id: project,
    project_id: project,
    created_at: rfc3339(r.createdAt),
    updated_at: rfc3339(r.updatedAt),
    revision_number: r.revision,
  };
}

function groupView(state: SimState, g: SecurityGroupRecord): Record<string, unknown> {
  const project = state.project.id;
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    stateful: g.stateful,
    tenant_id: project,
    project_id: project,
    security_group_rules: state.securityGroupRules
      .filter((r) => r.securityGroupId === g.id)
      .map((r) => ruleView(state, r)),
    tags: [...g.tags],
    created_at: rfc3339(g.createdAt),
    updated_at: rfc3339(g.updatedAt),
    revision_number: g.revision,
  };
}

function parsePortRequest(b: JsonRecord, networkId: string): PortRequest {
  // Only listed extensions work; Neutron without extra_dhcp_opt rejects the attribute the same way.
  if ("extra_dhcp_opts" in b) throw ApiError.badRequest("Unrecognized attribute(s) 'extra_dhcp_opts'");
  const fixed = optArray(b, "fixed_ips")?.map((x) => {
    const f = record(x, "fixed_ips[]");
    return { subnetId: optString(f, "subnet_id"), ipAddress: optString(f, "ip_address") };
  });
  const pairs = optArray(b, "allowed_address_pairs")?.map((x) => {
    const a = record(x, "allowed_address_pairs[]");
    return { ip_address: reqString(a, "ip_address"), mac_address: optString(a, "mac_address") };
  });
  return {
    networkId,
    name: optString(b, "name"),
    description: optString(b, "description"),
    macAddress: optString(b, "mac_address"),
    adminStateUp: optBool(b, "admin_state_up"),
    fixedIps: fixed,
    deviceId: optString(b, "device_id"),
    deviceOwner: optString(b, "device_owner"),
    securityGroups: optStringArray(b, "security_groups"),
    portSecurityEnabled: optBool(b, "port_security_enabled"),
    allowedAddressPairs: pairs,
    hostId: optString(b, "binding:host_id"),
    vnicType: optString(b, "binding:vnic_type"),
    dnsName: optString(b, "dns_name"),
  };
}

type Taggable = { id: string; tags: string[]; updatedAt: string; revision: number };

export function neutronRouter(ctx: SimContext): Router {
  const st = (): SimState => ctx.store.state;
  const r = new Router();
  const versions = (req: Req): ReturnType<typeof ok> =>
    ok({
      versions: [
        { id: "v2.0", status: "CURRENT", links: [{ rel: "self", href: `${req.baseUrl}/network/v2.0/` }] },
      ],
    });
  r.on("GET", "/", versions);
  r.on("GET", "/v2.0", (req) =>
    ok({
      resources: ["networks", "subnets", "ports", "security-groups", "security-group-rules"].map((n) => ({
        name: n.replace(/s$/, ""),
        collection: n,
        links: [{ rel: "self", href: `${req.baseUrl}/network/v2.0/${n}` }],
      })),
    }),
  );
  r.on("GET", "/v2.0/extensions", () =>
    ok({
      extensions: [
        "binding",
        "security-group",
        "port-security",
        "standard-attr-tag",
        "dns-integration",
        "allowed-address-pairs",
        "external-net",
        "net-mtu",
        "quotas",
      ].map((alias) => ({
        alias,
        name: alias,
        description: "",
        links: [],
        updated: "2013-01-01T00:00:00-00:00",
      })),
    }),
  );

  // networks
  r.on("GET", "/v2.0/networks", (req) =>
    ok({
      networks: applyFilters(
        st().networks.map((n) => networkView(st(), n)),
        req.query,
      ),
    }),
  );
  r.on("GET", "/v2.0/networks/:id", (_q, p) =>
    ok({ network: networkView(st(), find(st().networks, p.id, "Network", "NetworkNotFound")) }),
  );
  r.on("POST", "/v2.0/networks", (req) => {
    const b = bodyOf(req, "network");
    const now = new Date().toISOString();
    const n: NetworkRecord = {
      id: randomUUID(),
      name: optString(b, "name") ?? "",
      description: optString(b, "description") ?? "",
      adminStateUp: optBool(b, "admin_state_up") ?? true,
      shared: optBool(b, "shared") ?? false,
      external: optBool(b, "router:external") ?? false,
      mtu: optNumber(b, "mtu") ?? 1500,
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      seeded: false,
    };
    st().networks.push(n);
    return ok({ network: networkView(st(), n) }, 201);
  });
  r.on("PUT", "/v2.0/networks/:id", (req, p) => {
    const n = find(st().networks, p.id, "Network", "NetworkNotFound");
    const b = bodyOf(req, "network");
    n.name = optString(b, "name") ?? n.name;
    n.description = optString(b, "description") ?? n.description;
    n.adminStateUp = optBool(b, "admin_state_up") ?? n.adminStateUp;
    n.mtu = optNumber(b, "mtu") ?? n.mtu;
    touch(n);
    return ok({ network: networkView(st(), n) });
  });
  r.on("DELETE", "/v2.0/networks/:id", (_q, p) => {
    const n = find(st().networks, p.id, "Network", "NetworkNotFound");
    const inUse = st().ports.filter((x) => x.networkId === n.id && !x.deviceOwner.startsWith("network:dhcp"));
    if (inUse.length > 0) {
      throw ApiError.conflict(
        `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`,
        "NetworkInUse",
      );
    }
    st().subnets = st().subnets.filter((s) => s.networkId !== n.id);
    st().networks = st().networks.filter((x) => x !== n);
    return noContent();
  });

  // subnets
  r.on("GET", "/v2.0/subnets", (req) =>
    ok({
      subnets: applyFilters(
        st().subnets.map((s) => subnetView(st(), s)),
        req.query,
      ),
    }),
  );
  r.on("GET", "/v2.0/subnets/:id", (_q, p) =>
    ok({ subnet: subnetView(st(), find(st().subnets, p.id, "Subnet", "SubnetNotFound")) }),
  );
  r.on("POST", "/v2.0/subnets", (req) => {
    const b = bodyOf(req, "subnet");
    const networkId = reqString(b, "network_id");
    find(st().networks, networkId, "Network", "NetworkNotFound");
    if ((optNumber(b, "ip_version") ?? 4) !== 4)
      throw ApiError.badRequest("The simulator supports IPv4 subnets only.");
    const cidr = reqString(b, "cidr");
    const c = parseCidr(cidr);
    for (const other of st().subnets.filter((s) => s.networkId === networkId)) {
      const o = parseCidr(other.cidr);
      if (c.network < o.network + o.size && o.network < c.network + c.size) {
        throw ApiError.badRequest(
          `Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${networkId} overlaps with another subnet.`,
          "InvalidInput",
        );
      }
    }
    const gatewayIp =
      "gateway_ip" in b && b.gateway_ip === null ? null : (optString(b, "gateway_ip") ?? firstHost(cidr));
    const pools = optArray(b, "allocation_pools")?.map((x) => {
      const pool = record(x, "allocation_pools[]");
      return { start: reqString(pool, "start"), end: reqString(pool, "end") };
    });
    const now = new Date().toISOString();
    const s: SubnetRecord = {
      id: randomUUID(),
      networkId,
      name: optString(b, "name") ?? "",
      description: optString(b, "description") ?? "",
      cidr,
      gatewayIp,
      allocationPools: pools ?? [defaultPool(cidr, gatewayIp)],
      dnsNameservers: optStringArray(b, "dns_nameservers") ?? [],
      enableDhcp: optBool(b, "enable_dhcp") ?? true,
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      seeded: false,
    };
    st().subnets.push(s);
    return ok({ subnet: subnetView(st(), s) }, 201);
  });
  r.on("PUT", "/v2.0/subnets/:id", (req, p) => {
    const s = find(st().subnets, p.id, "Subnet", "SubnetNotFound");
    const b = bodyOf(req, "subnet");
    s.name = optString(b, "name") ?? s.name;
    s.description = optString(b, "description") ?? s.description;
    s.enableDhcp = optBool(b, "enable_dhcp") ?? s.enableDhcp;
    s.dnsNameservers = optStringArray(b, "dns_nameservers") ?? s.dnsNameservers;
    touch(s);
    return ok({ subnet: subnetView(st(), s) });
  });
  r.on("DELETE", "/v2.0/subnets/:id", (_q, p) => {
    const s = find(st().subnets, p.id, "Subnet", "SubnetNotFound");
    if (st().ports.some((x) => x.fixedIps.some((f) => f.subnetId === s.id))) {
      throw ApiError.conflict(
        `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`,
        "SubnetInUse",
      );
    }
    st().subnets = st().subnets.filter((x) => x !== s);
    return noContent();
  });

  // ports
  r.on("GET", "/v2.0/ports", (req) =>
    ok({
      ports: applyFilters(
        st().ports.map((x) => portView(st(), x)),
        req.query,
      ),
    }),
  );
  r.on("GET", "/v2.0/ports/:id", (_q, p) =>
    ok({ port: portView(st(), find(st().ports, p.id, "Port", "PortNotFound")) }),
  );
  r.on("POST", "/v2.0/ports", (req) => {
    const b = bodyOf(req, "port");
    const port = createPort(ctx, parsePortRequest(b, reqString(b, "network_id")));
    return ok({ port: portView(st(), port) }, 201);
  });
  r.on("PUT", "/v2.0/ports/:id", (req, p) => {
    const port = find(st().ports, p.id, "Port", "PortNotFound");
    const b = bodyOf(req, "port");
    const u = parsePortRequest(b, port.networkId);
    if (u.fixedIps !== undefined) port.fixedIps = resolveFixedIps(st(), port.networkId, u.fixedIps, port.id);
    if (u.securityGroups !== undefined) {
      for (const g of u.securityGroups)
        find(st().securityGroups, g, "Security group", "SecurityGroupNotFound");
      port.securityGroups = u.securityGroups;
    }
    port.name = u.name ?? port.name;
    port.description = u.description ?? port.description;
    port.adminStateUp = u.adminStateUp ?? port.adminStateUp;
    port.deviceId = u.deviceId ?? port.deviceId;
    port.deviceOwner = u.deviceOwner ?? port.deviceOwner;
    port.portSecurityEnabled = u.portSecurityEnabled ?? port.portSecurityEnabled;
    port.hostId = u.hostId ?? port.hostId;
    port.vnicType = u.vnicType ?? port.vnicType;
    port.dnsName = u.dnsName ?? port.dnsName;
    if (u.allowedAddressPairs !== undefined) {
      port.allowedAddressPairs = u.allowedAddressPairs.map((a) => ({
        ip_address: a.ip_address,
        mac_address: a.mac_address ?? port.macAddress,
      }));
    }
    touch(port);
    return ok({ port: portView(st(), port) });
  });
  r.on("DELETE", "/v2.0/ports/:id", (_q, p) => {
    const port = find(st().ports, p.id, "Port", "PortNotFound");
    // A bound port may be deleted; the server simply loses that interface (as in Neutron).
    for (const s of st().servers) s.portIds = s.portIds.filter((id) => id !== port.id);
    st().ports = st().ports.filter((x) => x !== port);
    return noContent();
  });

  // security groups
  r.on("GET", "/v2.0/security-groups", (req) =>
    ok({
      security_groups: applyFilters(
        st().securityGroups.map((g) => groupView(st(), g)),
        req.query,
      ),
    }),
  );
  r.on("GET", "/v2.0/security-groups/:id", (_q, p) =>
    ok({
      security_group: groupView(
        st(),
        find(st().securityGroups, p.id, "Security group", "SecurityGroupNotFound"),
      ),
    }),
  );
  r.on("POST", "/v2.0/security-groups", (req) => {
    const b = bodyOf(req, "security_group");
    if (st().securityGroups.length >= st().quotas.securityGroups) {
      throw ApiError.conflict("Quota exceeded for resources: ['security_group'].", "OverQuota");
    }
    const name = optString(b, "name") ?? "";
    if (name === "default")
      throw ApiError.conflict("Default security group already exists.", "DuplicateSgName");
    const now = new Date().toISOString();
    const g: SecurityGroupRecord = {
      id: randomUUID(),
      name,
      description: optString(b, "description") ?? "",
      stateful: optBool(b, "stateful") ?? true,
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      seeded: false,
    };
    st().securityGroups.push(g);
    st().securityGroupRules.push(...defaultEgressRules(g.id, now));
    return ok({ security_group: groupView(st(), g) }, 201);
  });
  r.on("PUT", "/v2.0/security-groups/:id", (req, p) => {
    const g = find(st().securityGroups, p.id, "Security group", "SecurityGroupNotFound");
    const b = bodyOf(req, "security_group");
    g.name = optString(b, "name") ?? g.name;
    g.description = optString(b, "description") ?? g.description;
    g.stateful = optBool(b, "stateful") ?? g.stateful;
    touch(g);
    return ok({ security_group: groupView(st(), g) });
  });
  r.on("DELETE", "/v2.0/security-groups/:id", (_q, p) => {
    const g = find(st().securityGroups, p.id, "Security group", "SecurityGroupNotFound");
    if (g.name === "default")
      throw ApiError.conflict(
        "Removing default security group not allowed.",
        "SecurityGroupCannotRemoveDefault",
      );
    if (st().ports.some((x) => x.securityGroups.includes(g.id))) {
      throw ApiError.conflict(`Security Group ${g.id} in use.`, "SecurityGroupInUse");
    }
    st().securityGroupRules = st().securityGroupRules.filter(
      (x) => x.securityGroupId !== g.id && x.remoteGroupId !== g.id,
    );
    st().securityGroups = st().securityGroups.filter((x) => x !== g);
    return noContent();
  });

  // security group rules
  r.on("GET", "/v2.0/security-group-rules", (req) =>
    ok({
      security_group_rules: applyFilters(
        st().securityGroupRules.map((x) => ruleView(st(), x)),
        req.query,
      ),
    }),
  );
  r.on("GET", "/v2.0/security-group-rules/:id", (_q, p) =>
    ok({
      security_group_rule: ruleView(
        st(),
        find(st().securityGroupRules, p.id, "Security group rule", "SecurityGroupRuleNotFound"),
      ),
    }),
  );
  r.on("POST", "/v2.0/security-group-rules", (req) => {
    const b = bodyOf(req, "security_group_rule");
    const groupId = reqString(b, "security_group_id");
    find(st().securityGroups, groupId, "Security group", "SecurityGroupNotFound");
    const remoteGroupId = optString(b, "remote_group_id") ?? null;
    if (remoteGroupId) find(st().securityGroups, remoteGroupId, "Security group", "SecurityGroupNotFound");
    if (st().securityGroupRules.length >= st().quotas.securityGroupRules) {
      throw ApiError.conflict("Quota exceeded for resources: ['security_group_rule'].", "OverQuota");
    }
    const protocolRaw = b.protocol;
    const protocol =
      protocolRaw === undefined || protocolRaw === null || protocolRaw === ""
        ? null
        : typeof protocolRaw === "number"
          ? String(protocolRaw)
          : reqString(b, "protocol");
    const rule = validateRule(
      {
        securityGroupId: groupId,
        direction: reqString(b, "direction") as "ingress" | "egress",
        ethertype: (optString(b, "ethertype") ?? "IPv4") as "IPv4" | "IPv6",
        protocol,
        portRangeMin: optNumber(b, "port_range_min") ?? null,
        portRangeMax: optNumber(b, "port_range_max") ?? null,
        remoteIpPrefix: optString(b, "remote_ip_prefix") ?? null,
        remoteGroupId,
        description: optString(b, "description") ?? "",
      },
      st().securityGroupRules,
    );
    st().securityGroupRules.push(rule);
    return ok({ security_group_rule: ruleView(st(), rule) }, 201);
  });
  r.on("DELETE", "/v2.0/security-group-rules/:id", (_q, p) => {
    const rule = find(st().securityGroupRules, p.id, "Security group rule", "SecurityGroupRuleNotFound");
    st().securityGroupRules = st().securityGroupRules.filter((x) => x !== rule);
    return noContent();
  });

  // tags (standard-attr-tag)
  const taggables = (kind: string): Taggable[] => {
    switch (kind) {
      case "networks":
        return st().networks;
      case "subnets":
        return st().subnets;
      case "ports":
        return st().ports;
      case "security-groups":
        return st().securityGroups;
    }
    throw ApiError.notFound(`Resource type ${kind} has no tags.`);
  };
  const taggable = (kind: string, id: string): Taggable => find(taggables(kind), id, "Resource", "NotFound");
  r.on("GET", "/v2.0/:kind/:id/tags", (_q, p) => ok({ tags: [...taggable(p.kind, p.id).tags] }));
  r.on("PUT", "/v2.0/:kind/:id/tags", (req, p) => {
    const t = taggable(p.kind, p.id);
    t.tags = [...new Set(optStringArray(record(req.body, "body"), "tags") ?? [])];
    touch(t);
    return ok({ tags: [...t.tags] });
  });
  r.on("PUT", "/v2.0/:kind/:id/tags/:tag", (_q, p) => {
    const t = taggable(p.kind, p.id);
    if (!t.tags.includes(p.tag)) t.tags.push(p.tag);
    touch(t);
    return noContent(201);
  });
  r.on("DELETE", "/v2.0/:kind/:id/tags", (_q, p) => {
    const t = taggable(p.kind, p.id);
    t.tags = [];
    touch(t);
    return noContent();
  });
  r.on("DELETE", "/v2.0/:kind/:id/tags/:tag", (_q, p) => {
    const t = taggable(p.kind, p.id);
    if (!t.tags.includes(p.tag)) throw ApiError.notFound(`Tag ${p.tag} could not be found.`, "TagNotFound");
    t.tags = t.tags.filter((x) => x !== p.tag);
    touch(t);
    return noContent();
  });
  return r;
}
