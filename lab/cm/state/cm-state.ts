import * as crypto from "crypto";
import { CmFaults } from "../faults";
import { CmSeed, serviceTypeOfRole } from "../seed";
import { badRequest, notFound } from "./http-error";
import { CommandRecord, HostRecord, RoleRecord, ServiceRecord, Timings } from "./model";

/** What the lab hears about: a role reached STARTED or STOPPED (to start/stop RKE2 on the node). */
export type RoleStateListener = (event: {
  role: string;
  type: string;
  hostname: string;
  state: string;
}) => void;

interface CommandOutcome {
  success: boolean;
  message: string;
}

/**
 * The simulated CM: hosts, one cluster with its services, roles and commands, changing over time.
 * Every mutation a real CM would refuse (unknown names, running roles, hosts with roles) is refused with
 * the status and message shape CM uses; see lab/cm/README.md for the choices where CM is unconfirmed.
 */
export class CmState {
  readonly clusterName: string;
  readonly clusterDisplayName: string;
  readonly clusterFullVersion: string;
  readonly clusterUuid = crypto.randomUUID();
  readonly hosts = new Map<string, HostRecord>();
  readonly services = new Map<string, ServiceRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly commands = new Map<number, CommandRecord>();
  private nextCommandId = 1000;
  private readonly listeners: RoleStateListener[] = [];
  private stopped = false;

  constructor(
    seed: CmSeed,
    readonly timings: Timings,
    readonly faults: CmFaults,
  ) {
    this.clusterName = seed.cluster.name;
    this.clusterDisplayName = seed.cluster.displayName;
    this.clusterFullVersion = seed.cluster.fullVersion;
    for (const s of seed.services) {
      this.services.set(s.name, { ...s, clusterName: this.clusterName, staleness: "FRESH" });
    }
    const now = Date.now();
    for (const h of seed.hosts) {
      const host: HostRecord = {
        hostId: h.hostId ?? crypto.randomUUID(),
        hostname: h.hostname,
        ipAddress: h.ipAddress,
        clusterName: h.inCluster === false ? undefined : this.clusterName,
        agentUp: !this.isSilent(h.hostname),
        lastHeartbeatMs: now,
      };
      this.hosts.set(host.hostId, host);
      for (const type of h.roles) {
        const role = this.newRole(type, host);
        role.state = "STARTED";
      }
    }
  }

  onRoleState(listener: RoleStateListener): void {
    this.listeners.push(listener);
  }

  /** Ends all timers (simulator shutdown). */
  close(): void {
    this.stopped = true;
    for (const c of this.commands.values()) clearTimeout(c.timer);
  }

  // ---- hosts and heartbeats ------------------------------------------------------------------------

  /**
   * The lab's heartbeat switch. An agent that comes up on an unknown hostname registers a new host with a new
   * hostId, as a freshly installed agent on a rebuilt VM does.
   */
  setAgentHeartbeat(hostname: string, up: boolean, ipAddress?: string): HostRecord | undefined {
    let host = this.hostByName(hostname);
    if (up && this.isSilent(hostname)) return host;
    if (!host) {
      if (!up) return undefined;
      host = {
        hostId: crypto.randomUUID(),
        hostname,
        ipAddress: ipAddress ?? "",
        agentUp: true,
        lastHeartbeatMs: 0,
      };
      this.hosts.set(host.hostId, host);
    }
    if (host.agentUp && !up) host.lastHeartbeatMs = Date.now();
    host.agentUp = up;
    if (up) host.lastHeartbeatMs = Date.now();
    return host;
  }

  lastHeartbeat(host: HostRecord): number {
    return host.agentUp ? Date.now() : host.lastHeartbeatMs;
  }

  heartbeatFresh(host: HostRecord): boolean {
    return Date.now() - this.lastHeartbeat(host) <= this.timings.heartbeatGraceMs;
  }

  hostByName(hostname: string): HostRecord | undefined {
    return [...this.hosts.values()].find((h) => h.hostname === hostname);
  }

  host(hostId: string): HostRecord {
    const host = this.hosts.get(hostId);
    if (!host) throw notFound(`Host '${hostId}' not found.`);
    return host;
  }

