import { randomBytes } from "crypto";
import { Kubectl } from "../kube";

/**
 * What RKE2's etcd controller does to server Nodes, as far as the runbook depends on it:
 * - a server Node carries the etcd finalizer; deleting it removes the etcd member first;
 * - a joining server is a learner (EtcdIsVoter=False) until promoted;
 * - `etcd.rke2.cattle.io/remove=true` removes the member and records `removed-node-name`.
 * The lab can make the finalizer hang for a node (the seed's known issue).
 */
export const ETCD_FINALIZER = "wrangler.cattle.io/managed-etcd-controller";
const REMOVE = "etcd.rke2.cattle.io/remove";
const REMOVED = "etcd.rke2.cattle.io/removed-node-name";

interface NodeJson {
  metadata: {
    name: string;
    uid: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/**
 * What RKE2 on one lab node is doing, as far as the runbook depends on it (see wiring.ts):
 * - `installed`: RKE2 data (and, for a server, an etcd member) from a previous start;
 * - `clean`: a new VM, RKE2 never started on it;
 * - `wiped`: rke2-uninstall.sh removed RKE2 and its etcd data; the next start joins afresh;
 * - `stale`: a server whose etcd member was removed from the cluster while its data stayed; RKE2
 *   refuses to start on it until the data is wiped.
 */
export type Rke2Data = "installed" | "clean" | "wiped" | "stale";

export interface Rke2NodeState {
  /** RKE2's processes run: the node's kubelet (kwok) heartbeats. */
  running: boolean;
  data: Rke2Data;
  /** Stopped by rke2-killall.sh / rke2-uninstall.sh: a VM boot does not restart it, a CM role start does. */
  stoppedByScript: boolean;
}

/** One word for lab:status: running, stopped, clean, wiped, stale (stale, running while its kubelet still runs). */
export function rke2Label(s: Rke2NodeState): string {
  if (s.data === "stale") return s.running ? "stale,running" : "stale";
  if (s.data === "installed") return s.running ? "running" : "stopped";
  return s.data;
}

export interface Rke2Options {
  /** How long a joining server stays a learner. */
  promoteAfterMs: number;
  pollMs: number;
}

/** An etcd member as etcd's JSON gateway shows it (RKE2 names members `<node name>-<8 hex>`). */
export interface EtcdMemberRecord {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** A random uint64 in decimal, as etcd's JSON gateway writes member IDs. */
const memberId = () => BigInt(`0x${randomBytes(8).toString("hex")}`).toString();

export class Rke2Controller {
  /** Node names whose etcd finalizer must hang instead of completing. */
  readonly hangFinalizer = new Set<string>();
  /** etcd members by Node name; absent = not a member. */
  readonly members = new Map<string, "learner" | "voter">();
  /** Each member's identity (ID, name, URLs) by Node name, while it is a member. */
  readonly memberRecords = new Map<string, EtcdMemberRecord>();
  /** The lab's etcd cluster ID, as the gateway reports it. */
  readonly clusterId = memberId();
  private readonly joinedAt = new Map<string, number>();
  private readonly removedListeners: Array<(nodeName: string) => void> = [];
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly kubectl: Kubectl,
    private readonly opts: Rke2Options,
    /** A server Node's IP by Node name, for the members' peer and client URLs. */
    private readonly ipOf: (nodeName: string) => string | undefined = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Called with the Node name whenever an etcd member is removed (annotation or finalizer). */
  onMemberRemoved(listener: (nodeName: string) => void): void {
    this.removedListeners.push(listener);
  }

  /**
   * A server that joins with wiped data is a new etcd member: forget the old one, and drop the
   * removal annotations its Node may still carry, so it is seen as a learner, then promoted.
   */
  async forget(nodeName: string): Promise<void> {
    this.members.delete(nodeName);
    this.memberRecords.delete(nodeName);
    for (const key of [...this.joinedAt.keys()])
      if (key.startsWith(`${nodeName}/`)) this.joinedAt.delete(key);
    await this.kubectl.run(["annotate", "node", nodeName, `${REMOVE}-`, `${REMOVED}-`]);
  }

  private removeMember(name: string): void {
    this.members.delete(name);
    this.memberRecords.delete(name);
    for (const listener of this.removedListeners) listener(name);
  }

  /** etcd's member list: every member with its identity, learners flagged. */
  memberList(): Array<EtcdMemberRecord & { isLearner: boolean }> {
    return [...this.memberRecords.entries()].map(([node, m]) => ({
      ...m,
      isLearner: this.members.get(node) !== "voter",
    }));
  }

  /** `etcdctl member remove <ID>`: the member leaves etcd whatever its Node says. */
  removeMemberById(id: string): boolean {
    const node = [...this.memberRecords.entries()].find(([, m]) => m.ID === id)?.[0];
    if (!node) return false;
    this.removeMember(node);
    return true;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const list = await this.kubectl.json<{ items: NodeJson[] }>([
        "get",
        "nodes",
        "-l",
        "node-role.kubernetes.io/etcd=true",
      ]);
      for (const node of list.items) await this.reconcile(node);
    } catch {
      // The API server may be restarting; the next tick retries.
    } finally {
      this.busy = false;
    }
  }

  private async reconcile(node: NodeJson): Promise<void> {
    const name = node.metadata.name;
    const key = `${name}/${node.metadata.uid}`;
    const finalizers = node.metadata.finalizers ?? [];
    if (node.metadata.deletionTimestamp) {
      if (this.hangFinalizer.has(name) || !finalizers.includes(ETCD_FINALIZER)) return;
      this.removeMember(name);
      await this.setFinalizers(
        name,
        finalizers.filter((f) => f !== ETCD_FINALIZER),
      );
      return;
    }
    if (!finalizers.includes(ETCD_FINALIZER)) await this.setFinalizers(name, [...finalizers, ETCD_FINALIZER]);
    const annotations = node.metadata.annotations ?? {};
    if (annotations[REMOVE] === "true") {
      if (!annotations[REMOVED]) {
        const memberName = this.memberRecords.get(name)?.name ?? `${name}-${node.metadata.uid.slice(0, 8)}`;
        this.removeMember(name);
        await this.kubectl.ok(["annotate", "node", name, `${REMOVED}=${memberName}`, "--overwrite"]);
      }
      return;
    }
    if (!this.joinedAt.has(key)) {
      this.joinedAt.set(key, Date.now());
      this.members.set(name, "learner");
      const ip = this.ipOf(name) ?? "127.0.0.1";
      this.memberRecords.set(name, {
        ID: memberId(),
        name: `${name}-${randomBytes(4).toString("hex")}`,
        peerURLs: [`https://${ip}:2380`],
        clientURLs: [`https://${ip}:2379`],
      });
    }
    const voter = Date.now() - (this.joinedAt.get(key) ?? 0) >= this.opts.promoteAfterMs;
    if (voter) this.members.set(name, "voter");
    const current = node.status?.conditions?.find((c) => c.type === "EtcdIsVoter")?.status;
    const want = voter ? "True" : "False";
    if (current !== want) {
      const patch = {
        status: {
          conditions: [
            {
              type: "EtcdIsVoter",
              status: want,
              reason: voter ? "MemberIsVoter" : "MemberIsLearner",
              message: "",
              lastHeartbeatTime: new Date().toISOString(),
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      };
      await this.kubectl.run([
        "patch",
        "node",
        name,
        "--subresource=status",
        "--type=strategic",
        "-p",
        JSON.stringify(patch),
      ]);
    }
  }

  private async setFinalizers(name: string, finalizers: string[]): Promise<void> {
    await this.kubectl.run([
      "patch",
      "node",
      name,
      "--type=merge",
      "-p",
      JSON.stringify({ metadata: { finalizers } }),
    ]);
  }
}
