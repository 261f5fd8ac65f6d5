/**
 * Serializes server changes on the cluster itself, whatever runs them (one `pulumi up` with two
 * servers bumped, `--replace`, `state taint`, two updates at once): a Lease in kube-system, taken
 * with compare-and-swap (create, or replace at the resourceVersion read), held from the server's
 * quorum preflight until its replacement is an etcd voter again. Another server's change waits
 * while the holder progresses and stops at once when the holder marks it failed.
 */
import { StageContext } from "./context";
import { isAlreadyExists, isConflict } from "./kubectl";
import { LeaseObject } from "./types";
import { pollDelay, sleep } from "../cloudera/transport";

export const SERVER_LOCK = { namespace: "kube-system", name: "ecs-server-change" };
const STATE = "ecs.cloudera.com/state";
const PHASE = "ecs.cloudera.com/phase";
const FAILURE = "ecs.cloudera.com/failure";

type LockState = "held" | "failed" | "released";

/** Kubernetes MicroTime wants six fractional digits. */
const microTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

function manifest(
  ctx: StageContext,
  state: LockState,
  phase: string,
  current?: LeaseObject,
  failure?: string,
): string {
  const held = state !== "released";
  return JSON.stringify({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: SERVER_LOCK.name,
      namespace: SERVER_LOCK.namespace,
      ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      annotations: {
        [STATE]: state,
        [PHASE]: phase,
        ...(failure ? { [FAILURE]: failure.slice(0, 2000) } : {}),
      },
    },
    spec: {
      ...(held ? { holderIdentity: ctx.node } : {}),
      acquireTime: held && current?.spec.holderIdentity === ctx.node ? current.spec.acquireTime : microTime(),
      renewTime: microTime(),
    },
  });
}

/** One compare-and-swap write; false when another writer got there first. */
function write(ctx: StageContext, body: string, create: boolean): boolean {
  const r = ctx.kubectl.run([create ? "create" : "replace", "-f", "-", "-o", "name"], { input: body });
  if (r.status === 0) return true;
  if (isConflict(r.stderr) || isAlreadyExists(r.stderr)) return false;
  throw new Error(
    `cannot write the server lock Lease ${SERVER_LOCK.namespace}/${SERVER_LOCK.name}: ${r.stderr.trim()}`,
  );
}

const read = (ctx: StageContext) =>
  ctx.kubectl.get<LeaseObject>("lease", SERVER_LOCK.name, SERVER_LOCK.namespace);

const describe = (l: LeaseObject) =>
  `held by ${l.spec.holderIdentity} since ${l.spec.acquireTime ?? "?"} (${l.metadata.annotations?.[PHASE] ?? "no phase"})`;

/**
 * Takes the lock for this server, waiting while another server's change holds it. Re-entrant: a
 * re-run of the same node's chain (after a failure or a killed update) continues under it.
 */
export async function acquireServerLock(ctx: StageContext, phase: string): Promise<void> {
  const timeoutSec = ctx.cluster?.serverLockTimeoutSec ?? 3600;
  const start = Date.now();
  let lastLog = 0;
  for (let attempt = 0; ; attempt++) {
    const lease = read(ctx);
    const holder = lease?.spec.holderIdentity;
    const state = lease?.metadata.annotations?.[STATE] as LockState | undefined;
    if (!lease) {
      if (write(ctx, manifest(ctx, "held", phase), true)) break;
      continue;
    }
    if (!holder || state === "released" || holder === ctx.node) {
      if (write(ctx, manifest(ctx, "held", phase, lease), false)) break;
      continue;
    }
    if (state === "failed") {
      throw new Error(
        `refusing to take ECS server ${ctx.node} out: the change of server ${holder} failed and it may still be out of ` +
          `the cluster (server lock ${describe(lease)}: ${lease.metadata.annotations?.[FAILURE] ?? "no detail"}). ` +
          `Nothing of ${ctx.node} was touched. Fix: finish ${holder}'s change first (fix the cause, re-run pulumi up), ` +
          `then change ${ctx.node}; if ${holder} is healthy again (Ready, EtcdIsVoter=True), delete the Lease ` +
          `(kubectl -n ${SERVER_LOCK.namespace} delete lease ${SERVER_LOCK.name}).`,
      );
    }
    const waited = (Date.now() - start) / 1000;
    if (waited > timeoutSec) {
      throw new Error(
        `refusing to take ECS server ${ctx.node} out: another server's change still holds the server lock after ` +
          `${Math.round(waited)}s (${describe(lease)}); two etcd members must never be out at once. Nothing of ` +
          `${ctx.node} was touched. Fix: let that change finish (or repair it), then re-run; ` +
          `ecs:kubernetes.serverLockTimeoutSec sets how long to wait.`,
      );
    }
    if (Date.now() - lastLog > 10_000) {
      ctx.log(`waiting for the server lock (${Math.round(waited)}s): ${describe(lease)}`);
      lastLog = Date.now();
    }
    await sleep(pollDelay(attempt, Math.max(ctx.pollMs, 2000)));
  }
  ctx.log(`server lock taken (${phase})`);
  ctx.record.note("serverLock", { taken: new Date().toISOString(), phase });
}

/** Moves this holder's lock to another state; does nothing when this node does not hold it. */
function update(ctx: StageContext, state: LockState, phase: string, failure?: string): void {
  for (;;) {
    const lease = read(ctx);
    if (!lease || lease.spec.holderIdentity !== ctx.node) return;
    if (write(ctx, manifest(ctx, state, phase, lease, failure), false)) return;
  }
}

export const setLockPhase = (ctx: StageContext, phase: string) => update(ctx, "held", phase);

/** Waiters stop at once; a re-run of this node's chain takes the lock back. */
export function markLockFailed(ctx: StageContext, error: string): void {
  update(ctx, "failed", "failed", error);
  ctx.log("server lock marked failed: other server changes stop until this one is finished");
}

export function releaseServerLock(ctx: StageContext, why: string): void {
  update(ctx, "released", why);
  ctx.log(`server lock released (${why})`);
}
