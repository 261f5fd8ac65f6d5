/**
 * What a drill watches, once a second from before the fault until the cluster is green again: the
 * node in Kubernetes (Ready, lease, NoExecute taints), its pods (Terminating, Unknown), the other
 * nodes, the API server's availability, the CM host and ECS service health, and the VM in Nova.
 * The timeline's events (NotReady, taint, eviction, ...) are derived from these samples.
 */
import { CmOperations } from "../../components/cloudera/operations";
import { Kubectl } from "../../components/kube/kubectl";
import { NodeObject } from "../../components/kube/types";
import { OpenStackAuth } from "../../components/openstack/auth";
import { Nova, NodeMachine } from "../../components/openstack/nova";

export interface Machine extends NodeMachine {
  name: string;
}

interface PodSlice {
  metadata: {
    name: string;
    namespace: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
  };
  spec: { tolerations?: Array<{ key?: string; effect?: string; tolerationSeconds?: number }> };
  status?: { phase?: string };
}

interface LeaseSlice {
  spec: { renewTime?: string };
}

/** Taints the node lifecycle controller sets on a silent node; pods tolerate them for a while. */
const SILENT_TAINTS = ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"];

export interface Sample {
  /** ms since epoch */
  t: number;
  /** The API server answered (the Nodes list) and how long it took. */
  api: { ok: boolean; ms: number; error?: string };
  /** The drilled node; `ready` "absent" when there is no Node object. */
  node: {
    ready: string;
    /** When the Ready condition last changed (the controller's own time for NotReady). */
    readySince?: string;
    unschedulable?: boolean;
    /** NoExecute taints of a silent node, with the time the controller added them. */
    taints: Array<{ key: string; timeAdded?: string }>;
    leaseAgeSec?: number;
  };
  /** Other nodes that are not Ready. */
  othersNotReady: string[];
  /** Server Nodes whose RKE2 reports them an etcd voter (condition EtcdIsVoter), of how many servers. */
  etcd: { voters: number; servers: number };
  pods: {
    total: number;
    terminating: number;
    unknown: number;
    terminatingByNamespace: Record<string, number>;
    /** When each of them was deleted (deletionTimestamp minus its grace period), earliest first. */
    deletedAt: number[];
    /** The shortest toleration of the silent taints among them (seconds), if any is finite. */
    tolerationSec?: number;
  };
  cm: { host?: string; ecs?: string; error?: string };
  vm: { status?: string; error?: string };
}

/** One look at the drilled node and the cluster around it; never throws (failures are part of the sample). */
export class Sampler {
  private nova?: Nova;

  constructor(
    private readonly kubectl: Kubectl,
    private readonly cm: CmOperations,
    private readonly auth: OpenStackAuth,
    private machine: Machine,
    private readonly hostnames: string[],
    private readonly servers: string[],
  ) {}

  /** The node's VM after a rebuild. */
  watchMachine(machine: Machine): void {
    this.machine = machine;
  }

  private json<T>(args: string[]): { ok: true; value: T } | { ok: false; error: string; notFound: boolean } {
    let r;
    try {
      r = this.kubectl.run(["get", ...args, "-o", "json", "--request-timeout=5s"], { timeoutMs: 8000 });
    } catch (e) {
      return { ok: false, error: (e as Error).message.split("\n")[0], notFound: false };
    }
    if (r.status === 0) return { ok: true, value: JSON.parse(r.stdout) as T };
    const error = r.stderr.trim().split("\n")[0] || `exit ${r.status}`;
    return { ok: false, error, notFound: /\(NotFound\)/.test(r.stderr) };
  }

