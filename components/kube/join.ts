import { StageContext, waitFor } from "./context";
import { etcdMembers } from "./nodeRemoval";
import { releaseServerLock } from "./serverLock";
import { condition, EVACUATION_ANNOTATION, isReady, NodeObject, OUT_OF_SERVICE_TAINT } from "./types";

/**
 * Create half of the membership stage: the node (re)joined through its CM role start; wait until
 * Kubernetes sees it Ready, for a server until its etcd learner is promoted (EtcdIsVoter), then
 * make it schedulable, lift an out-of-service taint left from its evacuation and record the
 * evacuation mode on the (new) Node. A server then gives back the server lock its removal took:
 * the next server may go.
 */
export async function join(ctx: StageContext): Promise<void> {
  const node = () => ctx.kubectl.get<NodeObject>("node", ctx.node);
  await waitFor(ctx, `Node ${ctx.node} to register and turn Ready`, ctx.readyTimeoutSec, () =>
    isReady(node()) ? true : undefined,
  );
  ctx.log("Node is Ready");
  if (ctx.role === "server") {
    await waitFor(ctx, "the etcd learner to be promoted (EtcdIsVoter=True)", ctx.readyTimeoutSec, () =>
      condition(node(), "EtcdIsVoter")?.status === "True" ? true : undefined,
    );
    ctx.log("etcd member is a voter");
    ctx.record.note("etcdMembersAfter", etcdMembers(ctx));
  }
  ctx.kubectl.must(["uncordon", ctx.node]);
  if (node()?.spec.taints?.some((t) => t.key === OUT_OF_SERVICE_TAINT)) {
    ctx.kubectl.must(["taint", "node", ctx.node, `${OUT_OF_SERVICE_TAINT}-`]);
    ctx.log("removed the out-of-service taint");
  }
  // A rebuilt node registers a new Node object: carry the operator's evacuation mode over, so a
  // later intent run finds it recorded instead of writing it as a change of its own.
  if (node()?.metadata.annotations?.[EVACUATION_ANNOTATION] !== ctx.evacuation) {
    ctx.kubectl.must([
      "annotate",
      "node",
      ctx.node,
      `${EVACUATION_ANNOTATION}=${ctx.evacuation}`,
      "--overwrite",
    ]);
    ctx.log(`evacuation mode ${ctx.evacuation} recorded on the Node`);
  }
  if (ctx.role === "server") releaseServerLock(ctx, `${ctx.node} is an etcd voter again`);
}
