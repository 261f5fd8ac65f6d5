import { EvacuationMode } from "../config/types";
import { StageContext, waitFor } from "./context";
import { novaPowerEvidence, PowerEvidence, vmConfirmedOff } from "./nova";
import {
  condition,
  isReady,
  LeaseObject,
  List,
  NodeObject,
  OUT_OF_SERVICE_TAINT,
  PdbObject,
  PodObject,
  selectorMatches,
} from "./types";

/** A Kubernetes node has stopped reporting if its lease is older than this. */
const STALE_LEASE_SEC = 60;

export interface NodeEvidence {
  nodeExists: boolean;
  ready: string;
  leaseAgeSec?: number;
  vm: PowerEvidence;
}

export async function gatherEvidence(ctx: StageContext, node: NodeObject | undefined): Promise<NodeEvidence> {
  const lease = ctx.kubectl.getJson<LeaseObject>(["lease", "-n", "kube-node-lease", ctx.node]);
  const renew = lease?.spec.renewTime ? Date.parse(lease.spec.renewTime) : undefined;
  return {
    nodeExists: node !== undefined,
    ready: condition(node, "Ready")?.status ?? "absent",
    leaseAgeSec: renew ? Math.round((Date.now() - renew) / 1000) : undefined,
    vm: await novaPowerEvidence(ctx.instanceId),
  };
}

/**
 * `auto`: the runbook's case from evidence. A reporting node is drained (case 3). A silent node
 * whose VM Nova confirms off gets the out-of-service taint; a silent node without Nova evidence
 * is deleted (case 1, the seed's recommendation for a dead node). A silent node whose VM Nova
 * says is running may be partitioned: refuse rather than guess.
 */
export function chooseEvacuation(e: NodeEvidence): { mode: Exclude<EvacuationMode, "auto">; why: string } {
  if (!e.nodeExists) return { mode: "delete-node", why: "the Node object is already gone" };
  // Ready=Unknown: the node controller lost the kubelet. Ready=False with a fresh lease is a
  // kubelet that still reports (e.g. a CNI problem): that node is alive and can be drained.
  const silent =
    e.ready === "Unknown" ||
    (e.ready !== "True" && (e.leaseAgeSec === undefined || e.leaseAgeSec > STALE_LEASE_SEC));
  if (!silent)
    return { mode: "drain", why: `node Ready=${e.ready}, lease ${e.leaseAgeSec ?? "?"}s old: planned drain` };
  if (vmConfirmedOff(e.vm)) {
    return {
      mode: "out-of-service",
      why: `node silent and Nova reports the VM ${"status" in e.vm ? e.vm.status : ""}`,
    };
  }
  if (e.vm.source === "unavailable") {
    return {
      mode: "delete-node",
      why: `node silent for ${e.leaseAgeSec ?? "?"}s; Nova not consulted (${e.vm.reason})`,
    };
  }
  throw new Error(
    `node is not reporting (Ready=${e.ready}, lease ${e.leaseAgeSec ?? "?"}s old) but Nova says its VM is ${
      "status" in e.vm ? e.vm.status : "?"
    }: it may be partitioned, and deleting its pods could run them twice. ` +
      "Fix: confirm the VM is down and set evacuation: delete-node or out-of-service, or restore the node and use drain.",
  );
}

function podsOn(ctx: StageContext): PodObject[] {
  return (
    ctx.kubectl.getJson<List<PodObject>>([
      "pods",
      "--all-namespaces",
      "--field-selector",
      `spec.nodeName=${ctx.node}`,
    ])?.items ?? []
  );
}

