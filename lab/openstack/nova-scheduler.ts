// Nova's scheduler, reduced to what the lab needs: RAM/vCPU fit (allocation ratio 1.0),
// server-group (anti-)affinity enforced against the simulated hypervisors, spread by free RAM.
import type { FlavorRecord, ServerGroupRecord, SimState } from "./types";

export const NO_VALID_HOST = "No valid host was found. There are not enough hosts available.";

export interface HostUsage {
  name: string;
  freeVcpus: number;
  freeRamMb: number;
  instances: number;
}

export function hostUsage(state: SimState): HostUsage[] {
  return state.hypervisors.map((h) => {
    const here = state.servers.filter((s) => s.host === h.name);
    let vcpus = 0;
    let ram = 0;
    for (const s of state.servers) {
      const f = s.host === h.name ? state.flavors.find((x) => x.id === s.flavorId) : undefined;
      // During a resize Nova holds the old flavor on the source host until it is confirmed.
      const held = s.oldFlavorId && (s.resizeSourceHost ?? s.host) === h.name;
      const old = held ? state.flavors.find((x) => x.id === s.oldFlavorId) : undefined;
      vcpus += (f?.vcpus ?? 0) + (old?.vcpus ?? 0);
      ram += (f?.ram ?? 0) + (old?.ram ?? 0);
    }
    return { name: h.name, freeVcpus: h.vcpus - vcpus, freeRamMb: h.ramMb - ram, instances: here.length };
  });
}

function groupMembersOn(state: SimState, group: ServerGroupRecord, host: string, except?: string): number {
  return state.servers.filter((s) => s.host === host && s.id !== except && group.members.includes(s.id))
    .length;
}

/** The host for a new server, or undefined for "No valid host was found". */
export function chooseHost(
  state: SimState,
  flavor: FlavorRecord,
  group: ServerGroupRecord | undefined,
  availabilityZone?: string,
  /** A resize's own server: it must leave its host (Nova's allow_resize_to_same_host is off by default). */
  resizing?: { id: string; host: string },
): string | undefined {
  if (availabilityZone && availabilityZone !== "nova" && !availabilityZone.startsWith("nova:"))
    return undefined;
  const forcedHost = availabilityZone?.startsWith("nova:") ? availabilityZone.slice(5) : undefined;
  let candidates = hostUsage(state).filter(
    (h) =>
      h.freeVcpus >= flavor.vcpus &&
      h.freeRamMb >= flavor.ram &&
      (!forcedHost || h.name === forcedHost) &&
      h.name !== resizing?.host,
  );
  if (group) {
    const onHost = (h: HostUsage): number => groupMembersOn(state, group, h.name, resizing?.id);
    switch (group.policy) {
      case "anti-affinity": {
        const limit = group.maxServerPerHost ?? 1;
        candidates = candidates.filter((h) => onHost(h) < limit);
        break;
      }
      case "affinity": {
        const used = state.hypervisors.map((h) => h.name).filter((n) => groupMembersOn(state, group, n) > 0);
        if (used.length > 0) candidates = candidates.filter((h) => used.includes(h.name));
        break;
      }
      case "soft-anti-affinity":
        candidates.sort((a, b) => onHost(a) - onHost(b));
        return candidates[0]?.name;
      case "soft-affinity":
        candidates.sort((a, b) => onHost(b) - onHost(a));
        return candidates[0]?.name;
    }
  }
  // Nova's default RAM weigher spreads: most free RAM first; the name breaks ties (deterministic tests).
  candidates.sort((a, b) => b.freeRamMb - a.freeRamMb || a.name.localeCompare(b.name));
  return candidates[0]?.name;
}
