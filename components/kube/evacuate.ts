import { EvacuationMode } from "../config/types";
import { describeEvidence, PowerEvidence, powerEvidence, vmConfirmedOff } from "../openstack/nova";
import { StageContext, waitFor } from "./context";
import {
  condition,
  isReady,
  LeaseObject,
  NodeObject,
  OUT_OF_SERVICE_TAINT,
  PdbObject,
  PodObject,
  selectorMatches,
} from "./types";

/** A kubelet renews its lease every 10 s; one not renewed within its duration (default 40 s) is silent. */
const DEFAULT_LEASE_DURATION_SEC = 40;

export interface NodeEvidence {
  nodeExists: boolean;
  ready: string;
  leaseAgeSec?: number;
  leaseDurationSec?: number;
  /** The kubelet still reports: Ready, or its lease renewed within the lease duration. */
  live: boolean;
  vm: PowerEvidence;
}

export async function gatherEvidence(ctx: StageContext, node: NodeObject | undefined): Promise<NodeEvidence> {
  const lease = node ? ctx.kubectl.get<LeaseObject>("lease", ctx.node, "kube-node-lease") : undefined;
  const renew = lease?.spec.renewTime ? Date.parse(lease.spec.renewTime) : undefined;
  const leaseAgeSec = renew ? Math.round((Date.now() - renew) / 1000) : undefined;
  const leaseDurationSec = lease?.spec.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SEC;
  const ready = condition(node, "Ready")?.status ?? "absent";
  const cluster = ctx.cluster;
  return {
    nodeExists: node !== undefined,
    ready,
    leaseAgeSec,
    leaseDurationSec,
    live:
      node !== undefined &&
      (ready === "True" || (leaseAgeSec !== undefined && leaseAgeSec <= leaseDurationSec)),
    vm: await powerEvidence(ctx.openstackAuth, ctx.instanceId, {
      clusterName: cluster?.name ?? "",
      names: (cluster?.nodes ?? []).filter((n) => n.hostname !== ctx.node).map((n) => n.name),
    }),
  };
}

const seen = (e: NodeEvidence) =>
  `Ready=${e.ready}, lease ${e.leaseAgeSec ?? "?"}s old (duration ${e.leaseDurationSec}s), ${describeEvidence(e.vm)}`;

/**
 * `auto`: the runbook's case from evidence. A reporting node is drained (case 3). A silent node
 * whose VM Nova confirms off gets the out-of-service taint. A silent node that Nova cannot vouch
 * for (no answer, or its VM still running: a partition?) is refused: deleting its pods could run
 * them twice. The operator may then choose delete-node on purpose.
 */
export function chooseEvacuation(e: NodeEvidence): { mode: Exclude<EvacuationMode, "auto">; why: string } {
  if (!e.nodeExists) return { mode: "delete-node", why: "the Node object is already gone" };
  if (e.live) return { mode: "drain", why: `node reports (${seen(e)}): planned drain` };
  if (vmConfirmedOff(e.vm))
    return { mode: "out-of-service", why: `node silent and ${describeEvidence(e.vm)}` };
  throw new Error(
    `auto cannot choose for ${e.nodeExists ? "a silent node" : "this node"} (${seen(e)}): ` +
      (e.vm.source === "unavailable"
        ? "without Nova's word the VM may still run its pods, and deleting them could run them twice. "
        : "Nova says its VM runs: it may be partitioned, and deleting its pods could run them twice. ") +
      "Nothing was changed. Fix: check the VM (openstack server show), then set evacuation: delete-node (dead node, " +
      "your decision) or out-of-service (after stopping the VM), or restore the node and use drain.",
  );
}

/**
 * delete-node, force-delete-pods and out-of-service kill pods without their kubelet's word: only
 * on a node that no longer reports, or whose VM Nova confirms off.
 */
function assertMayKillPods(ctx: StageContext, mode: EvacuationMode, e: NodeEvidence): void {
  const off = vmConfirmedOff(e.vm);
  if (mode === "out-of-service" && !off) {
    throw new Error(
      `evacuation out-of-service needs Nova to confirm that ${ctx.node}'s VM is off (SHUTOFF); it saw: ${seen(e)}. ` +
        "Nothing was changed. Fix: stop the VM (openstack server stop) or choose drain for a running node.",
    );
  }
  if (e.live && !off) {
    throw new Error(
      `refusing evacuation ${mode} of ${ctx.node}: the node is live (${seen(e)}); deleting its pods or its Node ` +
        "while its kubelet runs them could run StatefulSet pods twice. Nothing was changed. " +
        "Fix: use evacuation: drain for a running node, or stop its VM first (then Nova confirms SHUTOFF).",
    );
  }
}

function podsOn(ctx: StageContext): PodObject[] {
  return ctx.kubectl.list<PodObject>([
    "pods",
    "--all-namespaces",
    "--field-selector",
    `spec.nodeName=${ctx.node}`,
  ]);
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
  const pdbs = ctx.kubectl.list<PdbObject>(["pdb", "--all-namespaces"]);
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
 * fails the stage before the Node is touched.
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

/** Non-graceful shutdown: the VM is confirmed off, so pod GC may remove the pods. */
async function outOfService(ctx: StageContext): Promise<void> {
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
  if (isReady(node)) ctx.record.note("wasReady", true);
  switch (mode) {
    case "drain":
      return drain(ctx);
    case "force-delete-pods":
      assertMayKillPods(ctx, mode, evidence);
      return forceDeletePods(ctx);
    case "out-of-service":
      assertMayKillPods(ctx, mode, evidence);
      return outOfService(ctx);
    case "delete-node":
      // Case 1: deleting the Node object (after the member removal, for a server) lets pod GC clear its pods.
      return assertMayKillPods(ctx, mode, evidence);
  }
}
