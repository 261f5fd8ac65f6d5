// Nova v2.1 (compute endpoint, "/compute/v2.1"): flavors, key pairs, server groups, servers and actions.
import { randomBytes, randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { emitServerEvent } from "./context";
import { fingerprint, generateRsaKeypair } from "./keypairs";
import { ApiError, atLeast, noContent, novaMicroversion, ok, Router, type Req } from "./http";
import {
  optArray,
  optRecord,
  optString,
  optStringArray,
  optStringMap,
  record,
  reqString,
  type JsonRecord,
} from "./json";
import { crashServer, deleteServer, findServer, plugPorts, serverTransition } from "./lifecycle";
import { createPort } from "./neutron-ports";
import { attachmentRoutes } from "./nova-attachments";
import { chooseHost, NO_VALID_HOST } from "./nova-scheduler";
import { flavorView, serverView, taskState, vmState } from "./nova-views";
import { visibleTo } from "./projects";
import { rfc3339 } from "./time";
import type { ServerGroupRecord, ServerRecord, SimState } from "./types";

const ERROR_KEYS: Record<number, string> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  409: "conflictingRequest",
  413: "overLimit",
  500: "computeFault",
  503: "serviceUnavailable",
};

/** Nova and Cinder error bodies: {"itemNotFound": {"code": 404, "message": "..."}}. */
export function novaErrorBody(e: ApiError): unknown {
  return { [ERROR_KEYS[e.status] ?? "computeFault"]: { code: e.status, message: e.message } };
}

function groupView(g: ServerGroupRecord, state: SimState, mv: string | undefined): Record<string, unknown> {
  if (atLeast(mv, "2.64")) {
    return {
      id: g.id,
      name: g.name,
      policy: g.policy,
      rules: g.maxServerPerHost ? { max_server_per_host: g.maxServerPerHost } : {},
      members: [...g.members],
      project_id: state.project.id,
      user_id: state.user.id,
    };
  }
  return { id: g.id, name: g.name, policies: [g.policy], members: [...g.members], metadata: {} };
}

/** Nova's wording: "Cannot 'stop' instance <id> while it is in vm_state stopped" (task_state while busy). */
function conflict(server: ServerRecord, action: string): ApiError {
  const task = server.status === "BUILD" ? null : taskState(server);
  const where = task ? `task_state ${task}` : `vm_state ${vmState(server)}`;
  return ApiError.conflict(`Cannot '${action}' instance ${server.id} while it is in ${where}`);
}

/** Resolves `networks` of a create request to port IDs (creating ports for `uuid` entries). */
function allocateNetworks(ctx: SimContext, b: JsonRecord, groupIds: string[]): string[] {
  const state = ctx.store.state;
  const raw = b.networks;
  if (raw === "none") return [];
  let requests: JsonRecord[];
  if (raw === undefined || raw === "auto") {
    if (state.networks.length === 0) return [];
    if (state.networks.length > 1) {
      throw ApiError.conflict("Multiple possible networks found, use a Network ID to be more specific.");
    }
    requests = [{ uuid: state.networks[0].id }];
  } else {
    requests = (optArray(b, "networks") ?? []).map((n) => record(n, "networks[]"));
  }
  // Check everything before creating anything, so a rejected request leaves no ports behind.
  for (const n of requests) {
    const portId = optString(n, "port");
    if (portId) {
      const port = state.ports.find((p) => p.id === portId);
      if (!port) throw ApiError.badRequest(`Port id ${portId} could not be found.`);
      if (port.deviceId) throw ApiError.conflict(`Port ${portId} is still in use.`);
    } else {
      const uuid = reqString(n, "uuid");
      if (!state.networks.some((x) => x.id === uuid))
        throw ApiError.badRequest(`Network ${uuid} could not be found.`);
    }
  }
  const portIds: string[] = [];
  try {
    for (const n of requests) {
      const portId = optString(n, "port");
      if (portId) {
        portIds.push(portId);
        continue;
      }
      const fixedIp = optString(n, "fixed_ip");
      const port = createPort(ctx, {
        networkId: reqString(n, "uuid"),
        fixedIps: fixedIp ? [{ ipAddress: fixedIp }] : undefined,
        securityGroups: groupIds,
        createdByNova: true,
      });
      portIds.push(port.id);
    }
  } catch (e) {
    // Roll back ports made for this request, then report as Nova does (a 400 for address problems).
    state.ports = state.ports.filter((p) => !(p.createdByNova && portIds.includes(p.id)));
    if (e instanceof ApiError && e.status === 409 && e.type === "IpAddressAlreadyAllocated") {
      throw ApiError.badRequest(`Fixed IP address is already in use on instance. ${e.message}`);
    }
    throw e;
  }
  return portIds;
}

