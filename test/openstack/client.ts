// A small OpenStack client for the tests that sends what gophercloud v1.8 / the provider send:
// the same token request body, X-Auth-Token, and the microversion headers.
import {
  startOpenStackSimulator,
  type OpenStackSimulator,
  type SimulatorOptions,
} from "../../lab/openstack/server";

export const PASSWORD = "test-only-password-9f2c";

/** Who the client authenticates as: the lab's account by default, or the second project's. */
export interface Account {
  user: string;
  project: string;
}
export const LAB_ACCOUNT: Account = { user: "ecs-admin", project: "ecs" };
export const OTHER_ACCOUNT: Account = { user: "ecs-other-user", project: "ecs-other" };

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  text: string;
}

export class OsClient {
  token = "";
  /** The token's project (from the token body); the Cinder URL holds it. */
  projectId = "";
  constructor(
    readonly sim: OpenStackSimulator,
    readonly account: Account = LAB_ACCOUNT,
  ) {}

  /** POST /v3/auth/tokens the way gophercloud does (password, scoped to a project by name). */
  async authenticate(password = PASSWORD): Promise<Reply> {
    const { user, project } = this.account;
    const reply = await this.raw("POST", `${this.sim.authUrl}/auth/tokens`, {
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: user, domain: { name: "Default" }, password } },
        },
        scope: { project: { name: project, domain: { name: "Default" } } },
      },
    });
    this.token = reply.headers.get("x-subject-token") ?? "";
    const id = at(reply.body, "token", "project", "id");
    this.projectId = typeof id === "string" ? id : "";
    return reply;
  }

  async raw(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const res = await fetch(url, {
      method,
      headers: {
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(this.token ? { "X-Auth-Token": this.token } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    return { status: res.status, body: parsed as Record<string, unknown>, headers: res.headers, text };
  }

  compute(method: string, path: string, body?: unknown, microversion?: string): Promise<Reply> {
    const mv: Record<string, string> = microversion
      ? { "X-OpenStack-Nova-API-Version": microversion, "OpenStack-API-Version": `compute ${microversion}` }
      : {};
    return this.raw(method, `${this.sim.url}/compute/v2.1${path}`, body, mv);
  }

  network(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.raw(method, `${this.sim.url}/network/v2.0${path}`, body);
  }

  volume(method: string, path: string, body?: unknown): Promise<Reply> {
    const project = this.projectId || this.sim.snapshot().project.id;
    return this.raw(method, `${this.sim.url}/volume/v3/${project}${path}`, body);
  }

  image(method: string, path: string): Promise<Reply> {
    return this.raw(method, `${this.sim.url}/image/v2${path}`);
  }
}

export async function startSim(
  options: SimulatorOptions = {},
): Promise<{ sim: OpenStackSimulator; os: OsClient }> {
  const sim = await startOpenStackSimulator({ password: PASSWORD, ...options });
  const os = new OsClient(sim);
  await os.authenticate();
  return { sim, os };
}

/** Field access for untyped JSON in assertions. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export function str(v: unknown, ...path: (string | number)[]): string {
  const x = at(v, ...path);
  if (typeof x !== "string")
    throw new Error(`expected a string at ${path.join(".")}, got ${JSON.stringify(x)}`);
  return x;
}

export function arr(v: unknown, ...path: (string | number)[]): unknown[] {
  const x = at(v, ...path);
  if (!Array.isArray(x)) throw new Error(`expected a list at ${path.join(".")}, got ${JSON.stringify(x)}`);
  return x;
}

/** The gophercloud formats: RFC 3339 with zone, and Cinder's microseconds without zone. */
export const RFC3339_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
export const MICRO_NO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The regex gophercloud v1.8 checks scheduler-hint group IDs against before sending. */
export const GOPHERCLOUD_HINT_UUID = /^[a-z0-9]{8}-[a-z0-9]{4}-[1-5][a-z0-9]{3}-[a-z0-9]{4}-[a-z0-9]{12}$/;
