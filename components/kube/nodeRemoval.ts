import { StageContext, waitFor } from "./context";
import { EtcdMember, memberList, memberOf, onPeer, removeMember, takeSnapshot } from "./etcd";
import { setLockPhase } from "./serverLock";
import { ClusterNode } from "./stageEnv";
import { condition, ETCD_REMOVE_ANNOTATION, ETCD_REMOVED_ANNOTATION, isReady, NodeObject } from "./types";

const ETCD_LABEL = "node-role.kubernetes.io/etcd";

export interface MemberView {
  node: string;
  ready: boolean;
  voter: string;
}

/** etcd membership as the server Nodes show it: used before removing a member and in run records. */
export function etcdMembers(ctx: StageContext): MemberView[] {
  return ctx.kubectl.list<NodeObject>(["nodes", "-l", `${ETCD_LABEL}=true`]).map((n) => ({
    node: n.metadata.name,
    ready: isReady(n),
    voter: condition(n, "EtcdIsVoter")?.status ?? "unknown",
  }));
}

const configuredServers = (ctx: StageContext): ClusterNode[] =>
  (ctx.cluster?.nodes ?? []).filter((n) => n.role === "server");

/**
 * Removing this server's member is safe only if every other configured server is present, Ready
 * and a voter (unknown is not healthy), and the cluster has exactly the configured servers: then
 * quorum survives the removal. Returns the healthy peers. Reads only.
 */
export function assertQuorumAllowsRemoval(ctx: StageContext, when: string, selfPresent: boolean): string[] {
  const servers = configuredServers(ctx);
  const members = etcdMembers(ctx);
  ctx.record.note(`etcdMembers ${when}`, members);
  const problems: string[] = [];
  for (const s of servers.filter((x) => x.hostname !== ctx.node)) {
    const m = members.find((x) => x.node === s.hostname);
    if (!m) problems.push(`${s.hostname} has no server Node`);
    else if (!m.ready) problems.push(`${s.hostname} is not Ready`);
    else if (m.voter !== "True") problems.push(`${s.hostname} is not an etcd voter (EtcdIsVoter=${m.voter})`);
  }
  const expected = servers.length - (selfPresent ? 0 : 1);
  if (members.length !== expected) {
    problems.push(
      `the cluster has ${members.length} server Node(s) (${members.map((m) => m.node).join(", ")}), expected ${expected} ` +
        `of the ${servers.length} configured`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `refusing to remove etcd member ${ctx.node} (${when}): ${problems.join("; ")}, so the cluster could lose quorum. ` +
        "Nothing more was changed. Fix: bring those servers back (Ready, EtcdIsVoter=True) first; replace one server at a time.",
    );
  }
  return members.filter((m) => m.node !== ctx.node).map((m) => m.node);
}

/** etcd's member list must agree: the configured servers, no learner, this server's member as expected. */
function assertMembersAgree(ctx: StageContext, members: EtcdMember[], peer: string): EtcdMember | undefined {
  const servers = configuredServers(ctx);
  const self = servers.find((s) => s.hostname === ctx.node);
  const mine = self && memberOf(members, self);
  const problems: string[] = [];
  for (const s of servers.filter((x) => x.hostname !== ctx.node)) {
    const m = memberOf(members, s);
    if (!m) problems.push(`${s.hostname} is not an etcd member`);
    else if (m.isLearner) problems.push(`${s.hostname} is still a learner`);
  }
  const strangers = members.filter((m) => !servers.some((s) => memberOf([m], s)));
  if (strangers.length > 0) problems.push(`unknown member(s) ${strangers.map((m) => m.name).join(", ")}`);
  if (problems.length > 0) {
    throw new Error(
      `refusing to remove etcd member ${ctx.node}: etcd's own member list (asked on ${peer}) disagrees: ${problems.join("; ")}. ` +
        "Nothing more was changed. Fix: repair etcd membership first (the servers' RKE2 logs), then re-run.",
    );
  }
  return mine;
}

/**
 * The server's way out of etcd: quorum preflight again right before the removal, etcd's member
 * list from a healthy peer, a fresh snapshot there (a failed snapshot stops everything), then the
 * removal (the RKE2 way through the Node annotation, or by member ID when the Node is gone), and
 * etcd's member list once more as proof.
 */
