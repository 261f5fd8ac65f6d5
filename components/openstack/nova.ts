/**
 * Just enough Keystone v3 and Nova for the stages: read a server's status, list the project's
 * servers, stop a server. Credentials are the stack's own OpenStack provider settings (auth.ts);
 * nothing but statuses is ever logged.
 */
import axios, { AxiosInstance } from "axios";
import * as fs from "fs";
import * as https from "https";
import { OpenStackAuth } from "./auth";

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  powerState?: number;
  metadata: Record<string, string>;
}

/** What Nova says about a node's VM, for evacuation and power decisions. */
export type PowerEvidence =
  | { source: "nova"; status: string; powerState?: number }
  /** 404 for the VM while the same token sees the cluster's other VMs: the VM really is gone. */
  | { source: "nova"; status: "GONE"; visibleSiblings: string[] }
  | { source: "unavailable"; reason: string };

function caOf(auth: OpenStackAuth): string | undefined {
  if (!auth.cacert) return undefined;
  return auth.cacert.includes("-----BEGIN") ? auth.cacert : fs.readFileSync(auth.cacert, "utf8");
}

function scope(auth: OpenStackAuth): Record<string, unknown> | undefined {
  const domain = (name?: string, id?: string) =>
    id ? { id } : { name: name ?? auth.defaultDomain ?? "Default" };
  if (auth.applicationCredentialSecret) return undefined; // an application credential carries its scope
  if (auth.projectId) return { project: { id: auth.projectId } };
  if (auth.projectName)
    return {
      project: {
        name: auth.projectName,
        domain: domain(auth.projectDomainName ?? auth.domainName, auth.projectDomainId ?? auth.domainId),
      },
    };
  if (auth.domainId || auth.domainName) return { domain: domain(auth.domainName, auth.domainId) };
  return undefined;
}

function identity(auth: OpenStackAuth): Record<string, unknown> {
  if (auth.applicationCredentialSecret) {
    const cred = auth.applicationCredentialId
      ? { id: auth.applicationCredentialId }
      : {
          name: auth.applicationCredentialName,
          user: auth.userId
            ? { id: auth.userId }
            : {
                name: auth.userName,
                domain: { name: auth.userDomainName ?? auth.defaultDomain ?? "Default" },
              },
        };
    return {
      methods: ["application_credential"],
      application_credential: { ...cred, secret: auth.applicationCredentialSecret },
    };
  }
  if (auth.token) return { methods: ["token"], token: { id: auth.token } };
  const user = auth.userId
    ? { id: auth.userId }
    : {
        name: auth.userName,
        domain: auth.userDomainId
          ? { id: auth.userDomainId }
          : { name: auth.userDomainName ?? auth.defaultDomain ?? "Default" },
      };
  return { methods: ["password"], password: { user: { ...user, password: auth.password } } };
}

export class Nova {
  private constructor(
    private readonly http: AxiosInstance,
    readonly computeUrl: string,
  ) {}

  /** Takes a token from Keystone and finds the compute endpoint of the configured region. */
  static async connect(auth: OpenStackAuth, timeoutMs = 30_000): Promise<Nova> {
    const httpsAgent = new https.Agent({ ca: caOf(auth), rejectUnauthorized: auth.insecure !== true });
    // Nova is reached directly; an ambient HTTP(S)_PROXY must not see the credentials.
    const base = { timeout: timeoutMs, httpsAgent, proxy: false as const, validateStatus: () => true };
    const url = `${auth.authUrl.replace(/\/+$/, "").replace(/\/v3$/, "")}/v3/auth/tokens`;
    const scoped = scope(auth);
    const res = await axios.post(
      url,
      { auth: { identity: identity(auth), ...(scoped ? { scope: scoped } : {}) } },
      base,
    );
    if (res.status !== 201)
      throw new Error(
        `Keystone answered ${res.status} at ${url}${res.status === 401 ? " (credentials refused)" : ""}`,
      );
    const token = String(res.headers["x-subject-token"] ?? "");
    const catalog = (res.data as { token?: { catalog?: CatalogEntry[] } }).token?.catalog ?? [];
    const iface = (auth.endpointType ?? "public").replace(/URL$/, "");
    const endpoints = catalog.find((c) => c.type === "compute")?.endpoints ?? [];
    const endpoint = endpoints.find(
      (e) =>
        e.interface === iface && (!auth.region || e.region === auth.region || e.region_id === auth.region),
    );
    if (!endpoint)
      throw new Error(
        `the Keystone catalog has no ${iface} compute endpoint${auth.region ? ` in region ${auth.region}` : ""} ` +
          `(regions offered: ${[...new Set(endpoints.map((e) => e.region ?? e.region_id))].join(", ") || "none"})`,
      );
    const computeUrl = endpoint.url.replace(/\/+$/, "");
    return new Nova(
      axios.create({ ...base, baseURL: computeUrl, headers: { "x-auth-token": token } }),
      computeUrl,
    );
  }

