/**
 * Kubernetes membership stage, run by the node's `command` resources:
 *   create: prove the cluster, wait Ready (servers: etcd voter), uncordon      -> join.ts
 *   update: prove the cluster (its settings changed; nothing is done to the node)
 *   delete: prove the cluster, evacuate per case; servers: take the server lock, quorum preflight,
 *           etcd snapshot and member removal (nodeRemoval.ts); delete the Node
 *   intent: prove the cluster, record the configured evacuation mode on the Node
 * The delete half talks only to the Kubernetes API, Nova and (servers) a healthy peer server,
 * never to the node itself, so it works when the node is dead. stdout carries only the cluster
 * identity the stage records (identity.ts); progress goes to stderr.
 */
import { assertCompiledCurrent } from "../compiledProgram";
import { clusterSnapshot } from "./clusterSnapshot";
import { contextFromEnv, Phase, StageContext } from "./context";
import { evacuate } from "./evacuate";
import { printIdentity, proveCluster } from "./identity";
import { join } from "./join";
import { assertQuorumAllowsRemoval, deleteNode, removeServerMember } from "./nodeRemoval";
import { acquireServerLock, markLockFailed, releaseServerLock } from "./serverLock";
import { evacuationMode, STAGE_CONTRACT } from "./stageEnv";
import { EVACUATION_ANNOTATION, NodeObject } from "./types";

/**
 * A command's delete runs with the environment stored at its last create, so a mode changed in
 * the same update as a rebuild would be ignored. The intent stage runs before the VM's chain and
 * writes the current mode on the Node; the delete half prefers it.
 */
function recordIntent(ctx: StageContext): boolean {
  const node = ctx.kubectl.get<NodeObject>("node", ctx.node);
  if (!node) {
    ctx.log("no Node object yet; nothing to record");
    return false;
  }
  if (node.metadata.annotations?.[EVACUATION_ANNOTATION] === ctx.evacuation) {
    ctx.log(`evacuation mode ${ctx.evacuation} is already recorded on the Node`);
    return false;
  }
  ctx.kubectl.must([
    "annotate",
    "node",
    ctx.node,
    `${EVACUATION_ANNOTATION}=${ctx.evacuation}`,
    "--overwrite",
  ]);
  ctx.log(`evacuation mode ${ctx.evacuation} recorded on the Node`);
  return true;
}

function currentMode(ctx: StageContext, node: NodeObject | undefined): void {
  const intended = node?.metadata.annotations?.[EVACUATION_ANNOTATION];
  if (!intended || intended === ctx.evacuation) return;
  ctx.evacuation = evacuationMode(intended, `the Node's ${EVACUATION_ANNOTATION} annotation`);
  ctx.log(`using evacuation mode ${intended} from the Node (stored stage config said ${ctx.evacuation})`);
}

/** Destructive halves need what older stages did not store; refuse rather than skip a check. */
function requireContract(ctx: StageContext): void {
  if (ctx.contract >= STAGE_CONTRACT && ctx.cluster) return;
  throw new Error(
    `${ctx.node}: this membership stage was stored by an older ecs-pulumi without the settings its safety checks need ` +
      "(cluster nodes, OpenStack credentials, etcd peers). Nothing was changed. Fix: run `pulumi up` once with no " +
      "rebuild/rejoin bump (every stage stores its new settings), then make the change again.",
  );
}

async function leave(ctx: StageContext): Promise<void> {
  requireContract(ctx);
  proveCluster(ctx);
  ctx.record.note("clusterBefore", clusterSnapshot(ctx));
  const node = ctx.kubectl.get<NodeObject>("node", ctx.node);
  if (!node) {
    // Also the normal case when an interrupted update is re-run: the engine deletes a
    // delete-before-replace dependent again even if the killed run had already deleted it.
    ctx.log("Node object not found (the API server says NotFound; deleted by hand or by an earlier run)");
    ctx.record.note("nodeAlreadyGone", true);
  }
  currentMode(ctx, node);
  if (ctx.role === "agent") {
    await evacuate(ctx, node);
    if (node) await deleteNode(ctx);
    return;
  }
  await acquireServerLock(ctx, `${ctx.node}: quorum preflight and evacuation`);
  let memberOut = false;
  try {
    assertQuorumAllowsRemoval(ctx, "before evacuation", node !== undefined);
    await evacuate(ctx, node);
    await removeServerMember(ctx, node, () => (memberOut = true));
    if (node) await deleteNode(ctx);
  } catch (e) {
    // Before the member removal nothing is out: let other servers go. After it, this server is
    // out until its chain completes: waiters must stop at once instead of waiting for a release.
    if (memberOut) markLockFailed(ctx, (e as Error).message);
    else releaseServerLock(ctx, `${ctx.node}'s change stopped before its etcd member was touched`);
    throw e;
  }
}

async function main(phase: string | undefined): Promise<void> {
  // A delete runs without the program (pulumi destroy): the stage itself refuses a stale bin/.
  assertCompiledCurrent();
  if (phase !== "create" && phase !== "update" && phase !== "delete" && phase !== "intent") {
    throw new Error("usage: membership.ts create|update|delete|intent");
  }
  const ctx = contextFromEnv(phase as Phase);
  try {
    if (phase === "update") {
      // The stage's settings changed (another node's, a timeout): nothing to do on the cluster but
      // to check it is still this one. No waits, no uncordon, no record: it changes nothing.
      printIdentity(proveCluster(ctx).identity);
      return;
    }
    if (phase === "delete") {
      await leave(ctx);
    } else {
      const { identity } = proveCluster(ctx);
      const changed = phase === "intent" ? recordIntent(ctx) : (await join(ctx), true);
      printIdentity(identity);
      if (!changed) return;
    }
    if (phase !== "intent") ctx.record.note("clusterAfter", clusterSnapshot(ctx));
    ctx.record.finish("succeeded");
  } catch (e) {
    ctx.record.finish("failed", (e as Error).message);
    throw e;
  }
}

main(process.argv[2]).catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
