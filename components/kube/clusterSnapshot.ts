import { StageContext } from "./context";
import { isReady, NodeObject, PdbObject } from "./types";

/** The cluster as a stage found or left it: for the run record's before/after. */
export interface ClusterSnapshot {
  readyNodes: string[];
  notReadyNodes: string[];
  /** Every PodDisruptionBudget's headroom: how many pods it would let go right now. */
  pdbHeadroom: Record<string, number>;
}

export function clusterSnapshot(ctx: StageContext): ClusterSnapshot {
  const nodes = ctx.kubectl.list<NodeObject>(["nodes"]);
  const pdbs = ctx.kubectl.list<PdbObject>(["pdb", "--all-namespaces"]);
  return {
    readyNodes: nodes.filter(isReady).map((n) => n.metadata.name),
    notReadyNodes: nodes.filter((n) => !isReady(n)).map((n) => n.metadata.name),
    pdbHeadroom: Object.fromEntries(
      pdbs.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.status?.disruptionsAllowed ?? 0]),
    ),
  };
}