function createServer(ctx: SimContext, req: Req): ReturnType<typeof ok> {
  const state = ctx.store.state;
  const projectId = req.projectId ?? state.project.id;
  const root = record(req.body, "body");
  const b = record(root.server, "server");
  const name = reqString(b, "name");
  const flavorRef = reqString(b, "flavorRef");
  const flavor = state.flavors.find((f) => f.id === flavorRef || f.name === flavorRef);
  if (!flavor) throw ApiError.badRequest(`Flavor ${flavorRef} could not be found.`);
  const imageRef = optString(b, "imageRef") ?? "";
  if (b.block_device_mapping_v2 !== undefined) {
    throw ApiError.badRequest("block_device_mapping_v2 is not supported by the OpenStack simulator");
  }
  if (!state.images.some((i) => i.id === imageRef))
    throw ApiError.badRequest(`Image ${imageRef} could not be found.`);
  const keyName = optString(b, "key_name") ?? null;
  if (keyName && !state.keypairs.some((k) => k.name === keyName))
    throw ApiError.badRequest("Invalid key_name provided.");
  const userData = optString(b, "user_data");
  if (userData !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(userData.replace(/\s/g, ""))) {
    throw ApiError.badRequest("User data needs to be valid base 64.");
  }
  const groupNames = (optArray(b, "security_groups") ?? []).map((g) =>
    reqString(record(g, "security_groups[]"), "name"),
  );
  const groupIds = (groupNames.length > 0 ? groupNames : ["default"]).map((n) => {
    const g = state.securityGroups.find((x) => x.name === n || x.id === n);
    if (!g) throw ApiError.badRequest(`Security group ${n} not found for project ${state.project.id}.`);
    return g.id;
  });
  const hints = optRecord(root, "os:scheduler_hints") ?? optRecord(root, "OS-SCH-HNT:scheduler_hints");
  const groupId = hints ? optString(hints, "group") : undefined;
  const group = groupId ? state.serverGroups.find((g) => g.id === groupId) : undefined;
  if (groupId && !group)
    throw ApiError.badRequest(`Invalid input for field/attribute group. Value: ${groupId}.`);

  // Quotas count every server of the project, ERROR ones included, as Nova does.
  const q = state.quotas;
  const mine = state.servers.filter((s) => s.projectId === projectId);
  const usedCores = mine.reduce(
    (n, s) => n + (state.flavors.find((f) => f.id === s.flavorId)?.vcpus ?? 0),
    0,
  );
  const usedRam = mine.reduce((n, s) => n + (state.flavors.find((f) => f.id === s.flavorId)?.ram ?? 0), 0);
  const over = (what: string, used: number, want: number, limit: number): ApiError =>
    ApiError.forbidden(
      `Quota exceeded for ${what}: Requested ${want}, but already used ${used} of ${limit} ${what}`,
    );
  if (mine.length + 1 > q.instances) throw over("instances", mine.length, 1, q.instances);
  if (usedCores + flavor.vcpus > q.cores) throw over("cores", usedCores, flavor.vcpus, q.cores);
  if (usedRam + flavor.ram > q.ramMb) throw over("ram", usedRam, flavor.ram, q.ramMb);

  const availabilityZone = optString(b, "availability_zone") || "nova";
  const bootFault = ctx.faults.takeBootFault(name);
  const host = bootFault ? undefined : chooseHost(state, flavor, group, availabilityZone);
  // Nova allocates networking on the chosen host only; a server with no host gets no ports bound.
  const portIds = host ? allocateNetworks(ctx, b, groupIds) : [];
  const now = new Date().toISOString();
  const server: ServerRecord = {
    id: randomUUID(),
    name,
    projectId,
    status: "BUILD",
    flavorId: flavor.id,
    imageId: imageRef,
    keyName,
    metadata: optStringMap(b, "metadata") ?? {},
    tags: optStringArray(b, "tags") ?? [],
    availabilityZone: availabilityZone.split(":")[0],
    host: host ?? null,
    serverGroupId: group?.id ?? null,
    portIds,
    userDataBytes: userData ? Buffer.from(userData, "base64").length : 0,
    createdAt: now,
    updatedAt: now,
    launchedAt: null,
    powerState: 0,
    oldFlavorId: null,
  };
  state.servers.push(server);
  if (group) group.members.push(server.id);
  plugPorts(ctx, server);
  emitServerEvent(ctx, server, "create");
  const delay = ctx.faults.timing.bootDelayMs;
  if (host) serverTransition(ctx, server, "ACTIVE", delay, "active");
  else serverTransition(ctx, server, "ERROR", delay, "error", bootFault ?? NO_VALID_HOST);
  const adminPass = optString(b, "adminPass") ?? randomBytes(9).toString("base64url");
  return ok(
    {
      server: {
        id: server.id,
        links: [{ rel: "self", href: `${req.baseUrl}/compute/v2.1/servers/${server.id}` }],
        "OS-DCF:diskConfig": "MANUAL",
        security_groups: groupNames.map((n) => ({ name: n })),
        adminPass,
      },
    },
    202,
  );
}

