// JSON views of Nova objects, in the shapes gophercloud v1.8 and the provider's type assertions need.
import { createHash } from "node:crypto";
import { atLeast } from "./http";
import { accountOf } from "./projects";
import { microNoZone, rfc3339 } from "./time";
import type { FlavorRecord, ServerRecord, SimState } from "./types";

export function flavorView(f: FlavorRecord, baseUrl: string): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    vcpus: f.vcpus,
    ram: f.ram,
    disk: f.disk,
    swap: "",
    "OS-FLV-EXT-DATA:ephemeral": 0,
    "OS-FLV-DISABLED:disabled": false,
    "os-flavor-access:is_public": true,
    rxtx_factor: 1.0,
    links: [{ rel: "self", href: `${baseUrl}/compute/v2.1/flavors/${f.id}` }],
  };
}

const VM_STATE: Record<string, string> = {
  BUILD: "building",
  ACTIVE: "active",
  SHUTOFF: "stopped",
  ERROR: "error",
  RESIZE: "active",
  VERIFY_RESIZE: "resized",
  REVERT_RESIZE: "resized",
  REBOOT: "active",
};

export function vmState(s: ServerRecord): string {
  // A stopped server being resized stays "stopped" until the resize lands.
  if (s.status === "RESIZE" && s.powerState === 4) return "stopped";
  return VM_STATE[s.status] ?? "active";
}

/** Nova's task_state while a transition runs (null when settled). */
export function taskState(s: ServerRecord): string | null {
  const t = s.transition;
  if (!t) return null;
  if (s.status === "BUILD") return "spawning";
  if (s.status === "RESIZE") return "resize_migrating";
  if (s.status === "REVERT_RESIZE") return "resize_reverting";
  if (t.to === "SHUTOFF") return "powering-off";
  if (t.event === "start") return "powering-on";
  if (t.event === "reboot") return "rebooting";
  return null;
}

/** Nova's hostId: sha224(project + host), empty when the server has no host. */
function hostId(projectId: string, host: string | null): string {
  return host
    ? createHash("sha224")
        .update(projectId + host)
        .digest("hex")
    : "";
}

export function serverView(
  state: SimState,
  s: ServerRecord,
  baseUrl: string,
  microversion: string | undefined,
): Record<string, unknown> {
  const addresses: Record<string, Record<string, unknown>[]> = {};
  const groupNames: string[] = [];
  for (const id of s.portIds) {
    const port = state.ports.find((p) => p.id === id);
    if (!port) continue;
    const net = state.networks.find((n) => n.id === port.networkId);
    const key = net?.name ?? port.networkId;
    addresses[key] ??= [];
    for (const f of port.fixedIps) {
      // `version` must be a number: the provider type-asserts float64 and panics otherwise.
      addresses[key].push({
        addr: f.ipAddress,
        version: 4,
        "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": port.macAddress,
      });
    }
    for (const g of port.securityGroups) {
      const name = state.securityGroups.find((x) => x.id === g)?.name;
      if (name && !groupNames.includes(name)) groupNames.push(name);
    }
  }
  const flavor = state.flavors.find((f) => f.id === s.flavorId);
  const flavorRef = atLeast(microversion, "2.47")
    ? {
        original_name: flavor?.name ?? "",
        vcpus: flavor?.vcpus ?? 0,
        ram: flavor?.ram ?? 0,
        disk: flavor?.disk ?? 0,
        ephemeral: 0,
        swap: 0,
        extra_specs: { ...(flavor?.extraSpecs ?? {}) },
      }
    : { id: s.flavorId, links: [{ rel: "bookmark", href: `${baseUrl}/compute/flavors/${s.flavorId}` }] };
  const view: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    status: s.status,
    tenant_id: s.projectId,
    user_id: accountOf(state, s.projectId).user.id,
    created: rfc3339(s.createdAt),
    updated: rfc3339(s.updatedAt),
    hostId: hostId(s.projectId, s.host),
    image: s.imageId
      ? { id: s.imageId, links: [{ rel: "bookmark", href: `${baseUrl}/compute/images/${s.imageId}` }] }
      : "",
    flavor: flavorRef,
    addresses,
    accessIPv4: "",
    accessIPv6: "",
    metadata: { ...s.metadata },
    key_name: s.keyName,
    security_groups: groupNames.map((name) => ({ name })),
    progress: s.status === "BUILD" ? 0 : 100,
    config_drive: "",
    links: [
      { rel: "self", href: `${baseUrl}/compute/v2.1/servers/${s.id}` },
      { rel: "bookmark", href: `${baseUrl}/compute/servers/${s.id}` },
    ],
    "OS-DCF:diskConfig": "MANUAL",
    "OS-EXT-AZ:availability_zone": s.host ? s.availabilityZone : "",
    "OS-EXT-SRV-ATTR:host": s.host,
    "OS-EXT-SRV-ATTR:hypervisor_hostname": s.host,
    "OS-EXT-SRV-ATTR:instance_name": `instance-${s.id.slice(0, 8)}`,
    "OS-EXT-STS:vm_state": vmState(s),
    "OS-EXT-STS:power_state": s.powerState,
    "OS-EXT-STS:task_state": taskState(s),
    "OS-SRV-USG:launched_at": s.launchedAt ? microNoZone(s.launchedAt) : null,
    "OS-SRV-USG:terminated_at": null,
    "os-extended-volumes:volumes_attached": state.volumes
      .filter((v) => v.attachment?.serverId === s.id)
      .map((v) => ({ id: v.id, delete_on_termination: false })),
  };
  if (s.fault)
    view.fault = { code: s.fault.code, message: s.fault.message, created: rfc3339(s.fault.created) };
  if (atLeast(microversion, "2.26")) view.tags = [...s.tags];
  return view;
}