  async sample(): Promise<Sample> {
    const t = Date.now();
    const host = this.machine.hostname;
    const nodes = this.json<{ items: NodeObject[] }>(["nodes"]);
    const api = { ok: nodes.ok, ms: Date.now() - t, ...(nodes.ok ? {} : { error: nodes.error }) };
    const s: Sample = {
      t,
      api,
      node: { ready: "unknown", taints: [] },
      othersNotReady: [],
      etcd: { voters: 0, servers: this.servers.length },
      pods: { total: 0, terminating: 0, unknown: 0, terminatingByNamespace: {}, deletedAt: [] },
      cm: {},
      vm: {},
    };
    if (nodes.ok) {
      const items = nodes.value.items;
      const mine = items.find((n) => n.metadata.name === host);
      const readyCondition = (n: NodeObject) => n.status?.conditions?.find((c) => c.type === "Ready");
      const ready = (n: NodeObject) => readyCondition(n)?.status ?? "Unknown";
      s.othersNotReady = items
        .filter(
          (n) => n.metadata.name !== host && this.hostnames.includes(n.metadata.name) && ready(n) !== "True",
        )
        .map((n) => n.metadata.name);
      s.etcd.voters = items.filter(
        (n) =>
          this.servers.includes(n.metadata.name) &&
          n.status?.conditions?.some((c) => c.type === "EtcdIsVoter" && c.status === "True"),
      ).length;
      s.node = mine
        ? {
            ready: ready(mine),
            readySince: readyCondition(mine)?.lastTransitionTime,
            unschedulable: mine.spec.unschedulable === true,
            taints: (mine.spec.taints ?? [])
              .filter((x) => x.effect === "NoExecute" && SILENT_TAINTS.includes(x.key))
              .map((x) => ({ key: x.key, timeAdded: (x as { timeAdded?: string }).timeAdded })),
          }
        : { ready: "absent", taints: [] };
      const lease = this.json<LeaseSlice>(["lease", "-n", "kube-node-lease", host]);
      if (lease.ok && lease.value.spec.renewTime)
        s.node.leaseAgeSec = Math.max(0, (t - Date.parse(lease.value.spec.renewTime)) / 1000);
      const pods = this.json<{ items: PodSlice[] }>([
        "pods",
        "--all-namespaces",
        "--field-selector",
        `spec.nodeName=${host}`,
      ]);
      if (pods.ok) s.pods = podSummary(pods.value.items);
    }
    await this.outside(s);
    return s;
  }

  /** CM and Nova's view; their failures are part of the sample. */
  private async outside(s: Sample): Promise<void> {
    const host = this.machine.hostname;
    try {
      const health = await this.cm.health();
      s.cm.host = health.hosts.find((h) => h.hostname === host)?.health ?? "absent";
      s.cm.ecs = health.services.find((x) => x.type === "ECS")?.health;
    } catch (e) {
      s.cm.error = (e as Error).message.split("\n")[0];
    }
    try {
      this.nova ??= await Nova.connect(this.auth, 8000);
      s.vm.status = (await this.nova.server(this.machine.instanceId))?.status ?? "GONE";
    } catch (e) {
      this.nova = undefined;
      s.vm.error = (e as Error).message.split("\n")[0];
    }
  }
}

function podSummary(items: PodSlice[]): Sample["pods"] {
  const out: Sample["pods"] = {
    total: items.length,
    terminating: 0,
    unknown: 0,
    terminatingByNamespace: {},
    deletedAt: [],
  };
  for (const p of items) {
    if (p.status?.phase === "Unknown") out.unknown++;
    const tol = (p.spec.tolerations ?? [])
      .filter((x) => x.key && SILENT_TAINTS.includes(x.key) && typeof x.tolerationSeconds === "number")
      .map((x) => x.tolerationSeconds!);
    if (tol.length) out.tolerationSec = Math.min(out.tolerationSec ?? Infinity, ...tol);
    const deleted = p.metadata.deletionTimestamp;
    if (!deleted) continue;
    out.terminating++;
    const ns = p.metadata.namespace;
    out.terminatingByNamespace[ns] = (out.terminatingByNamespace[ns] ?? 0) + 1;
    const at = Date.parse(deleted) - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    out.deletedAt.push(at);
  }
  out.deletedAt.sort((a, b) => a - b);
  return out;
}