function serverAction(ctx: SimContext, req: Req, server: ServerRecord): ReturnType<typeof ok> {
  const state = ctx.store.state;
  const body = record(req.body, "body");
  const action = Object.keys(body)[0];
  const t = ctx.faults.timing;
  const busy = server.transition !== undefined && server.status !== "BUILD";
  switch (action) {
    case "os-stop":
      if (server.status !== "ACTIVE" || busy) throw conflict(server, "stop");
      serverTransition(ctx, server, "SHUTOFF", t.powerDelayMs, "stop");
      return noContent(202);
    case "os-start":
      if (server.status !== "SHUTOFF" || busy) throw conflict(server, "start");
      serverTransition(ctx, server, "ACTIVE", t.powerDelayMs, "start");
      return noContent(202);
    case "reboot":
      if ((server.status !== "ACTIVE" && server.status !== "SHUTOFF") || busy)
        throw conflict(server, "reboot");
      server.status = "REBOOT";
      emitServerEvent(ctx, server, "restarting");
      serverTransition(ctx, server, "ACTIVE", t.powerDelayMs, "reboot");
      return noContent(202);
    case "forceDelete":
      deleteServer(ctx, server);
      return noContent(202);
    case "addSecurityGroup":
    case "removeSecurityGroup": {
      const name = reqString(record(body[action], action), "name");
      const g = state.securityGroups.find((x) => x.name === name || x.id === name);
      if (!g) throw ApiError.notFound(`Security group ${name} not found for project ${state.project.id}.`);
      for (const p of state.ports.filter((x) => server.portIds.includes(x.id))) {
        const has = p.securityGroups.includes(g.id);
        if (action === "addSecurityGroup" && !has) p.securityGroups.push(g.id);
        if (action === "removeSecurityGroup") {
          if (!has)
            throw ApiError.badRequest(`Security group ${name} not associated with the instance ${server.id}`);
          p.securityGroups = p.securityGroups.filter((x) => x !== g.id);
        }
      }
      return noContent(202);
    }
    case "changePassword":
      return noContent(202);
    case "resize": {
      // As Nova does it: the scheduler picks another host, the guest is shut down, moved and
      // started there on the new flavor (RESIZE), then waits in VERIFY_RESIZE for a confirm or revert.
      if ((server.status !== "ACTIVE" && server.status !== "SHUTOFF") || busy)
        throw conflict(server, "resize");
      const ref = reqString(record(body.resize, "resize"), "flavorRef");
      const flavor = state.flavors.find((f) => f.id === ref);
      if (!flavor) throw ApiError.badRequest(`Flavor ${ref} could not be found.`);
      if (flavor.id === server.flavorId)
        throw ApiError.badRequest("When resizing, instances must change flavor!");
      const group = state.serverGroups.find((g) => g.id === server.serverGroupId);
      const to =
        server.host && chooseHost(state, flavor, group, undefined, { id: server.id, host: server.host });
      if (!server.host || !to) throw ApiError.badRequest(NO_VALID_HOST);
      const running = server.status === "ACTIVE";
      if (running) emitServerEvent(ctx, server, "restarting");
      server.oldFlavorId = server.flavorId;
      server.resizeSourceHost = server.host;
      server.flavorId = flavor.id;
      server.host = to;
      plugPorts(ctx, server);
      server.status = "RESIZE";
      serverTransition(ctx, server, "VERIFY_RESIZE", t.powerDelayMs, running ? "resized" : undefined);
      return noContent(202);
    }
    case "confirmResize":
      if (server.status !== "VERIFY_RESIZE" || busy || !server.oldFlavorId) throw conflict(server, action);
      server.oldFlavorId = null;
      server.resizeSourceHost = null;
      server.status = server.powerState === 4 ? "SHUTOFF" : "ACTIVE";
      server.updatedAt = new Date().toISOString();
      return noContent(204);
    case "revertResize": {
      // Back to the old flavor on the old host: the guest restarts once more.
      if (server.status !== "VERIFY_RESIZE" || busy || !server.oldFlavorId) throw conflict(server, action);
      const running = server.powerState !== 4;
      if (running) emitServerEvent(ctx, server, "restarting");
      server.flavorId = server.oldFlavorId;
      server.host = server.resizeSourceHost ?? server.host;
      plugPorts(ctx, server);
      server.oldFlavorId = null;
      server.resizeSourceHost = null;
      server.status = "REVERT_RESIZE";
      serverTransition(
        ctx,
        server,
        running ? "ACTIVE" : "SHUTOFF",
        t.powerDelayMs,
        running ? "resized" : undefined,
      );
      return noContent(202);
    }
  }
  throw ApiError.badRequest(`Action '${action}' is not supported by the OpenStack simulator.`);
}

