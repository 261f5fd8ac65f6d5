/**
 * Generations only increase (DESIGN.md invariant 6). Lowering `rejoin` would replace the CM role
 * and membership without wiping RKE2 (the server could not rejoin); lowering `rebuild` would
 * rebuild a VM nobody asked to rebuild. This cluster-level stage remembers every node's
 * generations; its `check` refuses a decrease in preview and in update, and every node's chain
 * waits for it, so a refused update changes nothing.
 */
export interface Generations {
  rebuild: number;
  rejoin: number;
}

export interface GenerationInputs {
  /** By node name (ds01): the configured generations. */
  generations: Record<string, Generations>;
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

export const generationGuardProvider = {
  async check(olds: GenerationInputs | undefined, news: GenerationInputs) {
    return {
      inputs: news,
      failures: loweredGenerations(olds, news).map((reason) => ({ property: "generations", reason })),
    };
  },

  async diff(_id: string, olds: GenerationOutputs, news: GenerationInputs) {
    return { changes: JSON.stringify(olds.generations) !== JSON.stringify(news.generations) };
  },

  async create(inputs: GenerationInputs) {
    return { id: "generations", outs: { ...inputs, stage: "generations" as const } };
  },

  async update(_id: string, _olds: GenerationOutputs, news: GenerationInputs) {
    return { outs: { ...news, stage: "generations" as const } };
  },
};