  rolesOnHost(hostId: string): RoleRecord[] {
    return [...this.roles.values()].filter((r) => r.hostId === hostId);
  }

  addHostsToCluster(clusterName: string, refs: { hostId?: string; hostname?: string }[]): HostRecord[] {
    this.cluster(clusterName);
    const added: HostRecord[] = [];
    for (const ref of refs) {
      const host = ref.hostId
        ? this.hosts.get(ref.hostId)
        : ref.hostname
          ? this.hostByName(ref.hostname)
          : undefined;
      if (!host) throw notFound(`Host '${ref.hostId ?? ref.hostname ?? ""}' not found.`);
      if (host.clusterName === clusterName) continue; // members are excluded from the answer
      if (host.clusterName) {
        throw badRequest(`Host '${host.hostname}' is already a member of cluster '${host.clusterName}'.`);
      }
      host.clusterName = clusterName;
      added.push(host);
      this.markStale();
    }
    return added;
  }

  removeHostFromCluster(clusterName: string, hostId: string): HostRecord | undefined {
    this.cluster(clusterName);
    const host = this.host(hostId);
    if (host.clusterName !== clusterName) return undefined;
    if (this.rolesOnHost(hostId).length > 0) {
      throw badRequest(
        `Cannot remove host '${host.hostname}' from cluster '${clusterName}': it still has roles.`,
      );
    }
    host.clusterName = undefined;
    this.markStale();
    return host;
  }

  deleteHost(hostId: string): HostRecord {
    const host = this.host(hostId);
    if (host.clusterName) {
      throw badRequest(
        `Cannot delete host '${host.hostname}': it is a member of cluster '${host.clusterName}'.`,
      );
    }
    this.hosts.delete(hostId);
    return host;
  }

  /** `POST /hosts/removeHostsFromCluster`: decommission and delete the hosts' roles, leave the cluster, delete. */
  removeHostsFromCluster(hostnames: string[], deleteHosts: boolean): CommandRecord {
    const hosts = hostnames.map((name) => {
      const host = this.hostByName(name);
      if (!host) throw notFound(`Host '${name}' not found.`);
      return host;
    });
    return this.startCommand({ name: "RemoveHostsFromCluster", hostId: hosts[0]?.hostId }, () => {
      for (const host of hosts) {
        for (const role of this.rolesOnHost(host.hostId)) this.dropRole(role);
        if (host.clusterName) this.markStale();
        host.clusterName = undefined;
        if (deleteHosts) this.hosts.delete(host.hostId);
      }
      return { success: true, message: `Successfully removed ${hosts.length} host(s) from the cluster.` };
    });
  }

  // ---- cluster and services ------------------------------------------------------------------------

  cluster(name: string): void {
    if (name !== this.clusterName) throw notFound(`Cluster '${name}' not found.`);
  }

  service(clusterName: string, serviceName: string): ServiceRecord {
    this.cluster(clusterName);
    const service = this.services.get(serviceName);
    if (!service) throw notFound(`Service '${serviceName}' not found in cluster '${clusterName}'.`);
    return service;
  }

  /** A topology change leaves the ECS configuration "outdated" until a refresh (runbook steps 2.5, 3.5). */
  private markStale(except?: RoleRecord): void {
    for (const service of this.services.values()) {
      if (service.type !== "ECS") continue;
      service.staleness = "STALE_REFRESHABLE";
      for (const role of this.roles.values()) {
        if (role.serviceName === service.name && role !== except) role.staleness = "STALE_REFRESHABLE";
      }
    }
  }