  /** The server, or undefined on Nova's 404 (which alone does not prove it is gone: see powerEvidence). */
  async server(id: string): Promise<NovaServer | undefined> {
    const res = await this.http.get(`/servers/${encodeURIComponent(id)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`Nova answered ${res.status} for server ${id}`);
    return view((res.data as { server: RawServer }).server);
  }

  /** Ids of the volumes attached to the server. */
  async attachedVolumeIds(serverId: string): Promise<string[]> {
    const res = await this.http.get(`/servers/${encodeURIComponent(serverId)}/os-volume_attachments`);
    if (res.status !== 200)
      throw new Error(`Nova answered ${res.status} listing the volumes of server ${serverId}`);
    return ((res.data as { volumeAttachments?: Array<{ volumeId: string }> }).volumeAttachments ?? []).map(
      (a) => a.volumeId,
    );
  }

  async listServers(): Promise<NovaServer[]> {
    const res = await this.http.get("/servers/detail");
    if (res.status !== 200) throw new Error(`Nova answered ${res.status} listing servers`);
    return ((res.data as { servers: RawServer[] }).servers ?? []).map(view);
  }

  /** os-stop; Nova's 409 for a server already stopped is not an error here. */
  stop(id: string): Promise<void> {
    return this.powerAction(id, "os-stop", "SHUTOFF");
  }

  /** os-start; Nova's 409 for a server already running is not an error here. */
  start(id: string): Promise<void> {
    return this.powerAction(id, "os-start", "ACTIVE");
  }

  private async powerAction(id: string, action: "os-stop" | "os-start", reached: string): Promise<void> {
    const res = await this.http.post(`/servers/${encodeURIComponent(id)}/action`, { [action]: null });
    if (res.status === 202) return;
    const current = await this.server(id);
    if (res.status === 409 && current?.status === reached) return;
    throw new Error(
      `Nova refused to ${action.slice(3)} server ${id} (${res.status}${current ? `, status ${current.status}` : ", not found"}): ${errorText(res.data)}`,
    );
  }
}

interface CatalogEntry {
  type: string;
  endpoints: Array<{ interface: string; url: string; region?: string; region_id?: string }>;
}

interface RawServer {
  id: string;
  name: string;
  status: string;
  "OS-EXT-STS:power_state"?: number;
  metadata?: Record<string, string>;
}

const view = (s: RawServer): NovaServer => ({
  id: s.id,
  name: s.name,
  status: s.status,
  powerState: s["OS-EXT-STS:power_state"],
  metadata: s.metadata ?? {},
});

function errorText(body: unknown): string {
  const inner =
    body && typeof body === "object" ? Object.values(body as Record<string, unknown>)[0] : undefined;
  const message = inner && typeof inner === "object" ? (inner as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : JSON.stringify(body ?? "").slice(0, 300);
}

export interface Siblings {
  /** `ecs-cluster` metadata of the cluster's VMs. */
  clusterName: string;
  /** Names of the other nodes' VMs. */
  names: string[];
}

/**
 * Nova's word on a VM. A 404 means "gone" only when the same token still sees at least one of
 * the cluster's other VMs; otherwise the token looks at another project or region, and nothing
 * can be concluded.
 */
export async function powerEvidence(
  auth: OpenStackAuth | undefined,
  instanceId: string | undefined,
  siblings: Siblings,
): Promise<PowerEvidence> {
  if (!auth) return { source: "unavailable", reason: "no OpenStack credentials were given to this stage" };
  if (!instanceId) return { source: "unavailable", reason: "no instance id" };
  try {
    const nova = await Nova.connect(auth);
    const s = await nova.server(instanceId);
    if (s) return { source: "nova", status: s.status, powerState: s.powerState };
    const visible = (await nova.listServers())
      .filter((x) => x.metadata["ecs-cluster"] === siblings.clusterName && siblings.names.includes(x.name))
      .map((x) => x.name);
    if (visible.length === 0) {
      return {
        source: "unavailable",
        reason:
          `Nova answered 404 for ${instanceId}, and this token sees none of the cluster's other VMs ` +
          `(${siblings.names.join(", ")}): wrong project or region?`,
      };
    }
    return { source: "nova", status: "GONE", visibleSiblings: visible };
  } catch (e) {
    return { source: "unavailable", reason: (e as Error).message };
  }
}

/** True only when Nova confirms the VM cannot run anything: SHUTOFF, or verifiably gone. */
export function vmConfirmedOff(e: PowerEvidence): boolean {
  return e.source === "nova" && (e.status === "SHUTOFF" || e.status === "GONE");
}

export function describeEvidence(e: PowerEvidence): string {
  return e.source === "nova" ? `Nova says ${e.status}` : `Nova could not tell (${e.reason})`;
}

/** A node's VM and data volume, by id. */
export interface NodeMachine {
  hostname: string;
  instanceId: string;
  dataVolumeId: string;
}

/** A node's machine as Nova shows it. */
export interface MachineState {
  hostname: string;
  /** Nova status of the node's VM (GONE: no such server). */
  status: string;
  dataVolumeAttached: boolean;
}

/** Every node's VM status and whether its data volume is attached; the reason as a string when Nova cannot be asked. */
export async function machineStates(
  auth: OpenStackAuth,
  machines: NodeMachine[],
): Promise<MachineState[] | string> {
  try {
    const nova = await Nova.connect(auth);
    return await Promise.all(
      machines.map(async (m) => {
        const server = await nova.server(m.instanceId);
        return {
          hostname: m.hostname,
          status: server?.status ?? "GONE",
          dataVolumeAttached: server
            ? (await nova.attachedVolumeIds(m.instanceId)).includes(m.dataVolumeId)
            : false,
        };
      }),
    );
  } catch (e) {
    return (e as Error).message;
  }
}
