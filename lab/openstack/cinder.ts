// Cinder v3 (volumev3 endpoint, "/volume/v3/{project_id}"): volumes, their states, types, detach actions.
// Times are "2006-01-02T15:04:05.999999" with no zone: gophercloud fails on a "Z" here.
import { randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError, noContent, ok, Router, type Req, type Res } from "./http";
import { optNumber, optRecord, optString, optStringMap, record, type JsonRecord } from "./json";
import { detachVolume, findServer, volumeTransition } from "./lifecycle";
import { accountOf } from "./projects";
import { microNoZone } from "./time";
import type { SimState, VolumeRecord } from "./types";

function volumeView(state: SimState, v: VolumeRecord, baseUrl: string): Record<string, unknown> {
  const a = v.attachment;
  return {
    id: v.id,
    name: v.name,
    description: v.description,
    status: v.status,
    size: v.size,
    availability_zone: v.availabilityZone,
    volume_type: v.volumeType,
    snapshot_id: null,
    source_volid: null,
    backup_id: null,
    metadata: { ...v.metadata },
    attachments:
      a && (v.status === "in-use" || v.status === "detaching")
        ? [
            {
              id: v.id,
              attachment_id: a.attachmentId,
              volume_id: v.id,
              server_id: a.serverId,
              host_name: a.hostName,
              device: a.device,
              attached_at: microNoZone(a.attachedAt),
            },
          ]
        : [],
    user_id: accountOf(state, v.projectId).user.id,
    bootable: String(v.bootable),
    encrypted: false,
    multiattach: false,
    replication_status: null,
    consistencygroup_id: null,
    group_id: null,
    "os-vol-tenant-attr:tenant_id": v.projectId,
    created_at: microNoZone(v.createdAt),
    updated_at: microNoZone(v.updatedAt),
    links: [{ rel: "self", href: `${baseUrl}/volume/v3/${v.projectId}/volumes/${v.id}` }],
  };
}

/** The project's volume; another project's volume is a 404, as in Cinder. */
function findVolume(state: SimState, id: string, projectId: string): VolumeRecord {
  const v = state.volumes.find((x) => x.id === id && x.projectId === projectId);
  if (!v) throw ApiError.notFound(`Volume ${id} could not be found.`);
  return v;
}

const DELETABLE = new Set(["available", "error"]);

/**
 * Cinder's os-detach / os-force_detach: Cinder marks the volume detached without asking Nova, so the
 * guest keeps a dangling disk. Same lab policy and audit as a Nova detach; force skips the state check.
 */
function cinderDetach(
  ctx: SimContext,
  v: VolumeRecord,
  body: JsonRecord,
  action: "os-detach" | "os-force_detach",
): Res {
  const args = body[action] === null ? {} : record(body[action], action);
  const attachmentId = optString(args, "attachment_id");
  if (!v.attachment) {
    throw ApiError.badRequest(
      `Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.`,
    );
  }
  if (attachmentId && attachmentId !== v.attachment.attachmentId && attachmentId !== v.id)
    throw ApiError.notFound(`Volume attachment ${attachmentId} could not be found.`);
  const server = findServer(ctx.store.state, v.attachment.serverId, undefined);
  detachVolume(ctx, "cinder-detach", server, v, action === "os-force_detach");
  return noContent(202);
}

