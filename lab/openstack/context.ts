// What every service module shares: the state store, the fault knobs, the lab hooks and the policies.
import type { Faults } from "./faults";
import type { ServerEventType, SimulatorHooks } from "./hooks";
import type { StateStore } from "./state";
import { nowIso } from "./time";
import type { LiveDetachPolicy, ServerRecord } from "./types";

/** Lab rules stricter than OpenStack's, settable at run time (not persisted, like the timing). */
export interface SimPolicy {
  liveDetach: LiveDetachPolicy;
}

export interface SimContext {
  store: StateStore;
  faults: Faults;
  hooks: SimulatorHooks;
  policy: SimPolicy;
}

export function serverFixedIps(ctx: SimContext, server: ServerRecord): string[] {
  const ips: string[] = [];
  for (const portId of server.portIds) {
    const port = ctx.store.state.ports.find((p) => p.id === portId);
    if (port) ips.push(...port.fixedIps.map((f) => f.ipAddress));
  }
  return ips;
}

export function emitServerEvent(
  ctx: SimContext,
  server: ServerRecord,
  type: ServerEventType,
  message?: string,
  fixedIps?: string[],
): void {
  ctx.hooks.emitServer({
    type,
    serverId: server.id,
    name: server.name,
    host: server.host,
    fixedIps: fixedIps ?? serverFixedIps(ctx, server),
    status: server.status,
    at: nowIso(),
    message,
  });
}
