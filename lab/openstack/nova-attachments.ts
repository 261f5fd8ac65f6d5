// Nova's volume attachments (os-volume_attachments) and interfaces (os-interface) of a server.
import { randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError, noContent, ok, type Router } from "./http";
import { optArray, optString, record, reqString } from "./json";
import { detachPort, findServer, volumeTransition } from "./lifecycle";
import { bindPort, createPort, portStatus } from "./neutron-ports";
import type { PortRecord, ServerRecord, SimState, VolumeRecord } from "./types";

/** In Nova the attachment ID is the volume ID; the provider's resource ID is "<server>/<volume>". */
function attachmentView(v: VolumeRecord): Record<string, unknown> {
  return {
    id: v.id,
    volumeId: v.id,
    serverId: v.attachment?.serverId,
    device: v.attachment?.device,
  };
}

function nextDevice(state: SimState, serverId: string): string {
  const used = new Set(
    state.volumes.filter((v) => v.attachment?.serverId === serverId).map((v) => v.attachment?.device),
  );
  for (let c = "b".charCodeAt(0); c <= "z".charCodeAt(0); c++) {
    const dev = `/dev/vd${String.fromCharCode(c)}`;
    if (!used.has(dev)) return dev;
  }
  throw ApiError.badRequest("No free disk device names for prefix 'vd'");
}

function requireStable(server: ServerRecord, action: string): void {
  if ((server.status !== "ACTIVE" && server.status !== "SHUTOFF") || server.transition) {
    const vm = server.status === "BUILD" ? "building" : server.status.toLowerCase();
    throw ApiError.conflict(`Cannot '${action}' instance ${server.id} while it is in vm_state ${vm}`);
  }
}

function interfaceView(state: SimState, p: PortRecord): Record<string, unknown> {
  return {
    port_id: p.id,
    net_id: p.networkId,
    mac_addr: p.macAddress,
    port_state: portStatus(state, p),
    fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
  };
}

export function attachmentRoutes(ctx: SimContext, r: Router): void {
  const st = (): SimState => ctx.store.state;
  const attachedVolume = (serverId: string, volumeId: string): VolumeRecord => {
    findServer(st(), serverId);
    const v = st().volumes.find((x) => x.id === volumeId && x.attachment?.serverId === serverId);
    if (!v) throw ApiError.notFound(`Volume ${volumeId} is not attached to ${serverId}`);
    return v;
  };

  r.on("GET", "/servers/:id/os-volume_attachments", (_q, p) => {
    findServer(st(), p.id);
    return ok({
      volumeAttachments: st()
        .volumes.filter((v) => v.attachment?.serverId === p.id)
        .map(attachmentView),
    });
  });
  r.on("GET", "/servers/:id/os-volume_attachments/:vid", (_q, p) =>
    ok({ volumeAttachment: attachmentView(attachedVolume(p.id, p.vid)) }),
  );
  r.on("POST", "/servers/:id/os-volume_attachments", (req, p) => {
    const server = findServer(st(), p.id);
    requireStable(server, "attach_volume");
    const b = record(record(req.body, "body").volumeAttachment, "volumeAttachment");
    const volumeId = reqString(b, "volumeId");
    const volume = st().volumes.find((v) => v.id === volumeId);
    if (!volume) throw ApiError.notFound(`Volume ${volumeId} could not be found.`);
    if (volume.status !== "available" || volume.transition) {
      throw ApiError.badRequest(
        `Invalid volume: volume ${volumeId} status must be available, but is ${volume.status}`,
      );
    }
    const device = optString(b, "device") || nextDevice(st(), server.id);
    volume.attachment = {
      attachmentId: randomUUID(),
      serverId: server.id,
      device,
      hostName: server.host ?? "",
      attachedAt: new Date().toISOString(),
    };
    volume.status = "attaching";
    volume.updatedAt = new Date().toISOString();
    volumeTransition(ctx, volume, "in-use", ctx.faults.timing.volumeDelayMs);
    return ok({ volumeAttachment: attachmentView(volume) });
  });
  r.on("DELETE", "/servers/:id/os-volume_attachments/:vid", (_q, p) => {
    const volume = attachedVolume(p.id, p.vid);
    // While a detach runs, Cinder refuses another one; the provider retries on this 400.
    if (volume.status !== "in-use" || volume.transition) {
      throw ApiError.badRequest(
        `Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.`,
      );
    }
    volume.status = "detaching";
    volumeTransition(ctx, volume, "available", ctx.faults.timing.volumeDelayMs);
    return noContent(202);
  });

  const serverPort = (server: ServerRecord, portId: string): PortRecord => {
    const port = st().ports.find((x) => x.id === portId && server.portIds.includes(x.id));
    if (!port) throw ApiError.notFound(`Port ${portId} is not attached`);
    return port;
  };
  r.on("GET", "/servers/:id/os-interface", (_q, p) => {
    const server = findServer(st(), p.id);
    const ports = st().ports.filter((x) => server.portIds.includes(x.id));
    return ok({ interfaceAttachments: ports.map((x) => interfaceView(st(), x)) });
  });
  r.on("GET", "/servers/:id/os-interface/:port", (_q, p) => {
    const server = findServer(st(), p.id);
    return ok({ interfaceAttachment: interfaceView(st(), serverPort(server, p.port)) });
  });
  r.on("POST", "/servers/:id/os-interface", (req, p) => {
    const server = findServer(st(), p.id);
    requireStable(server, "attach_interface");
    const b = record(record(req.body, "body").interfaceAttachment, "interfaceAttachment");
    const portId = optString(b, "port_id");
    let port: PortRecord;
    if (portId) {
      const existing = st().ports.find((x) => x.id === portId);
      if (!existing) throw ApiError.notFound(`Port ${portId} could not be found.`);
      if (existing.deviceId) throw ApiError.conflict(`Port ${portId} is still in use.`);
      port = existing;
    } else {
      const ips = optArray(b, "fixed_ips")?.map((x) => ({
        ipAddress: reqString(record(x, "fixed_ips[]"), "ip_address"),
      }));
      port = createPort(ctx, { networkId: reqString(b, "net_id"), fixedIps: ips, createdByNova: true });
    }
    server.portIds.push(port.id);
    if (server.host) bindPort(port, server.id, server.host);
    return ok({ interfaceAttachment: interfaceView(st(), port) });
  });
  r.on("DELETE", "/servers/:id/os-interface/:port", (_q, p) => {
    const server = findServer(st(), p.id);
    serverPort(server, p.port);
    detachPort(ctx, server, p.port);
    return noContent(202);
  });
}
