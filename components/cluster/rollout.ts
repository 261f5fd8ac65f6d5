import { NodeConfig, RolloutConfig } from "../config/types";

/** One node's place in the roll. */
export interface RollStep {
  node: NodeConfig;
  /** Nodes whose gate must have passed before this node's chain may start (none: first). */
  after: string[];
  /** Every node that is done before this one starts (the transitive closure of `after`). */
  before: string[];
  /** Agents that may be out at the same time as this one (other lanes of the same run of agents). */
  alongside: string[];
}

/**
 * Orders the nodes for a roll. A server waits for everything before it in `order` and everything
 * after it waits for the server. A run of consecutive agents is split into `maxUnavailableAgents`
 * lanes (the i-th agent of the run follows the (i-k)-th), so at most that many agents are out at
 * once. Pure; the program links each node's chain to the gates of its `after` nodes.
 */
export function rollPlan(nodes: NodeConfig[], rollout: RolloutConfig): RollStep[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const k = rollout.maxUnavailableAgents;
  const steps: RollStep[] = [];
  let barrier: string[] = [];
  let run: string[] = [];
  for (const name of rollout.order) {
    const node = byName.get(name);
    if (!node) throw new Error(`rollout order names ${name}, which is not a configured node`);
    let after: string[];
    if (node.role === "agent") {
      after = run.length < k ? barrier : [run[run.length - k]];
      run.push(name);
    } else {
      after = run.length ? run.slice(-k) : barrier;
      barrier = [name];
      run = [];
    }
    const before = new Set<string>();
    for (const a of after) {
      before.add(a);
      for (const b of steps.find((s) => s.node.name === a)!.before) before.add(b);
    }
    steps.push({ node, after, before: [...before], alongside: [] });
  }
  // Neither before nor after one another: out at the same time (agents of one run, other lanes).
  for (const s of steps)
    s.alongside = steps
      .filter((o) => o !== s && !s.before.includes(o.node.name) && !o.before.includes(s.node.name))
      .map((o) => o.node.name);
  return steps;
}
