// Keystone v3 ("/identity"): password auth, token in X-Subject-Token, the service catalog.
// The password is compared in constant time and never logged, stored or echoed.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError, noContent, ok, Router, type Req, type Res } from "./http";
import { optRecord, optString, record, type JsonRecord } from "./json";
import { accountOf, accounts } from "./projects";
import { isoAfter, rfc3339Micro } from "./time";
import type { AccountRecord, SimState, TokenRecord } from "./types";

export function keystoneErrorBody(e: ApiError): unknown {
  const titles: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
  };
  return { error: { code: e.status, message: e.message, title: titles[e.status] ?? "Error" } };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function unauthorized(): ApiError {
  return new ApiError(401, "The request you have made requires authentication.");
}

/** Returns the live token record for an X-Auth-Token value, pruning expired ones. */
export function validToken(state: SimState, token: string | undefined): TokenRecord | undefined {
  if (!token) return undefined;
  const now = Date.now();
  state.tokens = state.tokens.filter((t) => Date.parse(t.expiresAt) > now);
  const h = hashToken(token);
  return state.tokens.find((t) => t.hash === h);
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

function domainMatches(want: string, d: JsonRecord | undefined): boolean {
  if (!d) return true;
  const id = optString(d, "id");
  const name = optString(d, "name");
  return (
    (id === undefined || id === want) &&
    (name === undefined || name.toLowerCase() === want || name === "Default")
  );
}

/** The account of the user a password identity names (by ID, or by name in its domain). */
function accountByUser(state: SimState, user: JsonRecord): AccountRecord | undefined {
  const id = optString(user, "id");
  const name = optString(user, "name");
  return accounts(state).find(
    (a) =>
      (id !== undefined ? id === a.user.id : name === a.user.name) &&
      domainMatches(a.user.domainId, optRecord(user, "domain")),
  );
}

/** A user has a role in its own project only; any other scope is refused like a wrong password. */
function scopeOk(account: AccountRecord, scope: JsonRecord): boolean {
  const project = record(scope.project, "scope.project");
  const pid = optString(project, "id");
  const pname = optString(project, "name");
  return (
    (pid !== undefined ? pid === account.project.id : pname === account.project.name) &&
    domainMatches(account.project.domainId, optRecord(project, "domain"))
  );
}

export function catalog(state: SimState, baseUrl: string, projectId: string): Record<string, unknown>[] {
  const entry = (type: string, name: string, path: string): Record<string, unknown> => ({
    id: createHash("md5").update(type).digest("hex"),
    type,
    name,
    endpoints: ["public", "internal", "admin"].map((iface) => ({
      id: createHash("md5")
        .update(type + iface)
        .digest("hex"),
      interface: iface,
      region: state.region,
      region_id: state.region,
      url: `${baseUrl}${path}`,
    })),
  });
  return [
    entry("identity", "keystone", "/identity/v3"),
    entry("compute", "nova", "/compute/v2.1"),
    // gophercloud appends "v2.0/" to the network URL and "v2/" to the image URL itself.
    entry("network", "neutron", "/network"),
    entry("image", "glance", "/image"),
    entry("volumev3", "cinderv3", `/volume/v3/${projectId}`),
    entry("block-storage", "cinder", `/volume/v3/${projectId}`),
  ];
}

const MEMBER = { id: "1c7a5d2cce9b5d3f0f6a8e2b3c4d5e6f", name: "member" };
const ADMIN = { id: "0b6f4c1bbd8a4c2e9e5f7d1a2b3c4d5e", name: "admin" };

function tokenBody(state: SimState, t: TokenRecord, baseUrl: string): Record<string, unknown> {
  const account = accounts(state).find((a) => a.user.id === t.userId) ?? accountOf(state, t.projectId);
  const { project, user } = account;
  const domain = {
    id: project.domainId,
    name: project.domainId === "default" ? "Default" : project.domainId,
  };
  return {
    token: {
      methods: ["password"],
      expires_at: rfc3339Micro(t.expiresAt),
      issued_at: rfc3339Micro(t.issuedAt),
      audit_ids: [createHash("md5").update(t.hash).digest("base64url").slice(0, 22)],
      user: { id: user.id, name: user.name, domain, password_expires_at: null },
      ...(t.projectId
        ? {
            project: { id: project.id, name: project.name, domain },
            is_domain: false,
            roles: user.id === state.user.id ? [ADMIN, MEMBER] : [MEMBER],
            catalog: catalog(state, baseUrl, project.id),
          }
        : {}),
    },
  };
}

export function keystoneRouter(ctx: SimContext, password: () => string): Router {
  const st = (): SimState => ctx.store.state;
  const r = new Router();
  const v3 = (req: Req): Record<string, unknown> => ({
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${req.baseUrl}/identity/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  });
  r.on("GET", "/", (req) => ok({ versions: { values: [v3(req)] } }, 300));
  r.on("GET", "/v3", (req) => ok({ version: v3(req) }));

  r.on("POST", "/v3/auth/tokens", (req): Res => {
    const auth = record(record(req.body, "body").auth, "auth");
    const identity = record(auth.identity, "identity");
    const methods = identity.methods;
    if (!Array.isArray(methods) || methods.length === 0)
      throw ApiError.badRequest("Expecting to find methods in identity");
    let account: AccountRecord | undefined;
    if (methods.includes("password")) {
      const user = record(record(identity.password, "password").user, "user");
      const secret = optString(user, "password") ?? "";
      account = accountByUser(st(), user);
      if (!account || !sameSecret(secret, password())) throw unauthorized();
    } else if (methods.includes("token")) {
      const presented = validToken(st(), optString(record(identity.token, "token"), "id"));
      if (!presented) throw unauthorized();
      account = accounts(st()).find((a) => a.user.id === presented.userId);
    }
    if (!account) throw unauthorized();
    const scope = optRecord(auth, "scope");
    if (scope && !scopeOk(account, scope)) throw unauthorized();
    const token = `gAAAAA${randomBytes(48).toString("base64url")}`;
    const issuedAt = new Date().toISOString();
    const record_: TokenRecord = {
      hash: hashToken(token),
      issuedAt,
      expiresAt: isoAfter(ctx.faults.timing.tokenTtlSeconds * 1000),
      scoped: scope !== undefined,
      userId: account.user.id,
      projectId: scope ? account.project.id : null,
    };
    st().tokens.push(record_);
    return ok(tokenBody(st(), record_, req.baseUrl), 201, { "X-Subject-Token": token });
  });
  r.on("GET", "/v3/auth/tokens", (req) => {
    const subject = req.headers["x-subject-token"];
    const t = validToken(st(), typeof subject === "string" ? subject : undefined);
    if (!t) throw ApiError.notFound("Could not find token.");
    return ok(tokenBody(st(), t, req.baseUrl), 200, { "X-Subject-Token": String(subject) });
  });
  r.on("DELETE", "/v3/auth/tokens", (req) => {
    const subject = req.headers["x-subject-token"];
    const t = validToken(st(), typeof subject === "string" ? subject : undefined);
    if (!t) throw ApiError.notFound("Could not find token.");
    st().tokens = st().tokens.filter((x) => x !== t);
    return noContent();
  });
  r.on("GET", "/v3/auth/catalog", (req) => {
    const presented = req.headers["x-auth-token"];
    const t = validToken(st(), typeof presented === "string" ? presented : undefined);
    return ok({ catalog: catalog(st(), req.baseUrl, t?.projectId ?? st().project.id) });
  });
  return r;
}
