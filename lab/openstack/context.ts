// What every service module shares: the state store, the fault knobs and the lab hooks.
import type { Faults } from "./faults";
import type { ServerEventType, SimulatorHooks } from "./hooks";
import type { StateStore } from "./state";
import { nowIso } from "./time";
import type { ServerRecord } from "./types";

export interface SimContext {
  store: StateStore;
  faults: Faults;
  hooks: SimulatorHooks;
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
