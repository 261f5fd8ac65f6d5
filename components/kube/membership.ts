/**
 * Kubernetes membership stage, run by the node's `command` resource:
 *   create: wait Ready (servers: etcd voter), uncordon          -> join.ts
 *   delete: evacuate per case, remove the etcd member (servers), delete the Node
 *   intent: record the configured evacuation mode on the Node (see evacuationIntent)
 * The delete half talks only to the Kubernetes API (and Nova for evidence), never to the node,
 * so it works when the node is dead.
 */
import { clusterSnapshot } from "./clusterSnapshot";
import { contextFromEnv, StageContext } from "./context";
import { evacuate } from "./evacuate";
import { join } from "./join";
import { assertOtherMembersHealthy, deleteNode, removeEtcdMember } from "./nodeRemoval";
import { EVACUATION_ANNOTATION, NodeObject } from "./types";

/**
 * A command's delete runs with the environment stored at its last create, so a mode changed in
 * the same update as a rebuild would be ignored. The intent stage runs before the VM's chain and
 * writes the current mode on the Node; the delete half prefers it.
 */
function recordIntent(ctx: StageContext): void {
  if (!ctx.kubectl.getJson<NodeObject>(["node", ctx.node])) {
    ctx.log("no Node object yet; nothing to record");
    return;
  }
  ctx.kubectl.must([
    "annotate",
    "node",
    ctx.node,
    `${EVACUATION_ANNOTATION}=${ctx.evacuation}`,
    "--overwrite",
  ]);
  ctx.log(`evacuation mode ${ctx.evacuation} recorded on the Node`);
}

function currentMode(ctx: StageContext, node: NodeObject | undefined): void {
  const intended = node?.metadata.annotations?.[EVACUATION_ANNOTATION];
  if (intended && intended !== ctx.evacuation) {
    ctx.log(`using evacuation mode ${intended} from the Node (stored stage config said ${ctx.evacuation})`);
    ctx.evacuation = intended as StageContext["evacuation"];
  }
}

async function leave(ctx: StageContext): Promise<void> {
  ctx.record.note("clusterBefore", clusterSnapshot(ctx));
  const node = ctx.kubectl.getJson<NodeObject>(["node", ctx.node]);
  if (!node) {
    // Also the normal case when an interrupted update is re-run: the engine deletes a
    // delete-before-replace dependent again even if the killed run had already deleted it. The
    // record must show that this run found nothing to remove.
    ctx.log("Node object already gone (deleted by hand or by an earlier run)");
    ctx.record.note("nodeAlreadyGone", true);
  }
  currentMode(ctx, node);
  if (node && ctx.role === "server") assertOtherMembersHealthy(ctx);
  await evacuate(ctx, node);
  if (!node) return;
  if (ctx.role === "server") await removeEtcdMember(ctx, node);
  await deleteNode(ctx);
  ctx.log("Node removed from Kubernetes");
}

async function main(phase: string | undefined): Promise<void> {
  if (phase !== "create" && phase !== "delete" && phase !== "intent") {
    throw new Error("usage: membership.ts create|delete|intent");
  }
  const ctx = contextFromEnv(phase);
  try {
    if (phase === "intent") recordIntent(ctx);
    else await (phase === "create" ? join(ctx) : leave(ctx));
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
