/**
 * etcd's own word, as RKE2 exposes it on a healthy server (over SSH): the member list from etcd's
 * client endpoint (https://<server ip>:2379, RKE2's client certificate), member removal by ID when
 * a server's Node is already gone, and a fresh snapshot with `rke2 etcd-snapshot save` before any
 * member leaves. The Nodes' EtcdIsVoter conditions are RKE2's reading; this is etcd's.
 */
import { StageContext } from "./context";
import { sshScript } from "./ssh";
import { ClusterNode, PeerSsh } from "./stageEnv";

export const ETCD_CLIENT_PORT = 2379;

export interface EtcdMember {
  ID: string;
  name: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

/** A server to ask, with the SSH settings to reach it. */
export interface Peer {
  node: ClusterNode;
  ssh: PeerSsh;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function peerSsh(ctx: StageContext): PeerSsh {
  if (!ctx.peerSsh)
    throw new Error(
      `${ctx.node}: this server stage has no SSH settings for its peers, so it cannot read etcd's member list or take ` +
        "a snapshot before the member is removed. Nothing was changed. Fix: set ecs:sshPrivateKey and every server's " +
        "ecs:nodes[i].sshHostKey, run `pulumi up` once without bumping generations (it stores them), then re-run.",
    );
  return ctx.peerSsh;
}

/** POSTs to etcd's JSON gateway on the peer itself; returns the parsed answer or throws etcd's error. */
function gateway(peer: Peer, call: string, body: object): unknown {
  const d = `${peer.ssh.rke2DataDir}/server/tls/etcd`;
  const script = [
    `curl -sS --max-time 15 --cacert ${q(`${d}/server-ca.crt`)} --cert ${q(`${d}/server-client.crt`)} --key ${q(`${d}/server-client.key`)} \\`,
    `  -X POST -d ${q(JSON.stringify(body))} -w '\\n%{http_code}' ${q(`https://${peer.node.ip}:${ETCD_CLIENT_PORT}/v3/cluster/${call}`)}`,
  ].join("\n");
  const r = sshScript(peer.ssh, peer.node, script, 60);
  const out = r.stdout.trimEnd();
  const code = out.slice(out.lastIndexOf("\n") + 1);
  const text = out.slice(0, out.lastIndexOf("\n"));
  if (r.status !== 0 || code !== "200") {
    throw new Error(
      `etcd on ${peer.node.name} (${call}) answered ${code || `nothing (exit ${r.status})`}: ${(text || r.stderr).trim().slice(0, 500)}`,
    );
  }
  return JSON.parse(text);
}

export function memberList(peer: Peer): EtcdMember[] {
  return ((gateway(peer, "member/list", {}) as { members?: EtcdMember[] }).members ?? []).map((m) => ({
    ...m,
    isLearner: m.isLearner === true,
  }));
}

export function removeMember(peer: Peer, id: string): void {
  gateway(peer, "member/remove", { ID: id });
}

/** The member of a configured server: RKE2 names members `<hostname>-<suffix>`; peers by IP. */
export function memberOf(members: EtcdMember[], node: ClusterNode): EtcdMember | undefined {
  return members.find(
    (m) =>
      m.name.startsWith(`${node.hostname}-`) ||
      (m.peerURLs ?? []).some((u) => new URL(u).hostname === node.ip),
  );
}

/**
 * Runs `fn` on the first peer (another configured server, in config order, among `healthy`) that
 * answers; throws with every peer's error when none does.
 */
export function onPeer<T>(ctx: StageContext, healthy: string[], what: string, fn: (peer: Peer) => T): T {
  const ssh = peerSsh(ctx);
  const peers = (ctx.cluster?.nodes ?? []).filter(
    (n) => n.role === "server" && n.hostname !== ctx.node && healthy.includes(n.hostname),
  );
  const errors: string[] = [];
  for (const node of peers) {
    try {
      return fn({ node, ssh });
    } catch (e) {
      errors.push(`${node.name}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `could not ${what} on any healthy server (${errors.join("; ") || "no healthy peer server"}). Nothing was removed. ` +
      "Fix: check SSH to the servers (ecs:ssh, ecs:sshPrivateKey, each server's sshHostKey) and their RKE2, then re-run.",
  );
}

export interface Snapshot {
  peer: string;
  file: string;
  sizeBytes: number;
  takenAt: string;
  restore: string;
}

/** A fresh snapshot on the peer, verified by its file and size; any failure throws. */
export function takeSnapshot(ctx: StageContext, peer: Peer): Snapshot {
  const { rke2BinDir, rke2DataDir } = peer.ssh;
  const short = ctx.node.split(".")[0];
  const name = `ecs-before-${short}-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}`;
  const dir = `${rke2DataDir}/server/db/snapshots`;
  const script = [
    "set -e",
    `${q(`${rke2BinDir}/rke2`)} etcd-snapshot save --name ${q(name)} >&2`,
    `f=$(ls -1t ${q(dir)}/${q(name)}-* 2>/dev/null | head -n 1)`,
    `[ -n "$f" ] || { echo "rke2 etcd-snapshot save reported success, but ${dir} has no ${name}-* file" >&2; exit 1; }`,
    'echo "snapshot $(stat -c %s "$f") $f"',
  ].join("\n");
  const r = sshScript(peer.ssh, peer.node, script, 600);
  const m = /^snapshot (\d+) (\S+)$/m.exec(r.stdout);
  if (r.status !== 0 || !m) {
    throw new Error(
      `etcd snapshot on ${peer.node.name} failed (exit ${r.status}): ${r.stderr.trim().slice(-800)}`,
    );
  }
  const sizeBytes = Number(m[1]);
  if (sizeBytes <= 0) throw new Error(`etcd snapshot ${m[2]} on ${peer.node.name} is empty`);
  return {
    peer: peer.node.hostname,
    file: m[2],
    sizeBytes,
    takenAt: new Date().toISOString(),
    restore:
      `stop RKE2 on every server (the ECS roles in CM), then on ${peer.node.hostname}: ` +
      `${rke2BinDir}/rke2 server --cluster-reset --cluster-reset-restore-path=${m[2]} ; start it, wipe the other ` +
      "servers (rke2-uninstall.sh) and start their roles again (https://docs.rke2.io/datastore/backup_restore)",
  };
}