export async function removeServerMember(
  ctx: StageContext,
  node: NodeObject | undefined,
  removalStarts: () => void,
): Promise<void> {
  if (node?.metadata.annotations?.[ETCD_REMOVED_ANNOTATION]) {
    ctx.log(`etcd member already removed (${node.metadata.annotations[ETCD_REMOVED_ANNOTATION]})`);
  }
  const healthy = assertQuorumAllowsRemoval(ctx, "before member removal", node !== undefined);
  const before = onPeer(ctx, healthy, "read etcd's member list", (peer) => ({
    peer,
    members: memberList(peer),
  }));
  const mine = assertMembersAgree(ctx, before.members, before.peer.node.name);
  ctx.record.note("etcdMemberList", {
    askedOn: before.peer.node.hostname,
    members: before.members.map((m) => `${m.name} (${m.ID})${m.isLearner ? " learner" : ""}`),
  });
  if (!mine) {
    ctx.log(`etcd's member list on ${before.peer.node.name} has no member of ${ctx.node}: nothing to remove`);
    removalStarts();
    ctx.record.note("etcdMemberAbsent", `proven by the member list on ${before.peer.node.hostname}`);
    setLockPhase(ctx, `no etcd member of ${ctx.node}; waiting for it to rejoin as a voter`);
    return;
  }
  ctx.log(`taking an etcd snapshot on ${before.peer.node.name} before member ${mine.name} is removed`);
  let snapshot;
  try {
    snapshot = takeSnapshot(ctx, before.peer);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}. Without a fresh snapshot no etcd member is removed: ${ctx.node} stays a member ` +
        "(evacuated and cordoned), its CM role and VM are untouched. Fix: make `rke2 etcd-snapshot save` work on the " +
        "servers (disk space, RKE2 running), then re-run.",
    );
  }
  ctx.record.note("etcdSnapshot", snapshot);
  ctx.log(`snapshot ${snapshot.file} (${snapshot.sizeBytes} bytes) on ${snapshot.peer}`);

  removalStarts();
  setLockPhase(ctx, `removing etcd member ${mine.name}`);
  if (node) {
    ctx.log("asking RKE2 to remove the etcd member (etcd.rke2.cattle.io/remove=true)");
    ctx.kubectl.must(["annotate", "node", ctx.node, `${ETCD_REMOVE_ANNOTATION}=true`, "--overwrite"]);
    const removed = await waitFor(
      ctx,
      `RKE2 to remove ${ctx.node}'s etcd member`,
      300,
      () => ctx.kubectl.get<NodeObject>("node", ctx.node)?.metadata.annotations?.[ETCD_REMOVED_ANNOTATION],
    );
    ctx.record.note("etcdRemovedMember", removed);
  } else {
    ctx.log(`the Node is gone but etcd still lists ${mine.name}: removing it by ID ${mine.ID}`);
    removeMember(before.peer, mine.ID);
    ctx.record.note("etcdRemovedMember", `${mine.name} (by ID ${mine.ID}, Node absent)`);
  }
  setLockPhase(ctx, `etcd member ${mine.name} removed; waiting for ${ctx.node} to rejoin as a voter`);
  const after = memberList(before.peer);
  if (
    memberOf(
      after,
      configuredServers(ctx).find((s) => s.hostname === ctx.node)!,
    )
  ) {
    throw new Error(`etcd on ${before.peer.node.name} still lists ${mine.name} after its removal`);
  }
  ctx.record.note(
    "etcdMembersAfterRemoval",
    after.map((m) => m.name),
  );
}

/** Deletes the Node; a finalizer that hangs is stripped only with proof the etcd member is gone. */
export async function deleteNode(ctx: StageContext): Promise<void> {
  ctx.log("deleting the Node object");
  ctx.kubectl.must(["delete", "node", ctx.node, "--wait=false", "--ignore-not-found"]);
  // A healthy deletion takes seconds; after 30 s assume a finalizer hangs (the seed's known issue).
  const gone = await waitFor(ctx, "the Node object to disappear", 30, () =>
    ctx.kubectl.get<NodeObject>("node", ctx.node) ? undefined : true,
  ).catch(() => false);
  if (gone) return;

  const node = ctx.kubectl.get<NodeObject>("node", ctx.node);
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
    ctx.kubectl.get<NodeObject>("node", ctx.node) ? undefined : true,
  );
}

/**
 * What RKE2's node finalizer would have done: drop the node-password secret and its NodeHosts
 * line. Returns what it did, for the run record; a failure throws (it used to pass unnoticed,
 * and the stage then reported a clean-up it had not done).
 */
function cleanUpAfterFinalizer(ctx: StageContext): {
  removedObjects: string[];
  nodeHosts: string[];
} {
  // Field names avoid "password", "secret" and "token": the run record redacts those keys' values.
  const secret = `${ctx.node}.node-password.rke2`;
  const out = ctx.kubectl.must(["delete", "secret", "-n", "kube-system", secret, "--ignore-not-found"]);
  const done = {
    removedObjects: /deleted/.test(out) ? [`kube-system/${secret}`] : [],
    nodeHosts: [] as string[],
  };
  const cms = ctx.kubectl.list<{ metadata: { name: string }; data?: Record<string, string> }>([
    "configmaps",
    "-n",
    "kube-system",
  ]);
  for (const cm of cms) {
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