  refreshCluster(clusterName: string): CommandRecord {
    this.cluster(clusterName);
    const children = [...this.roles.values()]
      .filter((r) => r.state === "STARTED")
      .map((role) =>
        this.startCommand({
          name: "Refresh",
          roleName: role.name,
          serviceName: role.serviceName,
          hostId: role.hostId,
        }),
      );
    const parent = this.startCommand({ name: "Refresh", clusterName }, (cmd) => {
      const failed = cmd.childIds.map((id) => this.commands.get(id)).filter((c) => c && c.success === false);
      if (failed.length > 0) {
        return {
          success: false,
          message: `Failed to refresh ${failed.length} role(s) of cluster '${clusterName}'.`,
        };
      }
      for (const service of this.services.values()) service.staleness = "FRESH";
      for (const role of this.roles.values()) role.staleness = "FRESH";
      return { success: true, message: `Successfully refreshed cluster '${clusterName}'.` };
    });
    parent.childIds = children.map((c) => c.id);
    children.forEach((c) => (c.parentId = parent.id));
    return parent;
  }

  // ---- roles -----------------------------------------------------------------------------------------

  role(clusterName: string, serviceName: string, roleName: string): RoleRecord {
    this.service(clusterName, serviceName);
    const role = this.roles.get(roleName);
    if (!role || role.serviceName !== serviceName) throw notFound(`Role '${roleName}' not found.`);
    return role;
  }

  createRole(
    clusterName: string,
    serviceName: string,
    spec: { name?: string; type?: string; hostRef?: { hostId?: string; hostname?: string } },
  ): RoleRecord {
    const service = this.service(clusterName, serviceName);
    if (!spec.type) throw badRequest("Role type is required.");
    if (serviceTypeOfRole(spec.type) !== service.type) {
      throw badRequest(
        `Role type '${spec.type}' is not valid for service '${serviceName}' of type ${service.type}.`,
      );
    }
    const hostId = spec.hostRef?.hostId ?? this.hostByName(spec.hostRef?.hostname ?? "")?.hostId;
    const host = hostId ? this.hosts.get(hostId) : undefined;
    if (!host) throw notFound(`Host '${spec.hostRef?.hostId ?? spec.hostRef?.hostname ?? ""}' not found.`);
    if (host.clusterName !== clusterName) {
      throw badRequest(`Host '${host.hostname}' is not a member of cluster '${clusterName}'.`);
    }
    if (spec.name && this.roles.has(spec.name)) throw badRequest(`Role '${spec.name}' already exists.`);
    const role = this.newRole(spec.type, host, spec.name);
    this.markStale(role);
    return role;
  }

  deleteRole(clusterName: string, serviceName: string, roleName: string): RoleRecord {
    const role = this.role(clusterName, serviceName, roleName);
    if (role.state !== "STOPPED" && role.state !== "UNKNOWN" && role.state !== "NA") {
      throw badRequest(`Role '${roleName}' is ${role.state}; stop it before deleting it.`);
    }
    this.dropRole(role);
    return role;
  }

  private dropRole(role: RoleRecord): void {
    this.roles.delete(role.name);
    this.markStale();
  }

  private newRole(type: string, host: HostRecord, name?: string): RoleRecord {
    const service = [...this.services.values()].find((s) => s.type === serviceTypeOfRole(type));
    if (!service) throw badRequest(`No service for role type '${type}'.`);
    const role: RoleRecord = {
      name: name ?? `${service.name}-${type}-${crypto.randomBytes(16).toString("hex")}`,
      type,
      serviceName: service.name,
      clusterName: this.clusterName,
      hostId: host.hostId,
      state: "STOPPED",
      staleness: "FRESH",
    };
    this.roles.set(role.name, role);
    return role;
  }

  /** Bulk role start/stop: one command per known role, unknown roles go to `errors` (reference §3.4). */
  roleCommand(
    clusterName: string,
    serviceName: string,
    action: "start" | "stop",
    roleNames: string[],
  ): { commands: CommandRecord[]; errors: string[] } {
    this.service(clusterName, serviceName);
    const commands: CommandRecord[] = [];
    const errors: string[] = [];
    for (const roleName of roleNames) {
      const role = this.roles.get(roleName);
      if (!role || role.serviceName !== serviceName) {
        errors.push(`Role '${roleName}' not found.`);
        continue;
      }
      commands.push(action === "start" ? this.startRole(role) : this.stopRole(role));
    }
    return { commands, errors };
  }