/** A point on the timeline: injected or recovery steps (from the drill), or derived from the samples. */
export interface Mark {
  t: number;
  kind: MarkKind;
  label: string;
}

export type MarkKind =
  | "fault"
  | "not-ready"
  | "tainted"
  | "evicted"
  | "cm-alarm"
  | "abort"
  | "recovery-start"
  | "stage"
  | "node-gone"
  | "node-ready"
  | "recovery-end"
  | "green";

/** Marks read off the samples: when the node went NotReady, was tainted, lost its pods, came back. */
export function derivedMarks(
  samples: Sample[],
  faultAt: number | undefined,
  recoveryAt: number | undefined,
): Mark[] {
  const marks: Mark[] = [];
  const from = faultAt ?? recoveryAt ?? 0;
  const after = samples.filter((s) => s.t >= from);
  const notReady = after.find((s) => s.node.ready !== "True" && s.node.ready !== "absent" && s.api.ok);
  if (notReady && faultAt !== undefined && (recoveryAt === undefined || notReady.t < recoveryAt)) {
    // The controller's transition time is exact; the sample only says it happened within the last second.
    const since = notReady.node.readySince ? Date.parse(notReady.node.readySince) : NaN;
    const t = since >= faultAt - 1000 && since <= notReady.t ? since : notReady.t;
    marks.push({ t, kind: "not-ready", label: `NotReady (${notReady.node.ready})` });
  }
  const taintTimes = after
    .flatMap((s) => s.node.taints.map((x) => (x.timeAdded ? Date.parse(x.timeAdded) : s.t)))
    .filter((t) => t >= from - 1000);
  if (taintTimes.length)
    marks.push({ t: Math.min(...taintTimes), kind: "tainted", label: "NoExecute taint" });
  // Per pod: a pod already Terminating before the fault must not hide the evictions after it.
  const deletions = after.flatMap((s) => s.pods.deletedAt).filter((t) => t >= from - 1000);
  if (deletions.length && faultAt !== undefined) {
    const t = Math.min(...deletions);
    if (recoveryAt === undefined || t < recoveryAt)
      marks.push({ t, kind: "evicted", label: "pods evicted (Terminating)" });
  }
  const cmAlarm = after.find(
    (s) => s.cm.host !== undefined && s.cm.host !== "GOOD" && s.cm.host !== "absent",
  );
  if (cmAlarm && faultAt !== undefined && (recoveryAt === undefined || cmAlarm.t < recoveryAt))
    marks.push({ t: cmAlarm.t, kind: "cm-alarm", label: `CM host ${cmAlarm.cm.host}` });
  if (recoveryAt !== undefined) {
    const during = samples.filter((s) => s.t >= recoveryAt);
    const gone = during.find((s) => s.api.ok && s.node.ready === "absent");
    if (gone) marks.push({ t: gone.t, kind: "node-gone", label: "Node deleted" });
    const outAt = during.find((s) => s.api.ok && s.node.ready !== "True")?.t;
    const back = outAt !== undefined ? during.find((s) => s.t > outAt && s.node.ready === "True") : undefined;
    if (back) marks.push({ t: back.t, kind: "node-ready", label: "Node Ready again" });
  }
  return marks;
}

/** The longest stretch in which the API server did not answer (seconds), from consecutive failed samples. */
export function longestApiGapSec(samples: Sample[]): number {
  let longest = 0;
  let since: number | undefined;
  for (const s of samples) {
    if (!s.api.ok) since ??= s.t;
    else if (since !== undefined) {
      longest = Math.max(longest, (s.t - since) / 1000);
      since = undefined;
    }
  }
  if (since !== undefined && samples.length)
    longest = Math.max(longest, (samples[samples.length - 1].t - since) / 1000);
  return longest;
}
