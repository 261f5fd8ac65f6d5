import type {
  ApiCluster,
  ApiCommand,
  ApiEntityStatus,
  ApiHealthSummary,
  ApiHost,
  ApiHostRef,
  ApiRole,
  ApiRoleRef,
  ApiService,
} from "../../../components/cloudera/api-types.generated";
import { CmState } from "./cm-state";
import { CommandRecord, HostRecord, RoleRecord, ServiceRecord } from "./model";

/** Renders internal records as the API models of the description; `full` adds the "Requires full view" fields. */
export class CmViews {
  constructor(private readonly state: CmState) {}

  cluster(full: boolean): ApiCluster {
    const s = this.state;
    const cluster: ApiCluster = {
      name: s.clusterName,
      displayName: s.clusterDisplayName,
      version: "EXPERIENCE1",
      fullVersion: s.clusterFullVersion,
      maintenanceMode: false,
      maintenanceOwners: [],
      clusterUrl: `/cmf/clusterRedirect/${encodeURIComponent(s.clusterName)}`,
      hostsUrl: `/cmf/clusterRedirect/${encodeURIComponent(s.clusterName)}/hosts`,
      entityStatus: this.worst([...s.services.values()].map((svc) => this.serviceHealth(svc))),
      uuid: s.clusterUuid,
      clusterType: "EXPERIENCE_CLUSTER",
    };
    if (full) cluster.services = [...s.services.values()].map((svc) => this.service(svc));
    return cluster;
  }

  service(svc: ServiceRecord): ApiService {
    const roles = this.rolesOf(svc);
    const health = this.serviceHealth(svc);
    return {
      name: svc.name,
      type: svc.type,
      displayName: svc.type === "ECS" ? "ECS" : "Docker",
      clusterRef: { clusterName: svc.clusterName, displayName: this.state.clusterDisplayName },
      serviceState: roles.some((r) => r.state === "STARTED") ? "STARTED" : "STOPPED",
      healthSummary: health,
      healthChecks: [{ name: `${svc.type}_ROLES_HEALTHY`, summary: health }],
      configStale: svc.staleness !== "FRESH",
      configStalenessStatus: svc.staleness,
      clientConfigStalenessStatus: "FRESH",
      serviceUrl: `/cmf/serviceRedirect/${svc.name}`,
      roleInstancesUrl: `/cmf/serviceRedirect/${svc.name}/instances`,
      maintenanceMode: false,
      maintenanceOwners: [],
      entityStatus: entityStatusOf(health),
    };
  }

  role(role: RoleRecord, full: boolean): ApiRole {
    const host = this.state.hosts.get(role.hostId);
    const svc = this.state.services.get(role.serviceName);
    const health = this.roleHealth(role);
    const out: ApiRole = {
      name: role.name,
      type: role.type,
      hostRef: this.hostRef(role.hostId, host),
      serviceRef: {
        clusterName: role.clusterName,
        serviceName: role.serviceName,
        serviceDisplayName: svc?.type === "ECS" ? "ECS" : "Docker",
        serviceType: svc?.type,
      },
      roleState: role.state,
      commissionState: "COMMISSIONED",
      healthSummary: health,
      configStale: role.staleness !== "FRESH",
      configStalenessStatus: role.staleness,
      roleUrl: `/cmf/roleRedirect/${role.name}`,
      maintenanceMode: false,
      maintenanceOwners: [],
      roleConfigGroupRef: { roleConfigGroupName: `${role.serviceName}-${role.type}-BASE` },
      entityStatus:
        role.state === "STARTED"
          ? entityStatusOf(health)
          : role.state === "STOPPED"
            ? "STOPPED"
            : role.state === "STARTING"
              ? "STARTING"
              : "STOPPING",
    };
    if (full)
      out.healthChecks = [{ name: `${role.type}_PROCESS_STATUS`, summary: health, suppressed: false }];
    return out;
  }

  host(host: HostRecord, full: boolean): ApiHost {
    const out: ApiHost = {
      hostId: host.hostId,
      ipAddress: host.ipAddress,
      hostname: host.hostname,
      rackId: "/default",
      hostUrl: `/cmf/hostRedirect/${host.hostId}`,
      maintenanceMode: false,
      commissionState: "COMMISSIONED",
      maintenanceOwners: [],
      numCores: 16,
      numPhysicalCores: 8,
      totalPhysMemBytes: 68719476736,
      entityStatus: entityStatusOf(this.hostHealth(host)),
    };
    if (host.clusterName) {
      out.clusterRef = { clusterName: host.clusterName, displayName: this.state.clusterDisplayName };
    }
    if (full) {
      const health = this.hostHealth(host);
      const lastHeartbeat = this.state.lastHeartbeat(host);
      if (lastHeartbeat > 0) out.lastHeartbeat = new Date(lastHeartbeat).toISOString();
      out.healthSummary = health;
      out.healthChecks = [
        {
          name: "HOST_SCM_HEALTH",
          summary: health,
          explanation: this.heartbeatText(host),
          suppressed: false,
        },
      ];
      out.roleRefs = this.state.rolesOnHost(host.hostId).map((r) => this.roleRef(r));
    }
    return out;
  }

