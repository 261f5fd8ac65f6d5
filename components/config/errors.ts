/** One problem in the stack configuration: where it is, what is wrong, and how to fix it. */
export interface ConfigProblem {
  /** Full config path, e.g. `ecs:nodes[2].ip`. */
  field: string;
  problem: string;
  fix: string;
}

/**
 * Thrown before any resource is registered, listing every problem found at once so a user fixes
 * their config in one pass rather than one error per `pulumi preview`.
 */
export class EcsConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid ecs-pulumi configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.field}: ${p.problem}. Fix: ${p.fix}`).join("\n"),
    );
    this.name = "EcsConfigError";
  }
}

/** Collects problems while validators walk the raw config. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  add(field: string, problem: string, fix: string): void {
    this.items.push({ field, problem, fix });
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new EcsConfigError(this.items);
  }
}
