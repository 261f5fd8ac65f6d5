import * as fs from "fs";
import * as path from "path";
import type { CmSimulator } from "../cm";
import type { KubeLab } from "../kube";
import type { OpenStackSimulator } from "../openstack/server";
import { RKE2_DATA_DIR } from "./etcdEndpoint";
import { Rke2Controller, Rke2NodeState } from "./rke2";

/** Where `rke2 etcd-snapshot save` writes on a server (RKE2's default etcd-snapshot-dir). */
export const SNAPSHOT_DIR = path.join(RKE2_DATA_DIR, "server", "db", "snapshots");

/** One `rke2 etcd-snapshot save` the lab was asked for. */
export interface SnapshotRecord {
  node: string;
  name: string;
  at: string;
  ok: boolean;
  file?: string;
  sizeBytes?: number;
  reason?: string;
}

/** One lab node: the seed's hostname and its loopback address. */
export interface LabNode {
  name: string;
  hostname: string;
  ip: string;
  role: "server" | "agent";
}

export type LabLog = (message: string) => void;

/** A request the lab turns down (unknown node, VM not running): the node agent answers 4xx with it. */
export class LabRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the lab knows about each node beyond the simulators, and what the node's RKE2 scripts do. */
export interface LabWiring {
  /** The node's RKE2 state by short name (ds01). */
  rke2State(name: string): Readonly<Rke2NodeState>;
  /** rke2-killall.sh on the node: RKE2 stops (kubelet silent) until the CM role is started again. */
  killall(name: string): string[];
  /** rke2-uninstall.sh on the node: stops RKE2 and wipes its RKE2 and etcd data. */
  uninstall(name: string): string[];
  /** Whether the node's etcd runs and answers (VM up, RKE2 running, an etcd member). */
  etcdServes(name: string): boolean;
  /** `rke2 etcd-snapshot save --name <snapshot>` on the node: writes a snapshot file, or refuses. */
  snapshotSave(name: string, snapshot: string): string[];
  /** `rke2 etcd-snapshot list` on the node. */
  snapshotList(name: string): string[];
  /** The next snapshot saves on a node (or on "all") fail with this message; undefined clears it. */
  failSnapshots(name: string, message: string | undefined): void;
  /** Every snapshot request so far. */
  snapshots(): SnapshotRecord[];
}

interface NodeRecord {
  node: LabNode;
  /** Nova server id of the node's current VM, once one was seen. */
  vmId?: string;
  vmUp: boolean;
  /** CM says its ECS role is STARTED. */
  roleStarted: boolean;
  rke2: Rke2NodeState;
}

/**
 * Makes the three simulators behave as one cluster, the way the machines do:
 * - a VM that boots starts its CM agent heartbeat; if its ECS role is meant to run, RKE2 too;
 * - a VM that stops, crashes or is deleted silences its agent and its kubelet;
 * - a CM role that reaches STARTED starts the node's RKE2 (the node joins Kubernetes); STOPPED stops it;
 * - RKE2 on a server whose etcd member was removed refuses to start until its data is wiped;
 * - a new VM (another Nova server id) has no RKE2 data.
 * At lab start Kubernetes already runs all six kubelets (no VM yet): they count as running.
 */
