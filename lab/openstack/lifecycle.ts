// Delayed state changes (BUILD -> ACTIVE, stop/start, volume attach...) and server teardown.
// Changes are stored as due transitions and applied lazily, so a restarted simulator resumes them.
import { emitServerEvent, serverFixedIps, type SimContext } from "./context";
import { admitDetach, recordDetach } from "./detach";
import { ApiError } from "./http";
import { bindPort, unbindPort } from "./neutron-ports";
import { visibleTo } from "./projects";
import { isoAfter, nowIso } from "./time";
import type {
  DetachKind,
  ServerRecord,
  ServerStatus,
  SimState,
  Transition,
  VolumeRecord,
  VolumeStatus,
} from "./types";

export function serverTransition(
  ctx: SimContext,
  server: ServerRecord,
  to: ServerStatus,
  delayMs: number,
  event?: Transition<ServerStatus>["event"],
  fault?: string,
): void {
  server.transition = { to, at: isoAfter(delayMs), event, fault };
  if (delayMs <= 0) settle(ctx);
}

export function volumeTransition(
  ctx: SimContext,
  volume: VolumeRecord,
  to: VolumeStatus,
  delayMs: number,
): void {
  volume.transition = { to, at: isoAfter(delayMs) };
  if (delayMs <= 0) settle(ctx);
}

function applyServer(ctx: SimContext, s: ServerRecord, t: Transition<ServerStatus>): void {
  const now = nowIso();
  s.status = t.to;
  s.updatedAt = now;
  s.transition = undefined;
  if (t.to === "ACTIVE") {
    s.powerState = 1;
    if (!s.launchedAt) s.launchedAt = now;
  } else if (t.to === "SHUTOFF") {
    s.powerState = 4;
  } else if (t.to === "ERROR") {
    s.powerState = 0;
    s.fault = { code: 500, message: t.fault ?? "Unknown error", created: now };
  }
  if (t.event) emitServerEvent(ctx, s, t.event, t.fault);
}

function applyVolume(v: VolumeRecord, t: Transition<VolumeStatus>): void {
  v.status = t.to;
  v.updatedAt = nowIso();
  v.transition = undefined;
  if (t.to === "available") v.attachment = null;
}

/** Applies every due transition; returns the time (ms epoch) of the next one, if any. */
export function settle(ctx: SimContext): number | undefined {
  const now = Date.now();
  let next: number | undefined;
  const consider = (at: string): boolean => {
    const t = Date.parse(at);
    if (t <= now) return true;
    next = next === undefined ? t : Math.min(next, t);
    return false;
  };
  for (const s of ctx.store.state.servers) {
    if (s.transition && consider(s.transition.at)) applyServer(ctx, s, s.transition);
  }
  for (const v of ctx.store.state.volumes) {
    if (v.transition && consider(v.transition.at)) applyVolume(v, v.transition);
  }
  return next;
}

/** Plugs the server's ports on its host (Nova does this during the build). */
export function plugPorts(ctx: SimContext, server: ServerRecord): void {
  if (!server.host) return;
  for (const id of server.portIds) {
    const port = ctx.store.state.ports.find((p) => p.id === id);
    if (port) bindPort(port, server.id, server.host);
  }
}

/** A detach through Nova or Cinder: checked against the policy and audited, then detaching -> available. */
export function detachVolume(
  ctx: SimContext,
  kind: Exclude<DetachKind, "server-delete">,
  server: ServerRecord,
  volume: VolumeRecord,
  force = false,
): void {
  admitDetach(ctx, kind, server, volume, force);
  volume.status = "detaching";
  volume.updatedAt = nowIso();
  volumeTransition(ctx, volume, "available", ctx.faults.timing.volumeDelayMs);
}

/**
 * Nova's delete: the server is gone at once (the provider's wait treats 404 as done), ports it made
 * are deleted, ports it was given are unbound and keep their IPs, volumes are detached. Never refused:
 * Nova destroys the guest before it detaches, but the detach is audited with the status it had.
 */
export function deleteServer(ctx: SimContext, server: ServerRecord): void {
  const state = ctx.store.state;
  const ips = serverFixedIps(ctx, server);
  for (const id of server.portIds) {
    const port = state.ports.find((p) => p.id === id);
    if (!port) continue;
    if (port.createdByNova) state.ports = state.ports.filter((p) => p !== port);
    else unbindPort(port);
  }
  for (const v of state.volumes) {
    if (v.attachment?.serverId === server.id) {
      recordDetach(ctx, "server-delete", server, v);
      v.attachment = null;
      v.status = "available";
      v.transition = undefined;
      v.updatedAt = nowIso();
    }
  }
  for (const g of state.serverGroups) g.members = g.members.filter((m) => m !== server.id);
  state.servers = state.servers.filter((s) => s !== server);
  emitServerEvent(ctx, { ...server, status: "DELETED" as ServerStatus }, "delete", undefined, ips);
}

/** Fault injection: the VM dies without an API call (power off, as in the runbook's cases 1 and 2). */
export function crashServer(ctx: SimContext, server: ServerRecord): void {
  server.transition = undefined;
  server.status = "SHUTOFF";
  server.powerState = 4;
  server.updatedAt = nowIso();
  emitServerEvent(ctx, server, "crash", "powered off by fault injection");
}

/** The server, if the caller's project may see it: another project's server is a 404, as in Nova. */
export function findServer(state: SimState, id: string, projectId: string | undefined): ServerRecord {
  const s = state.servers.find((x) => x.id === id && visibleTo(projectId, x));
  if (!s) throw ApiError.notFound(`Instance ${id} could not be found.`);
  return s;
}

/** Detaches a port from a server (os-interface DELETE); Nova-made ports are deleted. */
export function detachPort(ctx: SimContext, server: ServerRecord, portId: string): void {
  const state = ctx.store.state;
  const port = state.ports.find((p) => p.id === portId);
  server.portIds = server.portIds.filter((id) => id !== portId);
  if (!port) return;
  if (port.createdByNova) state.ports = state.ports.filter((p) => p !== port);
  else unbindPort(port);
}
