// startOpenStackSimulator: one loopback HTTP port serving Keystone, Nova, Neutron, Cinder and Glance
// under devstack-style prefixes, plus the "/_sim" control API.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adminRouter, redactedState, streamEvents } from "./admin";
import { cinderRouter } from "./cinder";
import type { SimContext } from "./context";
import { liveDetachPolicy } from "./detach";
import { Faults, type Timing } from "./faults";
import { glanceRouter } from "./glance";
import { SimulatorHooks } from "./hooks";
import { ApiError, type Req, type Res, type Router } from "./http";
import { keystoneErrorBody, keystoneRouter, validToken } from "./keystone";
import { crash, novaErrorBody, novaRouter } from "./nova";
import { neutronErrorBody, neutronRouter } from "./neutron";
import { settle } from "./lifecycle";
import { accounts } from "./projects";
import type { SeedDescription } from "./seed";
import { StateStore, type ResourceSummary } from "./state";
import type { DetachRecord, LiveDetachPolicy, Quotas, SimState } from "./types";

export type { DetachKind, DetachRecord, LiveDetachPolicy } from "./types";

export interface SimulatorOptions extends Partial<Timing> {
  /** Loopback only (127.0.0.0/8); default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** JSON file the state persists to; in memory only when absent. */
  stateFile?: string;
  seed?: SeedDescription;
  /** The user's password; default: $OS_SIM_PASSWORD. Never logged or stored. */
  password?: string;
  /** One line per request (method, path, status, ms); no bodies, no headers. */
  log?: (line: string) => void;
  /** A detach from a server that is not SHUTOFF: "refuse" (409, default) or "allow" (as OpenStack does). */
  liveDetach?: LiveDetachPolicy;
}

/** Fault and realism controls for tests and the lab. */
export interface SimulatorFaults {
  readonly timing: Timing;
  setTiming(t: Partial<Timing>): Timing;
  injectHttpError: Faults["injectHttpError"];
  failNextBoot: Faults["failNextBoot"];
  setQuotas(q: Partial<Quotas>): Quotas;
  /** Powers a server off without an API call (the lab's "node offline unexpectedly"). */
  crashServer(serverId: string): void;
  /** Forgets every token, so the next call gets a 401 and the client re-authenticates. */
  revokeTokens(): void;
  clear(): void;
}

export interface OpenStackSimulator {
  url: string;
  /** Keystone v3 URL for `openstack:authUrl` (ends in /v3, so no version discovery is needed). */
  authUrl: string;
  port: number;
  hooks: SimulatorHooks;
  faults: SimulatorFaults;
  /**
   * `openstack:*` provider settings (without the password), for the lab's project or another one by
   * name ("ecs-other": its own user, the same password, none of the lab's servers).
   */
  providerConfig(projectName?: string): Record<string, string>;
  /** Every volume detach asked for or performed (Nova, Cinder, server delete), oldest first; a copy. */
  detachAudit(): DetachRecord[];
  /** What a detach from a server that is not SHUTOFF meets from now on. */
  setLiveDetach(policy: LiveDetachPolicy): void;
  readonly liveDetach: LiveDetachPolicy;
  /** A deep copy of the state, tokens left out. */
  snapshot(): Omit<SimState, "tokens">;
  summary(): ResourceSummary;
  isEmpty(): boolean;
  stop(): Promise<void>;
}

interface Mount {
  prefix: string;
  router: Router;
  errorBody: (e: ApiError) => unknown;
  /** Paths below the prefix that need no token (version documents, token issue). */
  open: (method: string, path: string) => boolean;
}

const versionDoc = (_m: string, path: string): boolean => path === "" || path === "/";

function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === "localhost";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: Res, head: boolean): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  const hasBody = r.body !== undefined && r.status !== 204;
  const text = hasBody ? JSON.stringify(r.body) : "";
  if (hasBody) headers["Content-Type"] = "application/json";
  headers["Content-Length"] = String(Buffer.byteLength(text));
  headers["X-Openstack-Request-Id"] = `req-${Math.random().toString(16).slice(2, 10)}`;
  res.writeHead(r.status, headers);
  res.end(head ? undefined : text);
}