export function wireLab(
  os: OpenStackSimulator,
  cm: CmSimulator,
  kube: KubeLab,
  rke2: Rke2Controller,
  nodes: LabNode[],
  log: LabLog,
): LabWiring {
  const records = new Map<string, NodeRecord>(
    nodes.map((node) => [
      node.name,
      {
        node,
        vmUp: false,
        roleStarted: false,
        rke2: { running: true, data: "installed", stoppedByScript: false },
      },
    ]),
  );
  const all = [...records.values()];
  const byIp = new Map(all.map((r) => [r.node.ip, r]));
  const byHost = new Map(all.map((r) => [r.node.hostname, r]));

  const stopRke2 = (r: NodeRecord) => {
    r.rke2.running = false;
    void kube.stopNode(r.node.hostname).catch(() => undefined);
  };
  /** RKE2 starts on the node (CM role start, or a VM boot with the role started). */
  const startRke2 = (r: NodeRecord) => {
    const { node: n, rke2: s } = r;
    if (s.data === "stale") {
      log(
        `${n.name}: rke2 server cannot start: etcd member was removed from the cluster; wipe its data (rke2-uninstall.sh) and start the role again`,
      );
      return;
    }
    const fresh = s.data !== "installed";
    s.running = true;
    s.stoppedByScript = false;
    s.data = "installed";
    const forget = fresh && n.role === "server" ? rke2.forget(n.hostname) : Promise.resolve();
    if (fresh)
      log(
        `${n.name}: RKE2 starts on clean data; the node joins ${n.role === "server" ? "as a new etcd learner" : "afresh"}`,
      );
    forget
      .then(() => kube.startNode(n.hostname))
      .then(
        () => log(`${n.name}: Kubernetes node Ready`),
        (e: Error) => log(`${n.name}: node did not come up: ${e.message}`),
      );
  };

  rke2.onMemberRemoved((hostname) => {
    const r = byHost.get(hostname);
    if (!r || r.rke2.data !== "installed") return;
    r.rke2.data = "stale";
    log(`${r.node.name}: etcd member removed; its RKE2 data is stale until rke2-uninstall.sh`);
  });

  os.hooks.onServer((e) => {
    const r = e.fixedIps.map((ip) => byIp.get(ip)).find((x) => x !== undefined);
    if (!r) return;
    const n = r.node;
    if (e.serverId !== r.vmId && e.type !== "delete") {
      // A new machine. (At lab start the kubelets run before any VM exists: their state stays.)
      r.vmId = e.serverId;
      if (!r.rke2.running) r.rke2 = { running: false, data: "clean", stoppedByScript: false };
    }
    if (e.type === "active" || e.type === "start" || e.type === "reboot" || e.type === "resized") {
      r.vmUp = true;
      log(`${n.name}: VM ${e.type}; CM agent heartbeats`);
      cm.hooks.setAgentHeartbeat(n.hostname, true, n.ip);
      if (r.roleStarted && !r.rke2.stoppedByScript && !r.rke2.running) startRke2(r);
    } else if (["stop", "restarting", "crash", "delete", "error"].includes(e.type)) {
      r.vmUp = false;
      log(`${n.name}: VM ${e.type}; CM agent and kubelet silent`);
      cm.hooks.setAgentHeartbeat(n.hostname, false);
      stopRke2(r);
    }
  });

  cm.hooks.onRoleState((e) => {
    const r = byHost.get(e.hostname);
    if (!r || (e.type !== "ECS_SERVER" && e.type !== "ECS_AGENT")) return;
    if (e.state === "STARTED") {
      r.roleStarted = true;
      log(`${r.node.name}: ${e.type} started; RKE2 joins the node`);
      if (r.vmUp) startRke2(r);
    } else if (e.state === "STOPPED") {
      r.roleStarted = false;
      log(`${r.node.name}: ${e.type} stopped; RKE2 stops`);
      stopRke2(r);
    }
  });

  const onNode = (name: string, script: string): NodeRecord => {
    const r = records.get(name);
    if (!r)
      throw new LabRefusal(404, `${script}: ${name} is not a lab node (${[...records.keys()].join(", ")})`);
    if (!r.vmUp) {
      throw new LabRefusal(
        409,
        `${script}: ${name} has no running VM; a real node would not even answer SSH. Start or create its VM first`,
      );
    }
    return r;
  };

  const snapshotFaults = new Map<string, string>();
  const snapshotLog: SnapshotRecord[] = [];
  const serverMember = (r: NodeRecord) =>
    r.vmUp && r.rke2.running && r.node.role === "server" && rke2.members.has(r.node.hostname);

  return {
    etcdServes: (name) => {
      const r = records.get(name);
      return r !== undefined && serverMember(r);
    },
    snapshotSave(name, snapshot) {
      const r = onNode(name, "rke2 etcd-snapshot save");
      const at = new Date();
      const refuse = (reason: string): never => {
        snapshotLog.push({ node: name, name: snapshot, at: at.toISOString(), ok: false, reason });
        throw new LabRefusal(409, reason);
      };
      if (!/^[A-Za-z0-9._-]+$/.test(snapshot)) refuse(`invalid snapshot name ${JSON.stringify(snapshot)}`);
      if (!serverMember(r))
        refuse(
          `${name} runs no etcd member (RKE2 ${r.rke2.running ? "runs" : "is stopped"}, role ${r.node.role})`,
        );
      const fault = snapshotFaults.get(name) ?? snapshotFaults.get("all");
      if (fault) refuse(`failed to save snapshot: ${fault}`);
      const file = path.join(
        SNAPSHOT_DIR,
        `${snapshot}-${r.node.hostname}-${Math.floor(at.getTime() / 1000)}`,
      );
      fs.mkdirSync(SNAPSHOT_DIR, { recursive: true, mode: 0o700 });
      const body = JSON.stringify({
        ecsLabSnapshot: true,
        takenOn: r.node.hostname,
        at,
        members: rke2.memberList(),
      });
      fs.writeFileSync(file, body, { mode: 0o600 });
      snapshotLog.push({
        node: name,
        name: snapshot,
        at: at.toISOString(),
        ok: true,
        file,
        sizeBytes: body.length,
      });
      log(`${name}: rke2 etcd-snapshot save wrote ${file}`);
      return [`Saving etcd snapshot to ${file}`, `Snapshot ${path.basename(file)} saved.`];
    },
    snapshotList(name) {
      const r = onNode(name, "rke2 etcd-snapshot list");
      const files = fs.existsSync(SNAPSHOT_DIR)
        ? fs.readdirSync(SNAPSHOT_DIR).filter((f) => f.includes(`-${r.node.hostname}-`))
        : [];
      return [
        "Name Location Size Created",
        ...files.map((f) => {
          const st = fs.statSync(path.join(SNAPSHOT_DIR, f));
          return `${f} file://${path.join(SNAPSHOT_DIR, f)} ${st.size} ${st.mtime.toISOString()}`;
        }),
      ];
    },
    failSnapshots(name, message) {
      if (message === undefined) snapshotFaults.delete(name);
      else snapshotFaults.set(name, message);
    },
    snapshots: () => snapshotLog.map((x) => ({ ...x })),
    rke2State: (name) => {
      const r = records.get(name);
      if (!r) throw new Error(`no lab node ${name}`);
      return r.rke2;
    },
    killall(name) {
      const r = onNode(name, "rke2-killall.sh");
      const wasRunning = r.rke2.running;
      stopRke2(r);
      r.rke2.stoppedByScript = true;
      log(`${name}: rke2-killall.sh ${wasRunning ? "stopped RKE2" : "found RKE2 stopped"}`);
      return [
        wasRunning
          ? `${name}: stopped the RKE2 processes (rke2 ${r.node.role}, kubelet, containerd and its shims)`
          : `${name}: no RKE2 process was running`,
        `${name}: RKE2 stays stopped until its CM role is started again`,
      ];
    },
    uninstall(name) {
      const r = onNode(name, "rke2-uninstall.sh");
      const lines = r.rke2.running ? [`${name}: stopped the RKE2 processes (rke2-killall.sh)`] : [];
      stopRke2(r);
      const before = r.rke2.data;
      r.rke2.data = "wiped";
      r.rke2.stoppedByScript = true;
      log(`${name}: rke2-uninstall.sh wiped RKE2 (data was ${before})`);
      return [
        ...lines,
        `${name}: removed RKE2 and its data (/var/lib/rancher/rke2${r.node.role === "server" ? " with the etcd member data" : ""}, /etc/rancher/rke2)`,
        `${name}: the next CM role start installs RKE2 afresh${r.node.role === "server" ? " and joins a new etcd member" : ""}`,
      ];
    },
  };
}
