import * as pulumi from "@pulumi/pulumi";
import { RunRecord } from "../../kube/runRecord";
import { ClusterHostArgs, ClusterHostInputs, ClusterHostOutputs, clusterHostProvider } from "./cluster-host";
import { RefreshArgs, RefreshInputs, RefreshOutputs, refreshProvider, triggersChanged } from "./refresh";
import { RoleArgs, RoleInputs, RoleOutputs, roleProvider } from "./role";

type StageInputs = ClusterHostInputs | RoleInputs | RefreshInputs;
type StageOutputs = ClusterHostOutputs | RoleOutputs | RefreshOutputs;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyProvider = pulumi.dynamic.ResourceProvider<any, any>;

/** Which stage a set of inputs or outputs belongs to: each stage has a field the others lack. */
function stageOf(props: object): { provider: AnyProvider; stage: "cm-role" | "cm-refresh" | "cm-host" } {
  if ("roleType" in props) return { provider: roleProvider, stage: "cm-role" };
  if ("triggers" in props) return { provider: refreshProvider, stage: "cm-refresh" };
  return { provider: clusterHostProvider, stage: "cm-host" };
}

/**
 * One provider object behind all three CM stage types. The SDK serializes each distinct provider
 * object once per run (about a second each, the CM client comes along), so sharing one object
 * saves the other two on every preview and update. The engine still sees three resource types.
 */
export const cmStageProvider: pulumi.dynamic.ResourceProvider<StageInputs, StageOutputs> = {
  check: (olds, news) => stageOf(news).provider.check!(olds, news),
  diff: (id, olds, news) => stageOf(news).provider.diff!(id, olds, news),
  create: (inputs) =>
    recorded(inputs, "create", async (record) => {
      const result = await stageOf(inputs).provider.create(inputs);
      record.note("id", result.id);
      return result;
    }),
  update: (id, olds, news) => {
    const run = () => stageOf(news).provider.update!(id, olds, news);
    const refreshes = "triggers" in news && triggersChanged(olds as RefreshInputs, news);
    return refreshes ? recorded(news, "update", run) : run();
  },
  delete: (id, props) =>
    recorded(props, "delete", async (record) => {
      record.note("id", id);
      await stageOf(props).provider.delete!(id, props);
    }),
};

/** Runs a create or delete half and appends its entry to the run record (when one is configured). */
async function recorded<T>(
  props: StageInputs,
  half: "create" | "update" | "delete",
  run: (record: RunRecord) => Promise<T>,
): Promise<T> {
  const p = props as Partial<RoleInputs & ClusterHostInputs>;
  const { stage } = stageOf(props);
  // The refresh has no halves to tell apart: it runs on create and on every role change.
  const name = stage === "cm-refresh" ? stage : `${stage}-${half}`;
  const record = new RunRecord(props.runRecordDir, p.hostname ?? "cluster", name);
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

/** `ecs:cloudera:ClusterHost` (engine type token `pulumi-nodejs:dynamic/cloudera:ClusterHost`). */
export class ClusterHost extends pulumi.dynamic.Resource {
  declare readonly hostId: pulumi.Output<string>;
  declare readonly hostname: pulumi.Output<string>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: ClusterHostArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      cmStageProvider,
      name,
      { ...args, cmPassword: pulumi.secret(args.cmPassword), hostId: undefined, stage: undefined },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "ClusterHost",
    );
  }
}

/** `ecs:cloudera:Role` (engine type token `pulumi-nodejs:dynamic/cloudera:Role`). */
export class Role extends pulumi.dynamic.Resource {
  declare readonly roleName: pulumi.Output<string>;
  declare readonly dockerRoleName: pulumi.Output<string | undefined>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      cmStageProvider,
      name,
      {
        ...args,
        cmPassword: pulumi.secret(args.cmPassword),
        roleName: undefined,
        dockerRoleName: undefined,
        stage: undefined,
      },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "Role",
    );
  }
}

/** `ecs:cloudera:Refresh` (engine type token `pulumi-nodejs:dynamic/cloudera:Refresh`). */
export class Refresh extends pulumi.dynamic.Resource {
  declare readonly refreshedAt: pulumi.Output<string>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: RefreshArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      cmStageProvider,
      name,
      { ...args, cmPassword: pulumi.secret(args.cmPassword), refreshedAt: undefined, stage: undefined },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "Refresh",
    );
  }
}
