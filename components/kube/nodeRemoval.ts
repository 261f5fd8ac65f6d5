import { StageContext, waitFor } from "./context";
import {
  condition,
  ETCD_REMOVE_ANNOTATION,
  ETCD_REMOVED_ANNOTATION,
  isReady,
  List,
  NodeObject,
} from "./types";

const ETCD_LABEL = "node-role.kubernetes.io/etcd";

function serverNodes(ctx: StageContext): NodeObject[] {
  return ctx.kubectl.getJson<List<NodeObject>>(["nodes", "-l", `${ETCD_LABEL}=true`])?.items ?? [];
}

/** etcd membership as the Nodes show it: used before removing a member and in run records. */
export function etcdMembers(ctx: StageContext): Array<{ node: string; ready: boolean; voter: string }> {
  return serverNodes(ctx).map((n) => ({
    node: n.metadata.name,
    ready: isReady(n),
    voter: condition(n, "EtcdIsVoter")?.status ?? "unknown",
  }));
}

/** Removing a member is safe only if every other member is healthy (quorum after removal). */
export function assertOtherMembersHealthy(ctx: StageContext): void {
  const members = etcdMembers(ctx);
  ctx.record.note("etcdMembersBefore", members);
  const unhealthy = members.filter((m) => m.node !== ctx.node && (!m.ready || m.voter === "False"));
  if (unhealthy.length > 0) {
    throw new Error(
      `refusing to remove etcd member ${ctx.node}: other member(s) ${unhealthy.map((m) => m.node).join(", ")} are not healthy, ` +
        "so the cluster could lose quorum. Fix: bring those servers back (Ready, EtcdIsVoter=True) first; replace one server at a time.",
    );
  }
}

/** RKE2's own way: annotate the Node, wait for the controller to report the member removed. */
export async function removeEtcdMember(ctx: StageContext, node: NodeObject): Promise<void> {
  if (node.metadata.annotations?.[ETCD_REMOVED_ANNOTATION]) {
    ctx.log("etcd member already removed");
    return;
  }
  ctx.log("asking RKE2 to remove the etcd member");
  ctx.kubectl.must(["annotate", "node", ctx.node, `${ETCD_REMOVE_ANNOTATION}=true`, "--overwrite"]);
  const removed = await waitFor(ctx, `RKE2 to remove ${ctx.node}'s etcd member`, 300, () => {
    const n = ctx.kubectl.getJson<NodeObject>(["node", ctx.node]);
    return n?.metadata.annotations?.[ETCD_REMOVED_ANNOTATION];
  });
  ctx.record.note("etcdRemovedMember", removed);
}

/** Deletes the Node; a finalizer that hangs is stripped only with proof the etcd member is gone. */
export async function deleteNode(ctx: StageContext): Promise<void> {
  ctx.log("deleting the Node object");
  ctx.kubectl.run(["delete", "node", ctx.node, "--wait=false"]);
  // A healthy deletion takes seconds; after 30 s assume a finalizer hangs (the seed's known issue).
  const gone = await waitFor(ctx, "the Node object to disappear", 30, () =>
    ctx.kubectl.getJson<NodeObject>(["node", ctx.node]) ? undefined : true,
  ).catch(() => false);
  if (gone) return;

  const node = ctx.kubectl.getJson<NodeObject>(["node", ctx.node]);
  if (!node) return;
  const finalizers = node.metadata.finalizers ?? [];
  const proof = node.metadata.annotations?.[ETCD_REMOVED_ANNOTATION];
  if (ctx.role === "server" && !proof) {
    throw new Error(
      `Node ${ctx.node} is stuck deleting on finalizer(s) ${finalizers.join(", ")} and there is no proof its etcd member was removed ` +
        `(no ${ETCD_REMOVED_ANNOTATION} annotation). Fix: check etcd membership (etcdctl member list) and remove the member, then re-run.`,
    );
  }
  ctx.log(
    `finalizer(s) ${finalizers.join(", ")} hang; member removal proven (${proof ?? "agent node"}), stripping them`,
  );
  ctx.record.note("strippedFinalizers", finalizers);
  // Clean up first, then strip: once the Node is gone a re-run has nothing left to retry from
  // (leave() ends when the Node is absent), so a failed clean-up must keep the Node Terminating.
  ctx.record.note("finalizerCleanUp", cleanUpAfterFinalizer(ctx));
  ctx.kubectl.must(["patch", "node", ctx.node, "--type=merge", "-p", '{"metadata":{"finalizers":[]}}']);
  await waitFor(ctx, "the Node object to disappear", 60, () =>
    ctx.kubectl.getJson<NodeObject>(["node", ctx.node]) ? undefined : true,
  );
}

/**
 * What RKE2's node finalizer would have done: drop the node-password secret and its NodeHosts
 * line. Returns what it did, for the run record; a failure throws (it used to pass unnoticed,
 * and the stage then reported a clean-up it had not done).
 */
function cleanUpAfterFinalizer(ctx: StageContext): {
  nodePasswordSecret: "deleted" | "absent";
  nodeHosts: string[];
} {
  const out = ctx.kubectl.must([
    "delete",
    "secret",
    "-n",
    "kube-system",
    `${ctx.node}.node-password.rke2`,
    "--ignore-not-found",
  ]);
  const done = {
    nodePasswordSecret: /deleted/.test(out) ? ("deleted" as const) : ("absent" as const),
    nodeHosts: [] as string[],
  };
  const cms = ctx.kubectl.getJson<List<{ metadata: { name: string }; data?: Record<string, string> }>>([
    "configmaps",
    "-n",
    "kube-system",
  ]);
  for (const cm of cms?.items ?? []) {
    const hosts = cm.data?.NodeHosts;
    if (!hosts || !hosts.includes(ctx.node)) continue;
    const kept = hosts
      .split("\n")
      .filter((l) => !l.split(/\s+/).includes(ctx.node))
      .join("\n");
    ctx.kubectl.must([
      "patch",
      "configmap",
      "-n",
      "kube-system",
      cm.metadata.name,
      "--type=merge",
      "-p",
      JSON.stringify({ data: { NodeHosts: kept } }),
    ]);
    done.nodeHosts.push(`kube-system/${cm.metadata.name}`);
  }
  return done;
}
