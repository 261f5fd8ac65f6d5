/**
 * Reads the steps of `pulumi preview --json` and works out, per ECS node, what the update would
 * do to it: which stages run in which order, which runbook case evacuates it, in which order the
 * nodes roll (from the preview's dependencies), and whether the update is safe to apply (one
 * server out at a time, a bounded number of agents at a time, evacuation before anything is removed).
 */

export interface ResourceState {
  urn: string;
  type: string;
  parent?: string;
  inputs?: Record<string, unknown>;
  /** What the resource waits for (dependsOn and inputs): how the gate sees the roll's order. */
  dependencies?: string[];
}

export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  replaceReasons?: string[];
  diffReasons?: string[];
}

export interface PreviewDigest {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
}

export interface PolicyResult {
  policy: string;
  level: string;
  message: string;
  urn?: string;
}

const INSTANCE = "openstack:compute/instance:Instance";
const PORT = "openstack:networking/port:Port";
/**
 * What an in-place update may change on a running node's instance and port (README, "What an
 * update may change in place"): labels, delete-time options and the port's security groups. Any
 * other field (a new flavor is a resize, a power state a stop or start, a port's address or state
 * cuts the node off; also a field a newer provider adds) disturbs the node outside its chain.
 */
const SAFE_IN_PLACE: Record<string, Set<string> | undefined> = {
  [INSTANCE]: new Set(["metadata", "name", "tags", "stopBeforeDestroy", "forceDelete", "vendorOptions"]),
  [PORT]: new Set(["name", "description", "tags", "securityGroupIds"]),
};

