import {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/** A resource as a policy sees it; `deps` maps an input name to the resources it came from. */
export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  opts?: Partial<PolicyResourceOptions>;
  deps?: Record<string, FakeResource[]>;
  /** Resources it depends on by `dependsOn` only. */
  dependsOn?: FakeResource[];
}

const urnOf = (r: FakeResource) => `urn:pulumi:test::ecs::${r.type}::${r.name}`;

function options(r: FakeResource): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...r.opts,
  };
}

/** Runs a resource policy on one resource; returns the violation messages. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  r: FakeResource,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const out: string[] = [];
  const args = {
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props: r.props,
    opts: options(r),
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
  const validations = [policy.validateResource ?? []].flat();
  for (const v of validations) await v(args, (message) => out.push(message));
  return out;
}

/** Runs a stack policy over a set of resources; returns the violation messages. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: FakeResource[],
): Promise<string[]> {
  const out: string[] = [];
  const converted = new Map<FakeResource, PolicyResource>();
  const convert = (r: FakeResource): PolicyResource => {
    let p = converted.get(r);
    if (p) return p;
    p = {
      type: r.type,
      name: r.name,
      urn: urnOf(r),
      props: r.props,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
    converted.set(r, p);
    for (const [k, ds] of Object.entries(r.deps ?? {})) p.propertyDependencies[k] = ds.map(convert);
    // As the engine reports them: every resource depended on, by property or by dependsOn.
    const all = [...Object.values(r.deps ?? {}).flat(), ...(r.dependsOn ?? [])];
    (p as { dependencies: PolicyResource[] }).dependencies = [...new Set(all)].map(convert);
    return p;
  };
  const args = {
    resources: resources.map(convert),
    stackTags: new Map<string, string>(),
    getConfig: <T>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
  await policy.validateStack(args as never, (message) => out.push(message));
  return out;
}
