import type {
  ApiConfigStalenessStatus,
  ApiHealthSummary,
  ApiHost,
  ApiRole,
  ApiService,
} from "./api-types.generated";
import { CmClient } from "./client";
import { WaitOptions, waitForBulk, waitForCommand } from "./commands";
import { cmApiError, cmTimeoutError, isCmApiError } from "./errors";
import { pollDelay, sleep } from "./transport";

/** The ECS service types and role types as CM names them (reference §4). */
export type EcsRoleType = "ECS_SERVER" | "ECS_AGENT" | "DOCKER_SERVER";
export const SERVICE_TYPE_OF: Record<EcsRoleType, "ECS" | "DOCKER"> = {
  ECS_SERVER: "ECS",
  ECS_AGENT: "ECS",
  DOCKER_SERVER: "DOCKER",
};

export interface HealthReport {
  services: {
    name: string;
    type: string;
    health?: ApiHealthSummary;
    staleness?: ApiConfigStalenessStatus;
    state?: string;
  }[];
  hosts: { hostname: string; health?: ApiHealthSummary; lastHeartbeat?: string; roles: string[] }[];
  /** All services GOOD and FRESH, all hosts GOOD. */
  healthy: boolean;
}

export interface OperationTimings {
  wait: Partial<WaitOptions>;
  /** A heartbeat older than this does not count as "the agent is up" (default 60 s). */
  heartbeatMaxAgeMs: number;
  /** Service names from config (ecs:cloudera.ecsService / dockerService), when set. */
  services?: Partial<Record<"ECS" | "DOCKER", string>>;
}

/**
 * Idempotent steps of the runbook's CM half: each one reads CM first and does only what is missing, so a
 * re-run after a failure continues where it stopped.
 */
export class CmOperations {
  constructor(
    readonly client: CmClient,
    readonly cluster: string,
    private readonly timings: OperationTimings = { wait: {}, heartbeatMaxAgeMs: 60_000 },
  ) {}

  private get log() {
    return this.client.logger;
  }

  private wait(what: string): Partial<WaitOptions> {
    return { ...this.timings.wait, what };
  }

  /**
   * The cluster's ECS or Docker service: the one named in config (checked to be of that type), or
   * else the only service of that type.
   */
  async serviceOfType(type: "ECS" | "DOCKER"): Promise<ApiService> {
    const items = (await this.client.listServices(this.cluster)).items ?? [];
    const named = this.timings.services?.[type];
    const fail = (message: string, hint: string): never => {
      throw cmApiError("GET", `/clusters/${this.cluster}/services`, 200, message, [], hint, 1);
    };
    const key = type === "ECS" ? "ecs:cloudera.ecsService" : "ecs:cloudera.dockerService";
    if (named) {
      const service = items.find((s) => s.name === named);
      if (!service)
        fail(
          `no service named ${named} in cluster '${this.cluster}' (services: ${items.map((s) => `${s.name} (${s.type})`).join(", ")})`,
          `Fix ${key}.`,
        );
      if (service!.type !== type)
        fail(`service ${named} is of type ${service!.type}, not ${type}`, `Fix ${key}.`);
      return service!;
    }
    const ofType = items.filter((s) => s.type === type);
    if (ofType.length === 0)
      fail(
        `no service of type ${type} in cluster '${this.cluster}'`,
        "Check the cluster name: it must be the ECS (experience) cluster.",
      );
    if (ofType.length > 1)
      fail(
        `cluster '${this.cluster}' has ${ofType.length} services of type ${type} (${ofType.map((s) => s.name).join(", ")})`,
        `Name the right one in ${key}.`,
      );
    return ofType[0];
  }

  /**
   * Every CM host record of this hostname. More than one is a conflict CM does not resolve for us
   * (a stale record of an old VM, another machine claiming the name): it is reported, never guessed.
   */
  async hostsNamed(hostname: string): Promise<ApiHost[]> {
    const hosts = (await this.client.listHosts("FULL")).items ?? [];
    const named = hosts.filter((h) => h.hostname === hostname);
    if (named.length > 1) {
      throw cmApiError(
        "GET",
        "/hosts",
        200,
        `CM has ${named.length} host records for ${hostname}: ` +
          named
            .map(
              (h) =>
                `${h.hostId} (IP ${h.ipAddress ?? "?"}, cluster ${h.clusterRef?.clusterName ?? "none"}, last heartbeat ${h.lastHeartbeat ?? "never"})`,
            )
            .join("; "),
        [],
        "Nothing was changed. Delete the stale record in CM (Hosts > All Hosts, or DELETE /hosts/<id>) after checking which " +
          "machine it belongs to, then re-run.",
        1,
      );
    }
    return named;
  }