export function novaRouter(ctx: SimContext): Router {
  const st = (): SimState => ctx.store.state;
  const r = new Router();
  const mv = (req: Req): string | undefined => novaMicroversion(req.headers);
  const version = (req: Req): Record<string, unknown> => ({
    id: "v2.1",
    status: "CURRENT",
    version: "2.90",
    min_version: "2.1",
    updated: "2013-07-23T11:33:21Z",
    links: [{ rel: "self", href: `${req.baseUrl}/compute/v2.1/` }],
  });
  r.on("GET", "/", (req) => ok({ version: version(req) }));

  // flavors
  r.on("GET", "/flavors", (req) =>
    ok({
      flavors: st().flavors.map((f) => ({ id: f.id, name: f.name, links: flavorView(f, req.baseUrl).links })),
    }),
  );
  r.on("GET", "/flavors/detail", (req) =>
    ok({ flavors: st().flavors.map((f) => flavorView(f, req.baseUrl)) }),
  );
  const flavor = (id: string): SimState["flavors"][number] => {
    const f = st().flavors.find((x) => x.id === id);
    if (!f) throw ApiError.notFound(`Flavor ${id} could not be found.`);
    return f;
  };
  r.on("GET", "/flavors/:id", (req, p) => ok({ flavor: flavorView(flavor(p.id), req.baseUrl) }));
  r.on("GET", "/flavors/:id/os-extra_specs", (_q, p) => ok({ extra_specs: { ...flavor(p.id).extraSpecs } }));

  // hypervisors (for the lab's own view; admin-only in real Nova)
  r.on("GET", "/os-hypervisors/detail", () =>
    ok({
      hypervisors: st().hypervisors.map((h, i) => ({
        id: i + 1,
        hypervisor_hostname: h.name,
        state: "up",
        status: "enabled",
        vcpus: h.vcpus,
        memory_mb: h.ramMb,
        running_vms: st().servers.filter((s) => s.host === h.name).length,
      })),
    }),
  );

  // key pairs
  const keypairView = (k: SimState["keypairs"][number], full: boolean): Record<string, unknown> => ({
    name: k.name,
    public_key: k.publicKey,
    fingerprint: k.fingerprint,
    type: k.type,
    ...(full
      ? {
          user_id: st().user.id,
          id: k.id,
          created_at: rfc3339(k.createdAt),
          deleted: false,
          deleted_at: null,
          updated_at: null,
        }
      : {}),
  });
  r.on("GET", "/os-keypairs", () =>
    ok({ keypairs: st().keypairs.map((k) => ({ keypair: keypairView(k, false) })) }),
  );
  r.on("POST", "/os-keypairs", (req) => {
    const b = record(record(req.body, "body").keypair, "keypair");
    const name = reqString(b, "name");
    if (!/^[A-Za-z0-9 _.@-]{1,255}$/.test(name)) {
      throw ApiError.badRequest("Keypair data is invalid: Keypair name contains unsafe characters");
    }
    if (st().keypairs.some((k) => k.name === name))
      throw ApiError.conflict(`Key pair '${name}' already exists.`);
    let publicKey = optString(b, "public_key");
    let privateKey: string | undefined;
    if (publicKey === undefined) ({ publicKey, privateKey } = generateRsaKeypair(`Generated-by-Nova`));
    const k = {
      name,
      publicKey,
      fingerprint: fingerprint(publicKey),
      type: optString(b, "type") ?? "ssh",
      createdAt: new Date().toISOString(),
      id: st().nextKeypairId++,
    };
    st().keypairs.push(k);
    return ok({
      keypair: {
        ...keypairView(k, false),
        user_id: st().user.id,
        ...(privateKey ? { private_key: privateKey } : {}),
      },
    });
  });
  const keypair = (name: string): SimState["keypairs"][number] => {
    const k = st().keypairs.find((x) => x.name === name);
    if (!k) throw ApiError.notFound(`Keypair ${name} not found for user ${st().user.id}`);
    return k;
  };
  r.on("GET", "/os-keypairs/:name", (_q, p) => ok({ keypair: keypairView(keypair(p.name), true) }));
  r.on("DELETE", "/os-keypairs/:name", (_q, p) => {
    const k = keypair(p.name);
    st().keypairs = st().keypairs.filter((x) => x !== k);
    return noContent(202);
  });

  // server groups
  const serverGroup = (id: string): ServerGroupRecord => {
    const g = st().serverGroups.find((x) => x.id === id);
    if (!g) throw ApiError.notFound(`Instance group ${id} could not be found.`);
    return g;
  };
  r.on("GET", "/os-server-groups", (req) =>
    ok({ server_groups: st().serverGroups.map((g) => groupView(g, st(), mv(req))) }),
  );
  r.on("GET", "/os-server-groups/:id", (req, p) =>
    ok({ server_group: groupView(serverGroup(p.id), st(), mv(req)) }),
  );
  r.on("POST", "/os-server-groups", (req) => {
    const b = record(record(req.body, "body").server_group, "server_group");
    const version = mv(req);
    const name = reqString(b, "name");
    let policy: string;
    let maxPerHost: number | null = null;
    // Nova takes `policy` (+ `rules`) from 2.64 and `policies` below; the provider tries one, then the other.
    if (atLeast(version, "2.64")) {
      if (b.policies !== undefined)
        throw ApiError.badRequest("Additional properties are not allowed ('policies' was unexpected)");
      policy = reqString(b, "policy");
      const rules = optRecord(b, "rules");
      const max = rules?.max_server_per_host;
      if (max !== undefined) {
        if (policy !== "anti-affinity" || typeof max !== "number" || max < 1) {
          throw ApiError.badRequest("Invalid input for field/attribute rules.");
        }
        maxPerHost = max;
      }
    } else {
      if (b.policy !== undefined)
        throw ApiError.badRequest("Additional properties are not allowed ('policy' was unexpected)");
      const policies = optStringArray(b, "policies") ?? [];
      if (policies.length !== 1) throw ApiError.badRequest("Invalid input for field/attribute policies.");
      policy = policies[0];
      const soft = policy.startsWith("soft-");
      if (soft && !atLeast(version, "2.15"))
        throw ApiError.badRequest(`Invalid input for field/attribute 0. Value: ${policy}.`);
    }
    if (!["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"].includes(policy)) {
      throw ApiError.badRequest(`Invalid input for field/attribute policy. Value: ${policy}.`);
    }
    const g: ServerGroupRecord = {
      id: randomUUID(),
      name,
      policy,
      maxServerPerHost: maxPerHost,
      members: [],
    };
    st().serverGroups.push(g);
    return ok({ server_group: groupView(g, st(), version) });
  });
  r.on("DELETE", "/os-server-groups/:id", (_q, p) => {
    const g = serverGroup(p.id);
    st().serverGroups = st().serverGroups.filter((x) => x !== g);
    return noContent();
  });

  // servers
  r.on("POST", "/servers", (req) => createServer(ctx, req));
  const filtered = (req: Req): ServerRecord[] =>
    st().servers.filter((s) => {
      const name = req.query.get("name");
      const status = req.query.get("status");
      return (
        visibleTo(req.projectId, s) &&
        (!name || new RegExp(name).test(s.name)) &&
        (!status || s.status === status)
      );
    });
  const server = (req: Req, id: string): ServerRecord => findServer(st(), id, req.projectId);
  r.on("GET", "/servers", (req) =>
    ok({
      servers: filtered(req).map((s) => ({
        id: s.id,
        name: s.name,
        links: serverView(st(), s, req.baseUrl, undefined).links,
      })),
    }),
  );
  r.on("GET", "/servers/detail", (req) =>
    ok({ servers: filtered(req).map((s) => serverView(st(), s, req.baseUrl, mv(req))) }),
  );
  r.on("GET", "/servers/:id", (req, p) =>
    ok({ server: serverView(st(), server(req, p.id), req.baseUrl, mv(req)) }),
  );
  r.on("PUT", "/servers/:id", (req, p) => {
    const s = server(req, p.id);
    const b = record(record(req.body, "body").server, "server");
    s.name = optString(b, "name") ?? s.name;
    s.updatedAt = new Date().toISOString();
    return ok({ server: serverView(st(), s, req.baseUrl, mv(req)) });
  });
  r.on("DELETE", "/servers/:id", (req, p) => {
    deleteServer(ctx, server(req, p.id));
    return noContent();
  });
  r.on("POST", "/servers/:id/action", (req, p) => serverAction(ctx, req, server(req, p.id)));

  // metadata
  r.on("GET", "/servers/:id/metadata", (req, p) => ok({ metadata: { ...server(req, p.id).metadata } }));
  r.on("POST", "/servers/:id/metadata", (req, p) => {
    const s = server(req, p.id);
    Object.assign(s.metadata, optStringMap(record(req.body, "body"), "metadata") ?? {});
    return ok({ metadata: { ...s.metadata } });
  });
  r.on("PUT", "/servers/:id/metadata", (req, p) => {
    const s = server(req, p.id);
    s.metadata = optStringMap(record(req.body, "body"), "metadata") ?? {};
    return ok({ metadata: { ...s.metadata } });
  });
  r.on("GET", "/servers/:id/metadata/:key", (req, p) => {
    const s = server(req, p.id);
    if (!(p.key in s.metadata)) throw ApiError.notFound("Metadata item was not found");
    return ok({ meta: { [p.key]: s.metadata[p.key] } });
  });
  r.on("PUT", "/servers/:id/metadata/:key", (req, p) => {
    const s = server(req, p.id);
    const meta = optStringMap(record(req.body, "body"), "meta") ?? {};
    if (!(p.key in meta)) throw ApiError.badRequest("Request body and URI mismatch");
    s.metadata[p.key] = meta[p.key];
    return ok({ meta: { [p.key]: meta[p.key] } });
  });
  r.on("DELETE", "/servers/:id/metadata/:key", (req, p) => {
    const s = server(req, p.id);
    if (!(p.key in s.metadata)) throw ApiError.notFound("Metadata item was not found");
    delete s.metadata[p.key];
    return noContent();
  });

  // tags (2.26+)
  const needTags = (req: Req): void => {
    if (!atLeast(mv(req), "2.26")) throw ApiError.notFound("The resource could not be found.");
  };
  r.on("GET", "/servers/:id/tags", (req, p) => {
    needTags(req);
    return ok({ tags: [...server(req, p.id).tags] });
  });
  r.on("PUT", "/servers/:id/tags", (req, p) => {
    needTags(req);
    const s = server(req, p.id);
    s.tags = [...new Set(optStringArray(record(req.body, "body"), "tags") ?? [])];
    return ok({ tags: [...s.tags] });
  });
  r.on("DELETE", "/servers/:id/tags", (req, p) => {
    needTags(req);
    server(req, p.id).tags = [];
    return noContent();
  });

  attachmentRoutes(ctx, r);
  return r;
}

/** Fault injection entry point used by the simulator handle and the admin API. */
export function crash(ctx: SimContext, serverId: string): void {
  const s = findServer(ctx.store.state, serverId, undefined);
  if (s.status !== "ACTIVE") throw conflict(s, "crash");
  crashServer(ctx, s);
}
