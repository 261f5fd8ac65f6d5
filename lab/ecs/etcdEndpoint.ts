import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { issueClientCert, makeTlsMaterial } from "../cm/tls";
import type { Rke2Controller } from "./rke2";
import type { LabNode } from "./wiring";

/** Where RKE2 keeps etcd's client certificates on a server (what `curl --cert` reads there). */
export const RKE2_DATA_DIR = "/var/lib/rancher/rke2";
export const ETCD_TLS_DIR = path.join(RKE2_DATA_DIR, "server", "tls", "etcd");

export function etcdPort(port?: number): number {
  const fromEnv = process.env.ECS_LAB_ETCD_PORT;
  const p = port ?? (fromEnv ? Number(fromEnv) : 2379);
  if (!Number.isInteger(p) || p < 1 || p > 65535)
    throw new Error(`ECS_LAB_ETCD_PORT=${fromEnv}: not a TCP port`);
  return p;
}

export interface EtcdEndpoints {
  port: number;
  stop(): Promise<void>;
}

/**
 * etcd's client endpoint on each server node (https://<node ip>:2379), as RKE2 runs it: mutual TLS
 * with RKE2's etcd CA and client certificate (written where RKE2 keeps them), and the two calls of
 * etcd's JSON gateway the stages use, member/list and member/remove. A node's endpoint answers
 * only while `serves(node)` says its etcd runs; otherwise the connection is dropped, as a stopped
 * etcd's would be.
 */
export async function startEtcdEndpoints(opts: {
  servers: LabNode[];
  rke2: Rke2Controller;
  serves: (nodeName: string) => boolean;
  port?: number;
}): Promise<EtcdEndpoints> {
  const port = etcdPort(opts.port);
  const tls = makeTlsMaterial(
    opts.servers.map((n) => `IP:${n.ip}`),
    "ECS lab etcd CA",
  );
  const client = issueClientCert(tls, "etcd-client");
  fs.mkdirSync(ETCD_TLS_DIR, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(ETCD_TLS_DIR, "server-ca.crt"), tls.caPem);
  fs.writeFileSync(path.join(ETCD_TLS_DIR, "server-client.crt"), client.certPem);
  fs.writeFileSync(path.join(ETCD_TLS_DIR, "server-client.key"), client.keyPem, { mode: 0o600 });
  fs.rmSync(tls.dir, { recursive: true, force: true });

  const started = await Promise.allSettled(
    opts.servers.map(
      (node) =>
        new Promise<https.Server>((resolve, reject) => {
          const server = https.createServer(
            {
              key: tls.keyPem,
              cert: tls.certPem,
              ca: tls.caPem,
              requestCert: true,
              rejectUnauthorized: true,
            },
            (req, res) => {
              if (!opts.serves(node.name)) {
                req.socket.destroy();
                return;
              }
              const chunks: Buffer[] = [];
              req.on("data", (c: Buffer) => chunks.push(c));
              req.on("end", () => {
                const reply = (status: number, body: unknown) => {
                  res.writeHead(status, { "content-type": "application/json" });
                  res.end(JSON.stringify(body));
                };
                const header = {
                  cluster_id: opts.rke2.clusterId,
                  member_id: opts.rke2.memberRecords.get(node.hostname)?.ID ?? "0",
                  raft_term: "2",
                };
                const members = () =>
                  opts.rke2.memberList().map(({ isLearner, ...m }) => (isLearner ? { ...m, isLearner } : m));
                if (req.method === "POST" && req.url === "/v3/cluster/member/list")
                  return reply(200, { header, members: members() });
                if (req.method === "POST" && req.url === "/v3/cluster/member/remove") {
                  let id = "";
                  try {
                    id = String(
                      (JSON.parse(Buffer.concat(chunks).toString() || "{}") as { ID?: unknown }).ID ?? "",
                    );
                  } catch {
                    return reply(400, { error: "invalid JSON", code: 3, message: "invalid JSON" });
                  }
                  if (!opts.rke2.removeMemberById(id)) {
                    const error = "etcdserver: member not found";
                    return reply(404, { error, code: 5, message: error });
                  }
                  return reply(200, { header, members: members() });
                }
                reply(404, {
                  error: "Not Found",
                  code: 5,
                  message: `the ECS lab's etcd does not serve ${req.url}`,
                });
              });
            },
          );
          server.once("error", (e: NodeJS.ErrnoException) =>
            reject(
              new Error(
                `the lab's etcd endpoint cannot listen on ${node.ip}:${port} (${e.code ?? e.message}); ` +
                  "something else listens there (another lab?). Fix: stop it, or start the lab with ECS_LAB_ETCD_PORT=<port>.",
              ),
            ),
          );
          server.listen(port, node.ip, () => resolve(server));
        }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = started.find((r) => r.status === "rejected");
  if (failure) {
    for (const s of servers) s.close();
    throw failure.reason;
  }
  return {
    port,
    stop: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
