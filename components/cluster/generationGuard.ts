/**
 * Generations only increase (DESIGN.md invariant 6). Lowering `rejoin` would replace the CM role
 * and membership without wiping RKE2 (the server could not rejoin); lowering `rebuild` would
 * rebuild a VM nobody asked to rebuild. This cluster-level stage remembers every node's
 * generations; its `check` refuses a decrease in preview and in update, and every node's chain
 * waits for it, so a refused update changes nothing.
 *
 * It also remembers each node's IP: a new IP for a running node would readdress its port in place
 * (the provider updates `fixedIps` without replacing anything), cutting the node off outside the
 * chain, and the IP is the node's identity in CM and Kubernetes. A node moves by being added anew.
 */
export interface Generations {
  rebuild: number;
  rejoin: number;
}

export interface GenerationInputs {
  /** By node name (ds01): the configured generations. */
  generations: Record<string, Generations>;
  /** By node name: the configured IP (absent in state written before it was guarded). */
  addresses?: Record<string, string>;
}

export interface GenerationOutputs extends GenerationInputs {
  stage: "generations";
}

/** One line per lowered generation (empty = fine). Nodes that are new or removed are not decreases. */
export function loweredGenerations(olds: GenerationInputs | undefined, news: GenerationInputs): string[] {
  const out: string[] = [];
  for (const [node, now] of Object.entries(news.generations ?? {})) {
    const before = olds?.generations?.[node];
    if (!before) continue;
    for (const key of ["rebuild", "rejoin"] as const) {
      if (now[key] < before[key])
        out.push(
          `ecs:nodes (${node}).${key} was lowered from ${before[key]} to ${now[key]}; generations only increase ` +
            `(a lower ${key} would ${key === "rejoin" ? "replace the CM role and membership without wiping RKE2" : "rebuild the VM again"}). ` +
            `Nothing was changed. Fix: set it back to ${before[key]} (or higher to ${key} again)`,
        );
    }
  }
  return out;
}

/** One line per node whose configured IP changed (empty = fine). */
export function changedAddresses(olds: GenerationInputs | undefined, news: GenerationInputs): string[] {
  return Object.entries(news.addresses ?? {}).flatMap(([node, ip]) => {
    const before = olds?.addresses?.[node];
    return before && before !== ip
      ? [
          `ecs:nodes (${node}).ip changed from ${before} to ${ip}; a node's IP is its identity in CM and Kubernetes, ` +
            "and its port would be readdressed under the running node. Nothing was changed. " +
            `Fix: set it back to ${before}; to move the node, add one with a new name and that IP, then remove ${node}`,
        ]
      : [];
  });
}

export const generationGuardProvider = {
  async check(olds: GenerationInputs | undefined, news: GenerationInputs) {
    return {
      inputs: news,
      failures: [
        ...loweredGenerations(olds, news).map((reason) => ({ property: "generations", reason })),
        ...changedAddresses(olds, news).map((reason) => ({ property: "addresses", reason })),
      ],
    };
  },

  async diff(_id: string, olds: GenerationOutputs, news: GenerationInputs) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
    return { changes: !same(olds.generations, news.generations) || !same(olds.addresses, news.addresses) };
  },

  async create(inputs: GenerationInputs) {
    return { id: "generations", outs: { ...inputs, stage: "generations" as const } };
  },

  async update(_id: string, _olds: GenerationOutputs, news: GenerationInputs) {
    return { outs: { ...news, stage: "generations" as const } };
  },
};
