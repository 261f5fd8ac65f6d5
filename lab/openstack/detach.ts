// Volume detaches: every one asked for or performed is audited, and under the "refuse" policy (the
// default) a detach from a server that is not SHUTOFF gets a 409, so a program that detaches a data
// volume from a guest that may still be writing to it fails in the lab instead of passing silently.
import type { SimContext } from "./context";
import { ApiError } from "./http";
import { taskState } from "./nova-views";
import { nowIso } from "./time";
import type { DetachKind, LiveDetachPolicy, ServerRecord, VolumeRecord } from "./types";

/** Checks a policy value from JavaScript, the CLI or the /_sim API; absent means "refuse". */
export function liveDetachPolicy(value: unknown): LiveDetachPolicy {
  if (value === undefined || value === "refuse") return "refuse";
  if (value === "allow") return "allow";
  throw ApiError.badRequest(`liveDetach must be "refuse" or "allow", not ${JSON.stringify(value)}`);
}

/** Appends to the audit; statuses are the ones at the moment of the request, before any change. */
export function recordDetach(
  ctx: SimContext,
  kind: DetachKind,
  server: ServerRecord,
  volume: VolumeRecord,
  refusal?: ApiError,
): void {
  ctx.store.state.detachAudit.push({
    at: nowIso(),
    kind,
    serverId: server.id,
    serverName: server.name,
    serverStatus: server.status,
    volumeId: volume.id,
    volumeName: volume.name,
    volumeStatus: volume.status,
    refused: refusal !== undefined,
    ...(refusal ? { reason: refusal.message } : {}),
  });
}

/** The policy's 409: any status but SHUTOFF, and SHUTOFF while a start is under way, may have a live guest. */
function liveDetachRefusal(
  ctx: SimContext,
  server: ServerRecord,
  volume: VolumeRecord,
): ApiError | undefined {
  if (ctx.policy.liveDetach === "allow") return undefined;
  if (server.status === "SHUTOFF" && !server.transition) return undefined;
  const task = server.transition ? (taskState(server) ?? "busy") : undefined;
  const state = task ? `${server.status} (${task})` : server.status;
  return ApiError.conflict(
    `the ECS lab refuses to detach volume ${volume.id} from server ${server.name} (${server.id}) while it ` +
      `is ${state}: the guest may still be writing to it; stop the server first (os-stop) and detach from SHUTOFF.`,
  );
}

/** Cinder detaches only a settled in-use volume; the provider retries on this 400 (a detach already runs). */
function volumeStateRefusal(volume: VolumeRecord): ApiError | undefined {
  if (volume.status === "in-use" && !volume.transition) return undefined;
  return ApiError.badRequest(
    "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.",
  );
}

/**
 * Checks a Nova or Cinder detach request and records it, refused or not; throws the refusal.
 * `force` (Cinder's os-force_detach) skips the volume-state check, never the live-detach policy.
 */
export function admitDetach(
  ctx: SimContext,
  kind: Exclude<DetachKind, "server-delete">,
  server: ServerRecord,
  volume: VolumeRecord,
  force = false,
): void {
  const refusal = liveDetachRefusal(ctx, server, volume) ?? (force ? undefined : volumeStateRefusal(volume));
  recordDetach(ctx, kind, server, volume, refusal);
  if (refusal) throw refusal;
}
