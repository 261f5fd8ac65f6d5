/**
 * Proof that a stage talks to this stack's cluster before it changes anything in it. A kubeconfig
 * whose context was switched (kubectx), a default ~/.kube/config or a stale context must never make
 * "the Node is not there" look like "the Node is gone" (every safety check would be skipped).
 *
 * Two facts are checked: the kube-system namespace UID the stage recorded at its first run (printed
 * on stdout, which the command provider hands back to update and delete runs), and the configured
 * nodes: most of them present, each with its configured InternalIP.
 */
import { StageContext } from "./context";
import { NodeObject } from "./types";

export interface ClusterIdentity {
  kubeSystemUid: string;
}

const MARK = "ecs-cluster-identity ";

/** The identity a previous run of the stage printed, if it printed one (older stages did not). */
export function recordedIdentity(stdout: string | undefined): ClusterIdentity | undefined {
  const line = (stdout ?? "")
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(MARK));
  return line ? (JSON.parse(line.slice(MARK.length)) as ClusterIdentity) : undefined;
}

/** Prints the identity on stdout: the command provider stores it with the stage. */
export function printIdentity(identity: ClusterIdentity): void {
  process.stdout.write(`${MARK}${JSON.stringify(identity)}\n`);
}

export function internalIp(node: NodeObject): string | undefined {
  return node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
}

/**
 * Throws, naming what was seen, unless the kubeconfig reaches this stack's cluster. Returns the
 * live identity and the Nodes it listed. Reads only.
 */
export function proveCluster(ctx: StageContext): { identity: ClusterIdentity; nodes: NodeObject[] } {
  const where = `the kubeconfig (${ctx.kubectl.kubeconfig})`;
  const fix =
    "Nothing was changed. Fix: point ecs:kubernetes.kubeconfigPath (or the secret ecs:kubeconfig) at this ECS cluster " +
    "(check its current-context), then re-run.";
  const nodes = ctx.kubectl.list<NodeObject>(["nodes"]);
  const ns = ctx.kubectl.get<{ metadata: { uid: string } }>("namespace", "kube-system");
  if (!ns) throw new Error(`${where} reaches an API server without a kube-system namespace. ${fix}`);
  const identity = { kubeSystemUid: ns.metadata.uid };
  const recorded = recordedIdentity(ctx.previousStdout);
  if (recorded && recorded.kubeSystemUid !== identity.kubeSystemUid) {
    throw new Error(
      `${where} now reaches another cluster: its kube-system namespace UID is ${identity.kubeSystemUid}, ` +
        `but this stage recorded ${recorded.kubeSystemUid} when it was created. ${fix}`,
    );
  }
  const configured = ctx.cluster?.nodes ?? [];
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  const present = configured.filter((c) => byName.has(c.hostname));
  const wrongIp = present.filter((c) => internalIp(byName.get(c.hostname)!) !== c.ip);
  if (wrongIp.length > 0) {
    throw new Error(
      `${where} reaches a cluster whose Nodes have other addresses than configured: ` +
        wrongIp
          .map(
            (c) =>
              `${c.hostname} has InternalIP ${internalIp(byName.get(c.hostname)!) ?? "none"}, configured ${c.ip}`,
          )
          .join("; ") +
        `. ${fix}`,
    );
  }
  if (configured.length > 0 && present.length * 2 <= configured.length) {
    throw new Error(
      `${where} reaches a cluster where only ${present.length} of the ${configured.length} configured nodes exist ` +
        `(found: ${nodes.map((n) => n.metadata.name).join(", ") || "no nodes"}). ${fix}`,
    );
  }
  ctx.record.note("clusterIdentity", {
    kubeSystemUid: identity.kubeSystemUid,
    matchesRecorded: recorded ? true : "nothing recorded yet",
    configuredNodesPresent: `${present.length}/${configured.length}`,
  });
  return { identity, nodes };
}