  private startRole(role: RoleRecord): CommandRecord {
    const host = this.host(role.hostId);
    if (role.state === "STARTED") {
      return this.finishedCommand("Start", role, true, "Role is already started.");
    }
    role.state = "STARTING";
    return this.startCommand(
      { name: "Start", roleName: role.name, serviceName: role.serviceName, hostId: role.hostId },
      () => {
        if (!this.heartbeatFresh(host)) {
          role.state = "STOPPED";
          return {
            success: false,
            message: `Failed to start role: agent on host '${host.hostname}' is not heartbeating.`,
          };
        }
        role.state = "STARTED";
        this.emit(role, host);
        return { success: true, message: "Successfully started process." };
      },
      this.timings.roleTransitionMs,
      () => (role.state = "STOPPED"),
    );
  }

  private stopRole(role: RoleRecord): CommandRecord {
    const host = this.host(role.hostId);
    if (role.state === "STOPPED") {
      return this.finishedCommand("Stop", role, true, "Role is already stopped.");
    }
    role.state = "STOPPING";
    return this.startCommand(
      { name: "Stop", roleName: role.name, serviceName: role.serviceName, hostId: role.hostId },
      () => {
        // A dead host has no process left to stop; CM's exact answer there is unconfirmed (README).
        role.state = "STOPPED";
        this.emit(role, host);
        return { success: true, message: "Successfully stopped process." };
      },
      this.timings.roleTransitionMs,
      () => (role.state = "STARTED"),
    );
  }

  private emit(role: RoleRecord, host: HostRecord): void {
    for (const listener of this.listeners) {
      try {
        listener({ role: role.name, type: role.type, hostname: host.hostname, state: role.state });
      } catch {
        // a faulty lab hook must not break the simulated CM
      }
    }
  }

  // ---- commands --------------------------------------------------------------------------------------

  command(id: number): CommandRecord {
    const command = this.commands.get(id);
    if (!command) throw notFound(`Command '${id}' not found.`);
    return command;
  }

  abortCommand(id: number): CommandRecord {
    const command = this.command(id);
    if (command.active) {
      clearTimeout(command.timer);
      command.onAbort?.();
      this.finish(command, { success: false, message: "Command aborted." });
    }
    return command;
  }

  private finishedCommand(name: string, role: RoleRecord, success: boolean, message: string): CommandRecord {
    const command = this.startCommand({
      name,
      roleName: role.name,
      serviceName: role.serviceName,
      hostId: role.hostId,
    });
    clearTimeout(command.timer);
    this.finish(command, { success, message });
    return command;
  }

  /**
   * Registers an asynchronous command (active, fresh id) that ends after `durationMs` with the outcome of
   * `effect`, unless an injected fault makes it fail with the configured CM message first.
   */
  private startCommand(
    fields: Partial<CommandRecord> & { name: string },
    effect: (cmd: CommandRecord) => CommandOutcome = () => ({ success: true, message: "Command completed." }),
    durationMs = this.timings.commandMs,
    onFailure?: () => void,
  ): CommandRecord {
    const command: CommandRecord = {
      childIds: [],
      ...fields,
      id: this.nextCommandId++,
      startMs: Date.now(),
      active: true,
    };
    command.onAbort = onFailure;
    this.commands.set(command.id, command);
    const fault = this.takeCommandFault(command);
    command.timer = setTimeout(() => {
      if (this.stopped || !command.active) return;
      if (fault) {
        onFailure?.();
        this.finish(command, { success: false, message: fault });
      } else {
        this.finish(command, effect(command));
      }
    }, durationMs);
    return command;
  }

  private finish(command: CommandRecord, outcome: CommandOutcome): void {
    command.active = false;
    command.success = outcome.success;
    command.resultMessage = outcome.message;
    command.endMs = Date.now();
  }

  private takeCommandFault(command: CommandRecord): string | undefined {
    const hostname = command.hostId ? this.hosts.get(command.hostId)?.hostname : undefined;
    const fault = (this.faults.failCommands ?? []).find(
      (f) => f.name === command.name && (!f.hostname || f.hostname === hostname) && (f.times ?? 1) > 0,
    );
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    return fault.message;
  }

  private isSilent(hostname: string): boolean {
    return (this.faults.silentAgents ?? []).includes(hostname);
  }
}