/** The fields of an in-place update that disturb the running node (none for other resources). */
function disturbingFields(step: PreviewStep): string[] {
  const type = (step.newState ?? step.oldState)?.type ?? "";
  const safe = SAFE_IN_PLACE[type];
  if (!safe) return [];
  const fields = (step.diffReasons ?? []).map((f) => f.split(/[.[]/)[0]);
  return [...new Set(fields.filter((f) => !safe.has(f)))];
}

/** The problem line for a disturbing in-place update, with the fix that fits its fields. */
function inPlaceProblem(node: string, resource: string, fields: string[]): string {
  const head = `${node}: "update ${resource}" changes ${fields.join(", ")} of the running node in place`;
  if (fields.some((f) => f === "fixedIps" || f === "noFixedIp"))
    return (
      `${head} (its address: CM and Kubernetes know the node by it). Fix: keep the node's IP; to move it, add a ` +
      "node with a new name and the new IP, then remove the old one."
    );
  if (fields.includes("powerState"))
    return (
      `${head} (a start or stop outside the chain; a refresh may have recorded a stopped VM). Fix: start the VM ` +
      "yourself (`openstack server start`) or bump the node's rebuild generation, then preview again."
    );
  return (
    `${head} (a restart or a cut-off interface, with no drain, no role stop and no health gate). Fix: make the ` +
    "change a replacement through the chain (`replaceOnChanges`, or bump the node's rebuild generation), one node " +
    "per pull request."
  );
}
const NODE_COMPONENT = "ecs:index:Node";
const CM_ROLE = "pulumi-nodejs:dynamic/cloudera:Role";
/** Operations that take something of a node away. */
const REMOVING = new Set(["delete", "delete-replaced", "replace", "discard", "discard-replaced"]);
/** Stages whose removal means the node leaves the cluster. */
const MEMBERSHIP_SUFFIX = "-k8s-membership";
/** The RKE2 prep (killall + uninstall on the node): replaced only by a rejoin. */
const PREP_SUFFIX = "-rke2-prep";
/** The gate between nodes of a roll: the next node's chain waits for it. */
export const NODE_GATE_SUFFIX = "-node-gate";
/** The VM power stage (its delete powers the VM off) and the data volume attachment. */
const POWER_SUFFIX = "-power";
const ATTACH_SUFFIX = "-data-attach";
export const CHAIN_SUFFIXES = [
  "-vm",
  ATTACH_SUFFIX,
  "-cm-host",
  POWER_SUFFIX,
  PREP_SUFFIX,
  "-cm-role",
  MEMBERSHIP_SUFFIX,
];

export interface NodePlan {
  name: string;
  /** Nodes of this update whose chains (and gates) finish before this node's starts. */
  after: string[];
  role: "server" | "agent" | "unknown";
  kind: "rebuild" | "rejoin" | "remove";
  evacuation: string;
  /** "<op> <resource>" in engine order. */
  steps: string[];
  problems: string[];
}

export interface GateOptions {
  maxServers: number;
  maxAgents: number;
}

export interface GateResult {
  /** In roll order: every node after the nodes it waits for. */
  nodes: NodePlan[];
  /** In-place updates that would restart or cut off a running node outside its chain. */
  inPlace: string[];
  problems: string[];
  accepted: boolean;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The ECS node a resource belongs to: its parent is an `ecs:index:Node` component. */
function nodeOf(step: PreviewStep): string | undefined {
  const parent = step.newState?.parent ?? step.oldState?.parent;
  if (!parent || !parent.includes(`${NODE_COMPONENT}::`)) return undefined;
  return nameOf(parent);
}

const CASES: Record<string, string> = {
  drain: "case 3: drain (eviction API, PDBs honoured)",
  "delete-node": "case 1: delete the Node (pod GC)",
  "force-delete-pods": "case 2: force-delete the node's pods",
  "out-of-service": "non-graceful shutdown: out-of-service taint after Nova confirms the VM off",
  auto: "auto: chosen from evidence at run time",
};

export function analyzePreview(digest: PreviewDigest, opts: GateOptions): GateResult {
  const steps = digest.steps ?? [];
  const roles = new Map<string, NodePlan["role"]>();
  const evacuation = new Map<string, string>();
  for (const s of steps) {
    const node = nodeOf(s);
    if (!node) continue;
    const state = s.newState ?? s.oldState;
    if (state?.type === INSTANCE) {
      const role = (state.inputs?.metadata as Record<string, string> | undefined)?.["ecs-role"];
      if (role === "server" || role === "agent") roles.set(node, role);
    }
    // A rejoin leaves the VM alone, so its role comes from the CM role stage.
    const roleType = state?.type === CM_ROLE ? state.inputs?.roleType : undefined;
    if (roleType === "ECS_SERVER" || roleType === "ECS_AGENT")
      roles.set(node, roleType === "ECS_SERVER" ? "server" : "agent");
    if (nameOf(s.urn).endsWith(MEMBERSHIP_SUFFIX)) {
      // The delete runs with what the intent stage recorded: the new value when there is one.
      const env = (s.newState?.inputs?.environment ?? s.oldState?.inputs?.environment) as
        Record<string, string> | undefined;
      if (env?.ECS_EVACUATION) evacuation.set(node, env.ECS_EVACUATION);
    }
  }

  const plans = new Map<string, NodePlan>();
  const inPlace: string[] = [];
  steps.forEach((s) => {
    const node = nodeOf(s);
    if (!node || s.op === "same" || s.op === "read") return;
    const disturbing = s.op === "update" ? disturbingFields(s) : [];
    if (disturbing.length) inPlace.push(inPlaceProblem(node, nameOf(s.urn), disturbing));
    const resource = nameOf(s.urn);
    const inChain = CHAIN_SUFFIXES.some((x) => resource.endsWith(x));
    let plan = plans.get(node);
    if (!plan) {
      if (!inChain || !REMOVING.has(s.op) || !s.oldState) return;
      plan = {
        name: node,
        after: [],
        role: roles.get(node) ?? "unknown",
        kind: "rejoin",
        evacuation: "",
        steps: [],
        problems: [],
      };
      plans.set(node, plan);
    }
    plan.steps.push(`${s.op} ${resource}`);
  });

  for (const plan of plans.values()) {
    const mode = evacuation.get(plan.name) ?? "drain";
    plan.evacuation = CASES[mode] ?? mode;
    const vmGone = plan.steps.find((x) => / .*-vm$/.test(x) && REMOVING.has(x.split(" ")[0]));
    const vmBack = plan.steps.some((x) => /^(create|create-replacement) .*-vm$/.test(x));
    plan.kind = vmGone ? (vmBack || vmGone.startsWith("replace") ? "rebuild" : "remove") : "rejoin";
    const prepRedone = plan.steps.some((x) => x.endsWith(PREP_SUFFIX) && REMOVING.has(x.split(" ")[0]));
    if (plan.kind === "rebuild" && prepRedone) {
      // The prep would run on the new VM with the old VM's host key, after the node is already out.
      plan.problems.push(
        `${plan.name}: rebuild and rejoin in one update. A rebuilt VM is already clean, and the RKE2 prep would ` +
          "try the old VM's SSH host key on the new one. Fix: bump only rebuild (or only rejoin) in this pull request.",
      );
    }
    // With --show-replacement-steps the digest lists delete-replaced steps in engine order; without
    // it, a DBR cascade appears as one "replace" per resource, and presence is what can be checked.
    const isMembership = (x: string) => x.endsWith(MEMBERSHIP_SUFFIX);
    // A gate's replacement removes nothing (it has no delete half).
    const removes = (x: string) => REMOVING.has(x.split(" ")[0]) && !x.endsWith(NODE_GATE_SUFFIX);
    const firstRemoval = plan.steps.findIndex(
      (x) => removes(x) && !isMembership(x) && !x.startsWith("replace "),
    );
    const anyRemoval = plan.steps.findIndex((x) => removes(x) && !isMembership(x));
    const evacuated = plan.steps.findIndex((x) => removes(x) && isMembership(x));
    const culprit = firstRemoval >= 0 ? firstRemoval : anyRemoval;
    // In engine order, the data volume must leave a VM the power stage has already stopped.
    const detach = plan.steps.findIndex((x) => x.startsWith("delete-replaced ") && x.endsWith(ATTACH_SUFFIX));
    const powerOff = plan.steps.findIndex(
      (x) => x.startsWith("delete-replaced ") && x.endsWith(POWER_SUFFIX),
    );
    if (detach >= 0 && (powerOff < 0 || powerOff > detach)) {
      plan.problems.push(
        `${plan.name}: "${plan.steps[detach]}" would detach the data volume ${powerOff < 0 ? "without" : "before"} the VM ` +
          "power stage stopping the VM. Fix: bind the CM host stage to the attachment (dataAttachmentId) and the power " +
          "stage to the CM host, so the cascade powers the VM off first.",
      );
    }
    if (culprit >= 0 && (evacuated < 0 || (firstRemoval >= 0 && evacuated > firstRemoval))) {
      plan.problems.push(
        `${plan.name}: "${plan.steps[culprit]}" would run without its Kubernetes membership stage (evacuation) deleted first. ` +
          "Fix: wire the node's membership stage to its CM role (triggers) so the cascade evacuates it first.",
      );
    }
  }

  const nodes = rollOrder([...plans.values()], steps);
  const problems = [...inPlace, ...nodes.flatMap((n) => n.problems)];
  const servers = nodes.filter((n) => n.role === "server");
  const agents = nodes.filter((n) => n.role === "agent");
  // Nodes out at the same time are those the program did not order (no dependency path from one
  // node's chain to the other's gate): a roll of many nodes is fine, a parallel pair is not.
  const serversAtOnce = largestUnordered(servers);
  if (serversAtOnce.size > opts.maxServers) {
    problems.push(
      `${serversAtOnce.size} ECS servers would be out at the same time (of ${serversAtOnce.names.join(", ")}); ` +
        `at most ${opts.maxServers} may be, or etcd can lose quorum. Fix: make the preview with --show-sames (the ` +
        "gate follows the roll through unchanged nodes' gates); if it was, the chains are not linked in a roll " +
        "(stages off?): split the change into one pull request per server.",
    );
  }
  const agentsAtOnce = largestUnordered(agents);
  if (agentsAtOnce.size > opts.maxAgents) {
    problems.push(
      `${agentsAtOnce.size} ECS agents would be out at the same time (of ${agentsAtOnce.names.join(", ")}); ` +
        `the limit is ${opts.maxAgents}. Fix: lower ecs:rollout.maxUnavailableAgents, or raise --max-agents if capacity allows.`,
    );
  }
  return { nodes, inPlace, problems, accepted: problems.length === 0 };
}

/**
 * Fills each plan's `after` from the preview's dependencies and sorts the plans into that order.
 * Node B waits for node A when every stage of B's chain in the preview (the VM or the RKE2 prep
 * that starts B's delete cascade included) reaches A's gate or membership. A resource the preview
 * does not list (a `same` step without --show-sames) ends the search: unproven means unordered.
 */
function rollOrder(plans: NodePlan[], steps: PreviewStep[]): NodePlan[] {
  const deps = new Map<string, string[]>();
  for (const s of steps) if (s.newState) deps.set(s.urn, s.newState.dependencies ?? []);
  const reach = (from: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [from];
    while (todo.length)
      for (const d of deps.get(todo.pop()!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        todo.push(d);
      }
    return seen;
  };
  const urnOf = (node: string, suffix: string) =>
    steps.find((s) => nodeOf(s) === node && nameOf(s.urn) === `${node}${suffix}`)?.urn;
  const chainOf = (node: string) =>
    steps.filter(
      (s) => s.newState && nodeOf(s) === node && CHAIN_SUFFIXES.some((x) => nameOf(s.urn) === `${node}${x}`),
    );
  const reached = new Map(plans.map((p) => [p.name, chainOf(p.name).map((s) => reach(s.urn))]));
  for (const p of plans)
    p.after = plans
      .filter((o) => o !== p)
      .filter((o) => {
        const ends = [NODE_GATE_SUFFIX, MEMBERSHIP_SUFFIX].flatMap((x) => urnOf(o.name, x) ?? []);
        const sets = reached.get(p.name)!;
        return sets.length > 0 && sets.every((set) => ends.some((urn) => set.has(urn)));
      })
      .map((o) => o.name);
  return [...plans].sort((a, b) => a.after.length - b.after.length);
}

/**
 * How many nodes may be out at once: the largest set none of which waits for another. `after` is
 * transitive, so by Dilworth's theorem that is the node count minus a maximum matching of the
 * "waits for" pairs. The names are one such set (found greedily) for the message.
 */
function largestUnordered(plans: NodePlan[]): { size: number; names: string[] } {
  const n = plans.length;
  const before = (a: number, b: number) => plans[b].after.includes(plans[a].name);
  const matchOf: number[] = new Array(n).fill(-1);
  const augment = (a: number, seen: boolean[]): boolean => {
    for (let b = 0; b < n; b++) {
      if (!before(a, b) || seen[b]) continue;
      seen[b] = true;
      if (matchOf[b] < 0 || augment(matchOf[b], seen)) {
        matchOf[b] = a;
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (let a = 0; a < n; a++) if (augment(a, new Array(n).fill(false))) matched++;
  // One such set for the message, found greedily: listed only when it is one of the largest.
  const names: string[] = [];
  for (const p of plans)
    if (names.every((w) => !p.after.includes(w) && !plans.find((x) => x.name === w)!.after.includes(p.name)))
      names.push(p.name);
  return { size: n - matched, names: names.length === n - matched ? names : plans.map((p) => p.name) };
}