export async function startOpenStackSimulator(options: SimulatorOptions = {}): Promise<OpenStackSimulator> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) throw new Error(`the simulator binds to loopback only, not ${host}`);
  const password = options.password ?? process.env.OS_SIM_PASSWORD;
  if (!password) throw new Error("a password is required (option `password` or $OS_SIM_PASSWORD)");
  const store = new StateStore(options.stateFile, options.seed ?? {});
  const faults = new Faults(options);
  const hooks = new SimulatorHooks();
  const ctx: SimContext = {
    store,
    faults,
    hooks,
    policy: { liveDetach: liveDetachPolicy(options.liveDetach) },
  };
  const log = options.log ?? ((): void => undefined);

  const mounts: Mount[] = [
    {
      prefix: "/identity",
      router: keystoneRouter(ctx, () => password),
      errorBody: keystoneErrorBody,
      open: () => true,
    },
    { prefix: "/compute/v2.1", router: novaRouter(ctx), errorBody: novaErrorBody, open: versionDoc },
    { prefix: "/network", router: neutronRouter(ctx), errorBody: neutronErrorBody, open: versionDoc },
    { prefix: "/volume", router: cinderRouter(ctx), errorBody: novaErrorBody, open: versionDoc },
    { prefix: "/image", router: glanceRouter(ctx), errorBody: novaErrorBody, open: versionDoc },
    { prefix: "/_sim", router: adminRouter(ctx), errorBody: novaErrorBody, open: () => true },
  ];

  let timer: NodeJS.Timeout | undefined;
  const settleAndArm = (): void => {
    const next = settle(ctx);
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (next !== undefined) {
      timer = setTimeout(
        () => {
          settleAndArm();
          store.save();
        },
        Math.max(0, next - Date.now()),
      );
      timer.unref();
    }
  };
  settleAndArm();

  let baseUrl = "";
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", baseUrl);
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/_sim/events") return streamEvents(ctx, res);
    const mount = mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
    const errorBody = mount?.errorBody ?? novaErrorBody;
    let result: Res;
    try {
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch {
        throw ApiError.badRequest("Malformed request body");
      }
      if (!mount) throw ApiError.notFound("The resource could not be found.");
      const sub = path.slice(mount.prefix.length);
      // The token's project decides which servers and volumes the request sees.
      let projectId: string | undefined;
      if (mount.prefix !== "/_sim") {
        if (faults.timing.apiLatencyMs > 0)
          await new Promise((r) => setTimeout(r, faults.timing.apiLatencyMs));
        const injected = faults.takeHttpFault(method, path);
        if (injected)
          throw new ApiError(injected.status, injected.message ?? `Injected fault (${injected.status})`);
        if (!mount.open(method, sub)) {
          const token = req.headers["x-auth-token"];
          const t = validToken(store.state, typeof token === "string" ? token : undefined);
          if (!t?.projectId) throw new ApiError(401, "The request you have made requires authentication.");
          projectId = t.projectId;
        }
      }
      settleAndArm();
      const request: Req = {
        method,
        path: sub,
        query: url.searchParams,
        headers: req.headers,
        body,
        baseUrl,
        projectId,
      };
      const routed = mount.router.dispatch(request);
      if (!routed) throw ApiError.notFound("The resource could not be found.");
      result = routed;
      if (method !== "GET" && method !== "HEAD") settleAndArm();
    } catch (e) {
      if (e instanceof ApiError) {
        result = { status: e.status, body: e.status === 401 ? keystoneErrorBody(e) : errorBody(e) };
      } else {
        log(`internal error on ${method} ${path}: ${e instanceof Error ? e.message : String(e)}`);
        result = { status: 500, body: errorBody(new ApiError(500, "Unexpected simulator error")) };
      }
    }
    store.save();
    send(res, result, method === "HEAD");
    log(`${method} ${path} ${result.status} ${Date.now() - started}ms`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`unhandled: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  const simFaults: SimulatorFaults = {
    timing: faults.timing,
    setTiming: (t) => faults.setTiming(t),
    injectHttpError: (r) => faults.injectHttpError(r),
    failNextBoot: (r) => faults.failNextBoot(r),
    setQuotas: (q) => {
      Object.assign(store.state.quotas, q);
      store.save();
      return { ...store.state.quotas };
    },
    crashServer: (id) => {
      crash(ctx, id);
      store.save();
    },
    revokeTokens: () => {
      store.state.tokens = [];
      store.save();
    },
    clear: () => faults.clear(),
  };

  return {
    url: baseUrl,
    authUrl: `${baseUrl}/identity/v3`,
    port,
    hooks,
    faults: simFaults,
    providerConfig: (projectName = store.state.project.name) => {
      const account = accounts(store.state).find((a) => a.project.name === projectName);
      if (!account) throw new Error(`the simulator has no project ${projectName}`);
      return {
        "openstack:authUrl": `${baseUrl}/identity/v3`,
        "openstack:userName": account.user.name,
        "openstack:tenantName": account.project.name,
        "openstack:userDomainName": "Default",
        "openstack:projectDomainName": "Default",
        "openstack:region": store.state.region,
      };
    },
    detachAudit: () => store.state.detachAudit.map((r) => ({ ...r })),
    setLiveDetach: (policy) => {
      ctx.policy.liveDetach = liveDetachPolicy(policy);
    },
    get liveDetach() {
      return ctx.policy.liveDetach;
    },
    snapshot: () => redactedState(store.state),
    summary: () => store.summary(),
    isEmpty: () => store.isEmpty(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (timer) clearTimeout(timer);
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