  /**
   * Waits until CM knows the host and its agent heartbeats recently (a freshly installed agent
   * registers itself). With `ipAddress`, the host is accepted only when CM saw it at that address.
   */
  async waitForHeartbeat(hostname: string, ipAddress?: string): Promise<ApiHost> {
    const o = { timeoutMs: 15 * 60_000, pollMs: 2_000, ...this.timings.wait };
    const deadline = Date.now() + o.timeoutMs;
    let lastSeen = "host not registered in CM";
    let lastLog = 0;
    let polls = 0;
    for (;;) {
      const [host] = await this.hostsNamed(hostname);
      if (host && ipAddress && host.ipAddress && host.ipAddress !== ipAddress) {
        throw cmApiError(
          "GET",
          "/hosts",
          200,
          `CM host ${hostname} (${host.hostId}) reports IP ${host.ipAddress}, but the node's IP is ${ipAddress}: another machine claims its hostname`,
          [],
          "Nothing was changed. Check which machine registered that host (its agent's hostname and IP), remove it from CM, then re-run.",
          1,
        );
      }
      if (host?.lastHeartbeat && (!ipAddress || host.ipAddress === ipAddress)) {
        const age = Date.now() - Date.parse(host.lastHeartbeat);
        if (age <= this.timings.heartbeatMaxAgeMs) return host;
        lastSeen = `last heartbeat ${Math.round(age / 1000)} s ago`;
      } else if (host) {
        lastSeen = `registered, ${host.ipAddress ? `IP ${host.ipAddress}` : "no IP reported yet"}, no heartbeat`;
      }
      if (Date.now() > deadline) {
        throw cmTimeoutError(
          `the CM agent on ${hostname} to heartbeat`,
          o.timeoutMs,
          lastSeen,
          `Check cloudera-scm-agent on ${hostname} (systemctl status cloudera-scm-agent; its server_host in /etc/cloudera-scm-agent/config.ini).`,
        );
      }
      if (Date.now() - lastLog > 30_000) {
        this.log.info(`cm-host ${hostname}: waiting for the CM agent heartbeat (${lastSeen})`);
        lastLog = Date.now();
      }
      await sleep(pollDelay(polls++, o.pollMs));
    }
  }

  async ensureHostInCluster(hostname: string, ipAddress?: string): Promise<ApiHost> {
    const host = await this.waitForHeartbeat(hostname, ipAddress);
    if (host.clusterRef?.clusterName === this.cluster) return host;
    if (host.clusterRef?.clusterName) {
      throw cmApiError(
        "POST",
        `/clusters/${this.cluster}/hosts`,
        200,
        `host ${hostname} (${host.hostId}) belongs to cluster ${host.clusterRef.clusterName}, not ${this.cluster}`,
        [],
        "Nothing was changed. Check ecs:cloudera.cluster and the host's cluster in CM.",
        1,
      );
    }
    this.log.info(`cm-host ${hostname}: adding host ${host.hostId} to cluster ${this.cluster}`);
    await this.client.addHostsToCluster(this.cluster, [{ hostId: host.hostId, hostname }]);
    return this.client.readHost(host.hostId ?? "");
  }

  /**
   * Removes the host the stage created, by its stored id: checked to still be that hostname, in
   * this cluster (or none), and the only record of its name; then its roles go, it leaves the
   * cluster and is deleted from CM. A host already gone is done.
   */
  async ensureHostRemoved(hostId: string, hostname: string): Promise<void> {
    const host = await this.readOrNone(() => this.client.readHost(hostId));
    const named = await this.hostsNamed(hostname);
    if (!host) {
      if (named.length > 0) {
        throw cmApiError(
          "GET",
          `/hosts/${hostId}`,
          404,
          `the CM host this stage created (${hostId}) is gone, but CM has another record for ${hostname}: ${named[0].hostId} ` +
            `(IP ${named[0].ipAddress ?? "?"}, cluster ${named[0].clusterRef?.clusterName ?? "none"})`,
          [],
          "It is not this stage's host, so it was not touched. Check which machine it belongs to; delete it in CM if it is stale, then re-run.",
          1,
        );
      }
      return;
    }
    const problems: string[] = [];
    if (host.hostname !== hostname) problems.push(`it is now ${host.hostname}, not ${hostname}`);
    const cluster = host.clusterRef?.clusterName;
    if (cluster && cluster !== this.cluster)
      problems.push(`it belongs to cluster ${cluster}, not ${this.cluster}`);
    if (problems.length > 0) {
      throw cmApiError(
        "GET",
        `/hosts/${hostId}`,
        200,
        `refusing to remove CM host ${hostId}: ${problems.join("; ")}`,
        [],
        "Nothing was changed. Check the host in CM and the stack's ecs:cloudera.cluster.",
        1,
      );
    }
    if (cluster) {
      this.log.info(
        `cm-host ${hostname}: removing host ${hostId} from cluster ${cluster} and deleting it from CM`,
      );
      // By hostname, as the API takes it; hostsNamed proved the name is this host's alone.
      const cmd = await this.client.removeHostsFromCluster({ hostsToRemove: [hostname], deleteHosts: true });
      await waitForCommand(this.client, cmd, this.wait(`removal of ${hostname} from the cluster`));
      return;
    }
    await this.client.deleteHost(hostId);
  }

