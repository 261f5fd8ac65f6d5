/**
 * One dynamic provider object behind every dynamic stage of the program: the CM stages (cluster
 * host, role, refresh), the VM power stage and the generation guard. The engine still sees one
 * type per stage. What the SDK serializes into state is only a loader of it (`storedStageProvider`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ClusterHostInputs, clusterHostProvider } from "./cloudera/stages/cluster-host";
import { RefreshInputs, refreshProvider, triggersChanged } from "./cloudera/stages/refresh";
import { RoleInputs, roleProvider } from "./cloudera/stages/role";
import { GenerationInputs, generationGuardProvider } from "./cluster/generationGuard";
import { COMPILED_DIR } from "./compiledProgram";
import { RunRecord } from "./kube/runRecord";
import { powerOff, powerOn, VmPowerArgs, VmPowerInputs, vmPowerProvider } from "./openstack/powerStage";

type StageInputs = ClusterHostInputs | RoleInputs | RefreshInputs | VmPowerInputs | GenerationInputs;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyProvider = pulumi.dynamic.ResourceProvider<any, any>;

interface StageKind {
  provider: AnyProvider;
  /** The halves that change something, with the run record stage name each appends (none: not recorded). */
  create?: {
    stage: string;
    run?: (inputs: VmPowerInputs, record: RunRecord) => Promise<pulumi.dynamic.CreateResult>;
  };
  delete?: { stage: string; run?: (id: string, props: VmPowerInputs, record: RunRecord) => Promise<void> };
}

/** Which stage a set of inputs or outputs belongs to: each stage has a field the others lack. */
function stageOf(props: object): StageKind {
  if ("generations" in props) return { provider: generationGuardProvider as AnyProvider };
  if ("serverName" in props)
    return {
      provider: vmPowerProvider as AnyProvider,
      create: {
        stage: "vm-power-on",
        run: async (inputs: VmPowerInputs, record) => {
          await powerOn(inputs, record);
          return { id: `${inputs.instanceId}-power`, outs: { ...inputs, stage: "vm-power" } };
        },
      },
      delete: { stage: "vm-power-off", run: (_id, props: VmPowerInputs, record) => powerOff(props, record) },
    };
  if ("roleType" in props)
    return {
      provider: roleProvider,
      create: { stage: "cm-role-create" },
      delete: { stage: "cm-role-delete" },
    };
  if ("triggers" in props) return { provider: refreshProvider, create: { stage: "cm-refresh" } };
  return {
    provider: clusterHostProvider,
    create: { stage: "cm-host-create" },
    delete: { stage: "cm-host-delete" },
  };
}

/** Runs a half and appends its entry to the run record (when one is configured). */
async function recorded<T>(
  props: StageInputs,
  stage: string,
  run: (record: RunRecord) => Promise<T>,
): Promise<T> {
  const p = props as Partial<RoleInputs & ClusterHostInputs & VmPowerInputs>;
  const record = new RunRecord(p.runRecordDir, p.node ?? p.hostname ?? "cluster", stage);
  if (p.roleType) record.note("roleType", p.roleType);
  if (p.instanceId) record.note("instanceId", p.instanceId);
  try {
    const result = await run(record);
    record.finish("succeeded");
    return result;
  } catch (e) {
    record.finish("failed", (e as Error).message);
    throw e;
  }
}

export const stageProvider: pulumi.dynamic.ResourceProvider<StageInputs, StageInputs> = {
  check: (olds, news) => stageOf(news).provider.check!(olds, news),
  diff: (id, olds, news) => stageOf(news).provider.diff!(id, olds, news),
  create: (inputs) => {
    const { provider, create } = stageOf(inputs);
    if (!create) return provider.create(inputs);
    return recorded(inputs, create.stage, async (record) => {
      const result = await (create.run
        ? create.run(inputs as VmPowerInputs, record)
        : provider.create(inputs));
      record.note("id", result.id);
      return result;
    });
  },
  update: (id, olds, news) => {
    const { provider, create } = stageOf(news);
    const run = () => provider.update!(id, olds, news);
    // The refresh runs again on a role change; other updates are bookkeeping and are not recorded.
    const refreshes = create && "triggers" in news && triggersChanged(olds as RefreshInputs, news);
    return refreshes ? recorded(news, create.stage, run) : run();
  },
  delete: async (id, props) => {
    const { provider, delete: del } = stageOf(props);
    if (!del) return provider.delete?.(id, props);
    await recorded(props, del.stage, async (record) => {
      record.note("id", id);
      await (del.run ? del.run(id, props as VmPowerInputs, record) : provider.delete?.(id, props));
    });
  },
};

/**
 * What state holds for every dynamic stage: not the provider's code (89 KB per resource written
 * into every checkpoint, 0.6 s to serialize per run) but a loader of the compiled provider, which
 * the engine runs in the project directory. So every stage runs the checkout's compiled code, as
 * the command stages do (`node bin/...`), and refuses when it is older than the sources. A
 * resource stored by an older release keeps the code it was created with until it is updated.
 */
export const storedStageProvider: pulumi.dynamic.ResourceProvider<StageInputs, StageInputs> = {
  check: (olds, news) => compiledStageProvider().check!(olds, news),
  diff: (id, olds, news) => compiledStageProvider().diff!(id, olds, news),
  create: (inputs) => compiledStageProvider().create(inputs),
  update: (id, olds, news) => compiledStageProvider().update!(id, olds, news),
  delete: (id, props) => compiledStageProvider().delete!(id, props),
};

/**
 * Where the compiled provider is, from the project directory: `bin/components` for this project,
 * kept relative so that state survives a new checkout path (a test fixture using these stages
 * reaches the repository's bin/ from its own directory).
 */
const compiledFromProject = path.relative(process.cwd(), path.join(COMPILED_DIR, "components"));

function compiledStageProvider(): typeof stageProvider {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { resolve } = require("path");
  require(resolve(compiledFromProject, "compiledProgram.js")).assertCompiledCurrent();
  return require(resolve(compiledFromProject, "dynamicStages.js")).stageProvider;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** `ecs:openstack:VmPower` (engine type token `pulumi-nodejs:dynamic/openstack:VmPower`). */
export class VmPower extends pulumi.dynamic.Resource {
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: VmPowerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      storedStageProvider,
      name,
      { ...args, openstackAuth: pulumi.secret(args.openstackAuth), stage: undefined },
      { ...opts, additionalSecretOutputs: ["openstackAuth"] },
      "openstack",
      "VmPower",
    );
  }
}

/** `ecs:cluster:Generations` (engine type token `pulumi-nodejs:dynamic/cluster:Generations`). */
export class GenerationGuard extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: {
      generations: pulumi.Input<GenerationInputs["generations"]>;
      addresses: pulumi.Input<Record<string, string>>;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(storedStageProvider, name, { ...args, stage: undefined }, opts, "cluster", "Generations");
  }
}