export function cinderRouter(ctx: SimContext): Router {
  const st = (): SimState => ctx.store.state;
  const r = new Router();
  // The URL's project must be the token's: a volume is reached through its own project only.
  const checkProject = (req: Req, p: Record<string, string>): string => {
    if (p.project !== (req.projectId ?? st().project.id))
      throw ApiError.notFound(`Project ${p.project} could not be found.`);
    return p.project;
  };
  r.on("GET", "/", (req) =>
    ok({
      versions: [
        {
          id: "v3.0",
          status: "CURRENT",
          version: "3.70",
          min_version: "3.0",
          updated: "2023-01-01T00:00:00Z",
          links: [{ rel: "self", href: `${req.baseUrl}/volume/v3/` }],
        },
      ],
    }),
  );
  r.on("GET", "/v3/:project/types", (req, p) => {
    checkProject(req, p);
    return ok({
      volume_types: st().volumeTypes.map((name, i) => ({
        id: `${i}`,
        name,
        is_public: true,
        extra_specs: {},
        description: null,
      })),
    });
  });
  const list = (req: Req, p: Record<string, string>, detail: boolean): ReturnType<typeof ok> => {
    const project = checkProject(req, p);
    const name = req.query.get("name");
    const status = req.query.get("status");
    const vols = st().volumes.filter(
      (v) => v.projectId === project && (!name || v.name === name) && (!status || v.status === status),
    );
    return ok({
      volumes: vols.map((v) => {
        const full = volumeView(st(), v, req.baseUrl);
        return detail ? full : { id: v.id, name: v.name, links: full.links };
      }),
    });
  };
  r.on("GET", "/v3/:project/volumes", (req, p) => list(req, p, false));
  r.on("GET", "/v3/:project/volumes/detail", (req, p) => list(req, p, true));
  r.on("GET", "/v3/:project/volumes/:id", (req, p) => {
    const project = checkProject(req, p);
    return ok({ volume: volumeView(st(), findVolume(st(), p.id, project), req.baseUrl) });
  });
  r.on("POST", "/v3/:project/volumes", (req, p) => {
    const project = checkProject(req, p);
    const b = record(record(req.body, "body").volume, "volume");
    const size = optNumber(b, "size");
    if (size === undefined || !Number.isInteger(size) || size < 1) {
      throw ApiError.badRequest("Invalid input received: 'size' must be a positive integer");
    }
    for (const k of ["snapshot_id", "source_volid", "imageRef", "backup_id"]) {
      if (optString(b, k)) throw ApiError.badRequest(`'${k}' is not supported by the OpenStack simulator`);
    }
    const volumeType = optString(b, "volume_type") || st().volumeTypes[0];
    if (!st().volumeTypes.includes(volumeType))
      throw ApiError.notFound(`Volume type with name ${volumeType} could not be found.`);
    const q = st().quotas;
    const mine = st().volumes.filter((v) => v.projectId === project);
    const usedGb = mine.reduce((n, v) => n + v.size, 0);
    if (mine.length + 1 > q.volumes) {
      throw new ApiError(
        413,
        `VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`,
      );
    }
    if (usedGb + size > q.gigabytes) {
      throw new ApiError(
        413,
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${q.gigabytes}G and ${usedGb}G has been consumed.`,
      );
    }
    const now = new Date().toISOString();
    const v: VolumeRecord = {
      id: randomUUID(),
      name: optString(b, "name") ?? "",
      projectId: project,
      description: optString(b, "description") ?? "",
      size,
      status: "creating",
      volumeType,
      availabilityZone: optString(b, "availability_zone") || "nova",
      metadata: optStringMap(b, "metadata") ?? {},
      attachment: null,
      bootable: false,
      createdAt: now,
      updatedAt: now,
    };
    st().volumes.push(v);
    volumeTransition(ctx, v, "available", ctx.faults.timing.volumeDelayMs);
    return ok({ volume: volumeView(st(), v, req.baseUrl) }, 202);
  });
  r.on("PUT", "/v3/:project/volumes/:id", (req, p) => {
    const v = findVolume(st(), p.id, checkProject(req, p));
    const b = record(record(req.body, "body").volume, "volume");
    v.name = optString(b, "name") ?? v.name;
    v.description = optString(b, "description") ?? v.description;
    v.metadata = optStringMap(b, "metadata") ?? v.metadata;
    v.updatedAt = new Date().toISOString();
    return ok({ volume: volumeView(st(), v, req.baseUrl) });
  });
  r.on("DELETE", "/v3/:project/volumes/:id", (req, p) => {
    const v = findVolume(st(), p.id, checkProject(req, p));
    if (!DELETABLE.has(v.status) || v.transition) {
      throw ApiError.badRequest(
        "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.",
      );
    }
    st().volumes = st().volumes.filter((x) => x !== v);
    return noContent(202);
  });
  r.on("POST", "/v3/:project/volumes/:id/action", (req, p) => {
    const v = findVolume(st(), p.id, checkProject(req, p));
    const body = record(req.body, "body");
    for (const action of ["os-detach", "os-force_detach"] as const) {
      if (body[action] !== undefined) return cinderDetach(ctx, v, body, action);
    }
    const extend = optRecord(body, "os-extend");
    if (extend) {
      const newSize = optNumber(extend, "new_size");
      if (newSize === undefined || newSize <= v.size) {
        throw ApiError.badRequest(
          "Invalid input received: New size for extend must be greater than current size.",
        );
      }
      if (v.status !== "available" && v.status !== "in-use") {
        throw ApiError.badRequest(
          `Invalid volume: Volume ${v.id} status must be available or in-use, but is ${v.status}`,
        );
      }
      const back = v.status;
      v.size = newSize;
      v.status = "extending";
      volumeTransition(ctx, v, back, ctx.faults.timing.volumeDelayMs);
      return noContent(202);
    }
    const reset = optRecord(body, "os-reset_status");
    if (reset) {
      const status = optString(reset, "status");
      if (status !== "available" && status !== "error" && status !== "in-use")
        throw ApiError.badRequest("Invalid status");
      v.status = status;
      v.transition = undefined;
      return noContent(202);
    }
    throw ApiError.badRequest(
      `Action '${Object.keys(body)[0]}' is not supported by the OpenStack simulator.`,
    );
  });
  return r;
}