  /** undefined on CM's 404, the answer otherwise. */
  private async readOrNone<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      if (isCmApiError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  async findRole(hostname: string, type: EcsRoleType): Promise<{ service: string; role?: ApiRole }> {
    const service = (await this.serviceOfType(SERVICE_TYPE_OF[type])).name ?? "";
    const roles = (await this.client.listRoles(this.cluster, service, { hostname, type })).items ?? [];
    if (roles.length > 1) {
      throw cmApiError(
        "GET",
        `/clusters/${this.cluster}/services/${service}/roles`,
        200,
        `host ${hostname} has ${roles.length} ${type} roles (${roles.map((r) => r.name).join(", ")})`,
        [],
        "Nothing was changed. Delete the extra role in CM, then re-run.",
        1,
      );
    }
    return { service, role: roles[0] };
  }

  /** Creates the role on the given host id (the stage's own host), unless it exists already. */
  async ensureRole(
    hostname: string,
    type: EcsRoleType,
    hostId?: string,
  ): Promise<{ service: string; role: ApiRole }> {
    const found = await this.findRole(hostname, type);
    if (found.role) {
      if (hostId && found.role.hostRef?.hostId !== hostId) {
        throw cmApiError(
          "GET",
          `/clusters/${this.cluster}/services/${found.service}/roles`,
          200,
          `${type} role ${found.role.name} of ${hostname} is on host ${found.role.hostRef?.hostId}, not on this stage's host ${hostId}`,
          [],
          "Nothing was changed. Delete the stale role (and host) in CM, then re-run.",
          1,
        );
      }
      return { service: found.service, role: found.role };
    }
    const host = hostId ? { hostId } : await this.client.findHostByName(hostname);
    if (!host?.hostId) {
      throw cmApiError(
        "GET",
        "/hosts",
        200,
        `host ${hostname} is not known to CM`,
        [],
        "The cm-host stage must run first.",
        1,
      );
    }
    this.log.info(`cm-role ${hostname}: creating ${type} role in service ${found.service}`);
    const created = await this.client.createRoles(this.cluster, found.service, [
      {
        type,
        hostRef: { hostId: host.hostId, hostname },
        roleConfigGroupRef: { roleConfigGroupName: `${found.service}-${type}-BASE` },
      },
    ]);
    const role = created.items?.[0];
    if (!role?.name)
      throw cmApiError(
        "POST",
        `/clusters/${this.cluster}/services/${found.service}/roles`,
        200,
        "CM returned no role",
        [],
        "Check the role in CM.",
        1,
      );
    return { service: found.service, role };
  }

  async ensureRoleState(
    service: string,
    roleName: string,
    target: "STARTED" | "STOPPED",
    hostname: string,
  ): Promise<ApiRole> {
    const action = target === "STARTED" ? "start" : "stop";
    let role = await this.client.readRole(this.cluster, service, roleName);
    if (role.roleState !== target) {
      this.log.info(`cm-role ${hostname}: ${action} ${role.type} role ${roleName} (now ${role.roleState})`);
      const bulk = await this.client.roleCommand(this.cluster, service, action, [roleName]);
      await waitForBulk(this.client, bulk, this.wait(`${role.type} role on ${hostname} to ${action}`));
      role = await this.waitRoleState(service, roleName, target, hostname);
    }
    return role;
  }

  private async waitRoleState(
    service: string,
    roleName: string,
    target: string,
    hostname: string,
  ): Promise<ApiRole> {
    const o = { timeoutMs: 15 * 60_000, pollMs: 2_000, ...this.timings.wait };
    const deadline = Date.now() + o.timeoutMs;
    let polls = 0;
    for (;;) {
      const role = await this.client.readRole(this.cluster, service, roleName);
      if (role.roleState === target) return role;
      if (Date.now() > deadline) {
        throw cmTimeoutError(
          `role ${roleName} on ${hostname} to be ${target}`,
          o.timeoutMs,
          String(role.roleState),
          "Check the role's log in CM.",
        );
      }
      await sleep(pollDelay(polls++, o.pollMs));
    }
  }

  /**
   * Stops (waits STOPPED) and deletes the role the stage created, by its stored name: checked to
   * still be of that type on the stage's host. A role already gone is done.
   */
  async ensureRoleDeleted(
    hostname: string,
    type: EcsRoleType,
    roleName: string | undefined,
    hostId: string | undefined,
  ): Promise<void> {
    const service = (await this.serviceOfType(SERVICE_TYPE_OF[type])).name ?? "";
    if (!roleName) {
      throw cmApiError(
        "DELETE",
        `/clusters/${this.cluster}/services/${service}/roles`,
        0,
        `the stage has no stored ${type} role name for ${hostname}`,
        [],
        "Nothing was changed. Delete the role in CM by hand if it exists, then `pulumi state delete` this stage and re-run.",
        1,
      );
    }
    const role = await this.readOrNone(() => this.client.readRole(this.cluster, service, roleName));
    if (!role) {
      // Gone, unless the host still has a role of this type: then the stored name is not its name.
      const left = hostId
        ? ((await this.client.listRoles(this.cluster, service, { hostId, type })).items ?? [])
        : [];
      if (left.length > 0) {
        throw cmApiError(
          "GET",
          `/clusters/${this.cluster}/services/${service}/roles/${roleName}`,
          404,
          `the stage's ${type} role ${roleName} is not in service ${service}, but host ${hostname} has ${type} role ` +
            `${left.map((r) => r.name).join(", ")}, which this stage did not record`,
          [],
          "Nothing was changed. Check the roles in CM; delete the stray role there if it is stale, then re-run.",
          1,
        );
      }
      return;
    }
    const problems: string[] = [];
    if (role.type !== type) problems.push(`it is a ${role.type} role, not ${type}`);
    if (hostId && role.hostRef?.hostId !== hostId)
      problems.push(`it is on host ${role.hostRef?.hostId}, not ${hostId}`);
    else if (!hostId && role.hostRef?.hostname && role.hostRef.hostname !== hostname)
      problems.push(`it is on ${role.hostRef.hostname}, not ${hostname}`);
    if (problems.length > 0) {
      throw cmApiError(
        "GET",
        `/clusters/${this.cluster}/services/${service}/roles/${roleName}`,
        200,
        `refusing to delete role ${roleName}: ${problems.join("; ")}`,
        [],
        "Nothing was changed. Check the role in CM.",
        1,
      );
    }
    await this.ensureRoleState(service, roleName, "STOPPED", hostname);
    this.log.info(`cm-role ${hostname}: deleting ${type} role ${roleName}`);
    try {
      await this.client.deleteRole(this.cluster, service, roleName);
    } catch (err) {
      if (!(isCmApiError(err) && err.status === 404)) throw err; // deleted meanwhile: fine
    }
  }

  async refresh(): Promise<void> {
    this.log.info(`cm-refresh ${this.cluster}: refreshing cluster configuration`);
    const cmd = await this.client.refreshCluster(this.cluster);
    await waitForCommand(this.client, cmd, this.wait(`refresh of cluster ${this.cluster}`));
  }

  async health(): Promise<HealthReport> {
    const [services, hosts] = await Promise.all([
      this.client.listServices(this.cluster),
      this.client.listClusterHosts(this.cluster),
    ]);
    const report: HealthReport = {
      services: (services.items ?? []).map((s) => ({
        name: s.name ?? "",
        type: s.type ?? "",
        health: s.healthSummary,
        staleness: s.configStalenessStatus,
        state: s.serviceState,
      })),
      hosts: (hosts.items ?? []).map((h) => ({
        hostname: h.hostname ?? "",
        health: h.healthSummary,
        lastHeartbeat: h.lastHeartbeat,
        roles: (h.roleRefs ?? []).map((r) => r.roleName ?? ""),
      })),
      healthy: false,
    };
    report.healthy =
      report.services.every((s) => s.health === "GOOD" && s.staleness === "FRESH") &&
      report.hosts.every((h) => h.health === "GOOD");
    return report;
  }
}
