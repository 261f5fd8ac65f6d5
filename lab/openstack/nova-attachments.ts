// Nova's volume attachments (os-volume_attachments) and interfaces (os-interface) of a server.
import { randomUUID } from "node:crypto";
import type { SimContext } from "./context";
import { ApiError, noContent, ok, type Req, type Router } from "./http";
import { optArray, optString, record, reqString } from "./json";
import { detachPort, detachVolume, findServer, volumeTransition } from "./lifecycle";
import { bindPort, createPort, portStatus } from "./neutron-ports";
import { visibleTo } from "./projects";
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
  const server = (req: Req, id: string): ServerRecord => findServer(st(), id, req.projectId);
  const attachedVolume = (vm: ServerRecord, volumeId: string): VolumeRecord => {
    const v = st().volumes.find((x) => x.id === volumeId && x.attachment?.serverId === vm.id);
    if (!v) throw ApiError.notFound(`Volume ${volumeId} is not attached to ${vm.id}`);
    return v;
  };

  r.on("GET", "/servers/:id/os-volume_attachments", (req, p) => {
    server(req, p.id);
    return ok({
      volumeAttachments: st()
        .volumes.filter((v) => v.attachment?.serverId === p.id)
        .map(attachmentView),
    });
  });
  r.on("GET", "/servers/:id/os-volume_attachments/:vid", (req, p) =>
    ok({ volumeAttachment: attachmentView(attachedVolume(server(req, p.id), p.vid)) }),
  );
  r.on("POST", "/servers/:id/os-volume_attachments", (req, p) => {
    const vm = server(req, p.id);
    requireStable(vm, "attach_volume");
    const b = record(record(req.body, "body").volumeAttachment, "volumeAttachment");
    const volumeId = reqString(b, "volumeId");
    const volume = st().volumes.find((v) => v.id === volumeId && visibleTo(req.projectId, v));
    if (!volume) throw ApiError.notFound(`Volume ${volumeId} could not be found.`);
    if (volume.status !== "available" || volume.transition) {
      throw ApiError.badRequest(
        `Invalid volume: volume ${volumeId} status must be available, but is ${volume.status}`,
      );
    }
    const device = optString(b, "device") || nextDevice(st(), vm.id);
    volume.attachment = {
      attachmentId: randomUUID(),
      serverId: vm.id,
      device,
      hostName: vm.host ?? "",
      attachedAt: new Date().toISOString(),
    };
    volume.status = "attaching";
    volume.updatedAt = new Date().toISOString();
    volumeTransition(ctx, volume, "in-use", ctx.faults.timing.volumeDelayMs);
    return ok({ volumeAttachment: attachmentView(volume) });
  });
  r.on("DELETE", "/servers/:id/os-volume_attachments/:vid", (req, p) => {
    const vm = server(req, p.id);
    // Audited; refused (409) from a live guest under the lab's policy, and (400) while a detach runs.
    detachVolume(ctx, "nova-detach", vm, attachedVolume(vm, p.vid));
    return noContent(202);
  });

  const serverPort = (vm: ServerRecord, portId: string): PortRecord => {
    const port = st().ports.find((x) => x.id === portId && vm.portIds.includes(x.id));
    if (!port) throw ApiError.notFound(`Port ${portId} is not attached`);
    return port;
  };
  r.on("GET", "/servers/:id/os-interface", (req, p) => {
    const vm = server(req, p.id);
    const ports = st().ports.filter((x) => vm.portIds.includes(x.id));
    return ok({ interfaceAttachments: ports.map((x) => interfaceView(st(), x)) });
  });
  r.on("GET", "/servers/:id/os-interface/:port", (req, p) => {
    return ok({ interfaceAttachment: interfaceView(st(), serverPort(server(req, p.id), p.port)) });
  });
  r.on("POST", "/servers/:id/os-interface", (req, p) => {
    const vm = server(req, p.id);
    requireStable(vm, "attach_interface");
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
    vm.portIds.push(port.id);
    if (vm.host) bindPort(port, vm.id, vm.host);
    return ok({ interfaceAttachment: interfaceView(st(), port) });
  });
  r.on("DELETE", "/servers/:id/os-interface/:port", (req, p) => {
    const vm = server(req, p.id);
    serverPort(vm, p.port);
    detachPort(ctx, vm, p.port);
    return noContent(202);
  });
}