  hostRef(hostId: string, host = this.state.hosts.get(hostId)): ApiHostRef {
    return host ? { hostId, hostname: host.hostname } : { hostId };
  }

  roleRef(role: RoleRecord): ApiRoleRef {
    return {
      clusterName: role.clusterName,
      serviceName: role.serviceName,
      roleName: role.name,
      healthSummary: this.roleHealth(role),
      roleStatus: role.state,
    };
  }

  command(cmd: CommandRecord, full: boolean): ApiCommand {
    const out: ApiCommand = {
      id: cmd.id,
      name: cmd.name,
      startTime: new Date(cmd.startMs).toISOString(),
      active: cmd.active,
    };
    if (cmd.endMs !== undefined) out.endTime = new Date(cmd.endMs).toISOString();
    if (cmd.success !== undefined) out.success = cmd.success;
    if (cmd.resultMessage !== undefined) out.resultMessage = cmd.resultMessage;
    if (!cmd.active) out.canRetry = cmd.success === false;
    if (cmd.clusterName)
      out.clusterRef = { clusterName: cmd.clusterName, displayName: this.state.clusterDisplayName };
    if (cmd.serviceName) {
      const svc = this.state.services.get(cmd.serviceName);
      out.serviceRef = {
        clusterName: this.state.clusterName,
        serviceName: cmd.serviceName,
        serviceType: svc?.type,
      };
    }
    if (cmd.roleName) {
      const role = this.state.roles.get(cmd.roleName);
      out.roleRef = role
        ? this.roleRef(role)
        : { clusterName: this.state.clusterName, serviceName: cmd.serviceName, roleName: cmd.roleName };
    }
    if (cmd.hostId) out.hostRef = this.hostRef(cmd.hostId);
    const parent = cmd.parentId !== undefined ? this.state.commands.get(cmd.parentId) : undefined;
    if (full && parent) out.parent = this.command(parent, false);
    if (full) {
      const children = cmd.childIds
        .map((id) => this.state.commands.get(id))
        .filter((c): c is CommandRecord => !!c);
      out.children = { items: children.map((c) => this.command(c, false)) };
    }
    return out;
  }

  // ---- health --------------------------------------------------------------------------------------

  hostHealth(host: HostRecord): ApiHealthSummary {
    return this.state.heartbeatFresh(host) ? "GOOD" : "BAD";
  }

  roleHealth(role: RoleRecord): ApiHealthSummary {
    if (role.state !== "STARTED") return role.state === "STOPPED" ? "NOT_AVAILABLE" : "CONCERNING";
    const host = this.state.hosts.get(role.hostId);
    return host && this.state.heartbeatFresh(host) ? "GOOD" : "BAD";
  }

  /** GOOD when every role is GOOD, BAD when a majority of the service's roles is not, else CONCERNING. */
  serviceHealth(svc: ServiceRecord): ApiHealthSummary {
    const roles = this.rolesOf(svc);
    const bad = roles.filter((r) => this.roleHealth(r) !== "GOOD").length;
    if (roles.length === 0 || bad * 2 > roles.length) return "BAD";
    return bad === 0 ? "GOOD" : "CONCERNING";
  }

  private rolesOf(svc: ServiceRecord): RoleRecord[] {
    return [...this.state.roles.values()].filter((r) => r.serviceName === svc.name);
  }

  private heartbeatText(host: HostRecord): string {
    const last = this.state.lastHeartbeat(host);
    if (last === 0) return "The host's agent has never sent a heartbeat.";
    return `The host's last heartbeat was ${Math.round((Date.now() - last) / 1000)} second(s) ago.`;
  }

  private worst(healths: ApiHealthSummary[]): ApiEntityStatus {
    if (healths.includes("BAD")) return "BAD_HEALTH";
    if (healths.includes("CONCERNING")) return "CONCERNING_HEALTH";
    return "GOOD_HEALTH";
  }
}

function entityStatusOf(health: ApiHealthSummary): ApiEntityStatus {
  switch (health) {
    case "GOOD":
      return "GOOD_HEALTH";
    case "CONCERNING":
      return "CONCERNING_HEALTH";
    case "BAD":
      return "BAD_HEALTH";
    default:
      return "UNKNOWN_HEALTH";
  }
}