/** Pods a drain must move: everything but DaemonSet pods and mirror pods. */
function evictable(p: PodObject): boolean {
  return !(p.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet" || o.kind === "Node");
}

/** Names the pods a failed drain could not evict and the PDBs that protect them. */
export function drainBlockers(ctx: StageContext, drainOutput: string): string[] {
  const blocked = new Set<string>();
  for (const m of drainOutput.matchAll(/evicting pods?\/"?([^"\s]+)"? -n "?([^"\s]+)"?/g))
    blocked.add(`${m[2]}/${m[1]}`);
  if (blocked.size === 0) {
    podsOn(ctx)
      .filter(evictable)
      .forEach((p) => blocked.add(`${p.metadata.namespace}/${p.metadata.name}`));
  }
  const pdbs = ctx.kubectl.getJson<List<PdbObject>>(["pdb", "--all-namespaces"])?.items ?? [];
  const pods = new Map(podsOn(ctx).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  return [...blocked].map((key) => {
    const pod = pods.get(key);
    const guards = pdbs.filter(
      (b) =>
        b.metadata.namespace === pod?.metadata.namespace &&
        selectorMatches(b.spec.selector, pod?.metadata.labels),
    );
    const why = guards
      .map(
        (b) =>
          `PDB ${b.metadata.namespace}/${b.metadata.name} allows ${b.status?.disruptionsAllowed ?? "?"} disruption(s)`,
      )
      .join(", ");
    return `pod ${key}${why ? ` (${why})` : ""}`;
  });
}

/** Case 3: cordon and evict through the eviction API, honouring PodDisruptionBudgets. */
function drain(ctx: StageContext): void {
  ctx.log(`draining (eviction API, honours PDBs, timeout ${ctx.drainTimeoutSec}s)`);
  const r = ctx.kubectl.run(
    [
      "drain",
      ctx.node,
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--force",
      `--timeout=${ctx.drainTimeoutSec}s`,
    ],
    { timeoutMs: (ctx.drainTimeoutSec + 60) * 1000 },
  );
  if (r.status === 0) return;
  const blockers = drainBlockers(ctx, r.stdout + r.stderr);
  // Leave the node as it was: a failed drain changes nothing else.
  ctx.kubectl.run(["uncordon", ctx.node]);
  ctx.record.note("drainBlockers", blockers);
  throw new Error(
    `drain of ${ctx.node} did not finish within ${ctx.drainTimeoutSec}s; blocked by ${blockers.join("; ") || "unknown pods"}. ` +
      "Nothing else was changed: the node is uncordoned, its CM role and VM are untouched. " +
      "Fix: give the workload room (scale it up or relax the PDB) and re-run, or, if the node is dead, set evacuation: delete-node.",
  );
}

/**
 * Case 2: force-delete the node's pods (no kubelet will confirm a graceful delete). Which pods
 * were killed without confirmation goes into the run record; a pod that could not be deleted
 * fails the stage before the Node is touched (failures used to be ignored).
 */
function forceDeletePods(ctx: StageContext): void {
  const pods = podsOn(ctx);
  ctx.log(`force-deleting ${pods.length} pod(s)`);
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const p of pods) {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const r = ctx.kubectl.run([
      "delete",
      "pod",
      "-n",
      p.metadata.namespace,
      p.metadata.name,
      "--grace-period=0",
      "--force",
      "--wait=false",
      "--ignore-not-found",
    ]);
    if (r.status !== 0) failed.push(`${key}: ${r.stderr.trim()}`);
    else if (/deleted/.test(r.stdout)) deleted.push(key);
  }
  ctx.record.note("forceDeletedPods", deleted);
  if (failed.length > 0) {
    ctx.record.note("forceDeleteFailures", failed);
    throw new Error(
      `could not force-delete ${failed.length} pod(s) on ${ctx.node}: ${failed.join("; ")}. ` +
        "The Node was not deleted. Fix: check the API server and your rights (delete pods), then re-run.",
    );
  }
}

/** Non-graceful shutdown: only with Nova's word that the VM is off, then pod GC removes the pods. */
async function outOfService(ctx: StageContext, evidence: NodeEvidence): Promise<void> {
  if (!vmConfirmedOff(evidence.vm)) {
    throw new Error(
      `evacuation out-of-service needs Nova to confirm that ${ctx.node}'s VM is off; it reported ${JSON.stringify(evidence.vm)}. ` +
        "Fix: stop the VM (openstack server stop) or choose drain for a running node.",
    );
  }
  ctx.log("VM confirmed off by Nova; applying the out-of-service taint");
  ctx.kubectl.must([
    "taint",
    "node",
    ctx.node,
    `${OUT_OF_SERVICE_TAINT}=nodeshutdown:NoExecute`,
    "--overwrite",
  ]);
  await waitFor(ctx, "pod GC to remove the node's pods", ctx.drainTimeoutSec, () =>
    podsOn(ctx).filter(evictable).length === 0 ? true : undefined,
  );
}

/** Moves the pods off the node the way the configured (or chosen) case says. */
export async function evacuate(ctx: StageContext, node: NodeObject | undefined): Promise<void> {
  const evidence = await gatherEvidence(ctx, node);
  ctx.record.note("evidence", evidence);
  let mode = ctx.evacuation;
  if (mode === "auto") {
    const choice = chooseEvacuation(evidence);
    ctx.log(`auto chose ${choice.mode}: ${choice.why}`);
    ctx.record.note("autoChoice", choice);
    mode = choice.mode;
  }
  ctx.record.note("evacuation", mode);
  if (!node) return;
  if (mode === "drain") drain(ctx);
  else if (mode === "force-delete-pods") forceDeletePods(ctx);
  else if (mode === "out-of-service") await outOfService(ctx, evidence);
  // delete-node (case 1): deleting the Node object lets pod GC clear its pods.
  if (isReady(node)) ctx.record.note("wasReady", true);
}
