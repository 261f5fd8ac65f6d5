import type {
  ApiBulkCommandList,
  ApiCluster,
  ApiCommand,
  ApiHost,
  ApiHostList,
  ApiHostRef,
  ApiHostRefList,
  ApiHostsToRemoveArgs,
  ApiRole,
  ApiRoleList,
  ApiRoleNameList,
  ApiService,
  ApiServiceList,
} from "./api-types.generated";
import { cmApiError } from "./errors";
import { CmLogger, silentLogger } from "./logger";
import { CmConnectionOptions, CmTransport, RequestSpec } from "./transport";

/** `removeHostsFromCluster` first appeared in v45, the description the client is checked against. */
export const MIN_API_VERSION = 45;

export type View = "SUMMARY" | "FULL";

/**
 * Typed calls to the CM REST API (paths and models from the official v45 description). The API version is
 * discovered once with `GET /api/version`.
 */
export class CmClient {
  private constructor(
    private readonly transport: CmTransport,
    readonly apiVersion: number,
    readonly logger: CmLogger,
  ) {}

  static async connect(options: CmConnectionOptions & { apiVersion?: number }): Promise<CmClient> {
    const logger = options.logger ?? silentLogger;
    const transport = new CmTransport(options, logger);
    let version = options.apiVersion;
    if (version === undefined) {
      const reported = await transport.request<string>({ method: "GET", path: "/api/version", text: true });
      const m = /^v(\d+)$/.exec(reported);
      if (!m) {
        throw cmApiError(
          "GET",
          "/api/version",
          200,
          `unexpected version answer '${reported.slice(0, 40)}'`,
          [],
          "Is baseUrl a Cloudera Manager server?",
          1,
        );
      }
      version = Number(m[1]);
    }
    if (version < MIN_API_VERSION) {
      throw cmApiError(
        "GET",
        "/api/version",
        200,
        `CM offers API v${version}; v${MIN_API_VERSION} or newer (CM 7.5.2+) is required`,
        [],
        "Upgrade Cloudera Manager.",
        1,
      );
    }
    return new CmClient(transport, version, logger);
  }

  private call<T>(spec: Omit<RequestSpec, "path"> & { path: string }): Promise<T> {
    return this.transport.request<T>({ ...spec, path: `/api/v${this.apiVersion}${spec.path}` });
  }

  // ---- hosts ---------------------------------------------------------------------------------------

  listHosts(view: View = "FULL"): Promise<ApiHostList> {
    return this.call({ method: "GET", path: "/hosts", query: { view } });
  }

  readHost(hostId: string): Promise<ApiHost> {
    return this.call({ method: "GET", path: `/hosts/${enc(hostId)}`, query: { view: "FULL" } });
  }

  /** Hosts are keyed by an opaque hostId; lookup by name is list + filter (as ANS and Cloudbreak do). */
  async findHostByName(hostname: string): Promise<ApiHost | undefined> {
    const hosts = await this.listHosts("FULL");
    return (hosts.items ?? []).find((h) => h.hostname === hostname);
  }

  deleteHost(hostId: string): Promise<ApiHost> {
    return this.call({ method: "DELETE", path: `/hosts/${enc(hostId)}` });
  }

  removeHostsFromCluster(args: ApiHostsToRemoveArgs): Promise<ApiCommand> {
    return this.call({ method: "POST", path: "/hosts/removeHostsFromCluster", body: args, idempotent: true });
  }

  // ---- cluster -------------------------------------------------------------------------------------

  readCluster(cluster: string): Promise<ApiCluster> {
    return this.call({ method: "GET", path: `/clusters/${enc(cluster)}` });
  }

  listClusterHosts(cluster: string): Promise<ApiHostList> {
    return this.call({ method: "GET", path: `/clusters/${enc(cluster)}/hosts`, query: { view: "FULL" } });
  }

  /** CM answers 400 while a fresh agent is not ready yet; that 400 is retried (reference §1, ANS). */
  addHostsToCluster(cluster: string, hosts: ApiHostRef[]): Promise<ApiHostRefList> {
    const body: ApiHostRefList = { items: hosts };
    return this.call({
      method: "POST",
      path: `/clusters/${enc(cluster)}/hosts`,
      body,
      idempotent: true,
      retryOn400: true,
    });
  }

  removeHostFromCluster(cluster: string, hostId: string): Promise<ApiHostRef> {
    return this.call({ method: "DELETE", path: `/clusters/${enc(cluster)}/hosts/${enc(hostId)}` });
  }

  refreshCluster(cluster: string): Promise<ApiCommand> {
    return this.call({
      method: "POST",
      path: `/clusters/${enc(cluster)}/commands/refresh`,
      idempotent: true,
    });
  }

  listServices(cluster: string): Promise<ApiServiceList> {
    return this.call({ method: "GET", path: `/clusters/${enc(cluster)}/services`, query: { view: "FULL" } });
  }

  readService(cluster: string, service: string): Promise<ApiService> {
    return this.call({
      method: "GET",
      path: `/clusters/${enc(cluster)}/services/${enc(service)}`,
      query: { view: "FULL" },
    });
  }

  // ---- roles ---------------------------------------------------------------------------------------

  listRoles(
    cluster: string,
    service: string,
    filter: { hostname?: string; hostId?: string; type?: string } = {},
  ): Promise<ApiRoleList> {
    const parts = Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}==${v}`);
    const query: Record<string, string> = { view: "FULL" };
    if (parts.length > 0) query.filter = parts.join(";");
    return this.call({ method: "GET", path: `${servicePath(cluster, service)}/roles`, query });
  }

  readRole(cluster: string, service: string, role: string): Promise<ApiRole> {
    return this.call({
      method: "GET",
      path: `${servicePath(cluster, service)}/roles/${enc(role)}`,
      query: { view: "FULL" },
    });
  }

  /** Not idempotent: a resent create would make a second role, so only never-sent failures are retried. */
  createRoles(cluster: string, service: string, roles: ApiRole[]): Promise<ApiRoleList> {
    const body: ApiRoleList = { items: roles };
    return this.call({
      method: "POST",
      path: `${servicePath(cluster, service)}/roles`,
      body,
      idempotent: false,
    });
  }

  deleteRole(cluster: string, service: string, role: string): Promise<ApiRole> {
    return this.call({ method: "DELETE", path: `${servicePath(cluster, service)}/roles/${enc(role)}` });
  }

  roleCommand(
    cluster: string,
    service: string,
    command: "start" | "stop",
    roles: string[],
  ): Promise<ApiBulkCommandList> {
    const body: ApiRoleNameList = { items: roles };
    return this.call({
      method: "POST",
      path: `${servicePath(cluster, service)}/roleCommands/${command}`,
      body,
      idempotent: true,
    });
  }

  // ---- commands ------------------------------------------------------------------------------------

  readCommand(id: number): Promise<ApiCommand> {
    return this.call({ method: "GET", path: `/commands/${id}` });
  }

  abortCommand(id: number): Promise<ApiCommand> {
    return this.call({ method: "POST", path: `/commands/${id}/abort`, idempotent: true });
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function servicePath(cluster: string, service: string): string {
  return `/clusters/${enc(cluster)}/services/${enc(service)}`;
}
