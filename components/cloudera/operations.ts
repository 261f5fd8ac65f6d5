import type {
  ApiConfigStalenessStatus,
  ApiHealthSummary,
  ApiHost,
  ApiRole,
  ApiService,
} from "./api-types.generated";
import { CmClient } from "./client";
import { WaitOptions, waitForBulk, waitForCommand } from "./commands";
import { CmApiError, CmTimeoutError } from "./errors";
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

  async serviceOfType(type: "ECS" | "DOCKER"): Promise<ApiService> {
    const services = await this.client.listServices(this.cluster);
    const service = (services.items ?? []).find((s) => s.type === type);
    if (!service?.name) {
      throw new CmApiError(
        "GET",
        `/clusters/${this.cluster}/services`,
        200,
        `no service of type ${type} in cluster '${this.cluster}'`,
        [],
        "Check the cluster name: it must be the ECS (experience) cluster.",
        1,
      );
    }
    return service;
  }

  /** Waits until CM knows the host and its agent heartbeats recently (a freshly installed agent registers itself). */
  async waitForHeartbeat(hostname: string): Promise<ApiHost> {
    const o = { timeoutMs: 15 * 60_000, pollMs: 2_000, ...this.timings.wait };
    const deadline = Date.now() + o.timeoutMs;
    let lastSeen = "host not registered in CM";
    let lastLog = 0;
    let polls = 0;
    for (;;) {
      const host = await this.client.findHostByName(hostname);
      if (host?.lastHeartbeat) {
        const age = Date.now() - Date.parse(host.lastHeartbeat);
        if (age <= this.timings.heartbeatMaxAgeMs) return host;
        lastSeen = `last heartbeat ${Math.round(age / 1000)} s ago`;
      }
      if (Date.now() > deadline) {
        throw new CmTimeoutError(
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

  async ensureHostInCluster(hostname: string): Promise<ApiHost> {
    const host = await this.waitForHeartbeat(hostname);
    if (host.clusterRef?.clusterName === this.cluster) return host;
    this.log.info(`cm-host ${hostname}: adding host ${host.hostId} to cluster ${this.cluster}`);
    await this.client.addHostsToCluster(this.cluster, [{ hostId: host.hostId, hostname }]);
    return this.client.readHost(host.hostId ?? "");
  }

  /** Removes the host's roles, takes it out of the cluster and deletes it from CM; absent host = done. */
  async ensureHostRemoved(hostname: string): Promise<void> {
    const host = await this.client.findHostByName(hostname);
    if (!host?.hostId) return;
    if (host.clusterRef?.clusterName) {
      this.log.info(
        `cm-host ${hostname}: removing from cluster ${host.clusterRef.clusterName} and deleting from CM`,
      );
      const cmd = await this.client.removeHostsFromCluster({ hostsToRemove: [hostname], deleteHosts: true });
      await waitForCommand(this.client, cmd, this.wait(`removal of ${hostname} from the cluster`));
      return;
    }
    await this.client.deleteHost(host.hostId);
  }

  async findRole(hostname: string, type: EcsRoleType): Promise<{ service: string; role?: ApiRole }> {
    const service = (await this.serviceOfType(SERVICE_TYPE_OF[type])).name ?? "";
    const roles = await this.client.listRoles(this.cluster, service, { hostname, type });
    return { service, role: roles.items?.[0] };
  }

  async ensureRole(hostname: string, type: EcsRoleType): Promise<{ service: string; role: ApiRole }> {
    const found = await this.findRole(hostname, type);
    if (found.role) return { service: found.service, role: found.role };
    const host = await this.client.findHostByName(hostname);
    if (!host?.hostId) {
      throw new CmApiError(
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
      throw new CmApiError(
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
        throw new CmTimeoutError(
          `role ${roleName} on ${hostname} to be ${target}`,
          o.timeoutMs,
          String(role.roleState),
          "Check the role's log in CM.",
        );
      }
      await sleep(pollDelay(polls++, o.pollMs));
    }
  }

  /** Stops (waits STOPPED) and deletes every role of this type on the host; none left = done. */
  async ensureRoleDeleted(hostname: string, type: EcsRoleType): Promise<void> {
    const { service, role } = await this.findRole(hostname, type);
    if (!role?.name) return;
    await this.ensureRoleState(service, role.name, "STOPPED", hostname);
    this.log.info(`cm-role ${hostname}: deleting ${type} role ${role.name}`);
    try {
      await this.client.deleteRole(this.cluster, service, role.name);
    } catch (err) {
      if (!(err instanceof CmApiError && err.status === 404)) throw err; // deleted meanwhile: fine
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
